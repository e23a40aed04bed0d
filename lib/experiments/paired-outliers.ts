/**
 * The paired-outlier study of Cracking the Hessian (Section 4.1, App. D.1.2; Figures 3 and 10-13).
 *
 * Hypothesis: for a network with input size D and scalar output there are two Hessian eigenvalues that sum
 * to tr(H) / D (exactly for D = 1, Theorem 3.1; for the structured cases of App. B.3-B.4). The study draws
 * many random networks for each D, computes ALL eigenvalues of the dense loss Hessian (exact second
 * derivatives from lib/curvature, eigen-decomposed by lib/linalg's `eigh`), and records
 *
 *   best   = min over pairs i < j of |lambda_i + lambda_j - tr(H)/D|,
 *   second = the next smallest value of the same quantity,
 *   mean   = tr(H) / p, the mean eigenvalue (the paper's reference level).
 *
 * "Pairs" are pairs of distinct indices of the sorted spectrum. A pair whose two values coincide with the
 * best pair's values (a repeated eigenvalue, e.g. a bulk of multiplicity > 1, would otherwise give the same
 * sum again) is not counted as the second best: `second` is the best pair with a different pair of values
 * (equal meaning within 1e-12 of the largest |lambda|).
 *
 * Settings (App. D.1.2): widths m in {10, 150}, D <= m, 100 models per point, samples of size 102 (m = 10)
 * and 152 (m = 150); "orthogonal" initialisation (every weight block from `orthogonalInit`) with
 * "decorrelated" data (`decorrelatedData`: features and target with zero mean, unit variance and zero
 * empirical correlation), or standard parametrisation (`standardInit`) with "standardized" data (Gaussian
 * features and targets, each row shifted to mean 0 and scaled to unit variance).
 *
 * Large two-layer networks (width 150, D up to 150: p up to 22 650) are out of reach of a dense eigensolver;
 * for them `hessianEigenvaluesByRange` computes the same spectrum exactly through the Hessian's range, whose
 * dimension is at most n + 2m (see there).
 */
import { Matrix } from "ml-matrix";
import { hessian, hvp, mseProblem, Problem } from "../curvature";
import { deepLinear, mlp, Model } from "../models";
import { orthogonalInit, standardInit } from "../init";
import { decorrelatedData, standardizeRows } from "../data";
import { eigh } from "../linalg/eigh";
import { qrRows } from "../linalg/qr";
import { Rng } from "../random/rng";
import { canonicalJson, runTasksBlocking, scaleTasksRoot, sha256 } from "../tasks";

/** The closest pair sums to a target, and the runner-up. */
export interface ClosestPairs {
  /** Indices (into the given values) of the best pair, i < j. */
  best: [number, number];
  /** |values[i] + values[j] - target| for the best pair. */
  bestGap: number;
  /** Indices of the runner-up pair (a different pair of values), or [-1, -1] if there is none. */
  second: [number, number];
  /** Its gap (Infinity if there is none). */
  secondGap: number;
}

/**
 * The pair of entries (distinct indices) whose sum is closest to `target`, and the runner-up pair with a
 * different pair of values (see the module comment). O(p log p): for each i, only the two entries on each
 * side of target - values[i] in sorted order can be among the two best pairs that contain i.
 *
 * @param values eigenvalues, any order, finite, at least 2
 * @param target the value the pair should sum to (tr(H)/D in the study)
 * @param valueTol two values are "the same" when they differ by at most valueTol * max|values| (default 1e-12)
 * @returns indices into `values` and the two gaps
 */
export function closestPairSums(values: ArrayLike<number>, target: number, valueTol = 1e-12): ClosestPairs {
  const p = values.length;
  if (!(p >= 2)) throw new RangeError(`closestPairSums: values must hold at least 2 numbers, got ${p}`);
  if (!Number.isFinite(target)) throw new RangeError(`closestPairSums: target must be finite, got ${target}`);
  let scale = 0;
  for (let i = 0; i < p; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`closestPairSums: values[${i}] must be finite, got ${values[i]}`);
    scale = Math.max(scale, Math.abs(values[i]));
  }
  const order = Array.from({ length: p }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const s = order.map((i) => values[i]);
  // candidate pairs (in sorted positions), gap
  const cands: Array<[number, number, number]> = [];
  for (let a = 0; a < p; a++) {
    const want = target - s[a];
    // first position with s[pos] >= want
    let lo = 0, hi = p;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] < want) lo = mid + 1; else hi = mid; }
    let taken = 0;
    for (let b = lo - 1; b >= 0 && taken < 2; b--) if (b !== a) { cands.push([Math.min(a, b), Math.max(a, b), Math.abs(s[a] + s[b] - target)]); taken++; }
    taken = 0;
    for (let b = lo; b < p && taken < 2; b++) if (b !== a) { cands.push([Math.min(a, b), Math.max(a, b), Math.abs(s[a] + s[b] - target)]); taken++; }
  }
  cands.sort((x, y) => x[2] - y[2] || x[0] - y[0] || x[1] - y[1]);
  const [a0, b0, g0] = cands[0];
  const tol = valueTol * scale;
  const same = (a: number, b: number) => Math.abs(s[a] - s[a0]) <= tol && Math.abs(s[b] - s[b0]) <= tol;
  const next = cands.find(([a, b]) => !same(a, b));
  const pairOf = (a: number, b: number): [number, number] => {
    const i = order[a], j = order[b];
    return [Math.min(i, j), Math.max(i, j)];
  };
  return {
    best: pairOf(a0, b0),
    bestGap: g0,
    second: next ? pairOf(next[0], next[1]) : [-1, -1],
    secondGap: next ? next[2] : Infinity,
  };
}

