/**
 * Cracking the Hessian, Section 3.1: the two-layer scalar linear network f(x) = <w, v> x on teacher data, and
 * the brute force its notebooks check the closed forms against (dense Hessians from exact second derivatives,
 * their eigen-decompositions, gradient-descent runs recorded step by step). The closed forms themselves live in
 * lib/papers/cracking-the-hessian; nothing here is shared with them but their inputs.
 *
 * The network is `deepLinear([1, m, 1])`: block W1 (m x 1) is v and W2 (1 x m) is w^T, so theta = (v, w), the
 * ordering of Theorems 3.2 and 3.3. Read and write w and v through `weights` / `pack` (the model's own
 * unflatten / flatten), never by slicing theta.
 */
import { Matrix } from "ml-matrix";
import { deepLinear } from "../../models/mlp";
import type { Model } from "../../models/model";
import { hessian } from "../../curvature/curvature";
import { Problem, mseProblem } from "../../curvature/problem";
import { eigh } from "../../linalg/eigh";
import { gradientDescent } from "../../train/loops";
import type { Schedule, StepState } from "../../train/schedules";
import type { Rng } from "../../random/rng";
import { ScalarLinearStats, scalarLinearOutliers, scalarLinearSpectrum, scalarLinearStats } from "../../papers/cracking-the-hessian/two-layer-linear";

/** The settings the Section 3.1 notebooks share (a notebook's parameters may carry more). */
export interface ScalarLinearOptions {
  /** Hidden width m (2m parameters). */
  m: number;
  /** Samples n. */
  n: number;
  /** Teacher slope a in y_i = a x_i + noise eps_i, eps_i ~ N(0, 1). */
  teacher: number;
  noise: number;
  /** The initialisation theta_0 ~ N(0, initStd^2 / m) per entry. */
  initStd: number;
}

/** A two-layer network with hidden weights w, v in R^m on scalar data (x_i, y_i), and its initialisation. */
export interface TwoLayerScalarSetup {
  m: number;
  model: Model;
  x: Float64Array;
  y: Float64Array;
  /** The loss (1/2n) sum_i (f(x_i) - y_i)^2. */
  problem: Problem;
  theta0: Float64Array;
  /** w and v of theta (copies, read by block). */
  weights(theta: Float64Array): { w: Float64Array; v: Float64Array };
}

/**
 * The linear network of Section 3.1 (`scalarLinearSetup`): model deepLinear([1, m, 1]) with theta = (v, w), inputs
 * x_i ~ N(0, 1), targets y_i = a x_i + noise eps_i.
 */
export interface ScalarLinearSetup extends TwoLayerScalarSetup {
  /** theta from w and v. */
  pack(w: Float64Array, v: Float64Array): Float64Array;
  /** Theorem 3.1's statistics at theta on this data. */
  stats(theta: Float64Array): ScalarLinearStats;
}

function requireOptions(fn: string, options: ScalarLinearOptions): void {
  if (options === null || typeof options !== "object") throw new TypeError(`${fn}: options must be an object { m, n, teacher, noise, initStd }`);
  for (const key of ["m", "n"] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new RangeError(`${fn}: options.${key} must be a positive integer, got ${options[key]}`);
  }
  for (const key of ["teacher", "noise", "initStd"] as const) {
    if (!Number.isFinite(options[key])) throw new RangeError(`${fn}: options.${key} must be a finite number, got ${options[key]}`);
  }
}

/**
 * The teacher data and the network of Section 3.1. Draws, in this order, from `gen`: x (n normals), the n
 * noise terms of y, then theta_0 (2m normals of standard deviation initStd / sqrt(m)).
 * @see Theorem 3.1
 */
export function scalarLinearSetup(options: ScalarLinearOptions, gen: Rng): ScalarLinearSetup {
  const fn = "scalarLinearSetup";
  requireOptions(fn, options);
  const { m, n } = options;
  const x = gen.normalArray(n);
  const y = x.map((xi) => options.teacher * xi + options.noise * gen.normal());
  const model = deepLinear([1, m, 1]);
  const problem = mseProblem(model, new Matrix([Array.from(x)]), new Matrix([Array.from(y)]));
  const theta0 = gen.normalArray(2 * m, 0, options.initStd / Math.sqrt(m));
  const weights = (theta: Float64Array) => {
    const { W1, W2 } = model.unflattenByName(theta);
    return { w: Float64Array.from(W2.getRow(0)), v: Float64Array.from(W1.getColumn(0)) };
  };
  const pack = (w: Float64Array, v: Float64Array) => model.flattenByName({ W1: Matrix.columnVector(Array.from(v)), W2: new Matrix([Array.from(w)]) });
  const stats = (theta: Float64Array) => {
    const { w, v } = weights(theta);
    return scalarLinearStats(w, v, x, y);
  };
  return { m, model, x, y, problem, theta0, weights, pack, stats };
}

