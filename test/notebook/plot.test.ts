import { afterEach, describe, expect, it } from "vitest";
import { markdown, plot, plotBundle, setDisplaySink, PLOTLY_BUNDLE_MARKER } from "../../lib/notebook";
import type { MimeBundle } from "../../lib/notebook";

describe("plot", () => {
  afterEach(() => setDisplaySink(null));

  it("emits the Plotly MIME bundle, an HTML fallback and plain text, plotly.js once per session", () => {
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
      expect(b["text/html"]).toMatch(/Plotly\.newPlot/);
      expect(b["text/plain"]).toBe("[Plotly figure: t; 1 trace(s)]");
    }
    const first = shown[0]["text/html"] as string;
    const second = shown[1]["text/html"] as string;
    expect(first).toContain(`<script ${PLOTLY_BUNDLE_MARKER}="1">`);
    expect(first.length).toBeGreaterThan(1_000_000); // plotly.js itself, offline
    expect(first).toContain("window.Plotly = Plotly");
    expect(second).not.toContain(PLOTLY_BUNDLE_MARKER);
    // The inlined bundle must not close its own <script> early.
    const inlined = first.slice(first.indexOf(`${PLOTLY_BUNDLE_MARKER}="1">`));
    expect(inlined.indexOf("</script>")).toBe(inlined.lastIndexOf("</script>", inlined.indexOf("<div")));
  });

  it("converts axis titles given as strings", () => {
    const b = plotBundle({ data: [{ y: [1] }], layout: { xaxis: { title: "step" }, yaxis2: { title: "loss" } } });
    const layout = (b["application/vnd.plotly.v1+json"] as { layout: Record<string, { title: unknown }> }).layout;
    expect(layout.xaxis.title).toEqual({ text: "step" });
    expect(layout.yaxis2.title).toEqual({ text: "loss" });
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
