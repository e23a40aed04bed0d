/**
 * The one contract of the kernel layer: every backend (native BLAS/LAPACK, WebAssembly, plain JavaScript)
 * provides `gemm` with BLAS semantics on row-major Float64Array storage; only the native backend provides
 * the LAPACK-class routines (the others fall back to the project's own algorithms in lib/linalg).
 */

/** Which implementation computes: the platform's BLAS/LAPACK, the WebAssembly SIMD kernels, or plain loops. */
export type BackendName = "native" | "wasm" | "js";

/**
 * C = alpha op(A) op(B) + beta C, row-major. op(A) is m x k: A stored m x k (transA false) or k x m (transA
 * true), entry (r, c) of the stored array at a[aOff + r * lda + c]; likewise B (op(B) k x n) and C (m x n).
 * beta = 0 overwrites C (NaNs in C are not propagated), as in BLAS.
 */
export type Gemm = (
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  beta: number, c: Float64Array, cOff: number, ldc: number,
) => void;

/** A compute backend. */
export interface Backend {
  name: BackendName;
  /** Human-readable description of what computes (library path, vendor). */
  library: string;
  gemm: Gemm;
}
