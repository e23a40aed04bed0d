/**
 * `hessian-spectra run file.ts [args...]` (and `npm run script -- file.ts`): type-check a user's TypeScript
 * file against the library's types, then run it in this process with `import ... from "hessian-spectra"`
 * resolving to this copy of the library (the sources in a checkout, `dist/` in an installed package).
 *
 * TypeScript comes from the user's project (`typescript`) when installed, else from tslab's bundled copy (a
 * dependency of this package), so nothing extra is needed.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "./setup";

/** Where the library's entry is: sources (a checkout, run through the .ts loader) or the built `dist/`. */
export function libraryEntry(): { entry: string; types: string; fromSource: boolean } {
  const fromSource = __filename.endsWith(".ts");
  const libDir = join(__dirname, "..");
  return fromSource
    ? { entry: join(libDir, "index.ts"), types: join(libDir, "index.ts"), fromSource }
    : { entry: join(libDir, "index.js"), types: join(libDir, "index.d.ts"), fromSource };
}

type TS = typeof import("typescript");

/** The TypeScript compiler: the user's, else tslab's bundled one. */
export function loadTypescript(from: string): TS {
  for (const [id, base] of [["typescript", from], ["typescript", __dirname], ["@tslab/typescript-for-tslab", __dirname]] as const) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      return require(require.resolve(id, { paths: [base] })) as TS;
    } catch {
      /* try the next */
    }
  }
  throw new UsageError("run: no TypeScript compiler found; install one with npm install typescript");
}

/** Let Node load `.ts` files (transpiled, types already checked) and resolve "hessian-spectra" to this library. */
export function registerTypescript(ts: TS): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require("node:module");
  if (!Module._extensions[".ts"]) {
    Module._extensions[".ts"] = (module: { _compile(code: string, file: string): void }, filename: string) => {
      const { outputText } = ts.transpileModule(readFileSync(filename, "utf8"), {
        fileName: filename,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true, sourceMap: false },
      });
      module._compile(outputText, filename);
    };
  }
  const { entry } = libraryEntry();
  const original = Module._resolveFilename;
  if (!original.__hessianSpectra) {
    const patched = function (this: unknown, request: string, ...rest: unknown[]) {
      return original.call(this, request === "hessian-spectra" ? entry : request, ...rest);
    };
    (patched as unknown as { __hessianSpectra: boolean }).__hessianSpectra = true;
    Module._resolveFilename = patched;
  }
}

// Without @types/node (a fresh project), the few globals scripts use.
const FALLBACK_GLOBALS = `declare var console: { log(...a: any[]): void; error(...a: any[]): void; warn(...a: any[]): void; table(...a: any[]): void };
declare var process: { argv: string[]; env: Record<string, string | undefined>; exitCode?: number; cwd(): string; stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } };
declare function require(id: string): any;
declare var __dirname: string;
declare var __filename: string;`;

/**
 * Type-check `file` with the project's strict settings; throws a UsageError listing the diagnostics.
 *
 * @returns nothing; throws when the file does not type-check
 */
export function typecheck(ts: TS, file: string): void {
  const { types } = libraryEntry();
  const hasNodeTypes = (() => {
    for (const base of [dirname(file), process.cwd(), __dirname]) {
      try { require.resolve("@types/node/package.json", { paths: [base] }); return true; } catch { /* next */ }
    }
    return false;
  })();
  const options: import("typescript").CompilerOptions = {
    target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.NodeJs,
    lib: ["lib.es2020.d.ts"], strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true,
    types: hasNodeTypes ? ["node"] : [], baseUrl: dirname(file), paths: { "hessian-spectra": [types] },
  };
  const host = ts.createCompilerHost(options);
  const shim = join(dirname(file), "__hessian_spectra_globals__.d.ts");
  const roots = [file];
  if (!hasNodeTypes) {
    roots.push(shim);
    const get = host.getSourceFile.bind(host), exists = host.fileExists.bind(host);
    host.getSourceFile = (name, lang, ...rest) => (resolve(name) === shim ? ts.createSourceFile(name, FALLBACK_GLOBALS, lang) : get(name, lang, ...rest));
    host.fileExists = (name) => resolve(name) === shim || exists(name);
  }
  const program = ts.createProgram(roots, options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || !d.file.fileName.includes("node_modules"));
  if (diagnostics.length > 0) {
    const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n" });
    throw new UsageError(`run: ${file} does not type-check (${diagnostics.length} error${diagnostics.length > 1 ? "s" : ""}):\n${text.trimEnd()}`);
  }
}

/**
 * Type-check and run a TypeScript file; `args` become `process.argv.slice(2)` inside it. An exported promise
 * `main` (or a default export that is a function) is awaited.
 */
export async function runScript(file: string, args: string[]): Promise<void> {
  if (file === undefined) throw new UsageError("run: expected a TypeScript file, e.g. hessian-spectra run examples/top-eigenvalues.ts");
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`run: ${file} does not exist`);
  if (!/\.(ts|mts|cts)$/.test(path)) throw new UsageError(`run: expected a .ts file, got ${file}`);
  const ts = loadTypescript(dirname(path));
  typecheck(ts, path);
  registerTypescript(ts);
  const argv = process.argv;
  process.argv = [argv[0], path, ...args];
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(path);
    const main = typeof mod?.main === "function" ? mod.main : typeof mod?.default === "function" ? mod.default : undefined;
    if (main) await main();
  } finally {
    process.argv = argv;
  }
}
