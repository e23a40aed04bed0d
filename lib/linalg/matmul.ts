/**
 * Dense float64 matrix-multiplication kernels on row-major `Float64Array`s: the hot path of every
 * gradient, Hessian-vector product and Jacobian in `lib/curvature/`, and of LOBPCG's block operations.
 * (`blas.ts` holds the strided, alpha-scaled product that the dense eigensolver's blocked updates use.)
 *
 * `gemm(ta, tb, m, n, k, A, B, C, accumulate)` computes `C (m x n) (+)= op(A) op(B)` with
 * `op(A)` of shape `m x k` and `op(B)` of shape `k x n`; `ta` / `tb` say the operand is stored transposed
 * (`A` stored `k x m`, `B` stored `n x k`). Loop orders keep the innermost loop contiguous (i-k-j for
 * `A B` and `A^T B`, row dot products for `A B^T`) and block over columns / the inner dimension so that
 * the streamed panel stays in cache. Products of at least `WASM_MIN_WORK` multiply-adds run in the
 * WebAssembly SIMD version of the same kernel (`wasm-matmul.ts`) when the runtime supports it.
 */

import { WASM_MIN_WORK, gemmWasm } from "./wasm-matmul";

const COL_BLOCK = 1024;
const INNER_BLOCK = 128;
const DOT_BLOCK = 256;

/** C (m x n) (+)= op(A) op(B). See the module comment for the storage convention. */
export function gemm(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  accumulate: boolean,
): void {
  if (m === 0 || n === 0 || k === 0) {
    if (!accumulate) C.fill(0, 0, m * n);
    return;
  }
  if (m * n * k >= WASM_MIN_WORK && gemmWasm(ta, tb, m, n, k, A, B, C, accumulate)) return;
  gemmJs(ta, tb, m, n, k, A, B, C, accumulate);
}

/** The JavaScript kernels alone (same contract as `gemm`). */
export function gemmJs(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  accumulate: boolean,
): void {
  if (!accumulate) C.fill(0, 0, m * n);
  if (m === 0 || n === 0 || k === 0) return;
  if (!ta && !tb) gemmNN(m, n, k, A, B, C);
  else if (ta && !tb) gemmTN(m, n, k, A, B, C);
  else if (!ta && tb) {
    if (k >= 64 && n >= 8 && m >= 8) {
      // transpose B once (n x k -> k x n) and use the register-blocked panel kernel
      const BT = new Float64Array(k * n);
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        for (let p = 0; p < k; p++) BT[p * n + j] = B[bj + p];
      }
      panelKernel(m, n, k, A, k, 1, BT, C);
    } else gemmNT(m, n, k, A, B, C);
  }
  else gemmTT(m, n, k, A, B, C);
}

/** C += A B, A m x k, B k x n. */
function gemmNN(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  panelKernel(m, n, k, A, k, 1, B, C);
}

/** C += A^T B, A stored k x m, B k x n. */
function gemmTN(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  panelKernel(m, n, k, A, 1, m, B, C);
}

/**
 * C (m x n) += op(A) B with op(A)(i, p) = A[i * as + p * ap] and B row-major k x n. Blocked over the inner
 * dimension (KB rows of B) and over columns (JB), so the B panel (KB x JB) stays in cache while every pair of
 * C rows sweeps it; the 2 x 4 register block does 8 multiply-adds per 4 loads of B.
 */
function panelKernel(m: number, n: number, k: number, A: Float64Array, as: number, ap: number, B: Float64Array, C: Float64Array): void {
  for (let p0 = 0; p0 < k; p0 += INNER_BLOCK) {
    const p1 = Math.min(k, p0 + INNER_BLOCK);
    for (let j0 = 0; j0 < n; j0 += COL_BLOCK) {
      const j1 = Math.min(n, j0 + COL_BLOCK);
      let i = 0;
      for (; i + 1 < m; i += 2) {
        const c0 = i * n, c1 = c0 + n;
        const r0 = i * as, r1 = r0 + as;
        let p = p0;
        for (; p + 3 < p1; p += 4) {
          const q0 = p * ap, q1 = q0 + ap, q2 = q1 + ap, q3 = q2 + ap;
          const a00 = A[r0 + q0], a01 = A[r0 + q1], a02 = A[r0 + q2], a03 = A[r0 + q3];
          const a10 = A[r1 + q0], a11 = A[r1 + q1], a12 = A[r1 + q2], a13 = A[r1 + q3];
          const b0 = p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
          for (let j = j0; j < j1; j++) {
            const x0 = B[b0 + j], x1 = B[b1 + j], x2 = B[b2 + j], x3 = B[b3 + j];
            C[c0 + j] += a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3;
            C[c1 + j] += a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3;
          }
        }
        for (; p < p1; p++) {
          const a0 = A[r0 + p * ap], a1 = A[r1 + p * ap];
          const bp = p * n;
          for (let j = j0; j < j1; j++) {
            const x = B[bp + j];
            C[c0 + j] += a0 * x;
            C[c1 + j] += a1 * x;
          }
        }
      }
      for (; i < m; i++) {
        const ci = i * n;
        for (let p = p0; p < p1; p++) {
          const a = A[i * as + p * ap];
          if (a === 0) continue;
          const bp = p * n;
          for (let j = j0; j < j1; j++) C[ci + j] += a * B[bp + j];
        }
      }
    }
  }
}

/** C += A B^T, A m x k, B stored n x k: dot products of rows, blocked over the inner dimension. */
function gemmNT(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  for (let p0 = 0; p0 < k; p0 += DOT_BLOCK) {
    const p1 = Math.min(k, p0 + DOT_BLOCK);
    let i = 0;
    for (; i + 1 < m; i += 2) {
      const a0 = i * k, a1 = a0 + k;
      const c0 = i * n, c1 = c0 + n;
      let j = 0;
      for (; j + 1 < n; j += 2) {
        const b0 = j * k, b1 = b0 + k;
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
        for (let p = p0; p < p1; p++) {
          const x0 = A[a0 + p], x1 = A[a1 + p], y0 = B[b0 + p], y1 = B[b1 + p];
          s00 += x0 * y0; s01 += x0 * y1; s10 += x1 * y0; s11 += x1 * y1;
        }
        C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c1 + j] += s10; C[c1 + j + 1] += s11;
      }
      for (; j < n; j++) {
        const b0 = j * k;
        let s0 = 0, s1 = 0;
        for (let p = p0; p < p1; p++) { s0 += A[a0 + p] * B[b0 + p]; s1 += A[a1 + p] * B[b0 + p]; }
        C[c0 + j] += s0; C[c1 + j] += s1;
      }
    }
    for (; i < m; i++) {
      const a0 = i * k, c0 = i * n;
      for (let j = 0; j < n; j++) {
        const b0 = j * k;
        let s = 0;
        for (let p = p0; p < p1; p++) s += A[a0 + p] * B[b0 + p];
        C[c0 + j] += s;
      }
    }
  }
}

/** C += A^T B^T, A stored k x m, B stored n x k (rare: small operands only). */
function gemmTT(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[p * m + i] * B[j * k + p];
      C[i * n + j] += s;
    }
  }
}
