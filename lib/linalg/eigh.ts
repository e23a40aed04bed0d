/**
 * Dense symmetric eigen-decomposition. On the native backend LAPACK itself (dsyevd, or dsyevr for an index
 * range: ./kernels); otherwise the project's own version of dsyevd: Householder tridiagonalisation (./tridiagonal), then
 * implicit QL with shifts on the tridiagonal for values only (O(n^2)), or divide and conquer (./dc; Cuppen,
 * Gu-Eisenstat) when vectors are wanted, then the blocked (compact WY) back-transformation. Row-major
 * Float64Array storage; the O(n^3) parts run in WebAssembly SIMD kernels when available (./kernels/wasm,
 * ./tridiag.wat), in JavaScript otherwise.
 *
 * Accuracy (test/linalg): scaled residual ||AQ - QΛ||_F / (n ||A||_F eps) and orthogonality
 * ||QᵀQ - I||_F / (n eps) below 10 on random, Wilkinson, glued Wilkinson, graded, clustered, repeated,
 * rank-deficient, zero, identity, diagonal, 1x1, 2x2 and 1e±200-scaled matrices up to n = 1000.
 */
import { Matrix } from "ml-matrix";
import { backTransformRows, releaseWasmTridiagonalMemory, tridiagonalize, tridiagonalQL } from "./tridiagonal";
import { releaseWasmGemmMemory } from "./kernels/wasm";
import { tridiagonalDC } from "./dc";
import { lapackAvailable, lapackSymmetricEigen } from "./kernels";
import { assertIntInRange, assertNonEmpty, assertPositive, assertSquare, assertSymmetric, toRowMajor } from "./validate";

/** Options of `eigh`. */
export interface EighOptions {
  /** Also return eigenvectors (default false). */
  vectors?: boolean;
  /** Return only the k largest eigenvalues (still in ascending order). */
  largest?: number;
  /** Return only the k smallest eigenvalues. */
  smallest?: number;
  /**
   * Accept A as symmetric when max |a_ij - a_ji| <= symmetryTolerance * max |a_ij| (default 1e-10); A is
   * then replaced by (A + A^T) / 2.
   */
  symmetryTolerance?: number;
  /**
   * Tridiagonal solver for the vectors: "dc" divide and conquer, "ql" implicit QL (both the project's own);
   * default "auto": LAPACK on the native backend, else dc for n > 32.
   */
  method?: "auto" | "ql" | "dc";
}

/** Result of `eigh`: values ascending, column j of `vectors` the unit eigenvector of values[j]. */
export interface EighResult {
  values: Float64Array;
  vectors: Matrix | null;
}

/** Result of `symmetricEigen`: values ascending, row j of `vt` (row-major, count x n) the vector of values[j]. */
export interface SymmetricEigenResult {
  values: Float64Array;
  vt: Float64Array | null;
}

