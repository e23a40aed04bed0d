/**
 * Closed forms of "How the Hessian-Spectrum of Linear Networks Depends on Data"
 * (seeds/data-dependence.paper.txt), one function per equation.
 *
 * Notation as in the paper: an L-layer linear network f(x) = W_L ... W_1 x with W_l of size d_l x d_{l-1};
 * data matrices hold one sample per column (X is d_0 x n, Y is d_L x n); the loss is
 * (1/2n) ||f(X) - Y||_F^2, so the Gauss-Newton matrix is G = (1/n) J^T J and the NTK is K = (1/n) J J^T.
 *
 * Prefix and suffix products (eq. 4):
 *   P_l = W_{l-1} ... W_1   (d_{l-1} x d_0, P_1 = I)
 *   S_l = W_L ... W_{l+1}   (d_L x d_l,   S_L = I)
 *
 * Vectorisation used by the dense Kronecker forms here (and only here): column-stacking, so that
 * vec(S W P X) = ((P X)^T (x) S) vec(W), exactly as written in (4)-(5):
 *   - a parameter W_l[r][c] sits at offset_l + r + c d_l (offset_l = sum_{m<l} d_m d_{m-1});
 *   - an output entry f(x_s)[o] sits at o + s d_L (sample-major blocks of d_L outputs).
 * `paramPermutationRowMajor` maps this ordering to row-major layer-by-layer parameter vectors.
 * The dense builders also take `{ ordering: "row-major" }`: row-major vec, the convention of lib/models and
 * lib/curvature (W_l[r][c] at offset_l + r d_{l-1} + c; output a of sample s at a n + s). Then
 * J_l = S_l (x) (P_l X)^T and the NTK is sum_l (S_l S_l^T) (x) ((1/n) X^T P_l^T P_l X): the same matrices
 * with the Kronecker factors swapped.
 *
 * Eigenvalue index convention for (9) and (15): pair (i, j) couples the i-th right singular vector v_i of
 * W_1 (i in [d_0]) with the j-th left singular vector u_j of W_L (j in [d_L]); singular values beyond the
 * rank are zero and 0^0 = 1. With this convention every eigenvector of (8) is (X^T v_i / sqrt n) (x) u_j and
 * the list of d_0 d_L pair values is the whole spectrum of the NTK restricted to row(X^T) (x) R^{d_L}; the
 * other n d_L - d_0 d_L NTK eigenvalues are zero.
 */
import { Matrix } from "ml-matrix";
import { singularValues, svd } from "../linalg/svd";
import { kron } from "../linalg/kron";
import { completeBasis } from "../linalg/basis";
import { muPair, parameterCount, PairEigenvalue } from "./mu";

// Shared with Depth, Not Data (./mu); re-exported for importers of this module.
export { parameterCount };
export type { PairEigenvalue };

// ---------------------------------------------------------------------------------------------------
// Small helpers (argument checking, SVD, Kronecker)
// ---------------------------------------------------------------------------------------------------

function fail(fn: string, message: string): never {
  throw new RangeError(`${fn}: ${message}`);
}

/** Checks that W is a non-empty chain W_1 (d_1 x d_0), ..., W_L (d_L x d_{L-1}); returns [d_0, ..., d_L]. */
export function layerDims(W: Matrix[], fn = "layerDims"): number[] {
  if (!Array.isArray(W) || W.length === 0) fail(fn, "W must be a non-empty array of weight matrices");
  const dims = [W[0].columns];
  for (let l = 0; l < W.length; l++) {
    if (W[l].columns !== dims[l]) {
      fail(fn, `W_${l + 1} must have ${dims[l]} columns (d_${l}), got ${W[l].rows} x ${W[l].columns}`);
    }
    dims.push(W[l].rows);
  }
  return dims;
}

function checkSigma(fn: string, sigmaX: number): void {
  if (!(Number.isFinite(sigmaX) && sigmaX > 0)) fail(fn, `sigmaX must be a positive finite number, got ${sigmaX}`);
}

function checkDepth(fn: string, L: number): void {
  if (!(Number.isInteger(L) && L >= 1)) fail(fn, `L must be a positive integer, got ${L}`);
}

function checkData(fn: string, W: Matrix[], X: Matrix): number[] {
  const dims = layerDims(W, fn);
  if (X.rows !== dims[0]) fail(fn, `X must have d_0 = ${dims[0]} rows, got ${X.rows} x ${X.columns}`);
  return dims;
}


