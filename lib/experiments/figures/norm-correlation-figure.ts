/**
 * Cracking the Hessian, the norm-correlation figures (Section 4.2, App. D.3.3-D.3.5): Figures 4, 14, 15, 26
 * (two-layer nets, a sweep over the input size D) and 17-22 (deep nets, a sweep over the depth B) share one
 * protocol: per parametrisation and sweep value, `runStudy`; the same soundness measurements; panels of
 * correlations at initialisation and after training. One function per step, taking the figure's
 * configuration. The notebooks keep the parameters, the checks and the plots; this is the machinery.
 */
import type { Rng } from "../../random/rng";
import { hessian } from "../../curvature/curvature";
import { eigh } from "../../linalg/eigh";
import { meanAndStandardError } from "../../stats";
import {
  Correlation, NORMS, NetSpec, NetStats, Panel, Parametrization, Series, Study, StudyConfig, TrainSpec, bestOverMatrices,
  buildModel, correlate, depthSeries, fmtR, initNet, leastSquaresFloor, orderingMargin, panelFigure, runStudy, sharpness, taskProblem, teacherTask,
} from "../norm-correlation";
import { NotebookChecks, requireChecks } from "./checks";

export type Phase = "init" | "trained";
export const PHASES: readonly Phase[] = ["init", "trained"];

/** A norm-correlation figure's configuration: what `runStudy` gets, per parametrisation and sweep value. */
export interface NormFigureConfig {
  activation: "linear" | "relu";
  params: readonly Parametrization[];
  /** "D": two-layer nets (or `depth`) with D = K = each value; "depth": nets of B = each value weight matrices, D = K = `D`. */
  sweep: "D" | "depth";
  values: number[];
  /** Input = output size for a depth sweep. */
  D?: number;
  /** Number of weight matrices for a D sweep (default 2). */
  depth?: number;
  width: number;
  nets: number;
  n: number;
  mup?: "paper" | "spectral";
  trace?: StudyConfig["trace"];
  exactTraceNets?: number;
  /** Everything of the training protocol but the base rate, which `lr0(param, value)` gives. */
  train: Omit<TrainSpec, "lr0">;
  /** The base rate per parametrisation and sweep value (the figure's whole configuration at hand, e.g. its optimizer and n). */
  lr0: (param: Parametrization, value: number, config: NormFigureConfig) => number;
  /** The fresh small net (and its sample size) on which `checkNormSoundness` compares Lanczos with the dense Hessian. */
  small?: { net: NetSpec; n: number };
  /**
   * Per parametrisation, this setting's documented disagreement with the paper in the linear-net fit check (the
   * paper's protocol stopping above the least-squares floor); `checkNormSoundness` passes it on as that check's
   * `disagreement`. A parametrisation the figure does not run is ignored.
   */
  fitDisagreement?: Partial<Record<Parametrization, string>>;
}

/**
 * App. D.1.3's training protocol: mini-batch SGD (batch 128, `trainNet`'s default), the rate divided by 10 when the
 * loss has not improved by a relative 1e-4 for 10 epochs, until it would fall below 1e-5. The base rate is each
 * figure's (D.1.4). The paper states no epoch limit: its rule ends training. `maxEpochs` is only a bound of ours
 * against a run that never ends, far above any run measured (the rule ended a width-100 NTP net at D = 100 after
 * about 18,000 epochs, a μP one after about 36,000); `checkNormSoundness` fails a figure in which a net reaches it.
 */
export const D1_PROTOCOL: Readonly<Omit<TrainSpec, "lr0">> = Object.freeze({ optimizer: "sgd", patience: 10, tol: 1e-4, minLr: 1e-5, maxEpochs: 1_000_000 });

/**
 * The quick-scale protocol: D.1.3's, but full-batch gradient descent on the exact sample loss (one step per "epoch")
 * with its own cap on steps, and optionally a coarser relative tolerance (for the capped ReLU runs).
 */
export function quickProtocol(maxEpochs: number, tol: number = D1_PROTOCOL.tol): Omit<TrainSpec, "lr0"> {
  if (!(Number.isInteger(maxEpochs) && maxEpochs >= 1)) throw new RangeError(`quickProtocol: maxEpochs must be a positive integer, got ${maxEpochs}`);
  if (!(tol > 0)) throw new RangeError(`quickProtocol: tol must be > 0, got ${tol}`);
  return { optimizer: "gd", patience: D1_PROTOCOL.patience, tol, minLr: D1_PROTOCOL.minLr, maxEpochs };
}

