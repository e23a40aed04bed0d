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
