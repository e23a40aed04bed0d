import { describe, expect, it } from "vitest";
import { pairedFigureSummary, pairedFigureTable, pairedOutlierFigure, pairedPanelPlot, PAIRED_PANELS } from "../../lib/experiments/figures/paired-outliers-figure";
import { pairedStudy } from "../../lib/experiments/paired-outliers";
import { median } from "../../lib/stats";
import { rng } from "../../lib/random/rng";

const config = { layers: 2, activation: "linear" as const, widths: [4], Ds: { 4: [1, 2] }, models: { 4: 2 }, n: { 4: 8 } };

describe("paired-outliers figure (Figures 10-13)", () => {
  it("runs the four panels in order with the same draws as the studies themselves", () => {
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
});
