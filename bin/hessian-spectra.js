#!/usr/bin/env node
// The `hessian-spectra` command. In an installed package it runs the compiled library (dist/); in a checkout
// (lib/ sources present) it runs the sources, transpiled on load, so no build step is needed there.
"use strict";
const { existsSync, readFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const source = join(root, "lib", "cli", "index.ts");
let cli;
if (existsSync(source)) {
  let ts;
  try {
    ts = require("typescript");
  } catch {
    ts = require("@tslab/typescript-for-tslab");
  }
  const Module = require("node:module");
  if (!Module._extensions[".ts"]) {
    Module._extensions[".ts"] = (module, filename) => {
      const { outputText } = ts.transpileModule(readFileSync(filename, "utf8"), {
        fileName: filename,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
      });
      module._compile(outputText, filename);
    };
  }
  cli = require(source);
} else {
  cli = require(join(root, "dist", "lib", "cli", "index.js"));
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
