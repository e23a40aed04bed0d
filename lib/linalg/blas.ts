/**
 * Level-1 kernels (dot, axpy, scaled norm, transpose) on Float64Array storage, and the strided product of the
 * blocked eigensolver updates; products go through the kernel layer (./kernels).
 */
import { dgemm, matmul } from "./kernels";

export { matmul };

/** Dot product of x[xo .. xo+len) and y[yo .. yo+len). */
export function dot(x: Float64Array, y: Float64Array, len: number, xo = 0, yo = 0): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    s0 += x[xo + i] * y[yo + i];
    s1 += x[xo + i + 1] * y[yo + i + 1];
    s2 += x[xo + i + 2] * y[yo + i + 2];
    s3 += x[xo + i + 3] * y[yo + i + 3];
  }
  for (; i < len; i++) s0 += x[xo + i] * y[yo + i];
  return s0 + s1 + (s2 + s3);
}

/** y[yo ..] += a * x[xo ..] over len entries. */
export function axpy(a: number, x: Float64Array, y: Float64Array, len: number, xo = 0, yo = 0): void {
  for (let i = 0; i < len; i++) y[yo + i] += a * x[xo + i];
}

/** Euclidean norm, scaled against overflow and underflow. */
export function norm2(x: Float64Array, len = x.length, xo = 0): number {
  let scale = 0;
  for (let i = 0; i < len; i++) scale = Math.max(scale, Math.abs(x[xo + i]));
  if (scale === 0) return 0;
  if (scale > 1e-150 && scale < 1e150) return Math.sqrt(dot(x, x, len, xo, xo));
  let s = 0;
  for (let i = 0; i < len; i++) {
    const t = x[xo + i] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/**
 * General strided product C += alpha A B with A m x k (entry (i, p) at a[aOff + i * lda + p]), B k x n (entry
 * (p, j) at b[bOff + p * ldb + j]) and C m x n (entry (i, j) at c[cOff + i * ldc + j]), through the kernel
 * layer (./kernels: native BLAS, WebAssembly or JavaScript).
 */
export function gemm(
  m: number, n: number, k: number, alpha: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  if (m === 0 || n === 0 || k === 0 || alpha === 0) return;
  dgemm(false, false, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, 1, c, cOff, ldc);
}

/** Transpose of a row-major rows x cols array (blocked). */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * rows + i] = a[i * cols + j];
    }
  }
  return out;
}