/** Initialisation and data of a study: "orthogonal" + "decorrelated" is panel (a) of Figure 3. */
export type PairedInit = "orthogonal" | "standard";
export type PairedData = "decorrelated" | "standardized";

/** One configuration of the study. */
export interface PairedConfig {
  /** Number of weight layers (2 or 4 in the paper); hidden layers all have `width` units. */
  layers: number;
  activation: "linear" | "relu";
  width: number;
  /** Input size D. */
  D: number;
  /** Sample size n (paper: 102 for width 10, 152 for width 150). */
  n: number;
  init: PairedInit;
  data: PairedData;
}

/** The network of a configuration: `[D, m, ..., m, 1]`, no biases, ReLU or linear hidden layers. */
export function pairedModel(config: PairedConfig): Model {
  const { layers, width, D } = config;
  if (!Number.isInteger(layers) || layers < 2) throw new RangeError(`pairedModel: layers must be an integer >= 2, got ${layers}`);
  const widths = [D, ...new Array(layers - 1).fill(width), 1];
  if (config.activation === "linear") return deepLinear(widths);
  if (config.activation === "relu") return mlp(widths, { activation: "relu", bias: false });
  throw new RangeError(`pairedModel: activation must be "linear" or "relu", got ${String(config.activation)}`);
}

/** The data of a configuration: X (D x n), Y (1 x n). */
export function pairedData(config: PairedConfig, gen: Rng): { X: Matrix; Y: Matrix } {
  if (config.data === "decorrelated") return decorrelatedData(config.D, config.n, gen);
  if (config.data === "standardized") {
    return { X: standardizeRows(gen.normalMatrix(config.D, config.n)), Y: standardizeRows(gen.normalMatrix(1, config.n)) };
  }
  throw new RangeError(`pairedData: data must be "decorrelated" or "standardized", got ${String(config.data)}`);
}

/**
 * Upper bound on the rank of the loss Hessian of a two-layer network without biases, f(x) = w^T act(V x) with
 * act linear or ReLU: the outer-product part (1/n) J^T J has rank <= n, and the functional part has only the
 * V-w cross blocks (the activation's second derivative vanishes a.e.), [[0, B], [B^T, 0]] with B (mD x m)
 * holding one column per hidden unit, so rank <= 2m. Hence rank(H) <= n + 2m.
 */
export function twoLayerRankBound(n: number, width: number): number {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(width) || width < 1) throw new RangeError(`twoLayerRankBound: n and width must be positive integers, got ${n}, ${width}`);
  return n + 2 * width;
}

/**
 * All p eigenvalues (ascending) of the loss Hessian when its rank is at most `rankBound`, from 2k Hessian-vector
 * products instead of p: with k = min(p, rankBound + oversample) Gaussian probes Omega, Q = orth(H Omega) spans
 * range(H) (exactly, almost surely, since rank(H) <= rankBound < k), so H = Q (Q^T H Q) Q^T: the eigenvalues of
 * the k x k matrix Q^T H Q, padded with p - k zeros, are H's. Exact up to rounding, like a dense solver; valid
 * only when the rank bound holds (`twoLayerRankBound` for two-layer networks).
 * @returns eigenvalues ascending (length p) and the trace of Q^T H Q (= tr H)
 */
