// Notebooks are committed without outputs (a saved run is megabytes of plots and changes at every run).
import { describe, expect, it } from "vitest";
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
// @ts-expect-error: a plain JavaScript module of the tools
import { hasOutputs, notebookFromCells, serialize, stripStaged } from "../../tools/ipynb.mjs";

const root = join(__dirname, "..", "..");
const git = (args: string[], cwd = root) => execFileSync("git", args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });

describe("committed notebooks", () => {
  it("carry no outputs and no execution counts (what is staged, i.e. what the next commit holds)", () => {
    // The project's notebooks (test fixtures may be malformed on purpose).
    const files = git(["ls-files", "-z", "--", "notebooks"]).split("\0").filter((f) => f.endsWith(".ipynb"));
    expect(files.length).toBeGreaterThan(0);
    const dirty = files.filter((f) => hasOutputs(JSON.parse(git(["show", `:${f}`]))));
    expect(dirty, "strip them: npm run nb -- strip <files>, or enable the hook: git config core.hooksPath tools/hooks").toEqual([]);
  });

  it("the pre-commit hook strips the staged copy and leaves the working file as it is", () => {
    const repo = mkdtempSync(join(tmpdir(), "hs-hook-"));
    try {
      git(["init", "-q"], repo);
      const nb = notebookFromCells([{ type: "code", source: "1 + 1" }]);
      nb.cells[0].outputs = [{ output_type: "stream", name: "stdout", text: ["2\n"] }];
      nb.cells[0].execution_count = 1;
      writeFileSync(join(repo, "a.ipynb"), serialize(nb));
      writeFileSync(join(repo, "clean.ipynb"), serialize(notebookFromCells([{ type: "code", source: "2" }])));
      git(["add", "a.ipynb", "clean.ipynb"], repo);
      expect(stripStaged(repo)).toEqual(["a.ipynb"]);
      expect(hasOutputs(JSON.parse(git(["show", ":a.ipynb"], repo)))).toBe(false);
      expect(hasOutputs(JSON.parse(readFileSync(join(repo, "a.ipynb"), "utf8")))).toBe(true);
      expect(stripStaged(repo)).toEqual([]);
      const hook = join(root, "tools", "hooks", "pre-commit");
      expect(readFileSync(hook, "utf8")).toMatch(/ipynb\.mjs" strip-staged/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
