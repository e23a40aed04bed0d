/**
 * Thin Householder QR: LAPACK dgeqrf + dorgqr on the native backend (./kernels), the project's own
 * reflections otherwise.
 */
import { Matrix } from "ml-matrix";
import { fromRowMajor } from "./storage";
import { assertNonEmpty, toRowMajor } from "./validate";
import { dot, transpose } from "./blas";
import { lapackAvailable, lapackQrRows } from "./kernels";

/**
 * Householder QR of the columns of a (rows = vectors, `n` vectors of length `m`, row-major n x m; destroyed).
 * Returns qt (n x m, row j = column j of the thin Q) and r (n x n row-major, upper triangular with a
 * nonnegative diagonal). Internal form used by svd, lobpcg and hutchpp.
 */
export function qrRows(at: Float64Array, m: number, n: number): { qt: Float64Array; r: Float64Array } {
  const { qt, r } = lapackAvailable() ? lapackQrRows(at, m, n) : householderQrRows(at, m, n);
  // nonnegative diagonal of R (unique factors for full column rank)
  for (let j = 0; j < n; j++) {
    if (r[j * n + j] < 0) {
      for (let c = j; c < n; c++) r[j * n + c] = -r[j * n + c];
      for (let i = 0; i < m; i++) qt[j * m + i] = -qt[j * m + i];
    }
  }
  return { qt, r };
}

/** The project's own Householder QR (same storage as qrRows; R's diagonal may be negative). */
function householderQrRows(at: Float64Array, m: number, n: number): { qt: Float64Array; r: Float64Array } {
  const tau = new Float64Array(n);
  const r = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const vj = j * m;
    // Householder for at[j, j..m-1]
    let scale = 0;
    for (let i = j + 1; i < m; i++) scale = Math.max(scale, Math.abs(at[vj + i]));
    const alpha = at[vj + j];
    let beta = alpha;
    let t = 0;
    if (scale > 0) {
      // the tail below the diagonal is nonzero: reflect
      scale = Math.max(scale, Math.abs(alpha));
      let s = 0;
      for (let i = j; i < m; i++) {
        const x = at[vj + i] / scale;
        s += x * x;
      }
      const nrm = scale * Math.sqrt(s);
      beta = alpha >= 0 ? -nrm : nrm;
      t = (beta - alpha) / beta;
      const f = 1 / (alpha - beta);
      for (let i = j + 1; i < m; i++) at[vj + i] *= f;
    }
    at[vj + j] = 1;
    tau[j] = t;
    r[j * n + j] = beta;
    // apply H_j to the remaining columns (rows of at)
    for (let c = j + 1; c < n; c++) {
      const vc = c * m;
      if (t !== 0) {
        const s = t * dot(at, at, m - j, vj + j, vc + j);
        for (let i = j; i < m; i++) at[vc + i] -= s * at[vj + i];
      }
      r[j * n + c] = at[vc + j];
    }
  }
  // thin Q: column c = H_0 ... H_{n-1} e_c, built as rows
  const qt = new Float64Array(n * m);
  for (let c = 0; c < n; c++) {
    const qc = c * m;
    qt[qc + c] = 1;
    for (let j = Math.min(c, n - 1); j >= 0; j--) {
      const t = tau[j];
      if (t === 0) continue;
      const vj = j * m;
      const s = t * dot(at, qt, m - j, vj + j, qc + j);
      for (let i = j; i < m; i++) qt[qc + i] -= s * at[vj + i];
    }
  }
  return { qt, r };
}

/**
 * Thin QR decomposition A = Q R by Householder reflections.
 *
 * @param A m x n Matrix with m >= n, finite entries
 * @returns Q (m x n, orthonormal columns) and R (n x n upper triangular, diagonal >= 0; unique when A has full
 *   column rank)
 */
export function qr(A: Matrix): { Q: Matrix; R: Matrix } {
  const a = toRowMajor("qr", "A", A);
  assertNonEmpty("qr", "A", A);
  const m = A.rows;
  const n = A.columns;
  if (m < n) throw new RangeError(`qr: A must have at least as many rows as columns (thin QR), got ${m} x ${n}`);
  const { qt, r } = qrRows(transpose(a, m, n), m, n);
  return { Q: fromRowMajor(transpose(qt, n, m), m, n), R: fromRowMajor(r, n, n) };
}
