/**
 * Cholesky factorisation: LAPACK dpotrf on the native backend (./kernels), the project's own loop otherwise.
 */
import { Matrix } from "ml-matrix";
import { lapackAvailable, lapackCholesky } from "./kernels";
import { fromRowMajor } from "./storage";
import { assertNonEmpty, assertPositive, assertSquare, assertSymmetric, toRowMajor } from "./validate";

/**
 * Cholesky factor of a symmetric positive definite matrix: A = L L^T with L lower triangular, positive
 * diagonal.
 *
 * @param A symmetric (up to `options.symmetryTolerance`, default 1e-10 relative to max |a_ij|) positive
 *   definite n x n Matrix; only its lower triangle is used
 * @returns L (n x n lower triangular)
 * @throws `cholesky: A is not positive definite (pivot k = ... is ...)` when a pivot is <= 0
 */
export function cholesky(A: Matrix, options: { symmetryTolerance?: number } = {}): Matrix {
  const fn = "cholesky";
  const n = assertSquare(fn, "A", A);
  assertNonEmpty(fn, "A", A);
  const tol = assertPositive(fn, "options.symmetryTolerance", options.symmetryTolerance ?? 1e-10, true);
  const a = toRowMajor(fn, "A", A);
  assertSymmetric(fn, "A", a, n, tol);
  if (lapackAvailable()) {
    const minor = lapackCholesky(a, n); // dpotrf
    if (minor > 0) throw new RangeError(`${fn}: A is not positive definite (pivot ${minor - 1}: the leading minor of order ${minor} is not positive definite)`);
    return fromRowMajor(a, n, n);
  }
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = a[rj + j];
    for (let p = 0; p < j; p++) s -= l[rj + p] * l[rj + p];
    if (!(s > 0)) throw new RangeError(`${fn}: A is not positive definite (pivot ${j} is ${s.toExponential(3)})`);
    const ljj = Math.sqrt(s);
    l[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ri + j];
      for (let p = 0; p < j; p++) t -= l[ri + p] * l[rj + p];
      l[ri + j] = t / ljj;
    }
  }
  return fromRowMajor(l, n, n);
}
