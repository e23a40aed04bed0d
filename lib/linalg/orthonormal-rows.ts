/**
 * Orthonormal rows of a wide d x n matrix (d <= n): the row-space basis whitening needs. CholeskyQR2 through
 * the blocked gemm kernel for well-conditioned data (fast for 784 x 5000 images), Gram-Schmidt (twice, with
 * optional completion of dependent rows) as the robust fallback.
 */
import { Matrix } from "ml-matrix";
import { gemm } from "./matmul";
import { rowMajorOf } from "./storage";

/**
 * Orthonormal basis of the row space of X (d x n, d <= n) by modified Gram-Schmidt applied twice, as a
 * d x n matrix Q with Q Q^T = I (the transpose of the thin-QR factor of X^T). If X has rank < d, throws
 * unless `rankDeficient` is "complete": then each dependent row is replaced by a standard basis vector
 * orthogonalised against the rows before it (as a Householder QR would also return some orthonormal
 * completion), so Q Q^T = I still holds but those rows carry no data.
 */
export function orthonormalRows(X: Matrix, where = "orthonormalRows", rankDeficient: "throw" | "complete" = "throw"): Matrix {
  const d = X.rows, n = X.columns;
  if (d > n) throw new RangeError(`${where}: X must have at least as many columns (samples) as rows, got ${d} x ${n}`);
  const q: Float64Array[] = [];
  for (let i = 0; i < d; i++) q.push(Float64Array.from(X.getRow(i)));
  let nextBasis = 0;
  for (let i = 0; i < d; i++) {
    const row = q[i];
    for (let attempt = 0; ; attempt++) {
      let before = 0;
      for (let j = 0; j < n; j++) before += row[j] * row[j];
      before = Math.sqrt(before);
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < i; p++) {
          const qp = q[p];
          let dd = 0;
          for (let j = 0; j < n; j++) dd += qp[j] * row[j];
          for (let j = 0; j < n; j++) row[j] -= dd * qp[j];
        }
      }
      let nrm = 0;
      for (let j = 0; j < n; j++) nrm += row[j] * row[j];
      nrm = Math.sqrt(nrm);
      if (nrm > 1e-10 * before && nrm > 0) {
        for (let j = 0; j < n; j++) row[j] /= nrm;
        break;
      }
      if (rankDeficient !== "complete") {
        throw new RangeError(`${where}: X has rank below its ${d} rows (row ${i} is dependent on the previous ones); pass { rankDeficient: "complete" } to fill in orthonormal directions as QR does`);
      }
      if (nextBasis >= n || attempt > n) throw new RangeError(`${where}: could not complete the orthonormal rows`);
      row.fill(0);
      row[nextBasis++] = 1;
    }
  }
  return new Matrix(q.map((r) => Array.from(r)));
}

/**
 * Orthonormal rows by CholeskyQR2 (Fukaya et al. 2014): twice Q <- L^{-1} Q with L L^T = Q Q^T. Uses the
 * blocked gemm kernel, so it is fast for d x n data such as 784 x 5000 images. Returns null when the Gram
 * matrix is too ill-conditioned for Cholesky (relative pivot below 1e-10), and the caller falls back to
 * Gram-Schmidt. The result equals the Q of a QR decomposition with positive diagonal R.
 */
export function choleskyQr2(X: Matrix): Matrix | null {
  const d = X.rows, n = X.columns;
  let Q = rowMajorOf(X);
  for (let pass = 0; pass < 2; pass++) {
    const G = new Float64Array(d * d);
    gemm(false, true, d, d, n, Q, Q, G, false);
    // Cholesky G = L L^T (lower, row-major)
    const L = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = G[i * d + j];
        for (let k = 0; k < j; k++) sum -= L[i * d + k] * L[j * d + k];
        if (i === j) {
          // a relative pivot below 1e-14 means cond(X) beyond ~1e7: leave it to Gram-Schmidt
          if (!(G[i * d + i] > 0) || !(sum > 1e-14 * G[i * d + i])) return null;
          L[i * d + i] = Math.sqrt(sum);
        } else {
          L[i * d + j] = sum / L[j * d + j];
        }
      }
    }
    // blocked forward substitution Q <- L^{-1} Q: the update from earlier blocks is one gemm per block
    const out = Float64Array.from(Q);
    const B = 64;
    for (let i0 = 0; i0 < d; i0 += B) {
      const i1 = Math.min(d, i0 + B);
      if (i0 > 0) {
        const b = i1 - i0;
        const Lb = new Float64Array(b * i0); // rows i0..i1-1, columns 0..i0-1 of L, contiguous
        for (let r = 0; r < b; r++) Lb.set(L.subarray((i0 + r) * d, (i0 + r) * d + i0), r * i0);
        const T = new Float64Array(b * n);
        gemm(false, false, b, n, i0, Lb, out.subarray(0, i0 * n), T, false);
        for (let t = 0; t < T.length; t++) out[i0 * n + t] -= T[t];
      }
      for (let i = i0; i < i1; i++) {
        const oi = i * n;
        for (let k = i0; k < i; k++) {
          const l = L[i * d + k];
          if (l === 0) continue;
          const ok = k * n;
          for (let j = 0; j < n; j++) out[oi + j] -= l * out[ok + j];
        }
        const inv = 1 / L[i * d + i];
        for (let j = 0; j < n; j++) out[oi + j] *= inv;
      }
    }
    Q = out;
  }
  const M = new Matrix(d, n);
  for (let i = 0; i < d; i++) for (let j = 0; j < n; j++) M.set(i, j, Q[i * n + j]);
  return M;
}