export function hessianEigenvaluesByRange(problem: Problem, theta: Float64Array, rankBound: number, gen: Rng, oversample = 10): { values: Float64Array; trace: number } {
  const p = problem.model.numParams;
  if (!Number.isInteger(rankBound) || rankBound < 1) throw new RangeError(`hessianEigenvaluesByRange: rankBound must be a positive integer, got ${rankBound}`);
  const k = Math.min(p, rankBound + oversample);
  const Y = new Float64Array(k * p); // rows: H omega_j
  for (let j = 0; j < k; j++) Y.set(hvp(problem, theta, gen.normalArray(p)), j * p);
  const { qt } = qrRows(Y, p, k); // row j = column j of Q
  const T = new Matrix(k, k);
  for (let j = 0; j < k; j++) {
    const hq = hvp(problem, theta, qt.subarray(j * p, (j + 1) * p));
    for (let i = 0; i < k; i++) {
      let s = 0;
      const off = i * p;
      for (let a = 0; a < p; a++) s += qt[off + a] * hq[a];
      T.set(i, j, s);
    }
  }
  let trace = 0;
  for (let i = 0; i < k; i++) trace += T.get(i, i);
  const sym = T.add(T.transpose()).mul(0.5);
  const reduced = eigh(sym).values;
  const values = new Float64Array(p);
  values.set(reduced, 0); // the remaining p - k are zero
  return { values: values.sort(), trace };
}

/** One sampled network of the study. */
export interface PairedSample {
  /** All Hessian eigenvalues, ascending. */
  eigenvalues: Float64Array;
  /** tr(H): the diagonal sum of the dense Hessian, or tr(Q^T H Q) with the range method. */
  trace: number;
  /** tr(H) as the sum of the computed eigenvalues (an independent check of the eigensolver). */
  traceFromEigenvalues: number;
  /** tr(H) / D. */
  target: number;
  /** The closest pair and runner-up, with indices into `eigenvalues`. */
  pairs: ClosestPairs;
  /** tr(H) / p. */
  meanEigenvalue: number;
}

/**
 * Draw one network and its data for `config`, compute all Hessian eigenvalues from exact second derivatives
 * and return the spectrum and the pair statistics. `method`: "dense" (the dense Hessian, p HVPs, and `eigh`),
 * "range" (two-layer networks only: `hessianEigenvaluesByRange`, 2(n + 2m + 10) HVPs), or "auto" (default:
 * "range" for a two-layer network whose p exceeds twice that count, else "dense"). With "range" the trace is
 * tr(Q^T H Q), equal to tr(H) because Q spans H's range.
 */
export function pairedSample(config: PairedConfig, gen: Rng, method: "dense" | "range" | "auto" = "auto"): PairedSample {
  const model = pairedModel(config);
  const { X, Y } = pairedData(config, gen);
  let theta: Float64Array;
  if (config.init === "orthogonal") theta = orthogonalInit(model, gen);
  else if (config.init === "standard") theta = standardInit(model, gen);
  else throw new RangeError(`pairedSample: init must be "orthogonal" or "standard", got ${String(config.init)}`);
  const problem = mseProblem(model, X, Y);
  const p = model.numParams;
  let trace = 0;
  let eigenvalues: Float64Array;
  const bound = config.layers === 2 ? twoLayerRankBound(config.n, config.width) + 10 : Infinity;
  const useRange = method === "range" || (method === "auto" && 2 * bound < p);
  if (useRange) {
    if (config.layers !== 2) throw new RangeError(`pairedSample: the range method needs a two-layer network (rank bound n + 2m), got ${config.layers} layers`);
    const r = hessianEigenvaluesByRange(problem, theta, twoLayerRankBound(config.n, config.width), gen.fork("range"));
    eigenvalues = r.values;
    trace = r.trace;
  } else {
    const H = hessian(problem, theta);
    for (let i = 0; i < p; i++) trace += H.get(i, i);
    eigenvalues = eigh(H).values;
  }
  let traceFromEigenvalues = 0;
  for (let i = 0; i < p; i++) traceFromEigenvalues += eigenvalues[i];
  const target = trace / config.D;
  return { eigenvalues, trace, traceFromEigenvalues, target, pairs: closestPairSums(eigenvalues, target), meanEigenvalue: trace / p };
}

/** Summary of one point (one D) of the study over its models. */
export interface PairedPoint {
  D: number;
  width: number;
  models: number;
  /** Per model: best gap, runner-up gap, mean eigenvalue, and the ratio runner-up / best. */
  best: number[];
  second: number[];
  mean: number[];
  ratio: number[];
  /** Per model: the target tr(H)/D. */
  target: number[];
  /** Worst |trace - sum of eigenvalues| / (sum of |eigenvalues|) over the models. */
  worstTraceError: number;
  /** Per model: is the best pair made of the largest eigenvalue and one other? */
  bestUsesTop: boolean[];
}

/** What the study keeps of one sampled network (a task's result: small, unlike the whole spectrum). */
export interface PairedModelSummary {
  bestGap: number;
  secondGap: number;
  meanEigenvalue: number;
  target: number;
  /** |trace - sum of eigenvalues| / (sum of |eigenvalues|). */
  traceError: number;
  /** Is the best pair made of the largest eigenvalue and one other? */
  bestUsesTop: boolean;
}

