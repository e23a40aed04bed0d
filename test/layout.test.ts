// The project's layout rules, checked so that they stay true.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, statSync } from "fs";
import { join, relative } from "path";

const root = join(__dirname, "..");

function walk(dir: string, keep: (f: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p, keep) : keep(p) ? [p] : [];
  });
}

const notebooks = walk(join(root, "notebooks"), (f) => f.endsWith(".ipynb"));
const libFiles = walk(join(root, "lib"), (f) => f.endsWith(".ts"));

/** Relative import specifiers in TypeScript source (comments, e.g. usage examples, are skipped). */
function imports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g)].map((m) => m[1]);
}

/**
 * The library's layers, lowest first: a file may import only from its own folder's layer or below.
 * `random <- linalg <- autodiff <- models <- curvature <- data / init / train <- experiments, papers`;
 * stats is a leaf beside linalg, io (model files) sits with data, spectra (the facade) with experiments,
 * notebook serves the notebooks from above, cli and lib/index.ts (the package entry) sit on top.
 */
export const LAYERS: Record<string, number> = {
  random: 0,
  linalg: 1, stats: 1,
  autodiff: 2,
  models: 3,
  curvature: 4,
  data: 5, init: 5, train: 5, tasks: 5, io: 5,
  experiments: 6, papers: 6, spectra: 6,
  notebook: 7,
  cli: 8, "": 8,
};

/** The papers' closed forms must not share code with the brute force that checks them. */
const PAPERS_MAY_IMPORT = new Set(["linalg", "papers"]);

/** Every relative import (also `export ... from`, `import type`, `require`) of a file, with its 1-based line. */
export function importsWithLines(source: string): { spec: string; line: number }[] {
  // Blank out comments but keep newlines so that offsets still give the right line.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/\/\/.*$/gm, "");
  const out: { spec: string; line: number }[] = [];
  for (const m of code.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g)) {
    out.push({ spec: m[1], line: code.slice(0, m.index).split("\n").length });
  }
  return out;
}

/** The lib/ folder a path inside lib/ belongs to ("" for files at lib/'s top level). */
function folderOf(pathInLib: string): string {
  const parts = pathInLib.split(/[\\/]/);
  return parts.length > 1 ? parts[0] : "";
}

describe("layers", () => {
  it("no import in lib/ points up the stack (papers' closed forms import only linalg)", () => {
    const bad: string[] = [];
    const libRoot = join(root, "lib");
    for (const file of libFiles) {
      const from = folderOf(relative(libRoot, file));
      const source = readFileSync(file, "utf8");
      for (const { spec, line } of importsWithLines(source)) {
        const target = relative(libRoot, join(file, "..", spec));
        if (target.startsWith("..")) continue;
        const to = folderOf(target) || (existsSync(join(libRoot, target)) ? target : "");
        const where = `${relative(root, file)}:${line}: imports "${spec}"`;
        if (!(from in LAYERS)) bad.push(`${where}: folder lib/${from} is not in the layer table of test/layout.test.ts`);
        else if (!(to in LAYERS)) bad.push(`${where}: folder lib/${to} is not in the layer table of test/layout.test.ts`);
        else if (from === "papers" && !PAPERS_MAY_IMPORT.has(to)) bad.push(`${where}: a paper's closed forms may import only lib/linalg, not lib/${to}`);
        else if (LAYERS[to] > LAYERS[from]) bad.push(`${where}: lib/${from} (layer ${LAYERS[from]}) must not import lib/${to} (layer ${LAYERS[to]})`);
      }
    }
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it("the import scanner finds every kind of import with its line and skips comments", () => {
    const src = [
      '// import { x } from "../a";',
      'import { b } from "../b";',
      "/* from '../c' */",
      "export * from './d';",
      'import type { E } from "../e/f";',
      'const g = require("../g");',
    ].join("\n");
    expect(importsWithLines(src)).toEqual([
      { spec: "../b", line: 2 },
      { spec: "./d", line: 4 },
      { spec: "../e/f", line: 5 },
      { spec: "../g", line: 6 },
    ]);
  });
});

describe("layout", () => {
  it("every relative import in lib/ and in notebooks resolves to a .ts file or a folder's index.ts", () => {
    const bad: string[] = [];
    for (const file of libFiles) {
      for (const spec of imports(readFileSync(file, "utf8"))) {
        const target = join(file, "..", spec);
        if (!existsSync(`${target}.ts`) && !existsSync(join(target, "index.ts"))) bad.push(`${relative(root, file)}: ${spec}`);
      }
    }
    for (const file of notebooks) {
      const nb = JSON.parse(readFileSync(file, "utf8"));
      for (const cell of nb.cells) {
        if (cell.cell_type !== "code") continue;
        for (const spec of imports([].concat(cell.source).join(""))) {
          if (!existsSync(join(root, `${spec}.ts`)) && !existsSync(join(root, spec, "index.ts"))) bad.push(`${relative(root, file)}: ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("notebooks are committed without outputs, on the project kernel, with a Markdown cell first", () => {
    expect(notebooks.length).toBeGreaterThan(0);
    for (const file of notebooks) {
      const nb = JSON.parse(readFileSync(file, "utf8"));
      const id = relative(join(root, "notebooks"), file);
      expect(nb.metadata?.kernelspec?.name, id).toBe("hessian-spectra");
      expect(nb.cells[0].cell_type, id).toBe("markdown");
      // Markdown written as "// text" comments (jupytext style) renders as literal slashes.
      const commented = nb.cells.filter((c: { cell_type: string; source: string[] }) => c.cell_type === "markdown" && /^\s*\/\/ /.test([].concat(c.source as never).join("")));
      expect(commented.length, `${id}: Markdown cells starting with "// " (convert with npm run nb -- from-percent)`).toBe(0);
      for (const cell of nb.cells) {
        if (cell.cell_type === "code") {
          expect(cell.outputs, id).toEqual([]);
          expect(cell.execution_count, id).toBeNull();
        }
      }
    }
  });

  it("library code never calls Math.random (every draw goes through lib/random/rng)", () => {
    const offenders = libFiles.filter((f) => /Math\.random\s*\(/.test(readFileSync(f, "utf8")));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
