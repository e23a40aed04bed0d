/**
 * Orthonormal bases from columns: Gram-Schmidt orthonormalisation (twice, with replacement of dependent
 * columns) and completion of k orthonormal columns to a full orthogonal matrix. Used by the balanced
 * initialisations and by the closed forms that need square singular-vector bases.
 */
import { Matrix } from "ml-matrix";
import { assertMatrix } from "./validate";

/**
 * Orthonormalise the columns of A (n x k, k <= n) by modified Gram-Schmidt applied twice; a column that
 * becomes (numerically) dependent is replaced by a fresh standard basis direction.
 */
export function orthonormalColumns(A: Matrix): Matrix {
  assertMatrix("orthonormalColumns", "A", A);
  const n = A.rows, k = A.columns;
  if (k > n) throw new RangeError(`orthonormalColumns: A must have at most as many columns as rows, got ${n} x ${k}`);
  const Q = A.clone();
  let nextBasis = 0;
  for (let j = 0; j < k; j++) {
    for (let attempt = 0; attempt < n + 2; attempt++) {
      const before = colNorm(Q, j);
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < j; q++) {
          let d = 0;
          for (let i = 0; i < n; i++) d += Q.get(i, q) * Q.get(i, j);
          for (let i = 0; i < n; i++) Q.set(i, j, Q.get(i, j) - d * Q.get(i, q));
        }
      }
      const nrm = colNorm(Q, j);
      if (nrm > 1e-10 * Math.max(before, 1e-300) && nrm > 0) {
        for (let i = 0; i < n; i++) Q.set(i, j, Q.get(i, j) / nrm);
        break;
      }
      for (let i = 0; i < n; i++) Q.set(i, j, i === nextBasis ? 1 : 0);
      nextBasis++;
    }
  }
  return Q;
}

function colNorm(Q: Matrix, j: number): number {
  let s = 0;
  for (let i = 0; i < Q.rows; i++) s += Q.get(i, j) ** 2;
  return Math.sqrt(s);
}

/** Complete n x k orthonormal columns to an n x n orthogonal matrix (first k columns kept). */
export function completeBasis(Q: Matrix): Matrix {
  assertMatrix("completeBasis", "Q", Q);
  const n = Q.rows, k = Q.columns;
  if (k > n) throw new RangeError(`completeBasis: Q must have at most as many columns as rows, got ${n} x ${k}`);
  const full = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) full.set(i, j, Q.get(i, j));
  // candidate columns: the standard basis, orthogonalised against what is there
  let col = k;
  for (let e = 0; e < n && col < n; e++) {
    const v = new Float64Array(n);
    v[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let q = 0; q < col; q++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += full.get(i, q) * v[i];
        for (let i = 0; i < n; i++) v[i] -= d * full.get(i, q);
      }
    }
    let nrm = 0;
    for (let i = 0; i < n; i++) nrm += v[i] * v[i];
    nrm = Math.sqrt(nrm);
    if (nrm < 1e-8) continue;
    for (let i = 0; i < n; i++) full.set(i, col, v[i] / nrm);
    col++;
  }
  return full;
}
