/**
 * Dense float64 matrix-multiplication kernels on row-major `Float64Array`s: the hot path of every
 * gradient, Hessian-vector product and Jacobian in `lib/curvature/`.
 *
 * `gemm(ta, tb, m, n, k, A, B, C, accumulate)` computes `C (m x n) (+)= op(A) op(B)` with
 * `op(A)` of shape `m x k` and `op(B)` of shape `k x n`; `ta` / `tb` say the operand is stored transposed
 * (`A` stored `k x m`, `B` stored `n x k`). Loop orders keep the innermost loop contiguous (i-k-j for
 * `A B` and `A^T B`, row dot products for `A B^T`) and block over columns / the inner dimension so that
 * the streamed panel stays in cache.
 */

const COL_BLOCK = 512;
const INNER_BLOCK = 256;

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
  if (!accumulate) C.fill(0, 0, m * n);
  if (m === 0 || n === 0 || k === 0) return;
  if (!ta && !tb) gemmNN(m, n, k, A, B, C);
  else if (ta && !tb) gemmTN(m, n, k, A, B, C);
  else if (!ta && tb) gemmNT(m, n, k, A, B, C);
  else gemmTT(m, n, k, A, B, C);
}

/** C += A B, A m x k, B k x n: i-k-j over column panels of B. */
function gemmNN(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  for (let j0 = 0; j0 < n; j0 += COL_BLOCK) {
    const j1 = Math.min(n, j0 + COL_BLOCK);
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      const ai = i * k;
      let p = 0;
      // four rows of B at a time: one pass over the C row per four products
      for (; p + 3 < k; p += 4) {
        const a0 = A[ai + p], a1 = A[ai + p + 1], a2 = A[ai + p + 2], a3 = A[ai + p + 3];
        const b0 = p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
        for (let j = j0; j < j1; j++) {
          C[ci + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
        }
      }
      for (; p < k; p++) {
        const a = A[ai + p];
        if (a === 0) continue;
        const bp = p * n;
        for (let j = j0; j < j1; j++) C[ci + j] += a * B[bp + j];
      }
    }
  }
}

/** C += A^T B, A stored k x m, B k x n. */
function gemmTN(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  for (let j0 = 0; j0 < n; j0 += COL_BLOCK) {
    const j1 = Math.min(n, j0 + COL_BLOCK);
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      let p = 0;
      for (; p + 3 < k; p += 4) {
        const a0 = A[p * m + i], a1 = A[(p + 1) * m + i], a2 = A[(p + 2) * m + i], a3 = A[(p + 3) * m + i];
        const b0 = p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
        for (let j = j0; j < j1; j++) {
          C[ci + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
        }
      }
      for (; p < k; p++) {
        const a = A[p * m + i];
        if (a === 0) continue;
        const bp = p * n;
        for (let j = j0; j < j1; j++) C[ci + j] += a * B[bp + j];
      }
    }
  }
}

/** C += A B^T, A m x k, B stored n x k: dot products of rows, blocked over the inner dimension. */
function gemmNT(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  for (let p0 = 0; p0 < k; p0 += INNER_BLOCK) {
    const p1 = Math.min(k, p0 + INNER_BLOCK);
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