/** The paper's scale of every norm-correlation study (D.1.3): width 100, 200 nets, 1024 samples, D.1.3's protocol. */
export const PAPER_NETS = Object.freeze({ width: 100, nets: 200, n: 1024, train: D1_PROTOCOL });

/** Both scales of a setting, for `pick`. */
export interface NormFigureSetting {
  quick: NormFigureConfig;
  paper: NormFigureConfig;
}

const ALL_PARAMS: readonly Parametrization[] = ["SP", "muP", "NTP"];
const PAPER_DEPTHS = [2, 3, 4, 5, 6];
const gd = (c: NormFigureConfig) => c.train.optimizer === "gd";
const TWO_LAYER_SMALL = { net: { activation: "linear", D: 3, K: 3, width: 8, depth: 2, param: "NTP" } as NetSpec, n: 64 };
const DEEP_SMALL = (activation: "linear" | "relu") => ({ net: { activation, D: 2, K: 2, width: 5, depth: 4, param: "NTP" } as NetSpec, n: 40 });

/** A trained linear net counts as fitted when its final loss is at most this many times the least-squares floor. */
export const FIT_TOLERANCE = 1.05;

/**
 * The paper-scale outcomes of TWO_LAYER_LINEAR's fit check (its paper setting carries them, so Figures 4, 14, 15
 * and 26 mark them at paper scale only): μP and NTP as written, trained by the paper's own rule, stop above the
 * least-squares floor at large D, measured on the shared nets (results/tasks/).
 */
const protocolStopsAboveFloor = (param: string, asWritten: string) =>
  `paper scale: ${param} as written in App. D.1.3 (${asWritten}), trained by the paper's own divide-by-10 rule, ` +
  `stops above ${FIT_TOLERANCE} times the least-squares floor at large D (the studies above it are listed below): there the paper's "trained" ${param} nets have not fitted the data`;
export const MUP_FIT_DISAGREEMENT = protocolStopsAboveFloor("μP", "variance fan-out/fan-in, rate η/fan-in");
export const NTP_FIT_DISAGREEMENT = protocolStopsAboveFloor("NTP", "N(0,1) weights, each layer's output times 1/√fan-in, one rate η for every layer");

/**
 * Two-layer linear nets, D = K swept (Figures 4, 14, 15, 26; App. D.1.2-D.1.4). Rate (D.1.4): 1e-2, and 1 for μP at
 * large D ("large" is not defined: we take D >= 8); full-batch GD takes eta * n / 128, one SGD epoch's worth of
 * progress per step. Quick scale: width 16, D up to 8, 30 nets, at most 3000 GD steps.
 */
export const TWO_LAYER_LINEAR: NormFigureSetting = (() => {
  const lr0 = (param: Parametrization, D: number, c: NormFigureConfig) => (gd(c) ? c.n / 128 : 1) * (param === "muP" && D >= 8 ? 1 : 1e-2);
  const base = { activation: "linear", params: ALL_PARAMS, sweep: "D", lr0, small: TWO_LAYER_SMALL } as const;
  return {
    quick: { ...base, values: [1, 2, 4, 8], width: 16, nets: 30, n: 1024, train: quickProtocol(3000) },
    paper: {
      ...base, values: [1, 2, 5, 10, 20, 30, 50, 70, 100], ...PAPER_NETS,
      fitDisagreement: { muP: MUP_FIT_DISAGREEMENT, NTP: NTP_FIT_DISAGREEMENT },
    },
  };
})();

/**
 * Deep linear nets at D = K = 1, depth B swept, spectral μP (Figures 17 and 19 read the same nets; App. D.1.3-D.1.4).
 * Rate (D.1.4, D = 1): 1e-2, but 1e-3 for deeper SP and μP nets (we take B >= 3); GD takes eta * n / 128.
 * Quick scale: width 16, B in {2, 3, 4, 6}, 24 nets, at most 3000 GD steps.
 */
