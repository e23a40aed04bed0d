/**
 * The facade: exact float64 spectra of a network's loss Hessian, in the field's vocabulary, over what
 * lib/curvature and lib/linalg provide.
 *
 * ```ts
 * import { hessianSpectrum, spectralDensity, hessianTrace, gaussNewtonSplit } from "hessian-spectra";
 * const top = hessianSpectrum(problem, theta, { k: 10, method: "lanczos" });         // 10 largest of H
 * const w1 = hessianSpectrum(problem, theta, { k: 5, block: "W1", curvature: "ggn" }); // of the W1 block of H_o
 * ```
 *
 * Every function takes a parameter filter `block`: a block name (`"W1"`, or its PyTorch key
 * `"layers.0.weight"`), a list of names, or a predicate on the model's named blocks (`model.blocks`). It then
 * works on the principal sub-matrix of H (or H_o, H_f) whose rows and columns are those blocks' parameters
 * (as curvlinops' sub-matrices and hessian-eigenthings' `param_filter`). `curvature` picks the matrix:
 * "hessian" H (default), "ggn" the outer-product / Gauss-Newton part H_o, "functional" H_f = H - H_o.
 * Every random draw comes from `rng` (default `rng(0)`), so results are reproducible.
 */
import { Matrix } from "ml-matrix";
import type { Problem } from "../curvature/problem";
import { functionalHvp, ggnVectorProduct, hvp } from "../curvature/curvature";
import type { ParamBlock } from "../models/model";
import { checkTheta } from "../models/model";
import { eigh } from "../linalg/eigh";
import { lanczos } from "../linalg/lanczos";
import { lobpcg } from "../linalg/lobpcg";
import type { LinearOperator } from "../linalg/operator";
import { hutchinson, hutchpp } from "../linalg/trace";
import { densityOnGrid, slqDensity } from "../linalg/slq";
import { Rng, rng as makeRng } from "../random/rng";

/** Which parameters: a block name, a list of names, or a predicate on the model's blocks. */
export type BlockFilter = string | readonly string[] | ((block: ParamBlock) => boolean);

/** Which curvature matrix: H, its Gauss-Newton (outer-product) part H_o, or its functional part H_f. */
export type CurvatureKind = "hessian" | "ggn" | "functional";

/** Options every facade function shares. */
export interface CommonOptions {
  /** Parameter filter (default: all parameters). */
  block?: BlockFilter;
  /** H (default), H_o or H_f. */
  curvature?: CurvatureKind;
  /** Seeded generator for the iterative methods (default `rng(0)`). */
  rng?: Rng;
  /** Called after every curvature-vector product with the count so far (progress of long runs). */
  onProgress?: (products: number) => void;
}

/** What a computation cost. */
export interface Cost {
  /** Curvature-vector products (HVPs, GGN or H_f products) applied. */
  products: number;
  /** Wall-clock seconds. */
  seconds: number;
}

/** The parameters a filter selects. */
export interface Selection {
  /** Names of the selected blocks, in flat order. */
  blocks: string[];
  /** Flat indices into theta of the selected parameters, ascending. */
  indices: Int32Array;
}

const KINDS: Record<CurvatureKind, (p: Problem, t: Float64Array, v: Float64Array) => Float64Array> = {
  hessian: hvp,
  ggn: ggnVectorProduct,
  functional: functionalHvp,
};

/**
 * The parameters a filter selects (see the module comment); an unknown name throws, listing the known ones.
 *
 * @param blocks the model's blocks (`model.blocks`)
 * @param filter name, list of names, or predicate; undefined selects everything
 */
export function selectBlocks(blocks: readonly ParamBlock[], filter?: BlockFilter, where = "selectBlocks"): Selection {
  let chosen: ParamBlock[];
  if (filter === undefined) chosen = blocks.slice();
  else if (typeof filter === "function") chosen = blocks.filter((b) => filter(b));
  else {
    const names = typeof filter === "string" ? [filter] : Array.from(filter);
    if (names.length === 0) throw new RangeError(`${where}: block must name at least one block, got an empty list`);
    const wanted = new Set<ParamBlock>();
    for (const name of names) {
      const b = blocks.find((x) => x.name === name || x.torchName === name);
      if (b === undefined) {
        const known = blocks.map((x) => (x.torchName ? `${x.name} (${x.torchName})` : x.name)).join(", ");
        throw new RangeError(`${where}: block "${name}" is not a block of the model; expected one of ${known}`);
      }
      wanted.add(b);
    }
    chosen = blocks.filter((b) => wanted.has(b));
  }
  if (chosen.length === 0) throw new RangeError(`${where}: block filter selected no parameters`);
  const size = chosen.reduce((s, b) => s + b.size, 0);
  const indices = new Int32Array(size);
  let k = 0;
  for (const b of chosen) for (let i = 0; i < b.size; i++) indices[k++] = b.offset + i;
  return { blocks: chosen.map((b) => b.name), indices };
}

