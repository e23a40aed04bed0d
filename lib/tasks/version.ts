/**
 * A code version from the sources themselves: sha256 over a module's file and every file it imports
 * relatively, transitively. Editing any of them gives new task keys, so a stored result is never reused
 * for code that would now compute something else.
 */
import { existsSync, readFileSync, statSync } from "fs";
import { join, relative } from "path";
import { sha256 } from "./key";
import { projectRoot } from "./paths";

/** Resolve a module path (absolute, or relative to the project root) to its .ts file. */
export function resolveModule(fn: string, module: string): string {
  const base = module.startsWith("/") ? module : join(projectRoot, module);
  // A .js name of a .ts file: what __filename says where the sources are compiled in memory (tslab).
  const tried = [base, `${base}.ts`, join(base, "index.ts"), ...(base.endsWith(".js") ? [`${base.slice(0, -3)}.ts`] : [])];
  for (const p of tried) if (existsSync(p) && statSync(p).isFile()) return p;
  throw new Error(`${fn}: module "${module}" not found (tried ${tried.join(", ")})`);
}

function relativeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  return [...code.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g)].map((m) => m[1]);
}

/** The .ts files a module reaches through relative imports, itself included, sorted by path. */
export function moduleFiles(module: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of relativeImports(readFileSync(file, "utf8"))) {
      const base = join(file, "..", spec);
      const hit = [`${base}.ts`, join(base, "index.ts"), base].find((p) => existsSync(p) && statSync(p).isFile());
      if (hit) visit(hit);
    }
  };
  visit(resolveModule("moduleFiles", module));
  return [...seen].sort();
}

/** sha256 of the sources of `module` and everything it imports (paths relative to the root, then contents). */
export function sourceVersion(module: string): string {
  return sha256(moduleFiles(module).map((f) => `${relative(projectRoot, f)}\n${readFileSync(f, "utf8")}`).join("\0"));
}
