import { describe, expect, it } from "vitest";
import {
  D1_PROTOCOL, DEEP_LINEAR_D1, DEEP_LINEAR_D10, DEEP_RELU_D1, MUP_FIT_DISAGREEMENT, NTP_FIT_DISAGREEMENT, NormFigureConfig, PAPER_NETS, TWO_LAYER_LINEAR, byParam,
  checkNormSoundness, deficitOverHalfWidth, describeNormFigure, fmtByParam, halfWidth, lastMatrixMargin, normCorrelationFigure,
  normFigureSoundness, perMatrix, perMatrixTable, perStudy, phasePanels, productAndBest, quickProtocol, spectralOrdering,
  spectralScatter, strongest,
} from "../../lib/experiments/figures/norm-correlation-figure";
import { NotebookChecks, requireChecks } from "../../lib/experiments/figures/checks";
import { correlate, leastSquaresFloor, normSeries, orderingMargin, runStudy } from "../../lib/experiments/norm-correlation";
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

/** A stand-in for lib/notebook's check functions: records every call. */
function recorder() {
  const calls: { fn: string; name: string; measured: number; expected: number; tol?: number; options?: unknown }[] = [];
  const md: string[] = [];
  const checks: NotebookChecks = {
    check: (name, measured, expected, tol, options) => { calls.push({ fn: "check", name, measured, expected, tol, options }); },
    checkAtMost: (name, measured, limit, options) => { calls.push({ fn: "checkAtMost", name, measured, expected: limit, options }); },
    checkAtLeast: (name, measured, limit, options) => { calls.push({ fn: "checkAtLeast", name, measured, expected: limit, options }); },
    markdown: (text) => { md.push(text); },
  };
  return { calls, md, checks };
}

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

  it("checkNormSoundness: the standard checks, with the names, values and tolerances of normFigureSoundness", SLOW, () => {
    const fig = normCorrelationFigure({ ...dSweep, small: { net: { activation: "linear", D: 2, K: 2, width: 3, depth: 2, param: "SP" }, n: 16 } }, rng(7));
    const rec = recorder();
    const sound = checkNormSoundness(fig, rng(9), rec.checks);
    expect(sound).toEqual(normFigureSoundness(fig, fig.config.small!.net, 16, rng(9)));
    expect(rec.calls.map((c) => [c.fn, c.name, c.expected, c.tol])).toEqual([
      ["check", "Lanczos sharpness vs dense eigh (relative)", sound.denseTop, 1e-9],
      ["checkAtMost", "worst relative Ritz residual over all nets", 1e-8, undefined],
      ["checkAtMost", "SP: worst final loss / least-squares floor", 1.05, undefined],
      ["checkAtMost", "NTP: worst final loss / least-squares floor", 1.05, undefined],
    ]);
    expect(rec.calls[0].options).toBe("relative");
    expect(rec.calls.map((c) => c.measured)).toEqual([sound.lanczos, sound.worstResidual, sound.fitRatioByParam.SP, sound.fitRatioByParam.NTP]);
    // The per-parametrisation fit is the worst over that parametrisation's studies, each the worst over its nets.
    expect(sound.fitRatioByStudy).toEqual(fig.all.map((s) => Math.max(...s.nets.map((r) => r.trained.loss)) / leastSquaresFloor(s.task)));
    expect(sound.fitRatioByParam.NTP).toBe(Math.max(...fig.studies.NTP.map((s) => sound.fitRatioByStudy[fig.all.indexOf(s)])));
    expect(sound.fitRatio).toBe(Math.max(sound.fitRatioByParam.SP, sound.fitRatioByParam.NTP));
    expect(Object.keys(sound.fitRatioByParam)).toEqual(["SP", "NTP"]);
    expect(rec.calls.slice(2).map((c) => c.options)).toEqual([undefined, undefined]);
    // A setting's documented disagreement reaches that parametrisation's fit check only; one for a parametrisation
    // the figure does not run is ignored (Figure 4 runs SP and μP of TWO_LAYER_LINEAR, whose paper setting marks NTP too).
    const marked = recorder();
    const markedFig = { ...fig, config: { ...fig.config, fitDisagreement: { NTP: "the protocol stops above the floor", muP: "not run" } } };
    checkNormSoundness(markedFig, rng(9), marked.checks);
    expect(marked.calls.slice(2).map((c) => [c.name, c.options])).toEqual([
      ["SP: worst final loss / least-squares floor", undefined],
      ["NTP: worst final loss / least-squares floor", { disagreement: "the protocol stops above the floor" }],
    ]);
    // The paper setting of Figures 4, 14, 15 and 26 marks μP and NTP, each naming its parametrisation and the tolerance it fails; quick scale marks nothing.
    expect(TWO_LAYER_LINEAR.paper.fitDisagreement).toEqual({ muP: MUP_FIT_DISAGREEMENT, NTP: NTP_FIT_DISAGREEMENT });
    expect(TWO_LAYER_LINEAR.quick.fitDisagreement).toBeUndefined();
    for (const [p, why] of [["μP", MUP_FIT_DISAGREEMENT], ["NTP", NTP_FIT_DISAGREEMENT]]) {
      expect(why).toMatch(new RegExp(`^paper scale: ${p} as written in App\\. D\\.1\\.3 \\(.+\\), trained by the paper's own divide-by-10 rule, stops above 1\\.05 times the least-squares floor`));
    }
    const withFit = (fitDisagreement: object, activation: "linear" | "relu" = "linear") => ({ ...fig, config: { ...fig.config, activation, fitDisagreement } as NormFigureConfig });
    expect(() => checkNormSoundness(withFit({ ntp: "x" }), rng(9), marked.checks)).toThrow("checkNormSoundness: fig.config.fitDisagreement names ntp, which is not a parametrisation (SP, muP, NTP)");
    expect(() => checkNormSoundness(withFit({ SP: " " }), rng(9), marked.checks)).toThrow("checkNormSoundness: fig.config.fitDisagreement.SP must be a non-empty explanation");
    expect(() => checkNormSoundness(withFit({ SP: "x" }, "relu"), rng(9), marked.checks)).toThrow("checkNormSoundness: fig.config.fitDisagreement applies to linear nets' least-squares floor; this figure's nets are relu");
    expect(rec.md[0]).toContain(`${sound.restarted} of ${sound.nets} nets were restarted`);
    expect(rec.md[0]).toContain(`${sound.atEpochLimit} stopped at the ${train.maxEpochs}-step limit`);
    expect(sound.atEpochLimit).toBe(fig.all.flatMap((s) => s.nets).filter((r) => r.train.stopped === "steps").length);
    // Under the paper's protocol (SGD) a net at the epoch bound fails the figure: 3 epochs stop every net there.
    const sgdFig = normCorrelationFigure({ ...dSweep, params: ["SP"], values: [2], train: { optimizer: "sgd", batchSize: 8, patience: 10, tol: 1e-4, minLr: 1e-5, maxEpochs: 3 }, small: fig.config.small }, rng(7));
    const sgdRec = recorder();
    const sgdSound = checkNormSoundness(sgdFig, rng(9), sgdRec.checks);
    const bound = sgdRec.calls.find((c) => c.name.startsWith("nets stopped at"))!;
    expect([bound.fn, bound.name, bound.expected, bound.measured]).toEqual(["checkAtMost", "nets stopped at the 3-epoch bound instead of the protocol's rule", 0, 5]);
    expect(sgdSound.atEpochLimit).toBe(5);
    expect(() => checkNormSoundness(dFig(), rng(9), rec.checks)).toThrow("checkNormSoundness: fig.config.small must give the small net and its sample size");
    expect(() => checkNormSoundness(fig, rng(9), { ...rec.checks, markdown: undefined } as unknown as NotebookChecks)).toThrow("checkNormSoundness: checks.markdown must be a function");
  });

  it("by parametrisation, per study, product against the best single matrix, the scatter", SLOW, () => {
    const fig = dFig();
    const m = byParam(fig, (s) => s.config.D, (s) => s.config.D > 1);
    expect(m).toEqual({ SP: [2], NTP: [2] });
    expect(fmtByParam({ SP: [0.12345, 1], NTP: [-0.5] })).toBe("SP 0.123, 1.000; NTP -0.500");
    expect(perStudy(fig, (s) => s.config.param)).toBe("SP D = 1: SP; SP D = 2: SP; NTP D = 1: NTP; NTP D = 2: NTP");
    const deep = depthFig();
    expect(perStudy(deep, () => "x", (s) => s.config.depth === 3)).toBe("SP B = 3: x");
    const Q = (st: { norms: { spectral2: number }[] }, b: number) => st.norms[b - 1].spectral2;
    const s = deep.studies.SP[1];
    const pb = productAndBest(s, "trained", Q);
    expect(pb.product).toBe(correlate(s, "trained", (st) => st.knocked[2].spectral2).r);
    expect(pb.best).toBe(Math.max(...perMatrix(s, "trained", Q).map((c) => c.r)));
    expect(pb.margin).toBe(pb.product - pb.best);
    const sc = spectralScatter(fig, 1);
    expect(sc.data.map((t) => [t.name, t.xaxis])).toEqual([["SP: ‖W1‖₂²", "x"], ["SP: ‖W2‖₂²", "x"], ["NTP: ‖W1‖₂²", "x2"], ["NTP: ‖W2‖₂²", "x2"]]);
    expect(sc.data[3].y).toEqual(fig.studies.NTP[1].nets.map((r) => r.trained.sharpness));
    expect(() => spectralScatter(fig, 2)).toThrow("spectralScatter: i must index config.values (0..1), got 2");
  });

  it("the shared settings keep the paper's parameters and the notebooks' rates exactly", () => {
    // The paper's rule ends training; maxEpochs is only our bound against a run that never ends.
    expect(D1_PROTOCOL).toEqual({ optimizer: "sgd", patience: 10, tol: 1e-4, minLr: 1e-5, maxEpochs: 1_000_000 });
    expect(PAPER_NETS).toEqual({ width: 100, nets: 200, n: 1024, train: D1_PROTOCOL });
    expect(quickProtocol(3000)).toEqual({ optimizer: "gd", patience: 10, tol: 1e-4, minLr: 1e-5, maxEpochs: 3000 });
    expect(quickProtocol(250, 1e-3).tol).toBe(1e-3);
    expect(() => quickProtocol(0)).toThrow("quickProtocol: maxEpochs must be a positive integer, got 0");
    const paper = (c: NormFigureConfig) => ({ values: c.values, width: c.width, nets: c.nets, n: c.n, train: c.train, D: c.D, mup: c.mup, activation: c.activation });
    expect(paper(TWO_LAYER_LINEAR.paper)).toEqual({ values: [1, 2, 5, 10, 20, 30, 50, 70, 100], width: 100, nets: 200, n: 1024, train: D1_PROTOCOL, D: undefined, mup: undefined, activation: "linear" });
    for (const [setting, D, activation] of [[DEEP_LINEAR_D1, 1, "linear"], [DEEP_LINEAR_D10, 10, "linear"], [DEEP_RELU_D1, 1, "relu"]] as const) {
      expect(paper(setting.paper)).toEqual({ values: [2, 3, 4, 5, 6], width: 100, nets: 200, n: 1024, train: D1_PROTOCOL, D, mup: "spectral", activation });
    }
    // The rates, as the notebooks computed them before the settings moved here (bitwise).
    const rates = (c: NormFigureConfig) => c.params.flatMap((p) => c.values.map((v) => c.lr0(p, v, c)));
    const T = TWO_LAYER_LINEAR, L1 = DEEP_LINEAR_D1, L10 = DEEP_LINEAR_D10, R1 = DEEP_RELU_D1;
    expect(rates(T.quick)).toEqual(T.quick.params.flatMap((p) => T.quick.values.map((D) => (1024 / 128) * (p === "muP" && D >= 8 ? 1 : 1e-2))));
    expect(rates(T.paper)).toEqual(T.paper.params.flatMap((p) => T.paper.values.map((D) => 1 * (p === "muP" && D >= 8 ? 1 : 1e-2))));
    expect(rates(L1.quick)).toEqual(L1.quick.params.flatMap((p) => L1.quick.values.map((B) => (1024 / 128) * (p !== "NTP" && B >= 3 ? 1e-3 : 1e-2))));
    expect(rates(L1.paper)).toEqual(L1.paper.params.flatMap((p) => L1.paper.values.map((B) => 1 * (p !== "NTP" && B >= 3 ? 1e-3 : 1e-2))));
    expect(rates(L10.quick)).toEqual(L10.quick.params.flatMap((p) => L10.quick.values.map(() => (p === "NTP" ? 0.5 : (1e-2 * 1024) / 128))));
    expect(rates(L10.paper)).toEqual(L10.paper.params.flatMap((p) => L10.paper.values.map(() => 1e-2)));
    expect(rates(R1.quick)).toEqual(R1.quick.params.flatMap((p) => R1.quick.values.map((B) => 10 * (p !== "NTP" && B >= 3 ? 1e-3 : 1e-2))));
    expect(rates(R1.paper)).toEqual(R1.paper.params.flatMap((p) => R1.paper.values.map((B) => 1 * (p !== "NTP" && B >= 3 ? 1e-3 : 1e-2))));
    expect(describeNormFigure(L1.paper)).toContain("depth B in {2, 3, 4, 5, 6}, D = K = 1, width 100; SP, muP, NTP (μP: spectral); 200 nets per point on n = 1024 samples; SGD (batch 128)");
  });

  it("requireChecks names the missing function", () => {
    expect(() => requireChecks("f", {} as Pick<NotebookChecks, "check">, ["check"])).toThrow("f: checks.check must be a function (pass lib/notebook, or { check })");
  });
});
