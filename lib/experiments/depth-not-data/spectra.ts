/**
 * Dense Hessian spectra along gradient descent in the setting of Depth, Not Data, and their comparison with
 * the paper's clusters (Theorem 3.5, Corollary 3.6, Figures 1-3): the runs over depths, the recorded
 * snapshots, the widened intervals of Theorem 3.5 and the counts inside them.
 */
import type { Matrix } from "ml-matrix";
import type { Rng } from "../../random/rng";
import { eigh } from "../../linalg/eigh";
import { haarOrthogonal } from "../../linalg/haar";
import { deepLinear, mlp } from "../../models/mlp";
import { functionalHessian, gaussNewton, hessian, loss } from "../../curvature/curvature";
import { mseProblem, populationProblem, type Problem } from "../../curvature/problem";
import { balancedInit, sharedFormInit, usiInit } from "../../init/balanced";
import { alignedData, type AlignedData } from "../../data/synthetic";
import { gradientDescent } from "../../train/loops";
import * as dnd from "../../papers/depth-not-data";
import { clusters } from "../../linalg/clusters";
import { haarBases, hiddenWidths } from "./setting";

const eigDesc = (A: Matrix): Float64Array => eigh(A).values.reverse();
const symNorm = (A: Matrix): number => { const ev = eigDesc(A); return Math.max(Math.abs(ev[0]), Math.abs(ev[ev.length - 1])); };
type Counts = { dominant: number; bulk: number; zero: number };

/** Recording times: 0, steps and `count` roughly log-spaced times in between (sorted, distinct). */
export function recordTimes(steps: number, count: number): number[] {
  if (!Number.isInteger(steps) || steps < 0 || !Number.isInteger(count) || count < 2) throw new RangeError(`recordTimes: steps must be an integer >= 0 and count an integer >= 2, got ${steps}, ${count}`);
  const out = new Set<number>([0, steps]);
  for (let q = 0; q < count; q++) out.add(Math.round(Math.expm1((q / (count - 1)) * Math.log1p(steps))));
  return Array.from(out).filter((t) => t >= 0 && t <= steps).sort((a, b) => a - b);
}

/** Roughly log-spaced integers from `from` while below `to`: t, max(t + 1, floor(t * factor)), ... */
export function logSpacedSteps(from: number, to: number, factor: number): number[] {
  if (!(factor > 1)) throw new RangeError(`logSpacedSteps: factor must be > 1, got ${factor}`);
  const idx: number[] = [];
  for (let t = from; t < to; t = Math.max(t + 1, Math.floor(t * factor))) idx.push(t);
  return idx;
}

/** A recorded step of Theorem 3.5's runs: dense spectra, the sample loss, D_t and its predictions. */
export interface Snapshot {
  t: number;
  /** Eigenvalues of H and H_o (descending), ||H_f||. */
  eigH: Float64Array;
  eigHo: Float64Array;
  hf: number;
  loss: number;
  lam: Float64Array;
  pred: dnd.ClusterPrediction;
  /** The Gram spectrum mu_ij of D_t (descending). */
  mu: number[];
}

/** One depth of Theorem 3.5's setting: shared-form start on whitened aligned data, population loss. */
export interface DepthSetting {
  L: number;
  widths: number[];
  U: Matrix;
  V: Matrix;
  data: AlignedData;
  Sxx: Matrix;
  theta0: Float64Array;
  problem: Problem;
  p: number;
  counts: Counts;
}

/** A depth of Theorem 3.5's study after training: the recursion D_0, ..., D_steps and the recorded snapshots. */
export interface DepthRun extends DepthSetting {
  traj: Float64Array[];
  history: Snapshot[];
}

/**
 * Theorem 3.5's settings: for each depth, U and V drawn from `gen` itself (U then V), aligned whitened data
 * (n = 4 d_0, fork `data-<L>`), the shared form D_0 = diag(m0) and the population loss. Throws if the
 * whitened sample covariance misses S_xx by more than 1e-12.
 */