/** Spectral norm ||A||_2 (largest singular value). */
export function spectralNorm(A: Matrix): number {
  const s = singularValues(A);
  return s.length === 0 ? 0 : s[0];
}

/** Squared Frobenius norm. */
export function frobeniusSq(A: Matrix): number {
  let t = 0;
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.columns; j++) t += A.get(i, j) ** 2;
  return t;
}

/**
 * Full SVD A = U diag(s) V^T with U (m x m) and V (n x n) square orthogonal, s descending (length min(m, n)):
 * lib/linalg's thin `svd`, completed to square bases by lib/linalg's `completeBasis`. The completing columns
 * span the null spaces the eigenvectors (16) need for zero singular values.
 */
export function fullSvd(A: Matrix): { U: Matrix; s: Float64Array; V: Matrix } {
  const { U, s, V } = svd(A);
  return { U: U.columns === U.rows ? U : completeBasis(U), s, V: V.columns === V.rows ? V : completeBasis(V) };
}

// ---------------------------------------------------------------------------------------------------
// Eq. (4)-(5): Jacobian and NTK in Kronecker form
// ---------------------------------------------------------------------------------------------------

/** Vectorisation of the dense Kronecker forms: the paper's column-stacking (default) or row-major. */
export interface OrderingOptions {
  /** "column-stacking" (the paper's (4)-(5), default) or "row-major" (lib/models, lib/curvature). */
  ordering?: "column-stacking" | "row-major";
}

function rowMajor(fn: string, options: OrderingOptions): boolean {
  const o = options.ordering ?? "column-stacking";
  if (o !== "column-stacking" && o !== "row-major") fail(fn, `ordering must be "column-stacking" or "row-major", got ${String(o)}`);
  return o === "row-major";
}

/**
 * Prefix and suffix products of eq. (4): P_l = W_{l-1} ... W_1 (P_1 = I_{d_0}) and S_l = W_L ... W_{l+1}
 * (S_L = I_{d_L}), for l = 1..L (array index l - 1).
 * @param W weight matrices W_1..W_L
 */
export function partialProducts(W: Matrix[]): { P: Matrix[]; S: Matrix[] } {
  const dims = layerDims(W, "partialProducts");
  const L = W.length;
  const P: Matrix[] = [Matrix.eye(dims[0], dims[0])];
  for (let l = 1; l < L; l++) P.push(W[l - 1].mmul(P[l - 1]));
  const S: Matrix[] = new Array(L);
  S[L - 1] = Matrix.eye(dims[L], dims[L]);
  for (let l = L - 2; l >= 0; l--) S[l] = S[l + 1].mmul(W[l + 1]);
  return { P, S };
}


/**
 * The Jacobian of eq. (4), J = [J_1 ... J_L] with J_l = (P_l X)^T (x) S_l, as a dense (n d_L) x p matrix in
 * the column-stacking ordering described at the top of this module (or row-major: J_l = S_l (x) (P_l X)^T).
 * @param W weight matrices W_1..W_L
 * @param X inputs, d_0 x n
 * @param options `{ ordering }`, see the module comment
 */
export function jacobianKron(W: Matrix[], X: Matrix, options: OrderingOptions = {}): Matrix {
  checkData("jacobianKron", W, X);
  const rm = rowMajor("jacobianKron", options);
  const { P, S } = partialProducts(W);
  const blocks = W.map((_, l) => (rm ? kron(S[l], P[l].mmul(X).transpose()) : kron(P[l].mmul(X).transpose(), S[l])));
  const J = new Matrix(blocks[0].rows, parameterCount(layerDims(W, "jacobianKron")));
  let off = 0;
  for (const B of blocks) {
    J.setSubMatrix(B, 0, off);
    off += B.columns;
  }
  return J;
}

/**
 * The NTK in Kronecker form, eq. (5): (1/n) J J^T = sum_l ((1/n) X^T P_l^T P_l X) (x) (S_l S_l^T),
 * an (n d_L) x (n d_L) matrix in sample-major output ordering (row-major: factors swapped). No
 * assumption on X or W.
 * @param W weight matrices W_1..W_L
 * @param X inputs, d_0 x n
 * @param options `{ ordering }`, see the module comment
 */