export const DEEP_LINEAR_D1: NormFigureSetting = (() => {
  const lr0 = (param: Parametrization, B: number, c: NormFigureConfig) => (gd(c) ? c.n / 128 : 1) * (param !== "NTP" && B >= 3 ? 1e-3 : 1e-2);
  const base = { activation: "linear", params: ALL_PARAMS, sweep: "depth", D: 1, mup: "spectral", lr0, small: DEEP_SMALL("linear") } as const;
  return {
    quick: { ...base, values: [2, 3, 4, 6], width: 16, nets: 24, n: 1024, train: quickProtocol(3000) },
    paper: { ...base, values: PAPER_DEPTHS, ...PAPER_NETS },
  };
})();

/**
 * Deep linear nets at D = K = 10 (Figures 18 and 20 read the same nets). Rate: 1e-2 (D.1.4's 1e-3 exception is
 * stated for D = 1 only); GD takes eta * n / 128, except NTP, which at quick scale starts at 0.5. Quick scale: width
 * 16, B in {2, 3, 4}, 20 nets, at most 1200 GD steps.
 */
export const DEEP_LINEAR_D10: NormFigureSetting = (() => {
  const lr0 = (param: Parametrization, B: number, c: NormFigureConfig) => (gd(c) ? (param === "NTP" ? 0.5 : (1e-2 * c.n) / 128) : 1e-2);
  const base = { activation: "linear", params: ALL_PARAMS, sweep: "depth", D: 10, mup: "spectral", lr0, small: DEEP_SMALL("linear") } as const;
  return {
    quick: { ...base, values: [2, 3, 4], width: 16, nets: 20, n: 1024, train: quickProtocol(1200) },
    paper: { ...base, values: PAPER_DEPTHS, ...PAPER_NETS },
  };
})();

/**
 * Deep ReLU nets at D = K = 1 (Figures 21 and 22 read the same nets). Rate (D.1.4, D = 1): 1e-2, and 1e-3 for deeper
 * SP and μP nets (we take B >= 3); quick-scale GD (capped at 250 steps, relative tolerance 1e-3, 96 samples) starts
 * 10x higher; divergent runs restart at a third of the rate. Quick scale: width 16, B in {2, 3, 4}, 20 nets.
 */
export const DEEP_RELU_D1: NormFigureSetting = (() => {
  const lr0 = (param: Parametrization, B: number, c: NormFigureConfig) => (gd(c) ? 10 : 1) * (param !== "NTP" && B >= 3 ? 1e-3 : 1e-2);
  const base = { activation: "relu", params: ALL_PARAMS, sweep: "depth", D: 1, mup: "spectral", lr0, small: DEEP_SMALL("relu") } as const;
  return {
    quick: { ...base, values: [2, 3, 4], width: 16, nets: 20, n: 96, train: quickProtocol(250, 1e-3) },
    paper: { ...base, values: PAPER_DEPTHS, ...PAPER_NETS },
  };
})();

/** What `normCorrelationFigure` ran: the studies per parametrisation (in `values` order), all of them, the time. */
export interface NormFigure {
  config: NormFigureConfig;
  studies: Record<string, Study[]>;
  all: Study[];
  seconds: number;
}

/** The sweep value of a study (its D or its depth B). */
export function sweepValue(fig: NormFigure, s: Study): number {
  return fig.config.sweep === "D" ? s.config.D : s.config.depth;
}

/** One line saying what a figure's configuration runs (`normCorrelationFigure` prints it first). */
export function describeNormFigure(c: NormFigureConfig): string {
  const sweep = c.sweep === "D" ? `D = K in {${c.values.join(", ")}}, ${c.depth ?? 2} weight matrices` : `depth B in {${c.values.join(", ")}}, D = K = ${c.D}`;
  const t = c.train;
  const small = c.small ? `; soundness net: ${c.small.net.activation}, D = K = ${c.small.net.D}, width ${c.small.net.width}, depth ${c.small.net.depth}, ${c.small.net.param}, n = ${c.small.n}` : "";
  return `${c.activation} nets, ${sweep}, width ${c.width}; ${c.params.join(", ")}${c.mup ? ` (μP: ${c.mup})` : ""}; ${c.nets} nets per point on n = ${c.n} samples; ` +
    `${t.optimizer === "gd" ? "full-batch GD" : `SGD (batch ${t.batchSize ?? 128})`}, rate ${c.params.map((p) => c.values.map((v) => `${c.lr0(p, v, c)}`).join("/")).join(" | ")} ` +
    `(per parametrisation, per value), ÷10 after ${t.patience} epochs without a relative ${t.tol} improvement, down to ${t.minLr}, at most ${t.maxEpochs} epochs${small}`;
}