export function sharedFormSettings(P: { depths: number[]; d0: number; dStar: number; dOut: number; r: number; width: number; m0: number[] }, gen: Rng): DepthSetting[] {
  return P.depths.map((L) => {
    const widths = hiddenWidths(P.d0, P.width, P.dOut, L);
    const U = haarOrthogonal(gen, P.dOut);
    const V = haarOrthogonal(gen, P.d0);
    const data = alignedData(U, V, { dStar: P.dStar, r: P.r, n: 4 * P.d0 }, gen.fork(`data-${L}`));
    const problem = populationProblem(deepLinear(widths), { Sxx: data.Sxx, Syx: data.Syx, Syy: data.Syy });
    if (data.X.mmul(data.X.transpose()).div(data.X.columns).sub(data.Sxx).abs().max() > 1e-12) throw new Error("sharedFormSettings: whitening failed");
    const p = problem.model.numParams;
    return { L, widths, U, V, data, Sxx: data.Sxx, theta0: sharedFormInit(widths, U, P.m0, V).theta, problem, p, counts: dnd.clusterCounts(P.r, P.dStar, P.dOut, p) };
  });
}

/**
 * Gradient descent in one of Theorem 3.5's settings with dense H, H_o, H_f at `records` log-spaced steps,
 * the sample loss there (equal to the population loss, without its cancellation near 0), and the recursion's
 * D_t with its cluster prediction and Gram spectrum.
 */
export function recordAlongTraining(s: DepthSetting, P: { dStar: number; dOut: number; r: number; m0: number[]; eta: number; steps: number; records: number }): DepthRun {
  const { L, problem, p } = s;
  const sample = mseProblem(problem.model, s.data.X, s.data.Y);
  const traj = dnd.scalarRecursion(P.m0, { L, eta: P.eta, steps: P.steps, r: P.r, dStar: P.dStar });
  const times = new Set(recordTimes(P.steps, P.records));
  const history: Snapshot[] = [];
  gradientDescent(problem, s.theta0, { steps: P.steps, lr: P.eta, onStep: ({ step: t, theta }) => {
    if (!times.has(t)) return;
    const lam = traj[t];
    history.push({
      t, eigH: eigDesc(hessian(problem, theta)), eigHo: eigDesc(gaussNewton(problem, theta)), hf: symNorm(functionalHessian(problem, theta)), loss: loss(sample, theta), lam,
      pred: dnd.predictClusters(lam.subarray(0, P.r), { L, dStar: P.dStar, dOut: P.dOut, p }),
      mu: dnd.gramSpectrum(lam, { L, r: P.r, dStar: P.dStar, dOut: P.dOut }).map((q) => q.value),
    });
  } });
  return { ...s, traj, history };
}

/**
 * Theorem 3.5's intervals at a snapshot, each widened by h = ||H_f|| + 1e-12 lambda_max(H) (Weyl plus a
 * rounding allowance): dominant [L m_min^{2(L-1)}, L m_max^{2(L-1)}], bulk [m_min^{2(L-1)}, m_max^{2(L-1)}], zero [-h, h].
 */
export function widenedIntervals(rec: Snapshot): { h: number; dom: dnd.Interval; blk: dnd.Interval; zer: dnd.Interval } {
  const h = rec.hf + 1e-12 * rec.eigH[0];
  return { h, dom: dnd.widen(rec.pred.dominant, h), blk: dnd.widen(rec.pred.bulk, h), zer: [-h, h] };
}

/**
 * Theorem 3.5 along every run: `worstHoErr` = max |lambda_q(H_o) - mu_q| / lambda_max(H_o); `worstViolation` =
 * worst distance / lambda_max(H) of an eigenvalue of H (by rank) outside its widened interval; where the
 * three widened intervals are disjoint (`separatedSteps`, first such step per depth in `firstSeparated`), the
 * worst mismatch between the eigenvalues inside each interval and r^2, (d*+dL-2r) r, the rest.
 */
export function intervalComparison(runs: DepthRun[]) {
  let worstHoErr = 0, worstViolation = 0, worstCountMismatch = 0, separatedSteps = 0;
  const firstSeparated = new Map<number, number>();
  for (const s of runs) {
    for (const rec of s.history) {
      for (let q = 0; q < s.p; q++) worstHoErr = Math.max(worstHoErr, Math.abs(rec.eigHo[q] - (q < rec.mu.length ? rec.mu[q] : 0)) / rec.eigHo[0]);
      const { dom, blk, zer } = widenedIntervals(rec);
      rec.eigH.forEach((v, q) => {
        const iv = q < s.counts.dominant ? dom : q < s.counts.dominant + s.counts.bulk ? blk : zer;
        worstViolation = Math.max(worstViolation, (iv[0] - v) / rec.eigH[0], (v - iv[1]) / rec.eigH[0]);
      });
      if (dom[0] > blk[1] && blk[0] > zer[1]) {
        separatedSteps++;
        if (!firstSeparated.has(s.L)) firstSeparated.set(s.L, rec.t);
        const inside = (iv: dnd.Interval) => rec.eigH.filter((v) => v >= iv[0] && v <= iv[1]).length;
        worstCountMismatch = Math.max(worstCountMismatch, Math.abs(inside(dom) - s.counts.dominant), Math.abs(inside(blk) - s.counts.bulk), Math.abs(inside(zer) - s.counts.zero));
      }
    }
  }
  return { worstHoErr, worstViolation, worstCountMismatch, separatedSteps, firstSeparated };
}

