/**
 * Conversions between ml-matrix `Matrix` (the API edge) and flat Float64Array storage (the hot loops).
 */
import { Matrix } from "ml-matrix";

/**
 * A rows x cols Matrix from row-major data (entry (i, j) at data[offset + i * cols + j]); the data is copied.
 * `offset` reads one block out of a longer vector (a model's theta).
 */
export function fromRowMajor(data: ArrayLike<number>, rows: number, cols: number, offset = 0): Matrix {
  const out = new Matrix(rows, cols);
  const rowsData = (out as unknown as { data: Float64Array[] }).data;
  for (let i = 0; i < rows; i++) {
    const r = rowsData[i];
    const o = offset + i * cols;
    for (let j = 0; j < cols; j++) r[j] = data[o + j];
  }
  return out;
}

/** A rows x cols Matrix from column-major data (entry (i, j) at data[j * rows + i]); the data is copied. */
export function fromColumnMajor(data: ArrayLike<number>, rows: number, cols: number): Matrix {
  const out = new Matrix(rows, cols);
  const rowsData = (out as unknown as { data: Float64Array[] }).data;
  for (let i = 0; i < rows; i++) {
    const r = rowsData[i];
    for (let j = 0; j < cols; j++) r[j] = data[j * rows + i];
  }
  return out;
}

/**
 * Row-major copy of a Matrix (entry (i, j) at i * cols + j) without checks: the one row-major helper of the
 * library (validate.toRowMajor adds the finiteness check for the API edge).
 */
export function rowMajorOf(A: Matrix): Float64Array {
  const rows = A.rows;
  const cols = A.columns;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = (A as unknown as { data: Float64Array[] }).data?.[i];
    if (r) out.set(r.subarray ? r.subarray(0, cols) : r, i * cols);
    else for (let j = 0; j < cols; j++) out[i * cols + j] = A.get(i, j);
  }
  return out;
}