export function ntkKron(W: Matrix[], X: Matrix, options: OrderingOptions = {}): Matrix {
  const dims = checkData("ntkKron", W, X);
  const rm = rowMajor("ntkKron", options);
  const n = X.columns;
  const { P, S } = partialProducts(W);
  const K = new Matrix(n * dims[W.length], n * dims[W.length]);
  for (let l = 0; l < W.length; l++) {
    const PX = P[l].mmul(X);
    const A = PX.transpose().mmul(PX).div(n);
    const B = S[l].mmul(S[l].transpose());
    K.add(rm ? kron(B, A) : kron(A, B));
  }
  return K;
}

/**
 * Permutation from this module's column-stacking parameter ordering to row-major layer-by-layer ordering:
 * `perm[k]` is the row-major index of column-stacked parameter k (W_l[r][c] at offset_l + r d_{l-1} + c).
 * Use it to compare `jacobianKron` with a Jacobian whose columns follow the row-major convention.
 */
export function paramPermutationRowMajor(dims: number[]): Int32Array {
  let p = 0;
  for (let l = 1; l < dims.length; l++) p += dims[l - 1] * dims[l];
  const perm = new Int32Array(p);
  let off = 0;
  for (let l = 1; l < dims.length; l++) {
    const rows = dims[l], cols = dims[l - 1];
    for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) perm[off + r + c * rows] = off + r * cols + c;
    off += rows * cols;
  }
  return perm;
}

// ---------------------------------------------------------------------------------------------------
// Eq. (6)-(7): spectral-norm bound and trace
// ---------------------------------------------------------------------------------------------------

/**
 * Upper bound (6) on lambda_max of the NTK/GGN under Assumption 2 ((1/n) X X^T = sigma_x^2 I):
 * sigma_x^2 sum_l sigma_max^2(P_l) sigma_max^2(S_l).
 * @param W weight matrices; @param sigmaX the input scale sigma_x
 */
export function spectralNormBound(W: Matrix[], sigmaX: number): number {
  checkSigma("spectralNormBound", sigmaX);
  const { P, S } = partialProducts(W);
  let b = 0;
  for (let l = 0; l < W.length; l++) b += spectralNorm(P[l]) ** 2 * spectralNorm(S[l]) ** 2;
  return sigmaX * sigmaX * b;
}

/**
 * The first (data-general) form of (6), valid for any X: sum_l lambda_max((1/n) X^T P_l^T P_l X) lambda_max(S_l S_l^T)
 * = sum_l sigma_max^2(P_l X) / n * sigma_max^2(S_l).
 */
export function spectralNormBoundData(W: Matrix[], X: Matrix): number {
  checkData("spectralNormBoundData", W, X);
  const n = X.columns;
  const { P, S } = partialProducts(W);
  let b = 0;
  for (let l = 0; l < W.length; l++) b += (spectralNorm(P[l].mmul(X)) ** 2 / n) * spectralNorm(S[l]) ** 2;
  return b;
}

/**
 * Trace (7) of the NTK/GGN under Assumption 2: sigma_x^2 sum_l ||P_l||_F^2 ||S_l||_F^2 (exact).
 */
export function traceFormula(W: Matrix[], sigmaX: number): number {
  checkSigma("traceFormula", sigmaX);
  const { P, S } = partialProducts(W);
  let t = 0;
  for (let l = 0; l < W.length; l++) t += frobeniusSq(P[l]) * frobeniusSq(S[l]);
  return sigmaX * sigmaX * t;
}

/** The middle form of (7), valid for any X: sum_l ||P_l X||_F^2 / n * ||S_l||_F^2. */
export function traceFormulaData(W: Matrix[], X: Matrix): number {
  checkData("traceFormulaData", W, X);
  const n = X.columns;
  const { P, S } = partialProducts(W);
  let t = 0;
  for (let l = 0; l < W.length; l++) t += (frobeniusSq(P[l].mmul(X)) / n) * frobeniusSq(S[l]);
  return t;
}

// ---------------------------------------------------------------------------------------------------
// Eq. (8)-(9): strongly balanced networks
// ---------------------------------------------------------------------------------------------------

function checkSingular(fn: string, s: number, name: string): void {
  if (!(Number.isFinite(s) && s >= 0)) fail(fn, `${name} must be a finite non-negative number, got ${s}`);
}