/** Smallest dominant and largest bulk value of the Gram spectrum of D (Lemma A.9's separation: min > max). */
export function classEdges(pairs: dnd.ClusteredPairEigenvalue[]): { domMin: number; bulkMax: number } {
  return { domMin: Math.min(...pairs.filter((q) => q.cluster === "dominant").map((q) => q.value)), bulkMax: Math.max(...pairs.filter((q) => q.cluster === "bulk").map((q) => q.value)) };
}

/**
 * The gap condition (m_max/m_min)^{2(L-1)} < L along the recursion of one run: the steps where it fails, and
 * how many of them still have the dominant and bulk classes of H_o separated (Lemma A.9 says none).
 */
export function gapAlongRecursion(run: DepthRun, P: { r: number; dStar: number; dOut: number }): { failing: number[]; separatedDespiteViolation: number } {
  const failing: number[] = [];
  let separatedDespiteViolation = 0;
  run.traj.forEach((lam, t) => {
    const m = Array.from(lam.subarray(0, P.r));
    if (dnd.gapCondition(Math.min(...m), Math.max(...m), run.L).holds) return;
    failing.push(t);
    const { domMin, bulkMax } = classEdges(dnd.gramSpectrum(lam, { L: run.L, r: P.r, dStar: P.dStar, dOut: P.dOut }));
    if (domMin > bulkMax) separatedDespiteViolation++;
  });
  return { failing, separatedDespiteViolation };
}

/**
 * Theorem 3.5's Theta(L) range of the ratio of cluster means: the worst amount by which the measured ratio of
 * H (split by the predicted counts) leaves [(L m_min^{2(L-1)} - h) / (m_max^{2(L-1)} + h), (L m_max^{2(L-1)} + h) / (m_min^{2(L-1)} - h)].
 */
export function ratioRangeViolation(run: DepthRun): number {
  let worst = -Infinity;
  for (const rec of run.history) {
    const split = dnd.splitByCounts(rec.eigH, run.counts);
    const { h } = widenedIntervals(rec);
    const lo = (rec.pred.dominant[0] - h) / (rec.pred.bulk[1] + h);
    const hi = rec.pred.bulk[0] - h > 0 ? (rec.pred.dominant[1] + h) / (rec.pred.bulk[0] - h) : Infinity;
    worst = Math.max(worst, lo - split.ratio, split.ratio - hi);
  }
  return worst;
}

/** A recorded step of Corollary 3.6's runs: m_t of the recursion, dense spectra of H and H_o, ||H_f||, the loss. */
export interface UsiSnapshot { t: number; m: number; eigH: Float64Array; eigHo: Float64Array; hf: number; loss: number }

/**
 * Corollary 3.6's runs: for each depth, the uniform spectral initialisation (fork `init-<L>`), aligned data
 * (n = 4 d_0, fork `data-<L>`), gradient descent on the population loss, dense spectra at `records` log-spaced steps.
 */
export function usiDepthRuns(P: { depths: number[]; d0: number; dStar: number; dOut: number; r: number; width: number; m0: number; eta: number; steps: number; records: number }, gen: Rng) {
  return P.depths.map((L) => {
    const widths = hiddenWidths(P.d0, P.width, P.dOut, L);
    const init = usiInit(widths, gen.fork(`init-${L}`), { m0: P.m0, r: P.r });
    const data = alignedData(init.U, init.V, { dStar: P.dStar, r: P.r, n: 4 * P.d0 }, gen.fork(`data-${L}`));
    const problem = populationProblem(deepLinear(widths), { Sxx: data.Sxx, Syx: data.Syx, Syy: data.Syy });
    const p = problem.model.numParams;
    const mt = dnd.scalarRecursion([P.m0], { L, eta: P.eta, steps: P.steps, r: 1, dStar: 1 }).map((row) => row[0]);
    const times = new Set(recordTimes(P.steps, P.records));
    const snaps: UsiSnapshot[] = [];
    gradientDescent(problem, init.theta, { steps: P.steps, lr: P.eta, onStep: ({ step, theta, loss: l }) => {
      if (times.has(step)) snaps.push({ t: step, m: mt[step], eigH: eigDesc(hessian(problem, theta)), eigHo: eigDesc(gaussNewton(problem, theta)), hf: symNorm(functionalHessian(problem, theta)), loss: l });
    } });
    return { L, p, counts: dnd.clusterCounts(P.r, P.dStar, P.dOut, p), snaps };
  });
}

