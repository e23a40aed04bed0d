import { describe, expect, it } from "vitest";
import { availableBackends, dgemm, gemm, useBackend } from "../../lib/linalg/kernels";
import { rng } from "../../lib/random/rng";

/** Max |C - reference| over the naive triple loop, relative to sum |a b| + |c0| (the rounding scale). */
function check(ta: boolean, tb: boolean, m: number, n: number, k: number, seed: number, run: (A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean) => void): number {
  const gen = rng(seed);
  const A = gen.normalArray(m * k), B = gen.normalArray(k * n);
  const a = (i: number, p: number) => (ta ? A[p * m + i] : A[i * k + p]);
  const b = (p: number, j: number) => (tb ? B[j * k + p] : B[p * n + j]);
  const C0 = gen.normalArray(m * n);
  const C = Float64Array.from(C0);
  run(A, B, C, true);
  const D = gen.normalArray(m * n).map(() => NaN); // must be overwritten, NaNs not propagated
  run(A, B, D, false);
  let worst = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, abs = 0;
    for (let p = 0; p < k; p++) { s += a(i, p) * b(p, j); abs += Math.abs(a(i, p) * b(p, j)); }
    const scale = abs + Math.abs(C0[i * n + j]);
    worst = Math.max(worst, Math.abs(C[i * n + j] - C0[i * n + j] - s) / scale, Math.abs(D[i * n + j] - s) / scale);
    if (!Number.isFinite(D[i * n + j])) return Infinity;
  }
  return worst;
}

const SHAPES = [[1, 1, 1], [3, 5, 7], [5, 1030, 131], [2, 3, 260], [7, 2, 1], [65, 3, 6], [33, 47, 129]];

describe.each(availableBackends())("gemm on the %s backend", (name) => {
  it("all four transposition cases match a naive triple loop, with and without accumulation (odd sizes, block edges)", () => {
    const prev = useBackend(name);
    try {
      let seed = 71;
      for (const [m, n, k] of SHAPES) for (const ta of [false, true]) for (const tb of [false, true]) {
        expect(check(ta, tb, m, n, k, seed++, (A, B, C, acc) => gemm(ta, tb, m, n, k, A, B, C, acc))).toBeLessThan(1e-14);
      }
    } finally {
      useBackend(prev);
    }
  });

  it("strided dgemm with alpha, beta and offsets leaves C outside its block untouched", () => {
    const prev = useBackend(name);
    try {
      const g = rng(5);
      for (const [m, n, k] of [[37, 29, 45], [64, 66, 300], [5, 130, 513]]) for (const ta of [false, true]) for (const tb of [false, true]) {
        const lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5;
        const a = g.normalArray((ta ? k : m) * lda + 1), b = g.normalArray((tb ? n : k) * ldb + 2), c0 = g.normalArray(m * ldc + 3);
        const c = c0.slice();
        dgemm(ta, tb, m, n, k, -0.5, a, 1, lda, b, 2, ldb, 0.25, c, 3, ldc);
        for (let i = 0; i < m; i++) for (let j = 0; j < ldc; j++) {
          const idx = 3 + i * ldc + j;
          if (idx >= c.length) continue;
          if (j >= n) { expect(c[idx]).toBe(c0[idx]); continue; }
          let s = 0, abs = 0;
          for (let p = 0; p < k; p++) {
            const x = ta ? a[1 + p * lda + i] : a[1 + i * lda + p];
            const y = tb ? b[2 + j * ldb + p] : b[2 + p * ldb + j];
            s += x * y; abs += Math.abs(x * y);
          }
          expect(Math.abs(c[idx] - (0.25 * c0[idx] - 0.5 * s))).toBeLessThan(1e-14 * (abs + Math.abs(c0[idx])));
        }
      }
    } finally {
      useBackend(prev);
    }
  });
});

describe("dgemm bad input never reaches a kernel", () => {
  it("names the operand and the sizes when a buffer is too short or a leading dimension too small", () => {
    const a = new Float64Array(6), b = new Float64Array(6), c = new Float64Array(4);
    expect(() => dgemm(false, false, 2, 2, 3, 1, a.subarray(1), 0, 3, b, 0, 2, 0, c, 0, 2)).toThrow(/dgemm: A \(2 x 3, leading dimension 3, offset 0\) needs 6 entries, got 5/);
    expect(() => dgemm(false, false, 2, 2, 3, 1, a, 0, 2, b, 0, 2, 0, c, 0, 2)).toThrow(/leading dimension of A must be an integer >= 3, got 2/);
    expect(() => dgemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, new Float64Array(3), 0, 2)).toThrow(/dgemm: C/);
    expect(() => dgemm(false, false, -1, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2)).toThrow(/m must be a nonnegative integer/);
  });
  it("useBackend rejects an unknown name", () => {
    expect(() => useBackend("cuda" as never)).toThrow(/useBackend: name must be one of native, wasm, js/);
  });
});