/**
 * Eigenvalue (9a)/(9b) divided by sigma_x^2: sum_{l=1}^L sigma_i^{2(L-l)} sigma_j^{2(l-1)}, the pair value
 * mu_ij of ./mu (the same function as Depth, Not Data's H_o eigenvalue), evaluated stably there: no
 * difference quotient, so no cancellation when sigma_i is near sigma_j, and no overflow of sigma^{2L} beyond
 * that of the result. 0^0 = 1.
 * @param si sigma_i >= 0; @param sj sigma_j >= 0; @param L depth >= 1
 */
export function balancedEigenvalue(si: number, sj: number, L: number): number {
  checkSingular("balancedEigenvalue", si, "si");
  checkSingular("balancedEigenvalue", sj, "sj");
  checkDepth("balancedEigenvalue", L);
  return muPair(si, sj, L);
}

/** (9a) literally: the sum of L terms sigma_i^{2(L-l)} sigma_j^{2(l-1)} (reference, O(L)). */
export function balancedEigenvalueSum(si: number, sj: number, L: number): number {
  checkSingular("balancedEigenvalueSum", si, "si");
  checkSingular("balancedEigenvalueSum", sj, "sj");
  checkDepth("balancedEigenvalueSum", L);
  const a = si * si, b = sj * sj;
  let t = 0;
  for (let l = 1; l <= L; l++) t += Math.pow(a, L - l) * Math.pow(b, l - 1);
  return t;
}

/**
 * (9b) as printed: (sigma_i^{2L} - sigma_j^{2L}) / (sigma_i^2 - sigma_j^2), L sigma^{2(L-1)} only when the two
 * are exactly equal. Shown in the notebook to expose cancellation; do not use it for computation.
 */
export function balancedEigenvalueNaive(si: number, sj: number, L: number): number {
  checkDepth("balancedEigenvalueNaive", L);
  const a = si * si, b = sj * sj;
  if (a === b) return L * Math.pow(a, L - 1);
  return (Math.pow(a, L) - Math.pow(b, L)) / (a - b);
}


/**
 * All d_0 d_L eigenvalues (9) of the NTK of a strongly balanced network on row(X^T) (x) R^{d_L}, sorted
 * descending: sigma_x^2 * balancedEigenvalue(s_i, s_j, L) for i in [d_0], j in [d_L], where s holds the k
 * shared nonzero singular values and is padded with zeros. Includes the pairs where exactly one of s_i, s_j is
 * zero (their value sigma_x^2 s^{2(L-1)} is not zero), which the count "(min d)^2" of Section 3 leaves out.
 * @param sigmas shared singular values of the layers (any order, length k <= min d)
 * @param L depth; @param sigmaX input scale; @param d0 input dimension; @param dL output dimension
 */
export function balancedSpectrum(sigmas: ArrayLike<number>, L: number, sigmaX: number, d0: number, dL: number): PairEigenvalue[] {
  checkDepth("balancedSpectrum", L);
  checkSigma("balancedSpectrum", sigmaX);
  if (!(Number.isInteger(d0) && d0 >= 1 && Number.isInteger(dL) && dL >= 1)) fail("balancedSpectrum", `d0 and dL must be positive integers, got ${d0}, ${dL}`);
  if (sigmas.length > Math.min(d0, dL)) fail("balancedSpectrum", `at most min(d0, dL) = ${Math.min(d0, dL)} singular values, got ${sigmas.length}`);
  const s = Array.from(sigmas).sort((a, b) => b - a);
  const out: PairEigenvalue[] = [];
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < dL; j++) {
      const si = i < s.length ? s[i] : 0, sj = j < s.length ? s[j] : 0;
      out.push({ value: sigmaX * sigmaX * balancedEigenvalue(si, sj, L), i, j });
    }
  }
  return out.sort((a, b) => b.value - a.value);
}

/**
 * Eigenvector q_ij = (X^T v_i / sqrt n) (x) u_j of (8) and (16), in sample-major output ordering
 * (length n d_L; entry o + s d_L is (x_s . v_i / sqrt n) u_j[o]). Under Assumption 2 its norm is sigma_x.
 * With `{ ordering: "row-major" }` the entry of output o, sample s sits at o n + s (u_j (x) X^T v_i / sqrt n).
 * @param X inputs d_0 x n; @param v right singular vector of W_1 (length d_0); @param u left singular vector of W_L
 */