/** One network of `pairedStudy` (a task of lib/tasks): `pairedSample` of the configuration, summarised. */
export function pairedModelTask(p: { config: PairedConfig }, gen: Rng): PairedModelSummary {
  const s = pairedSample(p.config, gen);
  let abs = 0;
  for (const e of s.eigenvalues) abs += Math.abs(e);
  return {
    bestGap: s.pairs.bestGap, secondGap: s.pairs.secondGap, meanEigenvalue: s.meanEigenvalue, target: s.target,
    traceError: Math.abs(s.trace - s.traceFromEigenvalues) / abs, bestUsesTop: s.pairs.best[1] === s.eigenvalues.length - 1,
  };
}

/**
 * Run `models` networks for each D in `Ds` (each model with its own generator forked from `gen` by
 * configuration, D and index, so a point does not change when the grid does). The networks are tasks of
 * lib/tasks (`pairedModelTask`): run on worker threads, stored as they finish (`scaleTasksRoot()`), read
 * back by a later run, with the same numbers for any number of workers.
 *
 * @param options.study the study's id in the task store (default `paired-outliers/<hash of the arguments>`)
 */
export function pairedStudy(base: Omit<PairedConfig, "D">, Ds: number[], models: number, gen: Rng, options: { study?: string; workers?: number; log?: (line: string) => void } = {}): PairedPoint[] {
  if (!Number.isInteger(models) || models < 1) throw new RangeError(`pairedStudy: models must be a positive integer, got ${models}`);
  for (const D of Ds) if (!Number.isInteger(D) || D < 1) throw new RangeError(`pairedStudy: every D must be a positive integer, got ${D}`);
  const label = (D: number, k: number) => `${base.layers}-${base.activation}-${base.init}-${base.data}-m${base.width}-n${base.n}-D${D}-#${k}`;
  const grid = Ds.flatMap((D) => Array.from({ length: models }, (_, k) => ({ D, k })));
  const out = runTasksBlocking({
    study: options.study ?? `paired-outliers/${base.layers}-${base.activation}-${base.init}-m${base.width}-${sha256(canonicalJson({ base, Ds, models, seed: gen.seed }, "pairedStudy")).slice(0, 12)}`,
    seed: gen.seed,
    label: (i) => label(grid[i].D, grid[i].k),
    params: grid.map(({ D }) => ({ config: { ...base, D } })),
    module: __filename,
    root: scaleTasksRoot(),
    workers: options.workers,
    log: options.log,
  }, "pairedModelTask", pairedModelTask);
  return Ds.map((D, d) => {
    const pt: PairedPoint = { D, width: base.width, models, best: [], second: [], mean: [], ratio: [], target: [], worstTraceError: 0, bestUsesTop: [] };
    for (let k = 0; k < models; k++) {
      const s = out.results[d * models + k];
      pt.worstTraceError = Math.max(pt.worstTraceError, s.traceError);
      pt.best.push(s.bestGap);
      pt.second.push(s.secondGap);
      pt.mean.push(s.meanEigenvalue);
      pt.target.push(s.target);
      pt.ratio.push(s.secondGap / Math.max(s.bestGap, Number.MIN_VALUE));
      pt.bestUsesTop.push(s.bestUsesTop);
    }
    return pt;
  });
}

// median and quantile live in lib/stats; re-exported for this module's callers.
import { median, quantile } from "../stats";
export { median, quantile };

/**
 * Plotly traces for one configuration: median best gap, median runner-up gap and median mean eigenvalue
 * against D, with bands from the 10% to the 90% quantile. Log y axis intended.
 */
export function pairedTraces(points: PairedPoint[], label: string, color: string): Array<Record<string, unknown>> {
  const Ds = points.map((p) => p.D);
  const floor = (v: number) => Math.max(v, 1e-18); // a gap of exactly 0 cannot sit on a log axis
  const series = (key: "best" | "second" | "mean", dash: string, name: string) => {
    const med = points.map((p) => floor(median(p[key])));
    const lo = points.map((p) => floor(quantile(p[key], 0.1)));
    const hi = points.map((p) => floor(quantile(p[key], 0.9)));
    return [
      { x: Ds, y: med, type: "scatter", mode: "lines+markers", name: `${name} (${label})`, line: { color, dash }, marker: { color },
        error_y: { type: "data", symmetric: false, array: hi.map((h, i) => h - med[i]), arrayminus: med.map((m, i) => m - lo[i]), color, thickness: 1 } },
    ];
  };
  return [
    ...series("best", "solid", "closest pair |λi+λj − tr/D|"),
    ...series("second", "dash", "second closest pair"),
    ...series("mean", "dot", "mean eigenvalue tr/p"),
  ];
}