/**
 * Run a figure's studies: for each parametrisation and each sweep value v, `runStudy` on
 * `gen.fork("<param>-D<v>")` (D sweep) or `gen.fork("<param>-B<v>")` (depth sweep).
 */
export function normCorrelationFigure(config: NormFigureConfig, gen: Rng): NormFigure {
  const fn = "normCorrelationFigure";
  if (!config || (config.sweep !== "D" && config.sweep !== "depth")) throw new RangeError(`${fn}: config.sweep must be "D" or "depth", got ${String(config?.sweep)}`);
  if (!Array.isArray(config.params) || config.params.length === 0) throw new RangeError(`${fn}: config.params must list at least one parametrisation`);
  if (!Array.isArray(config.values) || config.values.length === 0) throw new RangeError(`${fn}: config.values must list at least one ${config.sweep}`);
  if (config.sweep === "depth" && !(Number.isInteger(config.D) && config.D! >= 1)) throw new RangeError(`${fn}: a depth sweep needs config.D (a positive integer), got ${config.D}`);
  if (typeof config.lr0 !== "function") throw new TypeError(`${fn}: config.lr0 must be a function (param, value) => base learning rate`);
  console.log(describeNormFigure(config));
  const studies: Record<string, Study[]> = {};
  for (const param of config.params) {
    studies[param] = config.values.map((v) => {
      const D = config.sweep === "D" ? v : config.D!;
      const study: StudyConfig = {
        activation: config.activation, D, K: D, width: config.width, depth: config.sweep === "depth" ? v : config.depth ?? 2, param,
        nets: config.nets, n: config.n, train: { ...config.train, lr0: config.lr0(param, v, config) },
      };
      if (config.mup !== undefined) study.mup = config.mup;
      if (config.trace !== undefined) study.trace = config.trace;
      if (config.exactTraceNets !== undefined) study.exactTraceNets = config.exactTraceNets;
      return runStudy(study, gen.fork(`${param}-${config.sweep === "D" ? "D" : "B"}${v}`));
    });
  }
  const all = config.params.flatMap((p) => studies[p]);
  return { config, studies, all, seconds: all.reduce((a, s) => a + s.seconds, 0) };
}

/** The soundness measurements every figure checks before its correlations mean anything. */
export interface NormFigureSoundness {
  /** Lanczos sharpness of a fresh small net and the top eigenvalue of its dense Hessian (eigh). */
  lanczos: number;
  denseTop: number;
  /** Worst relative Ritz residual over every net, at initialisation and trained. */
  worstResidual: number;
  /** Worst final loss / least-squares floor (linear nets only; NaN for ReLU nets, which have no such floor). */
  fitRatio: number;
  /** The same per parametrisation, and per study in the figure's order (`fig.all`; plain numbers, so a notebook's
   * display of this object stays readable); empty for ReLU nets. */
  fitRatioByParam: Record<string, number>;
  fitRatioByStudy: number[];
  /** Worst final / initial loss. */
  worstLossDrop: number;
  /** Nets restarted at a lower rate after diverging, and all nets. */
  restarted: number;
  /** Nets whose training ended at the protocol's `maxEpochs` rather than by its rule. */
  atEpochLimit: number;
  nets: number;
  /** Worst relative error of the trace closed form against the exact trace (NaN when no net has both). */
  traceError: number;
}

/**
 * Measure soundness: the Lanczos sharpness against the dense Hessian on `small` (data of `smallN` samples from
 * `gen.fork("small")`, the net from `gen.fork("small-net")`, Lanczos from `gen.fork("lz")`), the Ritz residuals,
 * the fit and the restarts of every net of the figure.
 */
