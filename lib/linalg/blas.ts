/**
 * Small dense kernels on row-major Float64Array storage, written for V8: register blocking over 4 rows, cache
 * blocking over k and j, contiguous inner loops.
 */
import { gemmWasm } from "./wasm-gemm";

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
 * C (m x n) = A (m x k) B (k x n), all row-major and contiguous; `c` (if given) is overwritten.
 */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, c?: Float64Array): Float64Array {
  const out = c ?? new Float64Array(m * n);
  if (c) out.fill(0, 0, m * n);
  gemm(m, n, k, 1, a, 0, k, b, 0, n, out, 0, n);
  return out;
}

let useWasm = true;
/** Products with m n k below this use the JavaScript kernel (the wasm call copies its operands). */
const WASM_MIN_WORK = 32 * 32 * 32;

/** Turn the WebAssembly SIMD kernel for large products on or off (on by default; for benchmarks and tests). */
export function setWasmGemm(enabled: boolean): void {
  useWasm = enabled;
}

/** Whether the WebAssembly kernel is switched on (see setWasmGemm). */
export function wasmGemmEnabled(): boolean {
  return useWasm;
}

/**
 * General strided product C += alpha A B with A m x k (entry (i, p) at a[aOff + i * lda + p]), B k x n (entry
 * (p, j) at b[bOff + p * ldb + j]) and C m x n (entry (i, j) at c[cOff + i * ldc + j]).
 *
 * Kernel: a 4 x 2 register tile of C accumulated over a k-panel (8 accumulators, 6 loads per 16 flops),
 * with B packed per (k, j) panel so the tile's two columns are adjacent in memory.
 */
export function gemm(
  m: number, n: number, k: number, alpha: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  if (m === 0 || n === 0 || k === 0 || alpha === 0) return;
  if (m * n * k >= WASM_MIN_WORK && useWasm && gemmWasm(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc)) return;
  const KB = 256;
  const JB = 64;
  const pack = new Float64Array(KB * JB);
  for (let j0 = 0; j0 < n; j0 += JB) {
    const jw = Math.min(JB, n - j0);
    const jw2 = jw & ~1;
    for (let k0 = 0; k0 < k; k0 += KB) {
      const kw = Math.min(KB, k - k0);
      // pack B[k0:k0+kw, j0:j0+jw] as column pairs: pair q holds (B[p][j0+2q], B[p][j0+2q+1]) for p = 0..kw-1
      for (let q = 0; q < jw2; q += 2) {
        const po = q * kw;
        for (let p = 0; p < kw; p++) {
          const bo = bOff + (k0 + p) * ldb + j0 + q;
          pack[po + 2 * p] = b[bo];
          pack[po + 2 * p + 1] = b[bo + 1];
        }
      }
      if (jw2 < jw) {
        const po = jw2 * kw;
        for (let p = 0; p < kw; p++) pack[po + p] = b[bOff + (k0 + p) * ldb + j0 + jw2];
      }
      let i = 0;
      for (; i + 3 < m; i += 4) {
        const a0 = aOff + i * lda + k0, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        const c0 = cOff + i * ldc + j0, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        for (let q = 0; q < jw2; q += 2) {
          const po = q * kw;
          let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
          for (let p = 0; p < kw; p++) {
            const b0 = pack[po + 2 * p];
            const b1 = pack[po + 2 * p + 1];
            const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
            s00 += x0 * b0; s01 += x0 * b1;
            s10 += x1 * b0; s11 += x1 * b1;
            s20 += x2 * b0; s21 += x2 * b1;
            s30 += x3 * b0; s31 += x3 * b1;
          }
          c[c0 + q] += alpha * s00; c[c0 + q + 1] += alpha * s01;
          c[c1 + q] += alpha * s10; c[c1 + q + 1] += alpha * s11;
          c[c2 + q] += alpha * s20; c[c2 + q + 1] += alpha * s21;
          c[c3 + q] += alpha * s30; c[c3 + q + 1] += alpha * s31;
        }
        if (jw2 < jw) {
          const po = jw2 * kw;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let p = 0; p < kw; p++) {
            const bv = pack[po + p];
            s0 += a[a0 + p] * bv; s1 += a[a1 + p] * bv; s2 += a[a2 + p] * bv; s3 += a[a3 + p] * bv;
          }
          c[c0 + jw2] += alpha * s0; c[c1 + jw2] += alpha * s1; c[c2 + jw2] += alpha * s2; c[c3 + jw2] += alpha * s3;
        }
      }
      for (; i < m; i++) {
        const a0 = aOff + i * lda + k0;
        const c0 = cOff + i * ldc + j0;
        for (let q = 0; q < jw2; q += 2) {
          const po = q * kw;
          let s0 = 0, s1 = 0;
          for (let p = 0; p < kw; p++) {
            const x = a[a0 + p];
            s0 += x * pack[po + 2 * p];
            s1 += x * pack[po + 2 * p + 1];
          }
          c[c0 + q] += alpha * s0;
          c[c0 + q + 1] += alpha * s1;
        }
        if (jw2 < jw) {
          const po = jw2 * kw;
          let s = 0;
          for (let p = 0; p < kw; p++) s += a[a0 + p] * pack[po + p];
          c[c0 + jw2] += alpha * s;
        }
      }
    }
  }
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
