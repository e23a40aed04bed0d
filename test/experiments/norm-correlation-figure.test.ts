import { describe, expect, it } from "vitest";
import {
  NormFigureConfig, deficitOverHalfWidth, halfWidth, lastMatrixMargin, normCorrelationFigure, normFigureSoundness, perMatrix,
  perMatrixTable, phasePanels, spectralOrdering, strongest,
} from "../../lib/experiments/figures/norm-correlation-figure";
import { correlate, normSeries, orderingMargin, runStudy } from "../../lib/experiments/norm-correlation";
import { rng } from "../../lib/random/rng";

const train = { optimizer: "gd" as const, patience: 5, tol: 1e-3, minLr: 1e-5, maxEpochs: 30 };
const lr0 = (param: string, v: number) => (param === "NTP" ? 0.05 : 0.1) / v;
const dSweep: NormFigureConfig = { activation: "linear", params: ["SP", "NTP"], sweep: "D", values: [1, 2], width: 3, nets: 5, n: 16, train, lr0 };
const depthSweep: NormFigureConfig = { activation: "linear", params: ["SP"], sweep: "depth", values: [2, 3], D: 2, width: 3, nets: 5, n: 16, mup: "spectral", train, lr0 };
// Studies run as tasks on worker threads (slow to start on a loaded machine): each figure is run once and shared.
const once = <T>(f: () => T) => { let v: T | undefined; return () => (v ??= f()); };
const dFig = once(() => normCorrelationFigure(dSweep, rng(7)));
const depthFig = once(() => normCorrelationFigure(depthSweep, rng(8)));
const SLOW = { timeout: 600_000 };

describe("norm-correlation figure (Cracking Figures 4, 14, 15, 17-22, 26)", () => {
  it("runs one study per parametrisation and sweep value, with the same draws as runStudy on the labelled forks", SLOW, () => {
    const fig = dFig();
    expect(Object.keys(fig.studies)).toEqual(["SP", "NTP"]);
    expect(fig.all.map((s) => [s.config.param, s.config.D, s.config.K, s.config.depth])).toEqual([["SP", 1, 1, 2], ["SP", 2, 2, 2], ["NTP", 1, 1, 2], ["NTP", 2, 2, 2]]);
    const direct = runStudy({ activation: "linear", D: 2, K: 2, width: 3, depth: 2, param: "NTP", nets: 5, n: 16, train: { ...train, lr0: lr0("NTP", 2) } }, rng(7).fork("NTP-D2"));
    expect(fig.studies.NTP[1].nets.map((r) => r.trained.sharpness)).toEqual(direct.nets.map((r) => r.trained.sharpness));
    const deep = depthFig();
    const directDeep = runStudy({ activation: "linear", D: 2, K: 2, width: 3, depth: 3, param: "SP", mup: "spectral", nets: 5, n: 16, train: { ...train, lr0: lr0("SP", 3) } }, rng(8).fork("SP-B3"));
    expect(deep.studies.SP[1].nets.map((r) => r.init.sharpness)).toEqual(directDeep.nets.map((r) => r.init.sharpness));
  });

  it("soundness: Lanczos agrees with the dense Hessian; residuals, restarts and the fit are those of the nets", SLOW, () => {
    const fig = dFig();
    const s = normFigureSoundness(fig, { activation: "linear", D: 2, K: 2, width: 3, depth: 2, param: "SP" }, 16, rng(9));
    expect(Math.abs(s.lanczos - s.denseTop)).toBeLessThanOrEqual(1e-9 * Math.abs(s.denseTop));
    const records = fig.all.flatMap((st) => st.nets);
    expect(s.nets).toBe(records.length);
    expect(s.worstResidual).toBe(Math.max(...records.flatMap((r) => [r.init.residual, r.trained.residual])));
    expect(s.worstLossDrop).toBe(Math.max(...records.map((r) => r.train.loss / r.train.loss0)));
    expect(s.fitRatio).toBeGreaterThanOrEqual(1 - 1e-12); // no linear net goes below the least-squares floor
    expect(Number.isNaN(s.traceError)).toBe(true); // no trace asked for
    const traced = normCorrelationFigure({ ...dSweep, params: ["SP"], values: [2], trace: "closed", exactTraceNets: 2 }, rng(10));
    expect(normFigureSoundness(traced, { activation: "linear", D: 2, K: 2, width: 3, depth: 2, param: "SP" }, 16, rng(10)).traceError).toBeLessThan(1e-10);
  });

  it("panels, per-matrix correlations, margins and the ordering table are the definitions", SLOW, () => {
    const fig = dFig();
    const panels = phasePanels(fig, (ss, phase) => normSeries(ss, phase));
    expect(panels.map((p) => p.title)).toEqual(["SP, at initialisation", "SP, after training", "NTP, at initialisation", "NTP, after training"]);
    expect(panels[3].series).toEqual(normSeries(fig.studies.NTP, "trained"));
    const o = spectralOrdering(fig);
    expect(o.margins.SP).toEqual([orderingMargin(fig.studies.SP[1], "trained", "spectral2")]);
    expect(o.marginsInit.NTP).toEqual([orderingMargin(fig.studies.NTP[1], "init", "spectral2")]);
    expect(o.table.split("\n")).toHaveLength(2 + 4);
    const deep = depthFig();
    const Q = (st: { norms: { spectral2: number }[] }, b: number) => st.norms[b - 1].spectral2;
    const s = deep.studies.SP[1];
    const cs = perMatrix(s, "trained", Q);
    expect(cs.map((c) => c.r)).toEqual([1, 2, 3].map((b) => correlate(s, "trained", (st) => Q(st, b)).r));
    expect(lastMatrixMargin(s, "trained", Q)).toBe(cs[2].r - Math.max(cs[0].r, cs[1].r));
    expect(perMatrixTable(deep, Q).split("\n")).toHaveLength(2 + 2);
    expect(() => spectralOrdering(deep)).toThrow("spectralOrdering: needs a D sweep, got a depth sweep");
  });

  it("deficit over the narrower half-width; strongest", () => {
    const a = { r: 0.5, lo: 0.3, hi: 0.7, N: 30 }, b = { r: 0.6, lo: 0.5, hi: 0.7, N: 30 };
    expect(halfWidth(a)).toBeCloseTo(0.2, 15);
    expect(deficitOverHalfWidth(a, b)).toBeCloseTo(0.1 / 0.1, 12);
    expect(deficitOverHalfWidth(b, a)).toBe(0);
    expect(strongest([a, b])).toBe(b);
    expect(() => strongest([])).toThrow("strongest: need at least one correlation");
  });

  it("bad configurations are refused by name", () => {
    expect(() => normCorrelationFigure({ ...dSweep, sweep: "width" as "D" }, rng(1))).toThrow('normCorrelationFigure: config.sweep must be "D" or "depth", got width');
    expect(() => normCorrelationFigure({ ...dSweep, params: [] }, rng(1))).toThrow("normCorrelationFigure: config.params must list at least one parametrisation");
    expect(() => normCorrelationFigure({ ...dSweep, values: [] }, rng(1))).toThrow("normCorrelationFigure: config.values must list at least one D");
    expect(() => normCorrelationFigure({ ...depthSweep, D: undefined }, rng(1))).toThrow("normCorrelationFigure: a depth sweep needs config.D (a positive integer), got undefined");
  });
});
