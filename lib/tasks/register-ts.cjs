// Teach Node's CommonJS loader to run the library's TypeScript (transpile only, as tools/kernel.mjs does in
// the notebook kernel), so worker threads and child processes can require lib/**/*.ts by path, folders
// (index.ts) included. `node -r ./lib/tasks/register-ts.cjs` registers it for a whole process.
"use strict";
const Module = require("node:module");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

if (!Module._extensions[".ts"]) {
  const root = join(__dirname, "..", "..");
  const ts = Module.createRequire(join(root, "package.json"))("typescript");
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true };
  Module._extensions[".ts"] = (module, filename) => {
    const { outputText } = ts.transpileModule(readFileSync(filename, "utf8"), { fileName: filename, compilerOptions });
    module._compile(outputText, filename);
  };
}