/**
 * The shared construction of Figures 1-3: a target-like matrix A ~ N(0, std^2) (dOut x d0, fork `A`), its
 * SVD bases and top-r singular values s (the L = 1 balanced start, fork `unused`), and whitened data aligned
 * to those bases (n samples, fork `data`). Depth L starts from lambda_0 = s^(1/L), so W_{L:1}(0) is the same.
 */
export function figureSetting(P: { d0: number; dStar: number; dOut: number; r: number; n: number; std: number }, gen: Rng): { U: Matrix; V: Matrix; sTop: number[]; data: AlignedData } {
  const A = gen.fork("A").normalMatrix(P.dOut, P.d0, P.std);
  const base = balancedInit([P.d0, P.dOut], gen.fork("unused"), { A }); // L = 1 just to get the SVD bases and singular values
  const data = alignedData(base.U, base.V, { dStar: P.dStar, r: P.r, n: P.n }, gen.fork("data"));
  return { U: base.U, V: base.V, sTop: Array.from(base.lambdas.slice(0, P.r)), data };
}

/**
 * Gradient descent from lambda_0 = s^(1/L) at depth L on the sample loss of the figure's data (deep linear
 * network, or tanh without biases with `tanh`; data and target scaled by sigma, step eta / sigma^2), the dense
 * Hessian spectrum (descending) at the steps `at` selects and at the end (unless `final` is false); with
 * `population`, the largest gap between the sample and the population loss along the run.
 */
export function figureRun(
  setting: { U: Matrix; V: Matrix; sTop: number[]; data: AlignedData },
  L: number,
  P: { d0: number; width: number; dOut: number; eta: number; steps: number },
  options: { at?: (step: number) => boolean; tanh?: boolean; sigma?: number; population?: boolean; final?: boolean } = {},
) {
  const widths = hiddenWidths(P.d0, P.width, P.dOut, L);
  const lambda0 = setting.sTop.map((s) => Math.pow(s, 1 / L));
  const init = sharedFormInit(widths, setting.U, lambda0, setting.V);
  const model = options.tanh ? mlp(widths, { activation: "tanh", activateOutput: true, bias: false }) : deepLinear(widths);
  const sigma = options.sigma;
  const { X, Y } = sigma === undefined ? setting.data : { X: setting.data.X.clone().mul(sigma), Y: setting.data.Y.clone().mul(sigma) };
  const problem = mseProblem(model, X, Y);
  const population = options.population ? populationProblem(model, { Sxx: setting.data.Sxx, Syx: setting.data.Syx, Syy: setting.data.Syy }) : null;
  const snaps: Array<{ t: number; eig: Float64Array; loss: number }> = [];
  let lossPopGap = 0;
  const lr = sigma === undefined ? P.eta : P.eta / (sigma * sigma);
  const run = gradientDescent(problem, init.theta, { steps: P.steps, lr, onStep: ({ step, theta, loss: l }) => {
    if (population) lossPopGap = Math.max(lossPopGap, Math.abs(l - loss(population, theta)));
    if (options.at && options.at(step)) snaps.push({ t: step, eig: eigDesc(hessian(problem, theta)), loss: l });
  } });
  const p = model.numParams;
  return { L, p, lambda0, snaps, final: options.final === false ? new Float64Array(0) : eigDesc(hessian(problem, run.theta)), losses: run.losses, stopped: run.stopped, lossPopGap };
}

/** One cell of Lemma A.9's grid: depth, spread delta/m, the gap condition, and the dense H_o against its prediction. */
export interface GapCell { L: number; spread: number; holds: boolean; lhs: number; separated: boolean; margin: number; violation: number; err: number }

/**
 * Lemma A.9 over a grid of depths and spreads: D = diag(m + delta i / (r - 1)), delta = spread m, for each
 * depth bases from forks `U<L>`, `V<L>`, population loss of aligned data (n = 2 d_0, fork `d<L>`). Per cell:
 * `err` = max |lambda_q(H_o) - mu_q| / lambda_max; `violation` = worst distance / lambda_max of an eigenvalue
 * of H_o (by rank) outside its interval of Theorem 3.5 (allowance 1e-12 lambda_max); `separated` = the
 * smallest dominant mu above the largest bulk mu, `margin` = log of their ratio.
 */
