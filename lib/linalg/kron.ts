/**
 * Kronecker product, row- and column-wise vectorisation and their inverses, and the padding operator P(D).
 */
import { Matrix } from "ml-matrix";
import { fromColumnMajor, fromRowMajor } from "./storage";
import { assertFiniteArray, assertIntInRange, assertMatrix, toRowMajor } from "./validate";

/**
 * Kronecker product A ⊗ B: the (p m) x (q n) block matrix whose block (i, j) is a_ij B, for A p x q, B m x n.
 * Identities: vecCols(A X B) = (B^T ⊗ A) vecCols(X), vecRows(A X B) = (A ⊗ B^T) vecRows(X).
 */
export function kron(A: Matrix, B: Matrix): Matrix {
  const a = toRowMajor("kron", "A", A);
  const b = toRowMajor("kron", "B", B);
  const p = A.rows, q = A.columns, m = B.rows, n = B.columns;
  const cols = q * n;
  const out = new Float64Array(p * m * cols);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < q; j++) {
      const aij = a[i * q + j];
      if (aij === 0) continue;
      for (let r = 0; r < m; r++) {
        const o = (i * m + r) * cols + j * n;
        const br = r * n;
        for (let c = 0; c < n; c++) out[o + c] = aij * b[br + c];
      }
    }
  }
  return fromRowMajor(out, p * m, cols);
}

/** Row-wise vectorisation: the rows of A (r x c) one after another, entry (i, j) at index i * c + j. */
export function vecRows(A: Matrix): Float64Array {
  return toRowMajor("vecRows", "A", A);
}

/** Column-wise vectorisation (the usual vec): the columns of A (r x c) stacked, entry (i, j) at j * r + i. */
export function vecCols(A: Matrix): Float64Array {
  assertMatrix("vecCols", "A", A);
  const a = toRowMajor("vecCols", "A", A);
  const r = A.rows, c = A.columns;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

function checkUnvec(fn: string, v: ArrayLike<number>, rows: number, cols: number): void {
  if (v === null || v === undefined || typeof v.length !== "number") throw new TypeError(`${fn}: v must be an array of numbers`);
  assertIntInRange(fn, "rows", rows, 0, Number.MAX_SAFE_INTEGER);
  assertIntInRange(fn, "cols", cols, 0, Number.MAX_SAFE_INTEGER);
  if (v.length !== rows * cols) throw new RangeError(`${fn}: v must have length rows * cols = ${rows * cols}, got ${v.length}`);
  assertFiniteArray(fn, "v", v);
}

/** Inverse of vecRows: the rows x cols Matrix with entry (i, j) = v[i * cols + j]. */
export function unvecRows(v: ArrayLike<number>, rows: number, cols: number): Matrix {
  checkUnvec("unvecRows", v, rows, cols);
  return fromRowMajor(v, rows, cols);
}

/** Inverse of vecCols: the rows x cols Matrix with entry (i, j) = v[j * rows + i]. */
export function unvecCols(v: ArrayLike<number>, rows: number, cols: number): Matrix {
  checkUnvec("unvecCols", v, rows, cols);
  return fromColumnMajor(v, rows, cols);
}

/**
 * The padding operator P(D): the rows x cols matrix with D in its top-left corner and zeros elsewhere
 * (requires rows >= D.rows and cols >= D.columns).
 */
export function pad(D: Matrix, rows: number, cols: number): Matrix {
  const d = toRowMajor("pad", "D", D);
  assertIntInRange("pad", "rows", rows, D.rows, Number.MAX_SAFE_INTEGER);
  assertIntInRange("pad", "cols", cols, D.columns, Number.MAX_SAFE_INTEGER);
  const out = new Matrix(rows, cols);
  for (let i = 0; i < D.rows; i++) for (let j = 0; j < D.columns; j++) out.set(i, j, d[i * D.columns + j]);
  return out;
}