export function pairEigenvector(X: Matrix, v: ArrayLike<number>, u: ArrayLike<number>, options: OrderingOptions = {}): Float64Array {
  const rm = rowMajor("pairEigenvector", options);
  if (v.length !== X.rows) fail("pairEigenvector", `v must have length d_0 = ${X.rows}, got ${v.length}`);
  const n = X.columns, dL = u.length;
  const q = new Float64Array(n * dL);
  const scale = 1 / Math.sqrt(n);
  for (let s = 0; s < n; s++) {
    let a = 0;
    for (let r = 0; r < X.rows; r++) a += X.get(r, s) * v[r];
    a *= scale;
    for (let o = 0; o < dL; o++) q[rm ? o * n + s : o + s * dL] = a * u[o];
  }
  return q;
}

/**
 * Number of nonzero NTK eigenvalues predicted by (9)/(15) when the k nonzero singular values are positive:
 * pairs (i, j) in [d_0] x [d_L] not both beyond k, i.e. k (d_0 + d_L - k). Section 3 states "at most
 * (min d)^2"; the two agree only when d_0 = d_L = k.
 */
export function nonzeroPairCount(k: number, d0: number, dL: number): number {
  if (!(Number.isInteger(k) && k >= 0 && k <= Math.min(d0, dL))) fail("nonzeroPairCount", `k must be an integer in [0, min(d0, dL)], got ${k}`);
  return k * (d0 + dL - k);
}

// ---------------------------------------------------------------------------------------------------
// Eq. (10), (11), (15), (16): shallow networks (L = 2), no balance needed
// ---------------------------------------------------------------------------------------------------

function checkShallow(fn: string, W1: Matrix, W2: Matrix): void {
  if (W2.columns !== W1.rows) fail(fn, `W2 must have d_1 = ${W1.rows} columns, got ${W2.rows} x ${W2.columns}`);
}

/** Eq. (10): lambda_max((1/n) J J^T) = sigma_x^2 (||W_1||_2^2 + ||W_2||_2^2) for L = 2 under Assumption 2. */
export function shallowLambdaMax(W1: Matrix, W2: Matrix, sigmaX: number): number {
  checkShallow("shallowLambdaMax", W1, W2);
  checkSigma("shallowLambdaMax", sigmaX);
  return sigmaX * sigmaX * (spectralNorm(W1) ** 2 + spectralNorm(W2) ** 2);
}

/**
 * The alternative the paper disputes (Singh et al., App. D.3.3): sigma_x^2 max{||W_1||_2^2, ||W_2||_2^2},
 * what a block-diagonal Hessian would give.
 */
export function shallowLambdaMaxBlockDiagonal(W1: Matrix, W2: Matrix, sigmaX: number): number {
  checkShallow("shallowLambdaMaxBlockDiagonal", W1, W2);
  checkSigma("shallowLambdaMaxBlockDiagonal", sigmaX);
  return sigmaX * sigmaX * Math.max(spectralNorm(W1) ** 2, spectralNorm(W2) ** 2);
}

/** Eq. (11): Tr((1/n) J J^T) = sigma_x^2 (d_2 ||W_1||_F^2 + d_0 ||W_2||_F^2) for L = 2 under Assumption 2. */
export function shallowTrace(W1: Matrix, W2: Matrix, sigmaX: number): number {
  checkShallow("shallowTrace", W1, W2);
  checkSigma("shallowTrace", sigmaX);
  return sigmaX * sigmaX * (W2.rows * frobeniusSq(W1) + W1.columns * frobeniusSq(W2));
}

/**
 * Eq. (15): every eigenvalue of the NTK on row(X^T) (x) R^{d_2}, sigma_x^2 (sigma_i^2(W_1) + sigma_j^2(W_2)),
 * for i in [d_0], j in [d_2] (singular values beyond the rank are zero), sorted descending. The paper restricts
 * i to [min(d_0, d_1)] and j to [min(d_1, d_2)]; the extra pairs here carry a single nonzero term.
 */
export function shallowSpectrum(W1: Matrix, W2: Matrix, sigmaX: number): PairEigenvalue[] {
  checkShallow("shallowSpectrum", W1, W2);
  checkSigma("shallowSpectrum", sigmaX);
  const s1 = singularValues(W1), s2 = singularValues(W2);
  const d0 = W1.columns, d2 = W2.rows;
  const out: PairEigenvalue[] = [];
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < d2; j++) {
      const a = i < s1.length ? s1[i] : 0, b = j < s2.length ? s2[j] : 0;
      out.push({ value: sigmaX * sigmaX * (a * a + b * b), i, j });
    }
  }
  return out.sort((x, y) => y.value - x.value);
}

