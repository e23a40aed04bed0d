// Authoring notebooks as text. The .ipynb file is the source; this converts to and from the percent format:
//   // %% [markdown]   starts a Markdown cell (its lines are the Markdown itself, or, jupytext-style, each
//                      prefixed with "// ": the prefix is then removed)
//   // %%              starts a code cell
// Usage: npm run nb -- from-percent <in.txt> <out.ipynb>   (an existing <out.ipynb> keeps its metadata, e.g. metadata.claim)
//        npm run nb -- to-percent <in.ipynb> <out.txt>
//        npm run nb -- strip <notebook.ipynb...>        (remove outputs and execution counts in place)
//        node tools/ipynb.mjs strip-staged               (the pre-commit hook, tools/hooks/pre-commit: the
//                      staged version of every .ipynb loses its outputs; the working file keeps them)
import { readFileSync, writeFileSync, mkdirSync, renameSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The kernel every notebook of this project runs on (registered by tools/setup.mjs). */
export const KERNELSPEC = { name: "hessian-spectra", display_name: "TypeScript (hessian-spectra)", language: "typescript" };
export const LANGUAGE_INFO = { name: "typescript", file_extension: ".ts", mimetype: "text/typescript", version: "5.0" };

/** Split source text into the nbformat list of lines (each but the last keeps its newline). */
function sourceLines(text) {
  const lines = text.split("\n");
  return lines.map((line, i) => (i < lines.length - 1 ? line + "\n" : line)).filter((l, i, a) => !(i === a.length - 1 && l === ""));
}

/** Build a notebook object from cells [{type: "markdown"|"code", source: string}]. */
export function notebookFromCells(cells) {
  return {
    cells: cells.map((c) =>
      c.type === "markdown"
        ? { cell_type: "markdown", metadata: {}, source: sourceLines(c.source) }
        : { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: sourceLines(c.source) },
    ),
    metadata: { kernelspec: KERNELSPEC, language_info: LANGUAGE_INFO },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** Parse the percent format into cells. Text before the first marker is an error (it would be lost). */
export function cellsFromPercent(text) {
  const cells = [];
  let current = null;
  text.split("\n").forEach((line, i) => {
    const marker = line.match(/^\/\/ %%(?:\s*\[(\w+)\])?\s*$/);
    if (marker) {
      const type = marker[1] ?? "code";
      if (type !== "markdown" && type !== "code") throw new Error(`line ${i + 1}: unknown cell type [${type}]`);
      current = { type, lines: [] };
      cells.push(current);
    } else if (current) {
      current.lines.push(line);
    } else if (line.trim() !== "") {
      throw new Error(`line ${i + 1}: text before the first "// %%" marker`);
    }
  });
  return cells.map((c) => ({ type: c.type, source: unprefix(c).join("\n").replace(/^\n+|\s+$/g, "") }));
}

/** Jupytext writes Markdown lines as comments ("// text"); when every non-blank line is one, strip the prefix. */
function unprefix(cell) {
  if (cell.type !== "markdown") return cell.lines;
  const content = cell.lines.filter((l) => l.trim() !== "");
  if (content.length === 0 || !content.every((l) => /^\/\/( |$)/.test(l))) return cell.lines;
  return cell.lines.map((l) => l.replace(/^\/\/ ?/, ""));
}

/** Serialise as Jupyter does (one-space indent, trailing newline) so diffs stay small. */
export function serialize(nb) {
  return JSON.stringify(nb, null, 1) + "\n";
}

/** Remove outputs and execution counts: notebooks are committed without outputs. */
export function strip(nb) {
  for (const cell of nb.cells) {
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  return nb;
}

/** Whether a notebook carries outputs or execution counts (it must not be committed so). */
export function hasOutputs(nb) {
  return nb.cells.some((c) => c.cell_type === "code" && ((c.outputs ?? []).length > 0 || c.execution_count != null));
}

/** Write a file atomically (temp file + rename). */
function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/**
 * Replace the staged version of every staged .ipynb that has outputs by its stripped version, as a git
 * filter would: the commit carries no outputs, the working file keeps the user's run. Returns the paths.
 */
export function stripStaged(cwd = process.cwd()) {
  const git = (args, input) => execFileSync("git", args, { cwd, encoding: "utf8", input, maxBuffer: 256 * 1024 * 1024 });
  const staged = git(["diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z", "--", "*.ipynb"]).split("\0").filter(Boolean);
  const stripped = [];
  for (const path of staged) {
    const entry = git(["ls-files", "-s", "--", path]).trim().split(/\s+/); // mode, blob, stage, path
    const nb = JSON.parse(git(["cat-file", "blob", entry[1]]));
    if (!hasOutputs(nb)) continue;
    const blob = git(["hash-object", "-w", "--stdin"], serialize(strip(nb))).trim();
    git(["update-index", "--cacheinfo", `${entry[0]},${blob},${path}`]);
    stripped.push(path);
  }
  return stripped;
}

function toPercent(nb) {
  return (
    nb.cells
      .map((c) => {
        const src = Array.isArray(c.source) ? c.source.join("") : c.source;
        return (c.cell_type === "markdown" ? "// %% [markdown]\n" : "// %%\n") + src;
      })
      .join("\n\n") + "\n"
  );
}

function main(argv) {
  const [command, ...args] = argv;
  if (command === "from-percent" && args.length === 2) {
    const nb = notebookFromCells(cellsFromPercent(readFileSync(args[0], "utf8")));
    // Rewriting an existing notebook keeps its metadata (metadata.claim feeds the catalogue); the kernel is ours.
    if (existsSync(args[1])) nb.metadata = { ...JSON.parse(readFileSync(args[1], "utf8")).metadata, kernelspec: KERNELSPEC, language_info: LANGUAGE_INFO };
    mkdirSync(dirname(resolve(args[1])), { recursive: true });
    writeAtomic(args[1], serialize(nb));
  } else if (command === "to-percent" && args.length === 2) {
    writeFileSync(args[1], toPercent(JSON.parse(readFileSync(args[0], "utf8"))));
  } else if (command === "strip" && args.length >= 1) {
    for (const file of args) writeAtomic(file, serialize(strip(JSON.parse(readFileSync(file, "utf8")))));
  } else if (command === "strip-staged" && args.length === 0) {
    for (const path of stripStaged()) console.log(`pre-commit: committing ${path} without its outputs (the working file keeps them)`);
  } else {
    console.error("usage: npm run nb -- from-percent <in.txt> <out.ipynb> | to-percent <in.ipynb> <out.txt> | strip <nb.ipynb...> | strip-staged");
    process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`nb: ${e.message}`);
    process.exit(1);
  }
}