export function normFigureSoundness(fig: NormFigure, small: NetSpec, smallN: number, gen: Rng): NormFigureSoundness {
  const model = buildModel(small);
  const problem = taskProblem(model, teacherTask(small.activation, small.D, small.K, smallN, gen.fork("small")));
  const theta = initNet(model, small, gen.fork("small-net")).theta;
  const denseTop = eigh(hessian(problem, theta)).values.at(-1)!;
  const lanczos = sharpness(problem, theta, gen.fork("lz")).value;
  const all = fig.all;
  const records = all.flatMap((s) => s.nets);
  const withExact = records.flatMap((r) => [r.init, r.trained]).filter((st) => st.traceExact !== undefined);
  const linear = fig.config.activation === "linear";
  // One ratio per study, computed once (each needs a least-squares solve); the worst per parametrisation follows from it.
  const fitRatioByStudy = linear ? all.map((s) => Math.max(...s.nets.map((r) => r.trained.loss)) / leastSquaresFloor(s.task)) : [];
  const fitRatioOf = studyLookup(fig, fitRatioByStudy);
  const fitRatioByParam: Record<string, number> = {};
  if (linear) for (const p of fig.config.params) fitRatioByParam[p] = Math.max(...fig.studies[p].map(fitRatioOf));
  return {
    lanczos,
    denseTop,
    worstResidual: Math.max(...records.flatMap((r) => [r.init.residual, r.trained.residual])),
    fitRatio: linear ? Math.max(...fitRatioByStudy) : NaN,
    fitRatioByParam,
    fitRatioByStudy,
    worstLossDrop: Math.max(...records.map((r) => r.train.loss / r.train.loss0)),
    restarted: all.reduce((a, s) => a + s.nets.filter((r) => r.train.lr0 < fig.config.lr0(s.config.param, sweepValue(fig, s), fig.config)).length, 0),
    atEpochLimit: records.filter((r) => r.train.stopped === "steps").length,
    nets: records.length,
    traceError: withExact.length ? Math.max(...withExact.map((st) => Math.abs(st.trace! - st.traceExact!) / Math.abs(st.traceExact!))) : NaN,
  };
}

/** The median over a study's nets of the final loss in units of the teacher's noise level ½·K·0.01 (upper median). */
export function medianLossOverNoise(s: Study): number {
  const v = s.nets.map((r) => r.train.loss / (0.005 * s.config.K)).sort((a, b) => a - b);
  return v[v.length >> 1];
}

/**
 * Measure soundness (`normFigureSoundness` on `fig.config.small`) and record the standard checks: Lanczos against
 * the dense Hessian (relative 1e-9), the trace closed form against exact HVPs (1e-10, when the figure asked for
 * `trace: "closed"`), the worst Ritz residual (<= 1e-8), and the fit: for linear nets, per parametrisation, the worst
 * final loss over the least-squares floor (<= 1.05), for ReLU nets, which have no such floor, the worst final / initial
 * loss (<= 1); under the paper's (SGD) protocol also that no net stopped at the epoch bound instead of by the rule.
 * A Markdown line reports the fit (and every study above the floor's tolerance), the restarts, the nets at the epoch
 * or step limit and the studies' time.
 * A parametrisation's fit check carries the documented disagreement `fig.config.fitDisagreement` gives it.
 * @param checks lib/notebook itself (`import * as notebook from "./lib/notebook"`) or any object with these functions
 */
