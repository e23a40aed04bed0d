import { describe, expect, it } from "vitest";
import { gemm, gemmJs } from "../../lib/linalg/matmul";
import { gemmWasm, wasmAvailable } from "../../lib/linalg/wasm-matmul";
import { rng } from "../../lib/random/rng";

describe("gemm kernels", () => {
  for (const [label, kernel] of [["gemm", gemm], ["gemmJs", gemmJs]] as const) it(`${label}: all four transposition cases match a naive triple loop, with and without accumulation (odd sizes, block edges)`, () => {
    const gen = rng(71);
    for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [5, 1030, 131], [2, 3, 260], [7, 2, 1]]) {
      for (const ta of [false, true]) for (const tb of [false, true]) {
        const A = gen.normalArray(m * k), B = gen.normalArray(k * n);
        const a = (i: number, p: number) => (ta ? A[p * m + i] : A[i * k + p]);
        const b = (p: number, j: number) => (tb ? B[j * k + p] : B[p * n + j]);
        const C0 = gen.normalArray(m * n);
        const C = Float64Array.from(C0);
        kernel(ta, tb, m, n, k, A, B, C, true);
        const D = gen.normalArray(m * n);
        kernel(ta, tb, m, n, k, A, B, D, false);
        let err = 0, scale = 0;
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let s = 0, abs = 0;
          for (let p = 0; p < k; p++) { s += a(i, p) * b(p, j); abs += Math.abs(a(i, p) * b(p, j)); }
          err = Math.max(err, Math.abs(C[i * n + j] - C0[i * n + j] - s), Math.abs(D[i * n + j] - s));
          scale = Math.max(scale, abs + Math.abs(C0[i * n + j]));
        }
        expect(err).toBeLessThan(1e-14 * scale);
      }
    }
  });

  it("the WebAssembly kernel (when available) matches the naive product in all four cases, padding included", () => {
    if (!wasmAvailable()) {
      expect(process.env.HS_NO_WASM ?? "").not.toBe(""); // WebAssembly SIMD is expected in Node 20 unless disabled
      return;
    }
    const gen = rng(72);
    for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [5, 1031, 131], [65, 3, 6]]) {
      for (const ta of [false, true]) for (const tb of [false, true]) {
        const A = gen.normalArray(m * k), B = gen.normalArray(k * n);
        const a = (i: number, p: number) => (ta ? A[p * m + i] : A[i * k + p]);
        const b = (p: number, j: number) => (tb ? B[j * k + p] : B[p * n + j]);
        const C0 = gen.normalArray(m * n);
        const C = Float64Array.from(C0);
        expect(gemmWasm(ta, tb, m, n, k, A, B, C, true)).toBe(true);
        const D = gen.normalArray(m * n); // garbage that must be overwritten
        expect(gemmWasm(ta, tb, m, n, k, A, B, D, false)).toBe(true);
        let err = 0, scale = 0;
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let s = 0, abs = 0;
          for (let p = 0; p < k; p++) { s += a(i, p) * b(p, j); abs += Math.abs(a(i, p) * b(p, j)); }
          err = Math.max(err, Math.abs(C[i * n + j] - C0[i * n + j] - s), Math.abs(D[i * n + j] - s));
          scale = Math.max(scale, abs + Math.abs(C0[i * n + j]));
        }
        expect(err).toBeLessThan(1e-14 * scale);
      }
    }
  });
});