function checkKind(where: string, kind: unknown): CurvatureKind {
  if (kind === undefined) return "hessian";
  if (kind !== "hessian" && kind !== "ggn" && kind !== "functional") {
    throw new RangeError(`${where}: curvature must be "hessian", "ggn" or "functional", got ${String(kind)}`);
  }
  return kind;
}

function checkProblem(where: string, problem: Problem, theta: Float64Array): void {
  if (!problem || typeof problem !== "object" || !problem.model) throw new TypeError(`${where}: problem must be a Problem (mseProblem, crossEntropyProblem, populationProblem)`);
  checkTheta(where, theta, problem.model.numParams);
}

/**
 * The curvature matrix restricted to the selected parameters, as a counted `LinearOperator`: x (length
 * |S|) is placed into a zero parameter vector, multiplied, and read back on S.
 *
 * @param where the function named in error messages
 * @returns the operator, the selection, and `counter.products` (products applied so far)
 */
export function curvatureOperator(problem: Problem, theta: Float64Array, options: CommonOptions = {}, where = "curvatureOperator"): { op: LinearOperator; selection: Selection; counter: { products: number } } {
  checkProblem(where, problem, theta);
  const kind = checkKind(where, options.curvature);
  const selection = selectBlocks(problem.model.blocks, options.block, where);
  const product = KINDS[kind];
  const th = Float64Array.from(theta);
  const p = problem.model.numParams, idx = selection.indices, s = idx.length;
  const counter = { products: 0 };
  const full = s === p;
  const matvec = (x: Float64Array): Float64Array => {
    if (x.length !== s) throw new RangeError(`${where}.matvec: x must have length ${s}, got ${x.length}`);
    counter.products++;
    if (options.onProgress) options.onProgress(counter.products);
    if (full) return product(problem, th, x);
    const v = new Float64Array(p);
    for (let i = 0; i < s; i++) v[idx[i]] = x[i];
    const y = product(problem, th, v);
    const out = new Float64Array(s);
    for (let i = 0; i < s; i++) out[i] = y[idx[i]];
    return out;
  };
  const op: LinearOperator = {
    size: s,
    symmetric: true,
    matvec,
    matmat(x: Float64Array, k: number): Float64Array {
      if (x.length !== s * k) throw new RangeError(`${where}.matmat: x must have length ${s} * ${k}, got ${x.length}`);
      const out = new Float64Array(s * k);
      for (let j = 0; j < k; j++) out.set(matvec(x.subarray(j * s, (j + 1) * s)), j * s);
      return out;
    },
  };
  return { op, selection, counter };
}

/** Dense matrix of an operator, column j = A e_j, symmetrized (rounding asymmetry removed). */
function denseOf(op: LinearOperator): Matrix {
  const n = op.size;
  const A = new Matrix(n, n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = op.matvec(e);
    for (let i = 0; i < n; i++) A.set(i, j, col[i]);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) {
    const m = 0.5 * (A.get(i, j) + A.get(j, i));
    A.set(i, j, m);
    A.set(j, i, m);
  }
  return A;
}

/** Options of `hessianSpectrum`. */
export interface SpectrumOptions extends CommonOptions {
  /** Number of eigenvalues (default 1; with method "dense", `k` may be the full size). */
  k?: number;
  /** "largest" (default, descending), "smallest" (ascending) or "both" (ceil(k/2) largest and floor(k/2) smallest, descending). */
  which?: "largest" | "smallest" | "both";
  /** "dense" (default when the selection has at most 2000 parameters), "lanczos" or "lobpcg". */
  method?: "dense" | "lanczos" | "lobpcg";
  /** Also return the eigenvectors (columns, over the selected parameters). Default false. */
  vectors?: boolean;
  /** Convergence tolerance of the iterative methods (their defaults otherwise). */
  tol?: number;
  /** Iteration cap of the iterative methods (their defaults otherwise). */
  maxIterations?: number;
}