export function checkNormSoundness(
  fig: NormFigure,
  gen: Rng,
  checks: Pick<NotebookChecks, "check" | "checkAtMost" | "markdown">,
): NormFigureSoundness {
  const fn = "checkNormSoundness";
  const { check, checkAtMost, markdown } = requireChecks(fn, checks, ["check", "checkAtMost", "markdown"]);
  const small = fig?.config?.small;
  if (!small || !small.net || !(Number.isInteger(small.n) && small.n >= 1)) throw new TypeError(`${fn}: fig.config.small must give the small net and its sample size, { net, n }`);
  const fitDisagreement = fig.config.fitDisagreement ?? {};
  for (const [p, why] of Object.entries(fitDisagreement)) {
    if (!(ALL_PARAMS as readonly string[]).includes(p)) throw new RangeError(`${fn}: fig.config.fitDisagreement names ${p}, which is not a parametrisation (${ALL_PARAMS.join(", ")})`);
    if (typeof why !== "string" || why.trim() === "") throw new TypeError(`${fn}: fig.config.fitDisagreement.${p} must be a non-empty explanation`);
  }
  if (fig.config.activation !== "linear" && Object.keys(fitDisagreement).length > 0) {
    throw new RangeError(`${fn}: fig.config.fitDisagreement applies to linear nets' least-squares floor; this figure's nets are ${fig.config.activation}`);
  }
  const sound = normFigureSoundness(fig, small.net, small.n, gen);
  const where = small.net.depth !== 2 ? `, depth ${small.net.depth}` : small.net.activation === "relu" ? ", ReLU net" : "";
  check(`Lanczos sharpness vs dense eigh${where} (relative)`, sound.lanczos, sound.denseTop, 1e-9, "relative");
  if (fig.config.trace === "closed") {
    check(`trace closed form vs sum of e_i^T H e_i from exact HVPs (worst relative error, ${fig.config.exactTraceNets ?? 3} nets per configuration)`, sound.traceError, 0, 1e-10);
  }
  checkAtMost("worst relative Ritz residual over all nets", sound.worstResidual, 1e-8);
  // The paper's protocol (SGD) ends by its rule, so a net at the epoch bound is not trained in its sense; the quick
  // protocol's step cap is part of its design (full-batch GD within a notebook's minutes) and is only reported.
  if (fig.config.train.optimizer === "sgd") checkAtMost(`nets stopped at the ${fig.config.train.maxEpochs}-epoch bound instead of the protocol's rule`, sound.atEpochLimit, 0);
  const restarts = `${sound.restarted} of ${sound.nets} nets were restarted at a lower rate after diverging; ${sound.atEpochLimit} stopped at the ${fig.config.train.maxEpochs}-${fig.config.train.optimizer === "gd" ? "step" : "epoch"} limit; studies: ${fig.seconds.toFixed(1)} s.`;
  if (fig.config.activation === "linear") {
    for (const p of fig.config.params) {
      const why = fitDisagreement[p];
      checkAtMost(`${p}: worst final loss / least-squares floor`, sound.fitRatioByParam[p], FIT_TOLERANCE, why ? { disagreement: why } : undefined);
    }
    const ratio = studyLookup(fig, sound.fitRatioByStudy);
    const above = perStudy(fig, (s) => ratio(s).toFixed(4), (s) => ratio(s) > FIT_TOLERANCE);
    const worst = fig.config.params.map((p) => `${p} ${sound.fitRatioByParam[p].toFixed(4)}`).join("; ");
    markdown(`Worst final loss is ${((sound.fitRatio - 1) * 100).toFixed(2)}% above the least-squares floor (worst per parametrisation, times the floor: ${worst})${above ? `; above ${FIT_TOLERANCE} times it: ${above}` : ""}; ${restarts}`);
  } else {
    checkAtMost("worst final / initial loss (every net improved)", sound.worstLossDrop, 1);
    markdown(`Median final loss in units of the noise level ½·K·0.01: ${perStudy(fig, (s) => medianLossOverNoise(s).toFixed(2))}. ${restarts}`);
  }
  return sound;
}

/** A study's entry in `values`, which lists one value per study in the figure's order (`fig.all`). */
function studyLookup<T>(fig: NormFigure, values: readonly T[]): (s: Study) => T {
  const byStudy = new Map(fig.all.map((s, i) => [s, values[i]]));
  return (s) => byStudy.get(s)!;
}

/** Per parametrisation, `f` of each of its studies in sweep order (only the studies `keep` accepts). */
export function byParam<T>(fig: NormFigure, f: (s: Study) => T, keep: (s: Study) => boolean = () => true): Record<string, T[]> {
  return Object.fromEntries(fig.config.params.map((p) => [p, fig.studies[p].filter(keep).map(f)]));
}

/** "SP 0.123, 0.456; muP ...": numbers per parametrisation, `digits` decimals. */
export function fmtByParam(values: Record<string, number[]>, digits = 3): string {
  return Object.entries(values).map(([p, v]) => `${p} ${v.map((m) => m.toFixed(digits)).join(", ")}`).join("; ");
}

