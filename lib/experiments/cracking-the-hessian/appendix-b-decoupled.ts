/**
 * Cracking the Hessian, Corollaries B.1-B.3 (App. B.4): the multi-input and multi-output two-layer linear
 * networks, whose Hessians decouple into one Theorem 3.1 block per input coordinate or per output. The data
 * the notebooks use, the groups (w_k, v_k) read by block name (`unflattenByName`: blocks w1, v1, w2, ...), and
 * the brute force the closed forms are checked against: dense Hessians from exact second derivatives, their
 * eigenvalues and eigenvectors.
 */
import { Matrix } from "ml-matrix";
import { hessian } from "../../curvature/curvature";
import { Problem, mseProblem } from "../../curvature/problem";
import { decorrelatedData } from "../../data";
import { eigh } from "../../linalg/eigh";
import type { Model } from "../../models/model";
import { twoLayerMultiInput, twoLayerMultiOutput } from "../../models/two-layer";
import type { Rng } from "../../random/rng";
import {
  ScalarLinearStats, decoupledSpectrum, multiOutputOutlierEigenvectors, multiOutputStats,
} from "../../papers/cracking-the-hessian/two-layer-linear";

/** The groups (w_1 .. w_G) and (v_1 .. v_G) of a multi-input / multi-output model at theta, by block name. */
export function groupWeights(model: Model, theta: Float64Array): { ws: Float64Array[]; vs: Float64Array[] } {
  const blocks = model.unflattenByName(theta);
  const groups = model.blocks.length / 2;
  if (!blocks.w1 || !blocks.v1) throw new RangeError(`groupWeights: the model must have blocks w1, v1, ..., got ${Object.keys(blocks).join(", ")}`);
  return {
    ws: Array.from({ length: groups }, (_, k) => Float64Array.from(blocks[`w${k + 1}`].to1DArray())),
    vs: Array.from({ length: groups }, (_, k) => Float64Array.from(blocks[`v${k + 1}`].to1DArray())),
  };
}

/** The dense spectrum (ascending) against a predicted one: max |computed − predicted| / max|lambda|. */
export function denseSpectrumError(problem: Problem, theta: Float64Array, predicted: ArrayLike<number>): { computed: Float64Array; relErr: number } {
  const computed = eigh(hessian(problem, theta)).values;
  if (predicted.length !== computed.length) throw new RangeError(`denseSpectrumError: predicted must have ${computed.length} values, got ${predicted.length}`);
  const sc = Math.max(Math.abs(computed[0]), Math.abs(computed[computed.length - 1]));
  let worst = 0;
  for (let i = 0; i < computed.length; i++) worst = Math.max(worst, Math.abs(computed[i] - predicted[i]));
  return { computed, relErr: worst / sc };
}

/** Largest |entry| of the off-diagonal blocks between groups of size `size` (2m), relative to max |H|. */
export function crossGroupCoupling(H: Matrix, size: number): number {
  if (!Number.isInteger(size) || size < 1 || H.rows % size !== 0) throw new RangeError(`crossGroupCoupling: size must divide ${H.rows}, got ${size}`);
  let cross = 0, all = 0;
  for (let a = 0; a < H.rows; a++) for (let b = 0; b < H.columns; b++) {
    const v = Math.abs(H.get(a, b));
    all = Math.max(all, v);
    if (Math.floor(a / size) !== Math.floor(b / size)) cross = Math.max(cross, v);
  }
  return cross / all;
}

/** Corollary B.1's configuration. */
export interface MultiInputConfig {
  m: number;
  D: number;
  n: number;
  noise: number;
  initStd: number;
}

/**
 * Corollary B.1's data and start: rows of `decorrelatedData(D, n)` (mean 0, variance 1, zero empirical
 * correlation) scaled by s_d from 0.5 to 2, targets a^T x + noise eps (a ~ N(0, I)), theta0 ~ N(0, initStd^2 / m).
 * Draws from `gen` in that order.
 */
