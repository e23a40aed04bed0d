// The kernel that every front-end starts (registered by tools/setup.mjs): tslab, run from the project root.
// tslab compiles cells with TypeScript's rootDir set to the kernel's working directory, and Jupyter starts a
// kernel in the notebook's own folder; starting it from the root lets every notebook import "./lib/...".
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const configPath = process.argv[2];
if (!configPath) {
  console.error("kernel: expected the Jupyter connection file as the first argument");
  process.exit(2);
}
process.chdir(root);
const require = createRequire(join(root, "package.json"));

// tslab type-checks every import, but at run time it serves only the files it compiled for an import of a
// file: an import of a folder ("./lib/linalg" meaning lib/linalg/index.ts) falls through to Node, which
// knows no .ts. Teach Node to load .ts (transpiled with tslab's own TypeScript), so such imports work too.
const ts = require("@tslab/typescript-for-tslab");
const Module = require("node:module");
if (!Module._extensions[".ts"]) {
  Module._extensions[".ts"] = (module, filename) => {
    const source = require("node:fs").readFileSync(filename, "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
    });
    module._compile(outputText, filename);
  };
}

require("tslab/dist/main.js").startKernel({ configPath, enableFindLocal: false });