/**
 * Eigen-decomposition of a symmetric matrix given as a row-major n x n Float64Array (overwritten). The
 * low-level entry point used inside lib/linalg; no input checks beyond what the algorithms need.
 *
 * @param a row-major symmetric n x n matrix; destroyed (only its upper triangle is read)
 * @param n order
 * @param wantVectors also compute eigenvectors
 * @param first index (in ascending order) of the first eigenpair wanted (default 0)
 * @param count number of eigenpairs wanted (default n - first)
 * @param method "auto" | "ql" | "dc"
 * @returns values ascending (length count) and, if wanted, `vt` with row j = eigenvector of values[j]
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
  wantVectors: boolean,
  first = 0,
  count = n - first,
  method: "auto" | "ql" | "dc" = "auto",
): SymmetricEigenResult {
  // Scale to max |a_ij| = 1 so that nothing over- or underflows; undone on the values at the end.
  let amax = 0;
  for (let i = 0; i < n * n; i++) {
    const x = Math.abs(a[i]);
    if (x > amax) amax = x;
  }
  if (amax === 0) {
    const values = new Float64Array(count);
    let vt: Float64Array | null = null;
    if (wantVectors) {
      vt = new Float64Array(count * n);
      for (let j = 0; j < count; j++) vt[j * n + first + j] = 1;
    }
    return { values, vt };
  }
  // a power of two, so the scaling is exact
  const scale = Math.pow(2, Math.round(Math.log2(amax)));
  for (let i = 0; i < n * n; i++) a[i] /= scale;
  if (method === "auto" && lapackAvailable()) {
    // native backend: LAPACK's dsyevd (whole spectrum) or dsyevr (an index range)
    const r = lapackSymmetricEigen(a, n, wantVectors, first, count);
    for (let i = 0; i < r.values.length; i++) r.values[i] *= scale;
    return r;
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const tau = new Float64Array(n);
  tridiagonalize(a, n, d, e, tau);
  let values: Float64Array;
  let vt: Float64Array | null = null;
  if (!wantVectors) {
    tridiagonalQL(d, e, n, null);
    values = d.slice(first, first + count);
  } else {
    const useDC = method === "dc" || (method === "auto" && n > 32);
    let full: Float64Array;
    if (useDC) {
      full = tridiagonalDC(d, e, n);
    } else {
      full = new Float64Array(n * n);
      for (let i = 0; i < n; i++) full[i * n + i] = 1;
      tridiagonalQL(d, e, n, full);
    }
    values = d.slice(first, first + count);
    vt = first === 0 && count === n ? full : full.slice(first * n, (first + count) * n);
    backTransformRows(a, tau, n, vt, count);
  }
  for (let i = 0; i < values.length; i++) values[i] *= scale;
  // wasm memory never shrinks: let large workspaces (> 64 MB, n >~ 2800) be collected
  releaseWasmTridiagonalMemory();
  releaseWasmGemmMemory();
  return { values, vt };
}

/**
 * Eigenvalues and (optionally) eigenvectors of a real symmetric matrix.
 *
 * @param A symmetric n x n Matrix (finite entries; symmetric up to `symmetryTolerance`, default 1e-10 relative
 *   to max |a_ij|, after which (A + A^T)/2 is used)
 * @param options `vectors` (default false), `largest: k` or `smallest: k` (1 <= k <= n) to return only
 *   the top or bottom k, `symmetryTolerance`, `method`
 * @returns `values` in ASCENDING order (also for `largest`), `vectors` (n x k, column j belongs to values[j],
 *   orthonormal columns) or null
 * @example eigh(new Matrix([[2, 1], [1, 2]]), { vectors: true }) // values [1, 3]
 */
export function eigh(A: Matrix, options: EighOptions = {}): EighResult {
  const fn = "eigh";
  const n = assertSquare(fn, "A", A);
  assertNonEmpty(fn, "A", A);
  const { vectors = false, largest, smallest, symmetryTolerance = 1e-10, method = "auto" } = options;
  if (largest !== undefined && smallest !== undefined) throw new RangeError(`${fn}: give at most one of options.largest and options.smallest`);
  assertPositive(fn, "options.symmetryTolerance", symmetryTolerance, true);
  if (method !== "auto" && method !== "ql" && method !== "dc") throw new RangeError(`${fn}: options.method must be "auto", "ql" or "dc", got ${String(method)}`);
  let first = 0;
  let count = n;
  if (largest !== undefined) {
    count = assertIntInRange(fn, "options.largest", largest, 1, n);
    first = n - count;
  } else if (smallest !== undefined) {
    count = assertIntInRange(fn, "options.smallest", smallest, 1, n);
  }
  const a = toRowMajor(fn, "A", A);
  assertSymmetric(fn, "A", a, n, symmetryTolerance);
  symmetrizeInPlace(a, n);
  const { values, vt } = symmetricEigen(a, n, vectors, first, count, method);
  return { values, vectors: vt === null ? null : rowsToColumnsMatrix(vt, count, n) };
}

/** Eigenvalues of a symmetric matrix, ascending (same checks as `eigh`). */
export function eigvalsh(A: Matrix): Float64Array {
  return eigh(A).values;
}

/** Replace a row-major n x n array by (A + A^T)/2. */
export function symmetrizeInPlace(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (a[i * n + j] + a[j * n + i]);
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
}

/** n x count Matrix whose column j is row j of `vt` (count x n row-major). */
export function rowsToColumnsMatrix(vt: Float64Array, count: number, n: number): Matrix {
  const out = new Matrix(n, count);
  const data = (out as unknown as { data: Float64Array[] }).data;
  for (let i = 0; i < n; i++) {
    const row = data[i];
    for (let j = 0; j < count; j++) row[j] = vt[j * n + i];
  }
  return out;
}