export function multiInputSetting(config: MultiInputConfig, gen: Rng): { sd: number[]; X: Matrix; Y: Matrix; model: Model; problem: Problem; theta0: Float64Array } {
  if (!config || !Number.isInteger(config.D) || config.D < 1) throw new RangeError(`multiInputSetting: config.D must be a positive integer, got ${config?.D}`);
  const { m, D, n } = config;
  const sd = Array.from({ length: D }, (_, d) => 0.5 + (1.5 * d) / Math.max(1, D - 1));
  const X = decorrelatedData(D, n, gen).X;
  for (let d = 0; d < D; d++) for (let j = 0; j < n; j++) X.set(d, j, X.get(d, j) * sd[d]);
  const a = gen.normalArray(D);
  const Y = new Matrix([Array.from({ length: n }, (_, j) => a.reduce((s, ad, d) => s + ad * X.get(d, j), 0) + config.noise * gen.normal())]);
  const model = twoLayerMultiInput(m, D);
  const theta0 = gen.normalArray(2 * m * D, 0, config.initStd / Math.sqrt(m));
  return { sd, X, Y, model, problem: mseProblem(model, X, Y), theta0 };
}

/** Largest off-diagonal entry of the input second moment X X^T / n. */
export function largestInputCovariance(X: Matrix): number {
  let w = 0;
  for (let i = 0; i < X.rows; i++) for (let k = 0; k < i; k++) {
    let s = 0;
    for (let j = 0; j < X.columns; j++) s += X.get(i, j) * X.get(k, j);
    w = Math.max(w, Math.abs(s / X.columns));
  }
  return w;
}

/** Correlated inputs x = L z (L lower triangular of ones, z ~ N(0, I)), D x n, drawn from `gen`. */
export function correlatedInputs(D: number, n: number, gen: Rng): Matrix {
  const Z = gen.normalMatrix(D, n);
  const Xc = new Matrix(D, n);
  for (let d = 0; d < D; d++) for (let j = 0; j < n; j++) { let s = 0; for (let e = 0; e <= d; e++) s += Z.get(e, j); Xc.set(d, j, s); }
  return Xc;
}

/** Corollaries B.2 / B.3's configuration: output k has teacher slope slopes[k]. */
export interface MultiOutputConfig {
  m: number;
  K: number;
  n: number;
  slopes: number[];
  noise: number;
  initStd: number;
}

/**
 * Corollaries B.2 / B.3's data and start: x ~ N(0, 1) (1 x n), y_k = slopes[k] x + noise eps, theta0 ~
 * N(0, initStd^2 / m). Draws from `gen` in that order.
 */
export function multiOutputSetting(config: MultiOutputConfig, gen: Rng): { x: Matrix; Y: Matrix; model: Model; problem: Problem; theta0: Float64Array } {
  if (!config || !Array.isArray(config.slopes) || config.slopes.length !== config.K) throw new RangeError(`multiOutputSetting: config.slopes must hold K = ${config?.K} slopes`);
  const { m, K, n } = config;
  const x = new Matrix([Array.from(gen.normalArray(n))]);
  const Y = new Matrix(K, n);
  for (let k = 0; k < K; k++) for (let j = 0; j < n; j++) Y.set(k, j, config.slopes[k] * x.get(0, j) + config.noise * gen.normal());
  const model = twoLayerMultiOutput(m, K);
  const theta0 = gen.normalArray(2 * m * K, 0, config.initStd / Math.sqrt(m));
  return { x, Y, model, problem: mseProblem(model, x, Y), theta0 };
}

/** The decoupled spectrum (Corollaries B.1 / B.2) of per-group statistics against the dense spectrum at theta. */
export function decoupledSpectrumError(problem: Problem, theta: Float64Array, stats: ScalarLinearStats[], m: number): { computed: Float64Array; relErr: number } {
  return denseSpectrumError(problem, theta, decoupledSpectrum(stats, m));
}

/** ||H z − lambda z|| / (||z|| max|H|): how far z is from an eigenvector of H with eigenvalue lambda. */
export function eigenResidual(H: Matrix, z: Float64Array, lambda: number): number {
  const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, b) => s + b * b, 0));
  const maxAbs = H.to1DArray().reduce((s, b) => Math.max(s, Math.abs(b)), 0);
  const Hz = H.mmul(Matrix.columnVector(Array.from(z))).to1DArray();
  return norm(Hz.map((h, i) => h - lambda * z[i])) / (norm(z) * maxAbs);
}

/**
 * (119) read literally in the model's (w_k, v_k) order: w-part = lambda w_k + deltaX v_k, v-part = lambda v_k +
 * deltaX w_k, zero outside group k (the paper's (115) order; Theorem 3.2's is (v, w)).
 */