export function gapConditionGrid(P: { d0: number; dStar: number; dOut: number; r: number; width: number; depths: number[]; m: number; spreads: number[] }, gen: Rng): GapCell[] {
  const cells: GapCell[] = [];
  for (const L of P.depths) {
    const widths = hiddenWidths(P.d0, P.width, P.dOut, L);
    const { U, V } = haarBases(gen, P.dOut, P.d0, L);
    const data = alignedData(U, V, { dStar: P.dStar, r: P.r, n: 2 * P.d0 }, gen.fork(`d${L}`));
    const problem = populationProblem(deepLinear(widths), { Sxx: data.Sxx, Syx: data.Syx, Syy: data.Syy });
    const p = problem.model.numParams;
    const counts = dnd.clusterCounts(P.r, P.dStar, P.dOut, p);
    for (const spread of P.spreads) {
      const delta = spread * P.m;
      const lam = Array.from({ length: P.r }, (_, i) => P.m + (delta * i) / (P.r - 1));
      const eig = eigDesc(gaussNewton(problem, sharedFormInit(widths, U, lam, V).theta));
      const pairs = dnd.gramSpectrum(lam, { L, r: P.r, dStar: P.dStar, dOut: P.dOut });
      let err = 0;
      eig.forEach((v, q) => { err = Math.max(err, Math.abs(v - (q < pairs.length ? pairs[q].value : 0)) / eig[0]); });
      const pred = dnd.predictClusters(lam, { L, dStar: P.dStar, dOut: P.dOut, p });
      let violation = 0;
      const tol = 1e-12 * eig[0];
      eig.forEach((v, q) => {
        const iv: dnd.Interval = q < counts.dominant ? pred.dominant : q < counts.dominant + counts.bulk ? pred.bulk : [0, 0];
        violation = Math.max(violation, (iv[0] - tol - v) / eig[0], (v - iv[1] - tol) / eig[0]);
      });
      const { domMin, bulkMax } = classEdges(pairs);
      cells.push({ L, spread, holds: pred.gap.holds, lhs: pred.gap.lhs, separated: domMin > bulkMax, margin: Math.log(domMin / bulkMax), violation, err });
    }
  }
  return cells;
}

/**
 * Lemma A.1 for each configuration at the uniform spectral initialisation with value m (fork `init-<c>`;
 * population loss, n = 2 d_0, fork `data-<c>`): the dense H_o spectrum (descending), its max error against
 * L m^{2(L-1)} x r^2, m^{2(L-1)} x (d*+dL-2r) r, 0 (over lambda_max), and the multiplicities counted by
 * clustering within relTol lambda_max (a cluster belongs to a value within 10 relTol lambda_max).
 */
export function usiClusterRows(configs: Array<{ widths: number[]; r: number; dStar: number; m: number }>, gen: Rng, relTol: number) {
  return configs.map((cfg, c) => {
    const L = cfg.widths.length - 1;
    const init = usiInit(cfg.widths, gen.fork(`init-${c}`), { m0: cfg.m, r: cfg.r });
    const data = alignedData(init.U, init.V, { dStar: cfg.dStar, r: cfg.r, n: 2 * cfg.widths[0] }, gen.fork(`data-${c}`));
    const problem = populationProblem(deepLinear(cfg.widths), { Sxx: data.Sxx, Syx: data.Syx, Syy: data.Syy });
    const eig = eigDesc(gaussNewton(problem, init.theta));
    const p = problem.model.numParams;
    const predicted = dnd.clusterCounts(cfg.r, cfg.dStar, cfg.widths[L], p);
    const u = dnd.usiEigenvalues(cfg.m, L);
    let err = 0;
    eig.forEach((v, q) => { const pred = q < predicted.dominant ? u.dominant : q < predicted.dominant + predicted.bulk ? u.bulk : 0; err = Math.max(err, Math.abs(v - pred) / eig[0]); });
    const cl = clusters(eig, relTol);
    const near = (value: number) => cl.filter((k) => Math.abs(k.value - value) <= relTol * eig[0] * 10).reduce((a, k) => a + k.multiplicity, 0);
    return { L, p, m: cfg.m, eig, err, predicted, counted: { dominant: near(u.dominant), bulk: near(u.bulk), zero: near(0) }, nClusters: cl.length };
  });
}