/** Result of `hessianSpectrum`. */
export interface SpectrumResult {
  /** Eigenvalues, ordered as `which` says. */
  values: Float64Array;
  /** Eigenvectors as columns (|S| x k) over the selected parameters (`selection.indices`), when asked. */
  vectors?: Matrix;
  /** ||A x_j - λ_j x_j|| for each pair. */
  residualNorms: Float64Array;
  /** True when the iterative method met its tolerance (always true for "dense"). */
  converged: boolean;
  method: "dense" | "lanczos" | "lobpcg";
  curvature: CurvatureKind;
  selection: Selection;
  cost: Cost;
}

/** Pick k of the ascending values per `which`, as column indices into the ascending decomposition. */
function pickIndices(n: number, k: number, which: "largest" | "smallest" | "both"): number[] {
  const out: number[] = [];
  if (which === "largest") for (let i = 0; i < k; i++) out.push(n - 1 - i);
  else if (which === "smallest") for (let i = 0; i < k; i++) out.push(i);
  else {
    const hi = Math.ceil(k / 2), lo = k - hi;
    for (let i = 0; i < hi; i++) out.push(n - 1 - i);
    for (let i = lo - 1; i >= 0; i--) out.push(i);
  }
  return out;
}

function residuals(op: LinearOperator, values: Float64Array, V: Matrix): Float64Array {
  const n = op.size, k = values.length;
  const out = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const x = Float64Array.from(V.getColumn(j));
    const y = op.matvec(x);
    let s = 0;
    for (let i = 0; i < n; i++) s += (y[i] - values[j] * x[i]) ** 2;
    out[j] = Math.sqrt(s);
  }
  return out;
}

/**
 * Extreme eigenvalues (and vectors) of H, H_o or H_f, or of the sub-matrix of a parameter block.
 *
 * "dense" forms the matrix from |S| exact products and takes every eigenpair (`eigh`), residuals from the
 * dense matrix; "lanczos" and "lobpcg" are matrix-free (residuals from fresh products).
 *
 * @param problem the loss (`mseProblem`, `crossEntropyProblem`, `populationProblem`)
 * @param theta parameters (length `problem.model.numParams`)
 * @param options k, which, method, vectors, block, curvature, rng, tol, maxIterations
 * @returns values, vectors (if asked), residualNorms, converged, selection, cost (products, seconds)
 */
export function hessianSpectrum(problem: Problem, theta: Float64Array, options: SpectrumOptions = {}): SpectrumResult {
  return spectrum("hessianSpectrum", problem, theta, options).result;
}

/** `hessianSpectrum`, also handing back the dense matrix when it formed one (the split reuses it). */
function spectrum(where: string, problem: Problem, theta: Float64Array, options: SpectrumOptions): { result: SpectrumResult; dense?: Matrix } {
  const t0 = Date.now();
  const { op, selection, counter } = curvatureOperator(problem, theta, options, where);
  const kind = checkKind(where, options.curvature);
  const n = op.size;
  const k = options.k ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`${where}: k must be an integer in 1..${n} (the selected parameters), got ${k}`);
  const which = options.which ?? "largest";
  if (which !== "largest" && which !== "smallest" && which !== "both") throw new RangeError(`${where}: which must be "largest", "smallest" or "both", got ${String(which)}`);
  const method = options.method ?? (n <= 2000 ? "dense" : "lanczos");
  if (method !== "dense" && method !== "lanczos" && method !== "lobpcg") throw new RangeError(`${where}: method must be "dense", "lanczos" or "lobpcg", got ${String(method)}`);
  const gen = options.rng ?? makeRng(0);
  let values: Float64Array, V: Matrix | undefined, residualNorms: Float64Array, converged = true, A: Matrix | undefined;
  if (method === "dense") {
    A = denseOf(op);
    const dec = eigh(A, { vectors: true });
    const picks = pickIndices(n, k, which);
    values = Float64Array.from(picks, (i) => dec.values[i]);
    const full = dec.vectors as Matrix;
    V = new Matrix(n, k);
    picks.forEach((c, j) => { for (let i = 0; i < n; i++) V!.set(i, j, full.get(i, c)); });
    residualNorms = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        let r = -values[j] * V.get(i, j);
        for (let l = 0; l < n; l++) r += A.get(i, l) * V.get(l, j);
        s += r * r;
      }
      residualNorms[j] = Math.sqrt(s);
    }
  } else if (method === "lanczos") {
    const r = lanczos(op, { k, which, rng: gen, vectors: true, ...(options.tol === undefined ? {} : { tol: options.tol }), ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }) });
    values = r.values;
    V = r.vectors;
    converged = r.converged;
    residualNorms = residuals(op, values, V as Matrix);
  } else {
    if (which === "both") throw new RangeError(`${where}: which "both" needs method "dense" or "lanczos" (lobpcg computes one end)`);
    const r = lobpcg(op, { k, which, rng: gen, ...(options.tol === undefined ? {} : { tol: options.tol }), ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }) });
    values = r.values;
    V = r.vectors;
    converged = r.converged;
    residualNorms = r.residualNorms;
  }
  const result: SpectrumResult = {
    values, residualNorms, converged, method, curvature: kind, selection,
    cost: { products: counter.products, seconds: (Date.now() - t0) / 1000 },
  };
  if (options.vectors) result.vectors = V;
  return { result, ...(A === undefined ? {} : { dense: A }) };
}