export function literalOutlierVector(ws: Float64Array[], vs: Float64Array[], k: number, lambda: number, deltaX: number): Float64Array {
  const m = ws[0].length, K = ws.length;
  const z = new Float64Array(2 * m * K);
  for (let i = 0; i < m; i++) {
    z[2 * m * k + i] = lambda * ws[k][i] + deltaX * vs[k][i];
    z[2 * m * k + m + i] = lambda * vs[k][i] + deltaX * ws[k][i];
  }
  return z;
}

/** What `outlierEigenvectorResiduals` measured at one point. */
export interface OutlierResiduals {
  /** Worst residual of (119) in Theorem 3.2's (v_k, w_k) order (`multiOutputOutlierEigenvectors`), over outputs and both outliers. */
  good: number;
  /** Worst residual of (119) read literally in the (w_k, v_k) order. */
  lit: number;
  /** 1 − |cos| between the eigen-solver's top eigenvector and the sharpest head's z_outlier_1. */
  align: number;
}

/**
 * Corollary B.3 at theta: the residuals of both readings of (119) for every output and both outliers (the second
 * outlier of an exactly fitted output, deltaX_k = 0, is undefined and skipped), and the alignment of the top
 * eigenvector of the dense Hessian with the closed form of the sharpest head.
 * @see Cracking the Hessian, Corollary B.3, eq. (119)
 */
export function outlierEigenvectorResiduals(problem: Problem, theta: Float64Array, x: Matrix, Y: Matrix): OutlierResiduals {
  const { ws, vs } = groupWeights(problem.model, theta);
  const groups = multiOutputStats(ws, vs, x, Y);
  const H = hessian(problem, theta);
  let good = 0, lit = 0;
  for (let k = 0; k < groups.length; k++) {
    const ev = multiOutputOutlierEigenvectors(ws, vs, groups, k);
    for (let i = 0; i < 2; i++) {
      if (i === 1 && Math.abs(groups[k].deltaX) <= 1e-12 * ev.values[0]) continue;
      good = Math.max(good, eigenResidual(H, ev.vectors[i], ev.values[i]));
      lit = Math.max(lit, eigenResidual(H, literalOutlierVector(ws, vs, k, ev.values[i], groups[k].deltaX), ev.values[i]));
    }
  }
  const E = eigh(H, { vectors: true, largest: 1 });
  const u = (E.vectors as Matrix).getColumn(0);
  const kTop = groups.map((_, k) => multiOutputOutlierEigenvectors(ws, vs, groups, k).values[0]).reduce((b, l, k, arr) => (l > arr[b] ? k : b), 0);
  const zTop = multiOutputOutlierEigenvectors(ws, vs, groups, kTop).vectors[0];
  const zNorm = Math.sqrt(Array.from(zTop).reduce((s, b) => s + b * b, 0));
  return { good, lit, align: 1 - Math.abs(u.reduce((s, a, i) => s + a * zTop[i], 0)) / zNorm };
}

/**
 * Corollary B.2's reading of the second outliers along training, per output k: the first step at which
 * Lambda_2^k >= 0 (<w_k, v_k> has reached theta*_k / 3), and the first step from which |Lambda_2^k| <= 1e-3
 * Lambda_1^k for the rest of the run (Infinity when the event is not within the run).
 * @param t the recorded steps; l1[i][k], l2[i][k] the two outliers of output k at step t[i]
 */
export function secondOutlierEvents(t: number[], l1: number[][], l2: number[][]): { turn: number[]; settled: number[] } {
  if (l1.length !== t.length || l2.length !== t.length) throw new RangeError(`secondOutlierEvents: l1 and l2 must have one row per step (${t.length}), got ${l1.length} and ${l2.length}`);
  const K = t.length ? l2[0].length : 0;
  const turn = Array.from({ length: K }, (_, k) => { const i = l2.findIndex((o) => o[k] >= 0); return i < 0 ? Infinity : t[i]; });
  const settled = Array.from({ length: K }, (_, k) => {
    let i = t.length;
    while (i > 0 && Math.abs(l2[i - 1][k]) <= 1e-3 * l1[i - 1][k]) i--;
    return i === t.length ? Infinity : t[i];
  });
  return { turn, settled };
}
