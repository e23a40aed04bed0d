import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { gemm, matmul, transpose } from "../../lib/linalg/blas";
import { availableBackends, useBackend } from "../../lib/linalg/kernels";
import { wasmAvailable } from "../../lib/linalg/kernels/wasm";
import { setWasmTridiagonalize, tridiagonalize, tridiagonalQL } from "../../lib/linalg/tridiagonal";
import { eigh } from "../../lib/linalg/eigh";
import { cholesky } from "../../lib/linalg/cholesky";
import { qr } from "../../lib/linalg/qr";
import { svd } from "../../lib/linalg/svd";
import { rng } from "../../lib/random/rng";
import { eigenChecks, EPS, fro, rm } from "./helpers";

const LIMIT = 10;

function naive(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
    c[i * n + j] = s;
  }
  return c;
}

/** ||X^T X - I||_F / (n eps) for X with orthonormal columns. */
function orth(X: Matrix): number {
  const x = rm(X);
  const g = matmul(transpose(x, X.rows, X.columns), x, X.columns, X.rows, X.columns);
  for (let i = 0; i < X.columns; i++) g[i * X.columns + i] -= 1;
  return fro(g) / (Math.max(X.rows, X.columns) * EPS);
}

describe("blas.matmul", () => {
  it("agrees with a naive triple loop on odd shapes", () => {
    const g = rng(1);
    for (const [m, k, n] of [[1, 1, 1], [5, 3, 7], [9, 130, 6], [13, 257, 515]]) {
      const a = g.normalArray(m * k);
      const b = g.normalArray(k * n);
      const c = matmul(a, b, m, k, n);
      const r = naive(a, b, m, k, n);
      for (let i = 0; i < c.length; i++) expect(Math.abs(c[i] - r[i])).toBeLessThan(1e-12 * Math.sqrt(k));
    }
  });
});

describe("WebAssembly kernels agree with the JavaScript kernels", () => {
  it("wasm SIMD is available in this runtime (Node 20)", () => expect(wasmAvailable()).toBe(true));
  it("strided gemm with alpha on odd shapes: wasm vs JS vs naive", () => {
    const g = rng(3);
    for (const [m, k, n] of [[37, 45, 29], [64, 300, 66], [5, 513, 130]]) {
      const lda = k + 3, ldb = n + 2, ldc = n + 5;
      const a = g.normalArray(m * lda + 1), b = g.normalArray(k * ldb + 2);
      const c0 = g.normalArray(m * ldc + 3);
      const cw = c0.slice(), cj = c0.slice();
      const prev = useBackend("wasm");
      gemm(m, n, k, -0.5, a, 1, lda, b, 2, ldb, cw, 3, ldc);
      useBackend("js");
      gemm(m, n, k, -0.5, a, 1, lda, b, 2, ldb, cj, 3, ldc);
      useBackend(prev);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[1 + i * lda + p] * b[2 + p * ldb + j];
        const ref = c0[3 + i * ldc + j] - 0.5 * s;
        expect(Math.abs(cw[3 + i * ldc + j] - ref)).toBeLessThan(1e-12 * Math.sqrt(k));
        expect(Math.abs(cj[3 + i * ldc + j] - ref)).toBeLessThan(1e-12 * Math.sqrt(k));
      }
      // entries of C outside the m x n block are untouched
      for (let i = 0; i < m; i++) for (let j = n; j < ldc && 3 + i * ldc + j < cw.length; j++) expect(cw[3 + i * ldc + j]).toBe(c0[3 + i * ldc + j]);
    }
  });
  it("tridiagonalize: wasm and JS passes give tridiagonals with the same eigenvalues (within 10 n eps ||A||_F)", () => {
    // T itself is not a well-conditioned function of A (it is fixed by a Krylov sequence), so entries of T
    // are not compared; its eigenvalues are, at the backward-error level of the reduction.
    const n = 101;
    const g = rng(4);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = g.normal(); a[i * n + j] = v; a[j * n + i] = v; }
    const run = (wasm: boolean) => {
      setWasmTridiagonalize(wasm);
      const prev = useBackend(wasm ? "wasm" : "js");
      const w = a.slice(), d = new Float64Array(n), e = new Float64Array(n), tau = new Float64Array(n);
      tridiagonalize(w, n, d, e, tau);
      setWasmTridiagonalize(true);
      useBackend(prev);
      tridiagonalQL(d, e, n, null);
      return d;
    };
    const x = run(true), y = run(false);
    const bound = 10 * n * EPS * fro(a);
    for (let i = 0; i < n; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(bound);
  });
  it("eigh with the JavaScript kernels only passes the residual checks (n = 130)", () => {
    setWasmTridiagonalize(false);
    const prev = useBackend("js");
    try {
      const A = new Matrix(130, 130);
      const g = rng(6);
      for (let i = 0; i < 130; i++) for (let j = 0; j <= i; j++) { const v = g.normal(); A.set(i, j, v); A.set(j, i, v); }
      const { values, vectors } = eigh(A, { vectors: true });
      const { residual, orthogonality } = eigenChecks(A, values, vectors!);
      expect(residual).toBeLessThan(LIMIT);
      expect(orthogonality).toBeLessThan(LIMIT);
    } finally {
      setWasmTridiagonalize(true);
      useBackend(prev);
    }
  });
});