/** Options of `spectralDensity`. */
export interface DensityOptions extends CommonOptions {
  /** "slq" (default): stochastic Lanczos quadrature; "dense": every eigenvalue, weight 1/|S| each. */
  method?: "slq" | "dense";
  /** SLQ start vectors (default 4). */
  probes?: number;
  /** SLQ Lanczos steps per probe (default min(|S|, 60)). */
  steps?: number;
  /** Gaussian smoothing width (default 1 % of the node range, or 1e-3 when every node coincides). */
  sigma?: number;
  /** Grid points (default 400, spanning the nodes +- 5 sigma). */
  gridPoints?: number;
}

/** Result of `spectralDensity`. */
export interface DensityResult {
  /** Quadrature nodes (eigenvalue estimates) and their weights (summing to 1). */
  nodes: Float64Array;
  weights: Float64Array;
  /** The smoothed density ρ on `grid` (integrates to about 1). */
  grid: Float64Array;
  density: Float64Array;
  sigma: number;
  method: "slq" | "dense";
  curvature: CurvatureKind;
  selection: Selection;
  cost: Cost;
}

/**
 * Spectral density of H, H_o or H_f (or of a block's sub-matrix), as PyHessian's `density`: quadrature nodes
 * and weights by stochastic Lanczos quadrature (or the exact eigenvalues), smoothed by a Gaussian on a grid.
 *
 * @returns nodes, weights, grid, density, sigma, selection, cost
 */
export function spectralDensity(problem: Problem, theta: Float64Array, options: DensityOptions = {}): DensityResult {
  const where = "spectralDensity";
  const t0 = Date.now();
  const { op, selection, counter } = curvatureOperator(problem, theta, options, where);
  const kind = checkKind(where, options.curvature);
  const method = options.method ?? "slq";
  if (method !== "slq" && method !== "dense") throw new RangeError(`${where}: method must be "slq" or "dense", got ${String(method)}`);
  let nodes: Float64Array, weights: Float64Array;
  if (method === "dense") {
    nodes = eigh(denseOf(op)).values;
    weights = new Float64Array(nodes.length).fill(1 / nodes.length);
  } else {
    const probes = options.probes ?? 4;
    const steps = options.steps ?? Math.min(op.size, 60);
    const r = slqDensity(op, { probes, steps, rng: options.rng ?? makeRng(0) });
    nodes = r.nodes;
    weights = r.weights;
  }
  let lo = Infinity, hi = -Infinity;
  for (const x of nodes) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  const sigma = options.sigma ?? (hi > lo ? 0.01 * (hi - lo) : 1e-3);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`${where}: sigma must be positive and finite, got ${sigma}`);
  const points = options.gridPoints ?? 400;
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`${where}: gridPoints must be an integer >= 2, got ${points}`);
  const a = lo - 5 * sigma, b = hi + 5 * sigma;
  const grid = Float64Array.from({ length: points }, (_, i) => a + ((b - a) * i) / (points - 1));
  const density = densityOnGrid(nodes, weights, grid, sigma);
  return { nodes, weights, grid, density, sigma, method, curvature: kind, selection, cost: { products: counter.products, seconds: (Date.now() - t0) / 1000 } };
}

