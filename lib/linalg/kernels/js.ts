/**
 * The `js` backend: plain loops, for tiny products (where any call overhead dominates) and as the last
 * fallback where neither native BLAS nor WebAssembly is available.
 */
import type { Backend, Gemm } from "./contract";

/** Scale C (m x n, leading dimension ldc) by beta; beta = 0 writes zeros. */
export function scaleC(m: number, n: number, beta: number, c: Float64Array, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const o = cOff + i * ldc;
    if (beta === 0) c.fill(0, o, o + n);
    else for (let j = 0; j < n; j++) c[o + j] *= beta;
  }
}

/**
 * Copy op(X) (rows x cols) into a dense row-major array: X stored rows x cols (trans false) or cols x rows
 * (trans true) with leading dimension ld. Transposes in 32 x 32 tiles so both sides stay in cache.
 */
export function denseOp(trans: boolean, rows: number, cols: number, x: Float64Array, off: number, ld: number): Float64Array {
  const out = new Float64Array(rows * cols);
  if (!trans) {
    for (let i = 0; i < rows; i++) out.set(x.subarray(off + i * ld, off + i * ld + cols), i * cols);
    return out;
  }
  const T = 32;
  for (let c0 = 0; c0 < cols; c0 += T) {
    const c1 = Math.min(cols, c0 + T);
    for (let r0 = 0; r0 < rows; r0 += T) {
      const r1 = Math.min(rows, r0 + T);
      for (let c = c0; c < c1; c++) {
        const src = off + c * ld;
        for (let r = r0; r < r1; r++) out[r * cols + c] = x[src + r];
      }
    }
  }
  return out;
}

/**
 * C += alpha A B, A m x k (lda), B k x n (ldb), C m x n (ldc), all untransposed: a 4 x 2 register tile over a
 * packed k-panel of B (8 accumulators, 6 loads per 16 flops).
 */
function gemmNN(
  m: number, n: number, k: number, alpha: number,
  a: Float64Array, aOff: number, lda: number, b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  const KB = 256, JB = 64;
  const pack = new Float64Array(Math.min(KB, k) * Math.min(JB, n + 1));
  for (let j0 = 0; j0 < n; j0 += JB) {
    const jw = Math.min(JB, n - j0);
    const jw2 = jw & ~1;
    for (let k0 = 0; k0 < k; k0 += KB) {
      const kw = Math.min(KB, k - k0);
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
            const b0 = pack[po + 2 * p], b1 = pack[po + 2 * p + 1];
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

/** Direct strided loops: no packing, no allocation (tiny products). */
function gemmSmall(
  ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, aOff: number, lda: number, b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
): void {
  const ar = ta ? 1 : lda, ap = ta ? lda : 1; // op(A)(i, p) = a[aOff + i * ar + p * ap]
  const bp = tb ? 1 : ldb, bc = tb ? ldb : 1; // op(B)(p, j) = b[bOff + p * bp + j * bc]
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOff + i * ar + p * ap] * b[bOff + p * bp + j * bc];
      c[cOff + i * ldc + j] += alpha * s;
    }
  }
}

/** Products below this many multiply-adds use the direct loops. */
const SMALL_WORK = 4096;

/** The `js` backend's gemm (contract in ./contract). */
export const jsGemm: Gemm = (ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) => {
  scaleC(m, n, beta, c, cOff, ldc);
  if (m === 0 || n === 0 || k === 0 || alpha === 0) return;
  if (m * n * k < SMALL_WORK) return gemmSmall(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
  // transposed operands are copied once (O(mk + kn) next to O(mnk)) so one blocked kernel serves all cases
  if (ta) { a = denseOp(true, m, k, a, aOff, lda); aOff = 0; lda = k; }
  if (tb) { b = denseOp(true, k, n, b, bOff, ldb); bOff = 0; ldb = n; }
  gemmNN(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
};

/** The plain-JavaScript backend. */
export const jsBackend: Backend = { name: "js", library: "JavaScript loops", gemm: jsGemm };
