import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain JavaScript module of the tools
import { cellsFromPercent, notebookFromCells, KERNELSPEC } from "../../tools/ipynb.mjs";

describe("percent format", () => {
  it("turns markers into cells with the project kernel and no outputs", () => {
    const nb = notebookFromCells(cellsFromPercent("// %% [markdown]\n# Title\n\ntext\n// %%\nconst a = 1;\na + 1\n"));
    expect(nb.metadata.kernelspec).toEqual(KERNELSPEC);
    expect(nb.cells.map((c: { cell_type: string }) => c.cell_type)).toEqual(["markdown", "code"]);
    expect(nb.cells[0].source).toEqual(["# Title\n", "\n", "text"]);
    expect(nb.cells[1]).toMatchObject({ outputs: [], execution_count: null, source: ["const a = 1;\n", "a + 1"] });
  });
  it("accepts jupytext-style Markdown lines prefixed with // and strips the prefix", () => {
    const nb = notebookFromCells(cellsFromPercent("// %% [markdown]\n// # Title\n//\n// $x$ // y\n// %%\n// a code comment stays\n1"));
    expect(nb.cells[0].source).toEqual(["# Title\n", "\n", "$x$ // y"]);
    expect(nb.cells[1].source).toEqual(["// a code comment stays\n", "1"]);
  });

  it("refuses text before the first marker", () => {
    expect(() => cellsFromPercent("lost\n// %%\n1")).toThrow(/line 1: text before the first/);
  });
});