/** The top-k values of (15) without listing all d_0 d_2 pairs (for wide layers): a k-way merge. */
export function shallowTopEigenvalues(W1: Matrix, W2: Matrix, sigmaX: number, k: number): Float64Array {
  checkShallow("shallowTopEigenvalues", W1, W2);
  checkSigma("shallowTopEigenvalues", sigmaX);
  const d0 = W1.columns, d2 = W2.rows;
  if (!(Number.isInteger(k) && k >= 1 && k <= d0 * d2)) fail("shallowTopEigenvalues", `k must be an integer in [1, d0 d2 = ${d0 * d2}], got ${k}`);
  const pad = (s: Float64Array, d: number) => {
    const o = new Float64Array(d);
    o.set(s.subarray(0, Math.min(d, s.length)));
    return o;
  };
  const a = pad(singularValues(W1), d0).map((x) => x * x);
  const b = pad(singularValues(W2), d2).map((x) => x * x);
  // Only the k largest of each list can contribute to the top k sums.
  const vals: number[] = [];
  for (let i = 0; i < Math.min(k, d0); i++) for (let j = 0; j < Math.min(k, d2); j++) vals.push(a[i] + b[j]);
  vals.sort((x, y) => y - x);
  return Float64Array.from(vals.slice(0, k).map((v) => sigmaX * sigmaX * v));
}

// ---------------------------------------------------------------------------------------------------
// Eq. (12)-(14): dependence on the labels
// ---------------------------------------------------------------------------------------------------

/** Eq. (12): the end-to-end product at a zero-loss solution with whitened inputs, Y X^T / (n sigma_x^2). */
export function endToEndSolution(X: Matrix, Y: Matrix, sigmaX: number): Matrix {
  checkSigma("endToEndSolution", sigmaX);
  if (X.columns !== Y.columns) fail("endToEndSolution", `X and Y must have the same number of columns n, got ${X.columns} and ${Y.columns}`);
  return Y.mmul(X.transpose()).div(X.columns * sigmaX * sigmaX);
}

/** Eq. (13): shared nonzero singular values of a strongly balanced zero-loss solution, (sigma_i(Y) / (sqrt n sigma_x))^{1/L}, descending. */
export function balancedSolutionSingularValues(Y: Matrix, sigmaX: number, L: number): Float64Array {
  checkSigma("balancedSolutionSingularValues", sigmaX);
  checkDepth("balancedSolutionSingularValues", L);
  const n = Y.columns;
  return singularValues(Y).map((s) => Math.pow(s / (Math.sqrt(n) * sigmaX), 1 / L));
}

/** Eq. (14) in terms of Y: L sigma_x^{2/L} n^{-(1 - 1/L)} sigma_max(Y)^{2(1 - 1/L)}. */
export function labelSharpnessFromY(Y: Matrix, L: number, sigmaX: number): number {
  checkSigma("labelSharpnessFromY", sigmaX);
  checkDepth("labelSharpnessFromY", L);
  const n = Y.columns;
  const smax = spectralNorm(Y);
  return (L * Math.pow(sigmaX, 2 / L) / Math.pow(n, 1 - 1 / L)) * Math.pow(smax, 2 * (1 - 1 / L));
}

/**
 * Eq. (14) for one-hot labels, where sigma_max^2(Y) / n = alpha_max is the largest class proportion:
 * lambda_max = L sigma_x^{2/L} alpha_max^{1 - 1/L}, independent of n.
 */
export function labelSharpness(alphaMax: number, L: number, sigmaX: number): number {
  if (!(alphaMax > 0 && alphaMax <= 1)) fail("labelSharpness", `alphaMax must be in (0, 1], got ${alphaMax}`);
  checkDepth("labelSharpness", L);
  checkSigma("labelSharpness", sigmaX);
  return L * Math.pow(sigmaX, 2 / L) * Math.pow(alphaMax, 1 - 1 / L);
}

/** alpha_i = sigma_i^2(Y) / n, descending (for one-hot Y: the class proportions). */
export function labelProportions(Y: Matrix): Float64Array {
  const n = Y.columns;
  return singularValues(Y).map((s) => (s * s) / n);
}

// App. C's real-data subsets are lib/data's classProportionSubset; the end-to-end form of a linear network
// is lib/models' endToEndLinear (a closed form must not share code with the brute force that checks it).

// Singular values come from lib/linalg (one helper for papers and experiments); re-exported for importers here.
export { singularValues };
