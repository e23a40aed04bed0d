/**
 * Shared pieces of the matrix-free solvers: bases stored as rows of one Float64Array (vector i at
 * [i * n, (i + 1) * n)), block Gram-Schmidt, random starts and Matrix conversion.
 */
import { Matrix } from "ml-matrix";
import type { Rng } from "../random/rng";
import { norm2 } from "./blas";
import { dgemm } from "./kernels";

/**
 * Orthogonalise w (length n) against rows [0, count) of `basis` by classical Gram-Schmidt applied twice
 * (CGS2, "twice is enough"): each pass is `c = B w`, `w -= B^T c` with B the rows, two matrix-vector
 * products through the kernel layer (a JavaScript loop per basis vector cost most of a Lanczos run). The
 * coefficients of both passes are added into `coef` if given. Returns ||w|| after orthogonalisation.
 * w may be a row of `basis` at or after row `count` (it is not read as part of B).
 */
export function orthogonalizeAgainst(w: Float64Array, basis: Float64Array, count: number, n: number, coef?: Float64Array): number {
  if (count > 0) {
    const c = new Float64Array(count);
    for (let pass = 0; pass < 2; pass++) {
      dgemm(false, false, count, 1, n, 1, basis, 0, n, w, 0, 1, 0, c, 0, 1);
      dgemm(true, false, n, 1, count, -1, basis, 0, n, c, 0, 1, 1, w, 0, 1);
      if (coef) for (let i = 0; i < count; i++) coef[i] += c[i];
    }
  }
  return norm2(w, n);
}

/**
 * Rows `out[t] = sum_l coefficients[rows[t] * size + l] * basis[l]` for l < size: combinations of the first
 * `size` basis rows (Ritz vectors, a restart's kept block; `coefficients` holds one row of `size` per
 * eigenvector of the projected matrix) as one product through the kernel layer.
 */
export function combineRows(coefficients: Float64Array, rows: readonly number[], size: number, basis: Float64Array, n: number, out: Float64Array): void {
  const p = rows.length;
  const C = new Float64Array(p * size);
  for (let t = 0; t < p; t++) C.set(coefficients.subarray(rows[t] * size, (rows[t] + 1) * size), t * size);
  dgemm(false, false, p, n, size, 1, C, 0, size, basis, 0, n, 0, out, 0, n);
}

/**
 * A random unit vector orthogonal to rows [0, count) of `basis` (Gaussian draws from `rng`). Returns null if
 * the basis already spans the space (count >= n).
 */
export function randomOrthogonal(rng: Rng, basis: Float64Array, count: number, n: number): Float64Array | null {
  if (count >= n) return null;
  for (let attempt = 0; attempt < 10; attempt++) {
    const w = rng.normalArray(n);
    const before = norm2(w, n);
    const after = orthogonalizeAgainst(w, basis, count, n);
    if (after > 1e-8 * before) {
      for (let l = 0; l < n; l++) w[l] /= after;
      return w;
    }
  }
  return null;
}

/** n x k Matrix whose column j is row j of `rows` (k x n row-major). */
export function rowsToMatrix(rows: Float64Array, k: number, n: number): Matrix {
  const out = new Matrix(n, k);
  const data = (out as unknown as { data: Float64Array[] }).data;
  for (let i = 0; i < n; i++) {
    const r = data[i];
    for (let j = 0; j < k; j++) r[j] = rows[j * n + i];
  }
  return out;
}

/** Apply op to count vectors stored as rows (uses op.matmat when present: rows of a row-major k x n array are exactly its column-major blocks). */
export function applyToRows(
  fn: string,
  op: { size: number; matvec(x: Float64Array): Float64Array; matmat?(x: Float64Array, k: number): Float64Array },
  rows: Float64Array,
  count: number,
): Float64Array {
  const n = op.size;
  if (count === 0) return new Float64Array(0);
  let out: Float64Array;
  if (op.matmat) {
    out = op.matmat(rows.subarray(0, count * n).slice(), count);
    if (!out || out.length !== count * n) throw new RangeError(`${fn}: op.matmat returned length ${out ? out.length : out}, expected ${count * n}`);
  } else {
    out = new Float64Array(count * n);
    for (let j = 0; j < count; j++) {
      const y = op.matvec(rows.slice(j * n, j * n + n));
      if (!y || y.length !== n) throw new RangeError(`${fn}: op.matvec returned length ${y ? y.length : y}, expected ${n}`);
      out.set(y, j * n);
    }
  }
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) throw new RangeError(`${fn}: the operator returned a non-finite entry ${out[i]}`);
  return out;
}
