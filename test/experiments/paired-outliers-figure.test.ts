import { describe, expect, it } from "vitest";
import {
  PAIRED_PANELS, PAIRED_THRESHOLDS, checkPairedFigure, pairedFigureSummary, pairedFigureTable, pairedGrid, pairedOutlierFigure, pairedPanelPlot,
} from "../../lib/experiments/figures/paired-outliers-figure";
import { pairedStudy } from "../../lib/experiments/paired-outliers";
import { median } from "../../lib/stats";
import { rng } from "../../lib/random/rng";

const config = { layers: 2, activation: "linear" as const, widths: [4], Ds: { 4: [1, 2] }, models: { 4: 2 }, n: { 4: 8 } };

describe("paired-outliers figure (Figures 10-13)", () => {
  it("runs the four panels in order with the same draws as the studies themselves", { timeout: 600_000 }, () => {
    const fig = pairedOutlierFigure(config, rng(1));
    expect(fig.panels.map((p) => p.title)).toEqual(PAIRED_PANELS.map((p) => p[0]));
    expect(fig.networks).toBe(4 * 2 * 2);
    // the same generator, panel by panel, gives the same points
    const gen = rng(1);
    const direct = PAIRED_PANELS.map(([, init, data]) => pairedStudy({ layers: 2, activation: "linear", width: 4, n: 8, init, data }, [1, 2], 2, gen));
    expect(fig.panels.map((p) => p.points[0].map((q) => q.best))).toEqual(direct.map((pts) => pts.map((q) => q.best)));
    expect(fig.worstTraceError).toBeLessThan(1e-12);
  });

  it("summary: the ratios and the D = 1 gap as defined; Theorem 3.1 makes the D = 1 gap vanish", () => {
    const fig = pairedOutlierFigure(config, rng(2));
    const s = pairedFigureSummary(fig);
    expect(s.minRatioA).toBe(Math.min(...fig.panels[0].points.flat().map((p) => median(p.ratio))));
    expect(s.maxRatioB).toBe(Math.max(...fig.panels[1].points.flat().filter((p) => p.D >= 2).map((p) => median(p.ratio))));
    expect(s.worstD1).toBeLessThan(1e-10);
    expect(pairedFigureTable(fig, s, { ratioA: 100, ratioB: 10 })).toContain("**(a) orthogonal init, decorrelated data**");
    expect(pairedPanelPlot(fig.panels[0], config.widths, "two-layer linear").layout.title).toBe("(a) orthogonal init, decorrelated data — two-layer linear");
  });

  it("a configuration without an entry for a width is refused by name", () => {
    expect(() => pairedOutlierFigure({ ...config, models: {} }, rng(3))).toThrow("pairedOutlierFigure: config.Ds, config.models and config.n must each have an entry for width 4");
  });

  it("pairedGrid: App. D.1.2's grid at paper scale, restricted to the widths asked for", () => {
    const g = pairedGrid([10, 150]);
    expect(g.paper).toEqual({ widths: [10, 150], Ds: { 10: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 150: [1, 2, 5, 10, 25, 50, 100, 150] }, models: { 10: 100, 150: 100 }, n: { 10: 102, 150: 152 } });
    expect(g.quick).toEqual({ widths: [10, 150], Ds: { 10: [1, 2, 10], 150: [1] }, models: { 10: 4, 150: 2 }, n: { 10: 102, 150: 152 } });
    expect(pairedGrid([10]).paper).toEqual({ widths: [10], Ds: { 10: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, models: { 10: 100 }, n: { 10: 102 } });
    pairedGrid([10]).quick.Ds[10].push(99); // a copy: the grid itself is untouched
    expect(pairedGrid([10]).quick.Ds[10]).toEqual([1, 2, 10]);
    expect(() => pairedGrid([20])).toThrow("pairedGrid: widths must list some of 10, 150, got [20]");
  });

  it("checkPairedFigure records Figure 3's checks with their thresholds, and the marks it is given", () => {
    const fig = pairedOutlierFigure(config, rng(2));
    const calls: [string, string, number, number, unknown][] = [];
    const md: string[] = [];
    const s = checkPairedFigure(fig, {
      checkAtLeast: (name, m, l, o) => { calls.push(["atLeast", name, m, l, o]); },
      checkAtMost: (name, m, l, o) => { calls.push(["atMost", name, m, l, o]); },
      markdown: (t) => { md.push(t); },
    }, { closeB: "why" });
    expect(s).toEqual(pairedFigureSummary(fig));
    expect(calls).toEqual([
      ["atMost", "trace: diagonal sum vs sum of computed eigenvalues (worst relative error, all networks)", fig.worstTraceError, 1e-12, undefined],
      ["atLeast", "(a) smallest median runner-up/best ratio over widths and D", s.minRatioA, 100, undefined],
      ["atMost", "(b) largest median runner-up/best ratio over widths and D >= 2", s.maxRatioB, 10, undefined],
      ["atMost", "(b) 'very close to the trace fraction': largest (median best gap) / (median mean eigenvalue) over D >= 2", s.worstCloseB, 1, { disagreement: "why" }],
    ]);
    expect(md).toEqual([pairedFigureTable(fig, s, PAIRED_THRESHOLDS)]);
    expect(() => checkPairedFigure(fig, {} as never)).toThrow("checkPairedFigure: checks.checkAtLeast must be a function");
  });
});
