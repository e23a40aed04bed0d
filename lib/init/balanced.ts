/**
 * Balanced initialisations of deep linear networks `F(x) = W_L ... W_1 x` (`widths = [d_0, ..., d_L]`,
 * `W_j` is `d_j x d_{j-1}`; theta in the ordering of `deepLinear(widths)`: W_1, ..., W_L row-major).
 *
 * - `balancedInit`: Arora et al. (2019), Initialization 2.1 (Depth, Not Data): SVD `A = U S V^T`,
 *   `W_L = P(U S^{1/L})`, `W_j = P(S^{1/L})`, `W_1 = P(S^{1/L} V^T)`.
 * - `sharedFormInit`: the same shared form from given bases and per-layer singular values
 *   (`P(U D)`, `P(D)`, `P(D V^T)`), the state of Lemma 3.4.
 * - `usiInit`: uniform spectral initialisation (Depth, Not Data, Assumption 3.3).
 * - `stronglyBalancedInit`: Data Dependence, App. C, from given singular values.
 */
import { Matrix } from "ml-matrix";
import { svd } from "../linalg/svd";
import { Rng } from "../random/rng";
import { assertFinite, assertPositiveInt } from "../linalg/validate";
import { haarOrthogonal } from "../linalg/haar";
import { completeBasis, orthonormalColumns } from "../linalg/basis";

// Moved to lib/linalg/basis; re-exported so that existing imports from lib/init keep working.
export { completeBasis, orthonormalColumns };

/** Layers and the factors they were built from. */
export interface BalancedInit {
  /** Flat parameters, ordering of `deepLinear(widths)`. */
  theta: Float64Array;
  /** W_1, ..., W_L. */
  weights: Matrix[];
  /** Full orthogonal d_L x d_L output basis (first k columns: left singular vectors of W_{L:1}). */
  U: Matrix;
  /** Per-layer singular values D = diag(lambda_1..lambda_k) (descending for `balancedInit`). */
  lambdas: Float64Array;
  /** Full orthogonal d_0 x d_0 input basis (first k columns: right singular vectors of W_{L:1}). */
  V: Matrix;
}

function checkWidths(where: string, widths: number[]): void {
  if (!Array.isArray(widths) || widths.length < 2) throw new RangeError(`${where}: widths must list at least d_0 and d_L, got ${JSON.stringify(widths)}`);
  widths.forEach((w, i) => assertPositiveInt(`${where}: widths[${i}]`, w));
}

/** Flatten weights in block order (row-major). */
export function flattenWeights(weights: Matrix[]): Float64Array {
  const p = weights.reduce((s, W) => s + W.rows * W.columns, 0);
  const theta = new Float64Array(p);
  let o = 0;
  for (const W of weights) for (let i = 0; i < W.rows; i++) for (let j = 0; j < W.columns; j++) theta[o++] = W.get(i, j);
  return theta;
}

/**
 * The shared form of Lemma 3.4: `W_L = P(U_k D)`, `W_j = P(D)` (1 < j < L), `W_1 = P(D V_k^T)` with
 * `D = diag(lambdas)` (k = lambdas.length), `U_k`, `V_k` the first k columns of U (d_L x >=k) and
 * V (d_0 x >=k). For L = 1, `W_1 = U_k D V_k^T`. Hidden widths must be >= k.
 */
export function sharedFormInit(widths: number[], U: Matrix, lambdas: ArrayLike<number>, V: Matrix): BalancedInit {
  checkWidths("sharedFormInit", widths);
  const L = widths.length - 1;
  const d0 = widths[0], dL = widths[L];
  const k = lambdas.length;
  if (k > Math.min(d0, dL)) throw new RangeError(`sharedFormInit: lambdas has ${k} entries, more than min(d_0, d_L) = ${Math.min(d0, dL)}`);
  for (let j = 1; j < L; j++) {
    if (widths[j] < k) throw new RangeError(`sharedFormInit: hidden width d_${j} = ${widths[j]} is below the rank k = ${k} the balanced form needs`);
  }
  if (U.rows !== dL || U.columns < k) throw new RangeError(`sharedFormInit: U must be ${dL} x (>= ${k}), got ${U.rows} x ${U.columns}`);
  if (V.rows !== d0 || V.columns < k) throw new RangeError(`sharedFormInit: V must be ${d0} x (>= ${k}), got ${V.rows} x ${V.columns}`);
  assertFinite("sharedFormInit: U", U);
  assertFinite("sharedFormInit: V", V);
  const lam = Float64Array.from(lambdas);
  assertFinite("sharedFormInit: lambdas", lam);
  const weights: Matrix[] = [];
  for (let j = 1; j <= L; j++) {
    const W = new Matrix(widths[j], widths[j - 1]);
    if (L === 1) {
      for (let a = 0; a < dL; a++) for (let b = 0; b < d0; b++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += U.get(a, q) * lam[q] * V.get(b, q);
        W.set(a, b, s);
      }
    } else if (j === L) {
      for (let a = 0; a < dL; a++) for (let q = 0; q < k; q++) W.set(a, q, U.get(a, q) * lam[q]);
    } else if (j === 1) {
      for (let q = 0; q < k; q++) for (let b = 0; b < d0; b++) W.set(q, b, lam[q] * V.get(b, q));
    } else {
      for (let q = 0; q < k; q++) W.set(q, q, lam[q]);
    }
    weights.push(W);
  }
  return { theta: flattenWeights(weights), weights, U: U.rows === U.columns ? U.clone() : completeBasis(U), lambdas: lam, V: V.rows === V.columns ? V.clone() : completeBasis(V) };
}

