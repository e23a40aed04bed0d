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