/** "SP B = 2: text; SP B = 3: ...": `text` of every study of the figure (only those `keep` accepts), labelled by its sweep value. */
export function perStudy(fig: NormFigure, text: (s: Study) => string, keep: (s: Study) => boolean = () => true): string {
  const v = fig.config.sweep === "D" ? "D" : "B";
  return fig.all.filter(keep).map((s) => `${s.config.param} ${v} = ${sweepValue(fig, s)}: ${text(s)}`).join("; ");
}

/**
 * A depth sweep's figure (Figures 17-22): per parametrisation, at initialisation and after training, r of the
 * sharpness with `Q(stats, b)` against the matrix index b = 1..6, one line per depth B.
 */
export function depthPanelFigure(fig: NormFigure, Q: (st: NetStats, b: number) => number, title: string) {
  if (fig.config.sweep !== "depth") throw new RangeError(`depthPanelFigure: needs a depth sweep, got a ${fig.config.sweep} sweep`);
  const panels = phasePanels(fig, (ss, phase) => depthSeries(ss, phase, Q), [1, 2, 3, 4, 5, 6]);
  return panelFigure(title, panels, { xTitle: "matrix index b", cols: 2 });
}

/**
 * Figures 19 and 20: r(‖Ŵ_B‖₂²), the knocked-out product without the last matrix, against the best r of the single
 * matrices `Q(stats, b)`, b = 1..B; `margin` = product − best.
 */
export function productAndBest(s: Study, phase: Phase, Q: (st: NetStats, b: number) => number): { product: number; best: number; margin: number } {
  const product = correlate(s, phase, (st) => st.knocked[s.config.depth - 1].spectral2).r;
  const best = Math.max(...perMatrix(s, phase, Q).map((c) => c.r));
  return { product, best, margin: product - best };
}

/**
 * The figure's panels, parametrisation by parametrisation, each at initialisation and after training:
 * `series(studies, phase)` gives the lines of one panel, drawn against `x` (default: the sweep values).
 */
export function phasePanels(fig: NormFigure, series: (studies: Study[], phase: Phase) => Series[], x: number[] = fig.config.values): Panel[] {
  return fig.config.params.flatMap((param) => PHASES.map((phase) => ({
    title: `${param}, ${phase === "init" ? "at initialisation" : "after training"}`,
    x,
    series: series(fig.studies[param], phase),
  })));
}

/** Correlations of the sharpness with `Q(stats, b)` for b = 1..B of a deep-net study. */
export function perMatrix(s: Study, phase: Phase, Q: (st: NetStats, b: number) => number): Correlation[] {
  return Array.from({ length: s.config.depth }, (_, i) => correlate(s, phase, (st) => Q(st, i + 1)));
}

/** Markdown rows `| param | B | r for b = 1..B |` after training (Figures 17-22), with the header for up to 6 matrices. */
export function perMatrixTable(fig: NormFigure, Q: (st: NetStats, b: number) => number): string {
  const rows = fig.all.map((s) => `| ${s.config.param} | ${s.config.depth} | ${perMatrix(s, "trained", Q).map((c) => fmtR(c)).join(" | ")} |`);
  return `| param | B | b = 1 | 2 | 3 | 4 | 5 | 6 |\n|---|---|---|---|---|---|---|---|\n${rows.join("\n")}`;
}

/** r of the last matrix (b = B) minus the best r of the others. */
export function lastMatrixMargin(s: Study, phase: Phase, Q: (st: NetStats, b: number) => number): number {
  const rs = perMatrix(s, phase, Q).map((c) => c.r);
  return rs[rs.length - 1] - Math.max(...rs.slice(0, -1));
}

/** Half the width of a correlation's 95% interval. */
export function halfWidth(c: { lo: number; hi: number }): number {
  return (c.hi - c.lo) / 2;
}

/**
 * How far `c` falls short of `rival`, in units of the narrower 95% half-width of the two: at most 1 means the
 * ordering is unresolved by the nets sampled (0 when `c` is ahead).
 */
export function deficitOverHalfWidth(c: Correlation, rival: Correlation): number {
  return Math.max(0, rival.r - c.r) / Math.min(halfWidth(c), halfWidth(rival));
}

/** The correlation with the largest r. */
export function strongest(cs: Correlation[]): Correlation {
  if (cs.length === 0) throw new RangeError("strongest: need at least one correlation");
  return cs.reduce((a, b) => (b.r > a.r ? b : a));
}

