/**
 * Thin singular value decomposition: LAPACK dgesdd on the native backend (./kernels); otherwise QR followed by
 * one-sided Jacobi (Hestenes) on R: accurate (small
 * singular values to high relative accuracy for well-scaled columns), simple, and fast enough for the few
 * hundred columns the notebooks use.
 */
import { Matrix } from "ml-matrix";
import { dot, matmul, transpose } from "./blas";
import { lapackAvailable, lapackSvd } from "./kernels";
import { qrRows } from "./qr";
import { fromRowMajor } from "./storage";
import { assertNonEmpty, toRowMajor } from "./validate";

const EPS = 2.220446049250313e-16;

/**
 * Thin SVD A = U diag(s) V^T.
 *
 * @param A m x n Matrix with finite entries (any shape)
 * @returns U (m x p), s (length p = min(m, n), DESCENDING, >= 0), V (n x p); U and V have orthonormal columns
 * @throws if Jacobi sweeps fail to converge (never observed)
 */
export function svd(A: Matrix): { U: Matrix; s: Float64Array; V: Matrix } {
  const a = toRowMajor("svd", "A", A);
  assertNonEmpty("svd", "A", A);
  const m = A.rows;
  const n = A.columns;
  if (lapackAvailable()) {
    const p = Math.min(m, n);
    const { s, u, vt } = lapackSvd(a, m, n); // dgesdd
    return { U: fromRowMajor(u, m, p), s, V: fromRowMajor(transpose(vt, p, n), n, p) };
  }
  if (m >= n) {
    const { ut, s, vt } = svdRows(transpose(a, m, n), m, n);
    return { U: fromRowMajor(transpose(ut, n, m), m, n), s, V: fromRowMajor(transpose(vt, n, n), n, n) };
  }
  // A^T = U' S V'^T  =>  A = V' S U'^T
  const { ut, s, vt } = svdRows(a.slice(), n, m);
  return { U: fromRowMajor(transpose(vt, m, m), m, m), s, V: fromRowMajor(transpose(ut, m, n), n, m) };
}

/**
 * SVD of an m x n matrix (m >= n) given by its columns as rows (`at`, n x m row-major; destroyed).
 * Returns ut (n x m, row j = left singular vector j), s descending, vt (n x n, row j = right vector j).
 */
export function svdRows(at: Float64Array, m: number, n: number): { ut: Float64Array; s: Float64Array; vt: Float64Array } {
  // Scale by a power of two (exact) so that squared column norms neither underflow nor overflow.
  let amax = 0;
  for (let i = 0; i < m * n; i++) amax = Math.max(amax, Math.abs(at[i]));
  const scale = amax > 0 ? Math.pow(2, Math.round(Math.log2(amax))) : 1;
  if (scale !== 1) for (let i = 0; i < m * n; i++) at[i] /= scale;
  // A = Q R; then one-sided Jacobi on the columns of R (rows of rt): R V = W, columns of W orthogonal.
  const { qt, r } = qrRows(at, m, n);
  const w = transpose(r, n, n); // row j = column j of R
  const vt = new Float64Array(n * n); // row j = column j of V
  for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  const norms = new Float64Array(n);
  // Off-diagonal test |w_p . w_q| <= sqrt(n) eps |w_p| |w_q| (LAPACK's dgesvj uses sqrt(m) eps): with eps
  // alone the rotations can stagnate at the rounding level (seen at 1.1 eps) and the sweeps never end.
  const tol = Math.sqrt(Math.max(n, 1)) * EPS;
  let converged = false;
  for (let sweep = 0; sweep < 60 && !converged; sweep++) {
    converged = true;
    let largest = 0;
    for (let i = 0; i < n; i++) {
      norms[i] = dot(w, w, n, i * n, i * n);
      largest = Math.max(largest, norms[i]);
    }
    // Columns below eps * the largest carry no accurate direction (their singular values are at the rounding
    // level of ||A||): rotating them cannot converge further and changes nothing that is accurate.
    const negligible = EPS * EPS * largest;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p];
        const beta = norms[q];
        if (alpha <= negligible || beta <= negligible) continue;
        const gamma = dot(w, w, n, p * n, q * n);
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        converged = false;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotateRows(w, n, p, q, c, s);
        rotateRows(vt, n, p, q, c, s);
        norms[p] = alpha - t * gamma;
        norms[q] = beta + t * gamma;
      }
    }
  }
  if (!converged) throw new Error(`svd: one-sided Jacobi did not converge in 60 sweeps (n = ${n})`);
  // singular values and left vectors of R; sort descending
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let scale = 0;
    for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(w[j * n + i]));
    if (scale === 0) continue;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const x = w[j * n + i] / scale;
      ss += x * x;
    }
    sv[j] = scale * Math.sqrt(ss);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => sv[y] - sv[x] || x - y);
  const s = Float64Array.from(order, (i) => sv[i]);
  const sOut = Float64Array.from(s, (x) => x * scale);
  const ur = new Float64Array(n * n); // rows: left singular vectors of R
  const vs = new Float64Array(n * n);
  // Singular values at the rounding level of the largest have no accurate left direction of their own: their
  // left vectors are made orthogonal to the ones before (their column of W first, else unit vectors), so U
  // stays orthonormal and A = U S V^T still holds to eps ||A||.
  const accurate = EPS * s[0];
  for (let k = 0; k < n; k++) {
    const j = order[k];
    vs.set(vt.subarray(j * n, j * n + n), k * n);
    if (s[k] > accurate) {
      for (let i = 0; i < n; i++) ur[k * n + i] = w[j * n + i] / s[k];
      continue;
    }
    const candidates: Float64Array[] = [];
    if (s[k] > 0) candidates.push(Float64Array.from(w.subarray(j * n, j * n + n), (x) => x / s[k]));
    for (let e = 0; e < n; e++) {
      const unit = new Float64Array(n);
      unit[e] = 1;
      candidates.push(unit);
    }
    for (const cand of candidates) {
      for (let pass = 0; pass < 2; pass++) {
        for (let l = 0; l < k; l++) {
          const c = dot(cand, ur, n, 0, l * n);
          for (let i = 0; i < n; i++) cand[i] -= c * ur[l * n + i];
        }
      }
      const nr = Math.sqrt(dot(cand, cand, n));
      if (nr > 0.5) {
        for (let i = 0; i < n; i++) ur[k * n + i] = cand[i] / nr;
        break;
      }
    }
  }
  // U = Q U_R  (as rows: ut = ur qt)
  const ut = matmul(ur, qt, n, n, m);
  return { ut, s: sOut, vt: vs };
}

function rotateRows(x: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  const po = p * n;
  const qo = q * n;
  for (let i = 0; i < n; i++) {
    const xp = x[po + i];
    const xq = x[qo + i];
    x[po + i] = c * xp - s * xq;
    x[qo + i] = s * xp + c * xq;
  }
}

/**
 * Singular values of A, descending, length min(rows, cols); an empty matrix has none. The one helper the
 * closed forms (papers) and the norm studies (experiments) share.
 */
export function singularValues(A: Matrix): Float64Array {
  if (A.rows === 0 || A.columns === 0) return new Float64Array(0);
  return svd(A.rows >= A.columns ? A : A.transpose()).s;
}
