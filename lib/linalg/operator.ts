/**
 * A matrix-free linear operator: the curvature operators (Hessian, GGN, functional Hessian) are built as
 * these, and the iterative eigensolvers and trace estimators consume them. Nothing of size n x n is formed.
 */
export interface LinearOperator {
  /** Dimension n of the square operator. */
  readonly size: number;
  /** True when the operator is symmetric (every curvature operator in this project is). */
  readonly symmetric: boolean;
  /** y = A x. `x` has length `size`; must not modify `x`. */
  matvec(x: Float64Array): Float64Array;
  /**
   * Y = A X for k vectors at once, stored column-major: X[j * size + i] is entry i of vector j.
   * Optional: callers fall back to k matvecs.
   */
  matmat?(x: Float64Array, k: number): Float64Array;
}

import { Matrix } from "ml-matrix";
import { assertNonEmpty, assertSquare, toRowMajor } from "./validate";

/**
 * A dense matrix as a LinearOperator (for tests, small problems, and checking matrix-free solvers against the
 * dense eigensolver on the same operator). The matrix is copied.
 *
 * @param A square n x n Matrix with finite entries
 * @param options.symmetryTolerance `symmetric` is true when max |a_ij - a_ji| <= tol * max |a_ij| (default 1e-10)
 * @returns operator with `matvec` (y = A x) and `matmat` (column-major blocks)
 */
export function denseOperator(A: Matrix, options: { symmetryTolerance?: number } = {}): LinearOperator {
  const n = assertSquare("denseOperator", "A", A);
  assertNonEmpty("denseOperator", "A", A);
  const a = toRowMajor("denseOperator", "A", A);
  const tol = options.symmetryTolerance ?? 1e-10;
  let amax = 0;
  let asym = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      amax = Math.max(amax, Math.abs(a[i * n + j]));
      if (j < i) asym = Math.max(asym, Math.abs(a[i * n + j] - a[j * n + i]));
    }
  }
  const symmetric = asym <= tol * amax;
  return {
    size: n,
    symmetric,
    matvec(x: Float64Array): Float64Array {
      if (x.length !== n) throw new RangeError(`denseOperator.matvec: x must have length ${n}, got ${x.length}`);
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const o = i * n;
        let s = 0;
        for (let j = 0; j < n; j++) s += a[o + j] * x[j];
        y[i] = s;
      }
      return y;
    },
    matmat(x: Float64Array, k: number): Float64Array {
      if (x.length !== n * k) throw new RangeError(`denseOperator.matmat: x must have length ${n} * ${k}, got ${x.length}`);
      const y = new Float64Array(n * k);
      for (let c = 0; c < k; c++) {
        const xo = c * n;
        for (let i = 0; i < n; i++) {
          const o = i * n;
          let s = 0;
          for (let j = 0; j < n; j++) s += a[o + j] * x[xo + j];
          y[xo + i] = s;
        }
      }
      return y;
    },
  };
}