/** Options of `hessianTrace`. */
export interface TraceOptions extends CommonOptions {
  /** "exact" (|S| products, the diagonal summed), "hutchinson" (default) or "hutchpp". */
  method?: "exact" | "hutchinson" | "hutchpp";
  /** Hutchinson probes (default 100). */
  probes?: number;
  /** Hutch++ products (default 99, a multiple of 3). */
  matvecs?: number;
}

/** Result of `hessianTrace`. */
export interface TraceResult {
  /** tr(A) (exact) or its estimate. */
  estimate: number;
  /** Hutchinson's standard error; 0 for "exact"; undefined for Hutch++ (no variance estimate). */
  standardError?: number;
  method: "exact" | "hutchinson" | "hutchpp";
  curvature: CurvatureKind;
  selection: Selection;
  cost: Cost;
}

/**
 * Trace of H, H_o or H_f (or of a block's sub-matrix): exactly from the diagonal (e_j^T A e_j), or estimated
 * by Hutchinson or Hutch++.
 *
 * @returns estimate, standardError, selection, cost
 */
export function hessianTrace(problem: Problem, theta: Float64Array, options: TraceOptions = {}): TraceResult {
  const where = "hessianTrace";
  const t0 = Date.now();
  const { op, selection, counter } = curvatureOperator(problem, theta, options, where);
  const kind = checkKind(where, options.curvature);
  const method = options.method ?? "hutchinson";
  let estimate: number, standardError: number | undefined;
  if (method === "exact") {
    const e = new Float64Array(op.size);
    estimate = 0;
    for (let j = 0; j < op.size; j++) {
      e.fill(0);
      e[j] = 1;
      estimate += op.matvec(e)[j];
    }
    standardError = 0;
  } else if (method === "hutchinson") {
    const r = hutchinson(op, { probes: options.probes ?? 100, rng: options.rng ?? makeRng(0) });
    estimate = r.estimate;
    standardError = r.standardError;
  } else if (method === "hutchpp") {
    estimate = hutchpp(op, { matvecs: options.matvecs ?? 99, rng: options.rng ?? makeRng(0) }).estimate;
  } else {
    throw new RangeError(`${where}: method must be "exact", "hutchinson" or "hutchpp", got ${String(method)}`);
  }
  return { estimate, ...(standardError === undefined ? {} : { standardError }), method, curvature: kind, selection, cost: { products: counter.products, seconds: (Date.now() - t0) / 1000 } };
}

/** Options of `gaussNewtonSplit`. */
export interface SplitOptions extends Omit<SpectrumOptions, "curvature" | "vectors"> {}

/** Result of `gaussNewtonSplit`: the spectra of H, H_o and H_f of the same selection. */
export interface SplitResult {
  hessian: SpectrumResult;
  ggn: SpectrumResult;
  functional: SpectrumResult;
  /** With method "dense": max |H - H_o - H_f| over the selected entries (the split's own check); else undefined. */
  splitResidual?: number;
}

/**
 * The Gauss-Newton split H = H_o + H_f (outer-product and functional Hessian) of the selected parameters:
 * the spectrum of each, and with method "dense" how well the three dense matrices add up.
 *
 * @returns hessian, ggn, functional (each a `SpectrumResult`), splitResidual
 */
export function gaussNewtonSplit(problem: Problem, theta: Float64Array, options: SplitOptions = {}): SplitResult {
  const opts = { ...options } as SpectrumOptions;
  if ((options as SpectrumOptions).curvature !== undefined) throw new RangeError(`gaussNewtonSplit: options.curvature is not an option (the split returns all three)`);
  const where = "gaussNewtonSplit";
  const h = spectrum(where, problem, theta, { ...opts, curvature: "hessian" });
  const o = spectrum(where, problem, theta, { ...opts, curvature: "ggn" });
  const f = spectrum(where, problem, theta, { ...opts, curvature: "functional" });
  const out: SplitResult = { hessian: h.result, ggn: o.result, functional: f.result };
  if (h.dense && o.dense && f.dense) {
    const H = h.dense, Ho = o.dense, Hf = f.dense;
    let worst = 0;
    for (let i = 0; i < H.rows; i++) for (let j = 0; j < H.columns; j++) worst = Math.max(worst, Math.abs(H.get(i, j) - Ho.get(i, j) - Hf.get(i, j)));
    out.splitResidual = worst;
  }
  return out;
}