describe("svd", () => {
  const g = rng(21);
  const cases: [string, Matrix][] = [
    ["1x1", new Matrix([[-2]])],
    ["tall 50x20", g.normalMatrix(50, 20)],
    ["wide 15x40", g.normalMatrix(15, 40)],
    ["square 60", g.normalMatrix(60, 60)],
    ["rank 3, 30x20", g.normalMatrix(30, 3).mmul(g.normalMatrix(3, 20))],
    ["zero 7x4", Matrix.zeros(7, 4)],
    ["graded columns 40x12", g.normalMatrix(40, 12).mulRowVector(Array.from({ length: 12 }, (_, j) => 10 ** -j))],
  ];
  for (const [name, A] of cases) {
    it(`${name}: ||A - U S V^T|| / (max(m,n) ||A|| eps), orthogonality of U and V below ${LIMIT}`, () => {
      const { U, s, V } = svd(A);
      const p = Math.min(A.rows, A.columns);
      expect([U.rows, U.columns, s.length, V.rows, V.columns]).toEqual([A.rows, p, p, A.columns, p]);
      for (let i = 1; i < p; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
      for (let i = 0; i < p; i++) expect(s[i]).toBeGreaterThanOrEqual(0);
      const US = U.clone().mulRowVector(Array.from(s));
      const R = A.clone().sub(US.mmul(V.transpose()));
      const scale = Math.max(A.rows, A.columns) * (A.norm("frobenius") || 1) * EPS;
      expect(R.norm("frobenius") / scale).toBeLessThan(LIMIT);
      expect(orth(U)).toBeLessThan(LIMIT);
      expect(orth(V)).toBeLessThan(LIMIT);
    });
  }
  it("rank-3 matrix has exactly 3 singular values above 1e-12 * s_max", () => {
    const { s } = svd(cases[4][1]);
    expect(Array.from(s).filter((x) => x > 1e-12 * s[0]).length).toBe(3);
  });
  it("singular values are the square roots of eig(A^T A) (known diagonal case)", () => {
    const { s } = svd(new Matrix([[0, 3], [4, 0], [0, 0]]));
    expect(Array.from(s)).toEqual([4, 3]);
  });
  it("bad input", () => {
    expect(() => svd(new Matrix([[NaN]]))).toThrow(/svd: A has a non-finite entry NaN/);
    expect(() => svd(new Matrix(0, 3))).toThrow(/svd: A must not be empty/);
  });
});

describe("qr", () => {
  it("A = QR, Q orthonormal, R upper triangular with nonnegative diagonal", () => {
    const g = rng(7);
    for (const A of [g.normalMatrix(30, 10), g.normalMatrix(8, 8), new Matrix([[3], [4]]), g.normalMatrix(20, 2).mmul(g.normalMatrix(2, 5))]) {
      const { Q, R } = qr(A);
      expect([Q.rows, Q.columns, R.rows, R.columns]).toEqual([A.rows, A.columns, A.columns, A.columns]);
      for (let i = 0; i < R.rows; i++) {
        expect(R.get(i, i)).toBeGreaterThanOrEqual(0);
        for (let j = 0; j < i; j++) expect(R.get(i, j)).toBe(0);
      }
      const res = A.clone().sub(Q.mmul(R)).norm("frobenius") / (A.rows * A.norm("frobenius") * EPS);
      expect(res).toBeLessThan(LIMIT);
      expect(orth(Q)).toBeLessThan(LIMIT);
    }
  });
  it("bad input", () => {
    expect(() => qr(new Matrix(2, 3))).toThrow("qr: A must have at least as many rows as columns (thin QR), got 2 x 3");
  });
});

describe("cholesky", () => {
  it("A = L L^T for an SPD matrix; L lower triangular with positive diagonal", () => {
    const X = rng(8).normalMatrix(40, 25);
    const A = X.transpose().mmul(X).add(Matrix.eye(25));
    const L = cholesky(A);
    for (let i = 0; i < 25; i++) {
      expect(L.get(i, i)).toBeGreaterThan(0);
      for (let j = i + 1; j < 25; j++) expect(L.get(i, j)).toBe(0);
    }
    expect(A.clone().sub(L.mmul(L.transpose())).norm("frobenius") / (25 * A.norm("frobenius") * EPS)).toBeLessThan(LIMIT);
  });
  it("bad input", () => {
    expect(() => cholesky(new Matrix([[1, 2], [2, 1]]))).toThrow(/cholesky: A is not positive definite \(pivot 1/);
    expect(() => cholesky(new Matrix([[1, 2], [0, 1]]))).toThrow(/cholesky: A must be symmetric/);
    expect(() => cholesky(new Matrix(2, 3))).toThrow("cholesky: A must be square, got 2 x 3");
  });
});