/** Figures 4 and 14: the spectral norm's ordering margin per D > 1, its table and the matrix that carries it. */
export interface SpectralOrdering {
  /** Per parametrisation, over D > 1: best spectral r − best Frobenius / nuclear r, after training and at initialisation. */
  margins: Record<string, number[]>;
  marginsInit: Record<string, number[]>;
  /** Markdown table: per study the best r per norm after training (which matrix), the margins trained and at init. */
  table: string;
  /** Per parametrisation, the matrix with the best spectral correlation after training, per D ("W1, W1, W2"). */
  drivers: Record<string, string>;
  /** Per parametrisation, the mean margin over D > 1, after training and at initialisation. */
  mean: Record<string, number>;
  meanInit: Record<string, number>;
}

/** The spectral norm's margin over the other squared norms in every study of a D sweep (`orderingMargin`). */
export function spectralOrdering(fig: NormFigure): SpectralOrdering {
  if (fig.config.sweep !== "D") throw new RangeError(`spectralOrdering: needs a D sweep, got a ${fig.config.sweep} sweep`);
  const rows: string[] = [];
  const margins: Record<string, number[]> = {}, marginsInit: Record<string, number[]> = {}, drivers: Record<string, string> = {};
  for (const param of fig.config.params) {
    margins[param] = [];
    marginsInit[param] = [];
    fig.studies[param].forEach((s) => {
      const best = Object.fromEntries(NORMS.map((nm) => [nm, bestOverMatrices(s, "trained", nm)]));
      const margin = orderingMargin(s, "trained", "spectral2");
      const marginInit = orderingMargin(s, "init", "spectral2");
      if (s.config.D > 1) { margins[param].push(margin); marginsInit[param].push(marginInit); }
      rows.push(`| ${param} | ${s.config.D} | ${NORMS.map((nm) => `W${best[nm].b}: ${fmtR(best[nm].c)}`).join(" | ")} | ${margin.toFixed(3)} | ${marginInit.toFixed(3)} |`);
    });
    drivers[param] = fig.studies[param].map((s) => `W${bestOverMatrices(s, "trained", "spectral2").b}`).join(", ");
  }
  const table = `| param | D | spectral | Frobenius | nuclear | margin trained | margin init |\n|---|---|---|---|---|---|---|\n${rows.join("\n")}`;
  const mean = (m: Record<string, number[]>) => Object.fromEntries(Object.entries(m).map(([p, v]) => [p, meanAndStandardError(v).mean]));
  return { margins, marginsInit, table, drivers, mean: mean(margins), meanInit: mean(marginsInit) };
}

/**
 * Trained nets of the study at sweep index `i` (Figures 4 and 14): sharpness against ‖W_1‖₂² and ‖W_2‖₂², one
 * panel per parametrisation (or per matrix when the figure has one parametrisation), log x.
 */
export function spectralScatter(fig: NormFigure, i: number) {
  if (!(Number.isInteger(i) && i >= 0 && i < fig.config.values.length)) throw new RangeError(`spectralScatter: i must index config.values (0..${fig.config.values.length - 1}), got ${i}`);
  const params = fig.config.params;
  const panelOf = (k: number, b: number) => (params.length > 1 ? k : b - 1) === 0 ? "" : "2";
  const label = (k: number) => (params.length > 1 ? params[k] : params[0]).replace("muP", "μP");
  return {
    data: params.flatMap((param, k) => [1, 2].map((b) => ({
      x: fig.studies[param][i].nets.map((r) => r.trained.norms[b - 1].spectral2),
      y: fig.studies[param][i].nets.map((r) => r.trained.sharpness),
      type: "scatter", mode: "markers", name: `${param}: ‖W${b}‖₂²`, xaxis: `x${panelOf(k, b)}`, yaxis: `y${panelOf(k, b)}`,
    }))),
    layout: {
      title: `Trained nets, D = ${fig.config.values[i]}: sharpness against squared spectral norms`, grid: { rows: 1, columns: 2, pattern: "independent" },
      xaxis: { title: `${label(0)}: ‖W_b‖₂²`, type: "log" }, xaxis2: { title: `${label(1)}: ‖W_b‖₂²`, type: "log" }, yaxis: { title: "sharpness" }, yaxis2: { title: "sharpness" },
    },
  };
}

