import { afterEach, describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "fs";
import { join } from "path";
import { markdown, NOT_DRAWN_MESSAGE, plot, plotBundle, PLOTLY_PATH, readableLogAxes, setDisplaySink, table } from "../../lib/notebook";
import type { MimeBundle } from "../../lib/notebook";

type Layout = Record<string, Record<string, unknown>>;
const layoutOf = (b: MimeBundle) => (b["application/vnd.plotly.v1+json"] as { layout: Layout }).layout;

describe("plot", () => {
  afterEach(() => setDisplaySink(null));

  it("emits the Plotly MIME bundle, an HTML fallback and plain text, never plotly.js itself", () => {
    const shown: MimeBundle[] = [];
    setDisplaySink((b) => shown.push(b));
    const fig = { data: [{ x: [1, 2], y: new Float64Array([3, 4]), type: "scatter" }], layout: { title: "t" } };
    plot(fig);
    plot(fig);
    expect(shown).toHaveLength(2);
    for (const b of shown) {
      const json = b["application/vnd.plotly.v1+json"] as { data: Array<{ y: unknown }>; layout: { title: unknown } };
      expect(json.data[0].y).toEqual([3, 4]); // typed arrays become JSON arrays
      expect(json.layout.title).toEqual({ text: "t" }); // plotly.js 3+ draws no string titles
      const html = b["text/html"] as string;
      expect(html).toMatch(/Plotly\.newPlot/);
      expect(html.length).toBeLessThan(10_000); // a saved notebook must not carry the 10 MB library
      expect(html).toContain(`files/${PLOTLY_PATH}`);
      expect(b["text/plain"]).toBe("[Plotly figure: t; 1 trace(s)]");
    }
    const ids = shown.map((b) => (b["text/html"] as string).match(/<div id="([^"]+)"/)![1]);
    expect(new Set(ids).size).toBe(2);
  });

  it("the static text of the fallback says what to do where scripts do not run", () => {
    const html = plotBundle({ data: [{ y: [1] }] })["text/html"] as string;
    const staticText = html.replace(/<script>[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, "");
    expect(staticText).toContain(NOT_DRAWN_MESSAGE);
    // tools/execute_notebook.py puts the static image before this element
    expect(html).toContain(`<p class="hs-plot-message">${NOT_DRAWN_MESSAGE}</p>`);
    expect(NOT_DRAWN_MESSAGE).toMatch(/Trust Notebook/);
    expect(NOT_DRAWN_MESSAGE).toMatch(/Kernel > Restart & Run All/);
  });

  it("converts axis titles given as strings", () => {
    const b = plotBundle({ data: [{ y: [1] }], layout: { xaxis: { title: "step" }, yaxis2: { title: "loss" } } });
    const layout = (b["application/vnd.plotly.v1+json"] as { layout: Record<string, { title: unknown }> }).layout;
    expect(layout.xaxis.title).toEqual({ text: "step" });
    expect(layout.yaxis2.title).toEqual({ text: "loss" });
  });

  it("every log axis reads as powers of ten, in 2D layouts and 3D scenes; linear axes are left alone", () => {
    const layout = {
      xaxis: { type: "log" },
      yaxis: { type: "linear" },
      yaxis2: { type: "log", exponentformat: "SI" },
      xaxis11: { type: "log", title: "n" },
      scene: { zaxis: { type: "log" }, xaxis: {} },
      scene2: { yaxis: { type: "log" } },
    };
    const out = layoutOf(plotBundle({ data: [{ y: [1] }], layout }));
    expect(out.xaxis.exponentformat).toBe("power");
    expect(out.yaxis2.exponentformat).toBe("power");
    expect(out.xaxis11.exponentformat).toBe("power");
    expect((out.scene.zaxis as Record<string, unknown>).exponentformat).toBe("power");
    expect((out.scene2.yaxis as Record<string, unknown>).exponentformat).toBe("power");
    expect(out.yaxis.exponentformat).toBeUndefined();
    expect((out.scene.xaxis as Record<string, unknown>).exponentformat).toBeUndefined();
    expect(layout.xaxis).toEqual({ type: "log" }); // the caller's layout is not modified
  });

  it("every log axis written in a notebook's layout gets the power format", () => {
    // The notebooks' layouts as written: every axis object declared with type "log" must come out readable.
    const root = join(__dirname, "..", "..", "notebooks");
    const files: string[] = [];
    const walk = (d: string): void => readdirSync(d).forEach((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith(".ipynb") && files.push(join(d, n))));
    walk(root);
    let logAxes = 0;
    for (const file of files) {
      const nb = JSON.parse(readFileSync(file, "utf8"));
      for (const cell of nb.cells) {
        const src = [].concat(cell.source).join("");
        for (const m of src.matchAll(/\b([xyz]axis\d*)\s*:\s*\{[^{}]*type\s*:\s*"log"/g)) {
          logAxes += 1;
          const out = layoutOf(plotBundle({ data: [{ y: [1] }], layout: { [m[1]]: { type: "log" } } }));
          expect(out[m[1]].exponentformat, `${file}: ${m[1]}`).toBe("power");
        }
      }
    }
    expect(logAxes).toBeGreaterThan(0);
    expect(readableLogAxes({ yaxis: { type: "log" } })).toEqual({ yaxis: { type: "log", exponentformat: "power" } });
  });

  it("refuses non-finite data, naming the trace and the coordinate", () => {
    expect(() => plotBundle({ data: [{ y: [1, 2] }, { name: "bulk", y: [1, NaN] }] })).toThrow(
      /plot: trace 1 \("bulk"\) has a non-finite y value at flat index 1/,
    );
    expect(() => plotBundle({ data: [{ z: [[1, 2], [Infinity, 0]] }] })).toThrow(/non-finite z value at flat index 2/);
    expect(() => plotBundle({ data: [] })).toThrow(/figure.data must be a non-empty array/);
  });

  it("escapes </script> inside figure data", () => {
    const b = plotBundle({ data: [{ y: [1], name: "</script><b>x" }] });
    expect(b["text/html"]).not.toMatch(/<\/script><b>/);
  });

  it("markdown displays text/markdown", () => {
    const shown: MimeBundle[] = [];
    setDisplaySink((b) => shown.push(b));
    markdown("**ratio** = 3");
    expect(shown[0]["text/markdown"]).toBe("**ratio** = 3");
  });
});

describe("table", () => {
  afterEach(() => setDisplaySink(null));

  it("displays rows as one Markdown table, columns from the keys in order of appearance", () => {
    const shown: MimeBundle[] = [];
    setDisplaySink((b) => shown.push(b));
    table([{ L: 2, ratio: 2.0000001234 }, { L: 3, ratio: 3, note: "a|b" }]);
    const md = shown[0]["text/markdown"] as string;
    expect(md.split("\n")).toEqual([
      "| L | ratio | note |",
      "|---:|---:|:---|",
      "| 2 | 2.000000123 |  |",
      "| 3 | 3 | a\\|b |",
    ]);
    expect(shown[0]["text/plain"]).toContain("ratio");
  });

  it("significant digits are an option; bad input names the argument", () => {
    const shown: MimeBundle[] = [];
    setDisplaySink((b) => shown.push(b));
    table([{ x: 1 / 3 }], { digits: 3 });
    expect(shown[0]["text/markdown"]).toContain("| 0.333 |");
    table([{ loss: "1.50e-3", name: "x" }, { loss: "-0.25", name: "2b" }]);
    expect((shown[1]["text/markdown"] as string).split("\n")[1]).toBe("|---:|:---|");
    expect(() => table([])).toThrow(/table: rows must be a non-empty array of objects/);
    expect(() => table([1 as unknown as Record<string, unknown>])).toThrow(/table: rows\[0\] must be an object/);
    expect(() => table([{ x: 1 }], { digits: 0 })).toThrow(/table: digits must be an integer in 1\.\.17, got 0/);
  });
});
