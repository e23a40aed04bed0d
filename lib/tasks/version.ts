/**
 * A code version from the sources themselves: sha256 over a module's file and every file it imports
 * relatively, transitively, and over how lib/tasks computes a task (`./invoke`, `./encode`). Editing any
 * of them gives new task keys, so a stored result is never reused for code that would now compute
 * something else. The rest of lib/tasks (scheduling, the store, shards, progress lines) is left out: it
 * decides when and where a task runs, not what it returns, so editing it keeps every stored task.
 */
import { existsSync, readFileSync, statSync } from "fs";
import { dirname, join, relative } from "path";
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

const TASKS_DIR = join(projectRoot, "lib", "tasks");
/** The files of lib/tasks that decide what a task returns (see the comment at the top). */
const COMPUTING = ["invoke.ts", "encode.ts"].map((f) => join(TASKS_DIR, f));
const isMachinery = (file: string) => dirname(file) === TASKS_DIR && !COMPUTING.includes(file);

function walk(starts: string[], skip: (file: string) => boolean): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || skip(file)) return;
    seen.add(file);
    for (const spec of relativeImports(readFileSync(file, "utf8"))) {
      const base = join(file, "..", spec);
      const hit = [`${base}.ts`, join(base, "index.ts"), base].find((p) => existsSync(p) && statSync(p).isFile());
      if (hit) visit(hit);
    }
  };
  for (const f of starts) visit(f);
  return [...seen].sort();
}

/** The .ts files a module reaches through relative imports, itself included, sorted by path. */
export function moduleFiles(module: string): string[] {
  return walk([resolveModule("moduleFiles", module)], () => false);
}

/**
 * The files that version a task computed by `module`: what the module reaches through relative imports,
 * except the task machinery of lib/tasks, plus lib/tasks/invoke.ts and encode.ts with what they import.
 */
export function taskCodeFiles(module: string): string[] {
  return walk([resolveModule("taskCodeFiles", module), ...COMPUTING], isMachinery);
}

/** sha256 of the sources that compute a task of `module` (`taskCodeFiles`: paths relative to the root, then contents). */
export function sourceVersion(module: string): string {
  return sha256(taskCodeFiles(module).map((f) => `${relative(projectRoot, f)}\n${readFileSync(f, "utf8")}`).join("\0"));
}