/** Options of `balancedInit`. */
export interface BalancedOptions {
  /** The end-to-end matrix A (d_L x d_0). Default: i.i.d. N(0, std^2) entries drawn from the Rng. */
  A?: Matrix;
  /** Standard deviation of the entries of a sampled A. Default 1. */
  std?: number;
}

/**
 * Balanced initialisation (Arora et al. 2019, Initialization 2.1; Depth, Not Data): SVD `A = U S V^T`
 * with `k = min(d_0, d_L)` singular values, `W_L = P(U S^{1/L})`, `W_j = P(S^{1/L})`,
 * `W_1 = P(S^{1/L} V^T)`. Then `W_{L:1} = A` and `W_{j+1}^T W_{j+1} = W_j W_j^T`. Every hidden width must
 * be at least k. Returns the layers and the full bases U (d_L x d_L), V (d_0 x d_0).
 */
export function balancedInit(widths: number[], gen: Rng, options: BalancedOptions = {}): BalancedInit {
  checkWidths("balancedInit", widths);
  const L = widths.length - 1;
  const d0 = widths[0], dL = widths[L];
  const k = Math.min(d0, dL);
  for (let j = 1; j < L; j++) {
    if (widths[j] < k) throw new RangeError(`balancedInit: hidden width d_${j} = ${widths[j]} is below min(d_0, d_L) = ${k}, the rank a balanced initialisation needs`);
  }
  const std = options.std ?? 1;
  const A = options.A ?? gen.normalMatrix(dL, d0, std);
  if (A.rows !== dL || A.columns !== d0) throw new RangeError(`balancedInit: A must be ${dL} x ${d0} (d_L x d_0), got ${A.rows} x ${A.columns}`);
  assertFinite("balancedInit: A", A);
  // thin SVD: exactly k = min(d_0, d_L) singular triplets, descending
  const { U: Uk, s, V: Vk } = svd(A);
  const lambdas = s.map((x) => Math.pow(Math.max(x, 0), 1 / L));
  return sharedFormInit(widths, completeBasis(orthonormalColumns(Uk)), lambdas, completeBasis(orthonormalColumns(Vk)));
}

/** Options of `usiInit`. */
export interface UsiOptions {
  /** The common per-layer singular value m_0 > 0. */
  m0: number;
  /** Number r of nonzero singular values (1 <= r <= min(d_0, d_L)). */
  r: number;
  /** Bases: default Haar-random orthogonal U (d_L x d_L) and V (d_0 x d_0) drawn from the Rng. */
  U?: Matrix;
  V?: Matrix;
}

/**
 * Uniform spectral initialisation (Depth, Not Data, Assumption 3.3): a balanced initialisation whose
 * end-to-end matrix has r equal singular values m_0^L and the others zero, so every layer starts with
 * effective singular value m_0 on the first r directions.
 */
export function usiInit(widths: number[], gen: Rng, options: UsiOptions): BalancedInit {
  checkWidths("usiInit", widths);
  const L = widths.length - 1;
  const d0 = widths[0], dL = widths[L];
  const k = Math.min(d0, dL);
  const { m0, r } = options;
  if (!(Number.isFinite(m0) && m0 > 0)) throw new RangeError(`usiInit: m0 must be a positive finite number, got ${m0}`);
  if (!Number.isInteger(r) || r < 1 || r > k) throw new RangeError(`usiInit: r must be an integer in [1, min(d_0, d_L) = ${k}], got ${r}`);
  for (let j = 1; j < L; j++) {
    if (widths[j] < r) throw new RangeError(`usiInit: hidden width d_${j} = ${widths[j]} is below the rank r = ${r}`);
  }
  const U = options.U ?? haarOrthogonal(gen, dL);
  const V = options.V ?? haarOrthogonal(gen, d0);
  const lambdas = new Float64Array(r).fill(m0);
  return sharedFormInit(widths, U, lambdas, V);
}

/**
 * Strongly balanced weights from given singular values (Data Dependence, App. C): `k = min_l d_l`,
 * `S = diag(singularValues)` (k values), V_1 from orthonormalising a d_0 x k N(0, 1) matrix, and for each
 * layer `U_l` from a d_l x k N(0, 1) matrix, `W_l = U_l S V_l^T`, `V_{l+1} = U_l`. Then
 * `W_l W_l^T = W_{l+1}^T W_{l+1}` (Assumption 3).
 */
export function stronglyBalancedInit(widths: number[], singularValues: ArrayLike<number>, gen: Rng): { theta: Float64Array; weights: Matrix[]; bases: Matrix[] } {
  checkWidths("stronglyBalancedInit", widths);
  const k = Math.min(...widths);
  if (singularValues.length !== k) throw new RangeError(`stronglyBalancedInit: singularValues must have k = min(widths) = ${k} entries, got ${singularValues.length}`);
  const s = Float64Array.from(singularValues);
  assertFinite("stronglyBalancedInit: singularValues", s);
  const L = widths.length - 1;
  const bases: Matrix[] = [orthonormalColumns(gen.normalMatrix(widths[0], k))];
  const weights: Matrix[] = [];
  for (let l = 1; l <= L; l++) {
    const V = bases[l - 1];
    const U = orthonormalColumns(gen.normalMatrix(widths[l], k));
    const W = new Matrix(widths[l], widths[l - 1]);
    for (let a = 0; a < widths[l]; a++) for (let b = 0; b < widths[l - 1]; b++) {
      let x = 0;
      for (let q = 0; q < k; q++) x += U.get(a, q) * s[q] * V.get(b, q);
      W.set(a, b, x);
    }
    weights.push(W);
    bases.push(U);
  }
  return { theta: flattenWeights(weights), weights, bases };
}