/** Options of `gdRecords`. */
export interface GdRecordOptions {
  /** Updates to run (records at steps 0 .. steps). */
  steps: number;
  /** Record every `every`-th step (default 1: every iterate). */
  every?: number;
  /** The step size eta, or eta_t as a function of the step t. */
  lr: number | ((step: number) => number);
}

/**
 * Full-batch gradient descent theta_{t+1} = theta_t - eta_t grad l(theta_t) (lib/train's `gradientDescent`)
 * from theta0, calling `record` at every `every`-th iterate (t = 0 included) and collecting what it returns.
 * `record` sees the iterate, its loss and the step eta_t about to be taken from it.
 */
export function gdRecords<R>(problem: Problem, theta0: Float64Array, options: GdRecordOptions, record: (s: StepState) => R): R[] {
  const fn = "gdRecords";
  const every = options.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`${fn}: every must be a positive integer, got ${every}`);
  if (typeof record !== "function") throw new TypeError(`${fn}: record must be a function of the step state`);
  const rate = options.lr;
  if (typeof rate !== "number" && typeof rate !== "function") throw new TypeError(`${fn}: lr must be a number or a function of the step`);
  let t = 0;
  const schedule: Schedule = typeof rate === "number" ? { next: () => rate, lr: rate } : { next: () => rate(t++), lr: rate(0) };
  const out: R[] = [];
  gradientDescent(problem, theta0, { steps: options.steps, lr: schedule, onStep: (s) => { if (s.step % every === 0) out.push(record(s)); } });
  return out;
}

/** How the Theorem 3.1 prediction labels a computed eigenvalue. */
export type ScalarLinearKind = "outlier" | "bulk+" | "bulk-";

/** The dense spectrum at one point against Theorem 3.1 (`scalarLinearSpectrumAt`). */
export interface ScalarLinearSpectrumPoint {
  stats: ScalarLinearStats;
  /** Eigenvalues of the exact Hessian, ascending. */
  computed: Float64Array;
  /** Theorem 3.1's spectrum, ascending. */
  predicted: Float64Array;
  /** [Lambda_1, Lambda_2] of eq. (1). */
  outliers: [number, number];
  /** For each computed eigenvalue: an outlier (within 1e-8 |Lambda_1| of one), else the bulk of its sign relative to deltaX. */
  kinds: ScalarLinearKind[];
  /** The computed eigenvalue nearest to Lambda_2 (the small outlier). */
  nearestSmallOutlier: number;
}

/**
 * The exact Hessian's eigenvalues at theta (`hessian`, then `eigh`) with Theorem 3.1's prediction on the same data.
 * @see Theorem 3.1, eq. (1)
 */
export function scalarLinearSpectrumAt(setup: ScalarLinearSetup, theta: Float64Array): ScalarLinearSpectrumPoint {
  const stats = setup.stats(theta);
  const computed = eigh(hessian(setup.problem, theta)).values;
  const predicted = scalarLinearSpectrum(stats, setup.m);
  const outliers = scalarLinearOutliers(stats);
  const [L1, L2] = outliers;
  const kinds = Array.from(computed, (e): ScalarLinearKind => {
    if (Math.abs(e - L1) < 1e-8 * Math.abs(L1) || Math.abs(e - L2) < 1e-8 * Math.abs(L1)) return "outlier";
    return e > 0 === stats.deltaX > 0 ? "bulk+" : "bulk-";
  });
  const nearestSmallOutlier = Array.from(computed).reduce((best, e) => (Math.abs(e - L2) < Math.abs(best - L2) ? e : best));
  return { stats, computed, predicted, outliers, kinds, nearestSmallOutlier };
}

/**
 * A gradient-descent run (constant step `eta`) from theta_0, with `scalarLinearSpectrumAt` and the loss at every
 * `every`-th step.
 * @see Theorem 3.1
 */
export function scalarLinearSpectrumRun(setup: ScalarLinearSetup, options: { eta: number; steps: number; every: number }): Array<ScalarLinearSpectrumPoint & { step: number; loss: number }> {
  return gdRecords(setup.problem, setup.theta0, { lr: options.eta, steps: options.steps, every: options.every }, (s) => ({ step: s.step, loss: s.loss, ...scalarLinearSpectrumAt(setup, s.theta) }));
}
