// Static type-check of every notebook: each notebook's code cells, concatenated in order as tslab sees them
// (a later cell sees the earlier cells' declarations), compiled against the library in one ts.Program with the
// project's TypeScript and tslab's compiler options. A lib change that breaks a notebook fails here in seconds
// instead of after executing all notebooks.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, statSync } from "fs";
import { join, relative } from "path";
import ts from "typescript";

const root = join(__dirname, "..");

/** Where each line of a concatenated notebook came from. */
interface NotebookSource {
  id: string;
  fileName: string;
  text: string;
  /** origin[k] = [code cell index (1-based, counting code cells only), line in that cell (1-based)] of line k. */
  origin: [number, number][];
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ipynb") ? [p] : [];
  });
}

/** The code cells of a notebook as one module; the virtual file sits at the project root like tslab's cells. */
export function notebookSource(id: string, notebook: { cells: { cell_type: string; source: string | string[] }[] }): NotebookSource {
  const lines: string[] = [];
  const origin: [number, number][] = [];
  let cell = 0;
  for (const c of notebook.cells) {
    if (c.cell_type !== "code") continue;
    cell++;
    const src = ([] as string[]).concat(c.source).join("");
    src.split("\n").forEach((line, i) => {
      lines.push(line);
      origin.push([cell, i + 1]);
    });
  }
  // `export {}` keeps a notebook without imports a module of its own (no clashes between notebooks).
  lines.push("export {};");
  origin.push([cell, 0]);
  return { id, fileName: join(root, `.notebook-typecheck.${id.replace(/[\\/]/g, "--")}.ts`), text: lines.join("\n"), origin };
}

/** The options tslab compiles cells with (node_modules/tslab/dist/converter.js), type-checking only. */
const options: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.NodeJs,
  esModuleInterop: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  types: ["node"],
  resolveJsonModule: true,
  skipLibCheck: true,
  noEmit: true,
};

/** Type errors of the given notebooks, each as `<id>: cell <c>, line <l>: <message>`. */
export function typecheckNotebooks(sources: NotebookSource[]): string[] {
  const byName = new Map(sources.map((s) => [s.fileName, s]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const nb = byName.get(fileName);
    return nb ? ts.createSourceFile(fileName, nb.text, languageVersion, true) : getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => byName.has(fileName) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => byName.get(fileName)?.text ?? readFile(fileName);
  const program = ts.createProgram({ rootNames: sources.map((s) => s.fileName), options, host });
  const errors: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const nb = d.file ? byName.get(d.file.fileName) : undefined;
    if (d.file && nb && d.start !== undefined) {
      const line = d.file.getLineAndCharacterOfPosition(d.start).line;
      const [cell, cellLine] = nb.origin[line];
      errors.push(`${nb.id}: code cell ${cell}, line ${cellLine}: ${message}`);
    } else {
      errors.push(`${d.file ? relative(root, d.file.fileName) : "(global)"}: ${message}`);
    }
  }
  return errors;
}

describe("notebooks type-check against the library", () => {
  it("every notebook's code cells compile (errors name notebook, cell and line)", () => {
    const files = walk(join(root, "notebooks"));
    expect(files.length).toBeGreaterThan(0);
    const sources = files.map((f) => notebookSource(relative(join(root, "notebooks"), f).replace(/\.ipynb$/, ""), JSON.parse(readFileSync(f, "utf8"))));
    const errors = typecheckNotebooks(sources);
    expect(errors, errors.join("\n")).toEqual([]);
  });

  it("a type error is reported with the notebook id, the code cell and the line", () => {
    const nb = {
      cells: [
        { cell_type: "markdown", source: "# x" },
        { cell_type: "code", source: ['import { eigh } from "./lib/linalg/eigh";\n', "const n = 3;"] },
        { cell_type: "code", source: ["const a: number = 1;\n", 'eigh("not a matrix");'] },
      ],
    };
    const errors = typecheckNotebooks([notebookSource("self-test/broken", nb)]);
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/^self-test\/broken: code cell 2, line 2: Argument of type 'string' is not assignable/);
  });
});
