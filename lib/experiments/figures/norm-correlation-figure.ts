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
import {
  Correlation, NORMS, NetSpec, NetStats, Panel, Parametrization, Series, Study, StudyConfig, TrainSpec, bestOverMatrices,
  buildModel, correlate, fmtR, initNet, leastSquaresFloor, orderingMargin, runStudy, sharpness, taskProblem, teacherTask,
} from "../norm-correlation";

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
  lr0: (param: Parametrization, value: number) => number;
}

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
  const studies: Record<string, Study[]> = {};
  for (const param of config.params) {
    studies[param] = config.values.map((v) => {
      const D = config.sweep === "D" ? v : config.D!;
      const study: StudyConfig = {
        activation: config.activation, D, K: D, width: config.width, depth: config.sweep === "depth" ? v : config.depth ?? 2, param,
        nets: config.nets, n: config.n, train: { ...config.train, lr0: config.lr0(param, v) },
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
  /** Worst final / initial loss. */
  worstLossDrop: number;
  /** Nets restarted at a lower rate after diverging, and all nets. */
  restarted: number;
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
  return {
    lanczos,
    denseTop,
    worstResidual: Math.max(...records.flatMap((r) => [r.init.residual, r.trained.residual])),
    fitRatio: fig.config.activation === "linear" ? Math.max(...all.map((s) => Math.max(...s.nets.map((r) => r.trained.loss)) / leastSquaresFloor(s.task))) : NaN,
    worstLossDrop: Math.max(...records.map((r) => r.train.loss / r.train.loss0)),
    restarted: all.reduce((a, s) => a + s.nets.filter((r) => r.train.lr0 < fig.config.lr0(s.config.param, sweepValue(fig, s))).length, 0),
    nets: records.length,
    traceError: withExact.length ? Math.max(...withExact.map((st) => Math.abs(st.trace! - st.traceExact!) / Math.abs(st.traceExact!))) : NaN,
  };
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
  return { margins, marginsInit, table, drivers };
}

