import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { eigh } from "../../lib/linalg/eigh";
import { lanczos, IterativeEigenResult } from "../../lib/linalg/lanczos";
import { lobpcg } from "../../lib/linalg/lobpcg";
import { denseOperator, LinearOperator } from "../../lib/linalg/operator";
import { powerIteration } from "../../lib/linalg/power";
import { rng } from "../../lib/random/rng";
import { fromSpectrum, randomSymmetric } from "./helpers";
import { haarOrthogonal } from "../../lib/linalg/haar";

/** Spectral-norm scale of a dense symmetric matrix (max |eigenvalue|). */
function normOf(values: Float64Array): number {
  return Math.max(Math.abs(values[0]), Math.abs(values[values.length - 1]));
}

/**
 * Ritz values θ_j of orthonormal vectors satisfy, by interlacing and Kahan's residual bound,
 * 0 <= λ_j - θ_j <= ||R||_2 (largest; mirrored for smallest) with ||R||_2 <= ||R||_F: checked with a
 * rounding allowance of 1e-12 ||A||.
 */
function expectRitzBound(res: IterativeEigenResult, exact: ArrayLike<number>, anorm: number, side: "largest" | "smallest"): void {
  let rf = 0;
  for (const r of res.residualNorms) rf += r * r;
  rf = Math.sqrt(rf);
  for (let j = 0; j < res.values.length; j++) {
    const gap = side === "largest" ? exact[j] - res.values[j] : res.values[j] - exact[j];
    expect(gap, `pair ${j}`).toBeGreaterThanOrEqual(-1e-12 * anorm);
    expect(gap, `pair ${j}`).toBeLessThanOrEqual(rf + 1e-12 * anorm);
  }
}

const g = rng(31);
const n = 200;
const Arand = randomSymmetric(g, n);
const Q = haarOrthogonal(g, n);
// Hessian-like: PSD, large zero space, exact multiplicities: 10 (x1), 5 (x3), 2 (x5), 0 (x191)
const spectrum = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 10 : i < 4 ? 5 : i < 9 ? 2 : 0));
const Ahess = fromSpectrum(Q, spectrum);
// well separated top for power iteration: 10, 6, 3, then uniform in [0, 1]
const Apow = fromSpectrum(Q, Float64Array.from({ length: n }, (_, i) => (i === 0 ? 10 : i === 1 ? 6 : i === 2 ? 3 : g.uniform())));

const denseDesc = (A: Matrix) => eigh(A).values.slice().reverse();

describe("lanczos vs dense eigh on the same operator", () => {
  for (const [name, A] of [["random", Arand], ["hessian-like", Ahess]] as const) {
    const desc = denseDesc(A);
    const asc = desc.slice().reverse();
    const anorm = normOf(asc);
    it(`${name}: 6 largest`, () => {
      const res = lanczos(denseOperator(A), { k: 6, rng: rng(1), vectors: true });
      expect(res.converged).toBe(true);
      expect(res.values.length).toBe(6);
      for (const r of res.residualNorms) expect(r).toBeLessThanOrEqual(10 * 1e-10 * anorm);
      expectRitzBound(res, desc, anorm, "largest");
      expect(res.vectors!.columns).toBe(6);
    });
    it(`${name}: 4 smallest`, () => {
      const res = lanczos(denseOperator(A), { k: 4, which: "smallest", rng: rng(2) });
      expect(res.converged).toBe(true);
      expectRitzBound(res, asc, anorm, "smallest");
    });
    it(`${name}: both ends (3 largest, 2 smallest)`, () => {
      const res = lanczos(denseOperator(A), { k: 5, which: "both", rng: rng(3) });
      expect(res.converged).toBe(true);
      const top = { ...res, values: res.values.slice(0, 3), residualNorms: res.residualNorms.slice(0, 3) };
      const bottom = { ...res, values: res.values.slice(3).reverse(), residualNorms: res.residualNorms.slice(3).reverse() };
      expectRitzBound(top, desc, anorm, "largest");
      expectRitzBound(bottom, asc, anorm, "smallest");
    });
  }
  it("thick restart with a small basis still converges (random, k = 3, basisSize 12)", () => {
    const desc = denseDesc(Arand);
    const res = lanczos(denseOperator(Arand), { k: 3, rng: rng(4), basisSize: 12 });
    expect(res.converged).toBe(true);
    expectRitzBound(res, desc, normOf(desc), "largest");
  });
  it("reports non-convergence honestly when maxIterations is too small", () => {
    const res = lanczos(denseOperator(Arand), { k: 3, rng: rng(4), maxIterations: 5 });
    expect(res.converged).toBe(false);
    expect(res.iterations).toBe(5);
  });
  it("n = 1 and k = n work", () => {
    expect(Array.from(lanczos(denseOperator(new Matrix([[3]])), { k: 1, rng: rng(1) }).values)).toEqual([3]);
    const small = randomSymmetric(rng(5), 6);
    const res = lanczos(denseOperator(small), { k: 6, rng: rng(1) });
    const d = denseDesc(small);
    for (let i = 0; i < 6; i++) expect(Math.abs(res.values[i] - d[i])).toBeLessThan(1e-12 * normOf(d));
  });
});

describe("lobpcg vs dense eigh", () => {
  for (const [name, A] of [["random", Arand], ["hessian-like", Ahess]] as const) {
    it(`${name}: 4 largest`, () => {
      const desc = denseDesc(A);
      const anorm = normOf(desc);
      const res = lobpcg(denseOperator(A), { k: 4, rng: rng(6), tol: 1e-9 });
      expect(res.converged).toBe(true);
      for (const r of res.residualNorms) expect(r).toBeLessThanOrEqual(1e-9 * anorm);
      expectRitzBound(res, desc, anorm, "largest");
    });
  }
  it("hessian-like: finds all copies of a repeated eigenvalue (10, 5, 5, 5, 2 x 5)", () => {
    const res = lobpcg(denseOperator(Ahess), { k: 9, rng: rng(7), tol: 1e-9 });
    expect(res.converged).toBe(true);
    const expected = [10, 5, 5, 5, 2, 2, 2, 2, 2];
    for (let i = 0; i < 9; i++) expect(Math.abs(res.values[i] - expected[i])).toBeLessThanOrEqual(2 * 1e-9 * 10 * 3);
  });
  it("clustered top-10 above a dense bulk (the shape of figure 4's Hessian): converges, residuals are true ones", () => {
    // top 10 in [1.34, 1.42], then 40 in [1.2, 1.3], then 150 in [0, 1]
    const gc = rng(41);
    const spec = Float64Array.from({ length: n }, (_, i) => (i < 10 ? 1.42 - 0.008 * i : i < 50 ? 1.3 - 0.1 * gc.uniform() : gc.uniform()));
    const A = fromSpectrum(Q, spec);
    const desc = denseDesc(A);
    const res = lobpcg(denseOperator(A), { k: 10, rng: rng(42), tol: 1e-10, maxIterations: 300 });
    expect(res.converged).toBe(true);
    expectRitzBound(res, desc, normOf(desc), "largest");
    const V = res.vectors!;
    const R = A.mmul(V).sub(V.mmul(Matrix.diag(Array.from(res.values))));
    for (let j = 0; j < 10; j++) {
      const rj = Math.sqrt(R.getColumn(j).reduce((a, x) => a + x * x, 0));
      expect(Math.abs(rj - res.residualNorms[j])).toBeLessThanOrEqual(1e-13 * desc[0]);
    }
    const gram = V.transpose().mmul(V);
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) expect(Math.abs(gram.get(i, j) - (i === j ? 1 : 0))).toBeLessThanOrEqual(1e-12);
    // one product per active residual per iteration (plus the initial block and the final check), never 2 per vector
    expect(res.products).toBeLessThanOrEqual(13 + 13 * res.iterations + 10);
  });
  it("warm start from the eigenvectors of a nearby operator takes fewer iterations than a cold start", () => {
    const E = new Matrix(n, n);
    const gp = rng(43);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = 1e-6 * gp.normal(); E.set(i, j, v); E.set(j, i, v); }
    const cold = lobpcg(denseOperator(Arand), { k: 4, rng: rng(44), tol: 1e-9 });
    const warm = lobpcg(denseOperator(Arand.clone().add(E)), { k: 4, rng: rng(44), tol: 1e-9, initial: cold.vectors });
    expect(warm.converged).toBe(true);
    expect(warm.iterations).toBeLessThan(cold.iterations / 2);
  });
  it("bad initial vectors are named", () => {
    const op = denseOperator(Arand);
    expect(() => lobpcg(op, { k: 2, rng: rng(1), initial: new Matrix(n - 1, 2) })).toThrow(`lobpcg: options.initial must be ${n} x j with 1 <= j <= k + guard = 4, got ${n - 1} x 2`);
    const bad = new Matrix(n, 1);
    bad.set(3, 0, NaN);
    expect(() => lobpcg(op, { k: 2, rng: rng(1), initial: bad })).toThrow("lobpcg: options.initial must be finite, entry (3, 0) is NaN");
  });
  it("smallest", () => {
    const asc = eigh(Arand).values;
    const res = lobpcg(denseOperator(Arand), { k: 2, which: "smallest", rng: rng(8), tol: 1e-9 });
    expect(res.converged).toBe(true);
    expectRitzBound(res, asc, normOf(asc), "smallest");
  });
});

describe("powerIteration vs dense eigh", () => {
  it("3 largest of a PSD operator with separated top eigenvalues", () => {
    const desc = denseDesc(Apow);
    const res = powerIteration(denseOperator(Apow), { k: 3, rng: rng(9), tol: 1e-9 });
    expect(res.converged).toBe(true);
    for (let j = 0; j < 3; j++) {
      expect(res.residualNorms[j]).toBeLessThanOrEqual(1e-9 * Math.abs(res.values[j]));
      // |θ - λ| <= ||r|| for a unit vector (Krylov-Weinstein), with rounding allowance
      expect(Math.abs(res.values[j] - desc[j])).toBeLessThanOrEqual(res.residualNorms[j] + 1e-12 * desc[0]);
    }
  });
});

describe("matrix-free operators", () => {
  it("an operator without matmat gives the same Lanczos result as with it (same seed)", () => {
    const dense = denseOperator(Arand);
    const plain: LinearOperator = { size: dense.size, symmetric: true, matvec: (x) => dense.matvec(x) };
    const a = lanczos(dense, { k: 3, rng: rng(10) });
    const b = lanczos(plain, { k: 3, rng: rng(10) });
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(b.iterations).toBe(a.iterations);
  });
  it("large diagonal operator (n = 10000): lanczos, lobpcg and power find the known top eigenvalues", () => {
    const N = 10000;
    // eigenvalues: 100, 90, 80 (top three), the rest uniform in [0, 50]
    const diag = new Float64Array(N);
    const gd = rng(11);
    for (let i = 0; i < N; i++) diag[i] = i === 7 ? 100 : i === 70 ? 90 : i === 700 ? 80 : 50 * gd.uniform();
    const op: LinearOperator = { size: N, symmetric: true, matvec: (x) => x.map((v, i) => v * diag[i]) };
    const exact = [100, 90, 80];
    const l = lanczos(op, { k: 3, rng: rng(12), vectors: true });
    expect(l.converged).toBe(true);
    const lp = lobpcg(op, { k: 3, rng: rng(13), tol: 1e-8 });
    expect(lp.converged).toBe(true);
    const pw = powerIteration(op, { k: 3, rng: rng(14), tol: 1e-8 });
    expect(pw.converged).toBe(true);
    for (const res of [l, lp, pw]) {
      // |θ - λ| <= ||r|| (one eigenvalue within the residual of each Ritz pair; the top three are isolated)
      for (let j = 0; j < 3; j++) expect(Math.abs(res.values[j] - exact[j])).toBeLessThanOrEqual(res.residualNorms[j] + 1e-10 * 100);
    }
    // the top Ritz vector is e_7 up to sign
    expect(Math.abs(l.vectors!.get(7, 0))).toBeGreaterThan(1 - 1e-8);
  });
});

describe("iterative solvers: bad input", () => {
  const op = denseOperator(Arand);
  it("k out of range, missing rng, non-symmetric operator", () => {
    expect(() => lanczos(op, { k: 0, rng: rng(1) })).toThrow("lanczos: options.k must be >= 1, got 0");
    expect(() => lanczos(op, { k: 201, rng: rng(1) })).toThrow("lanczos: options.k must be <= 200, got 201");
    expect(() => lobpcg(op, { k: 2.5, rng: rng(1) })).toThrow("lobpcg: options.k must be an integer, got 2.5");
    expect(() => powerIteration(op, { k: 1 } as never)).toThrow(/powerIteration: rng must be an Rng/);
    const nonsym: LinearOperator = { size: 3, symmetric: false, matvec: (x) => x };
    expect(() => lanczos(nonsym, { k: 1, rng: rng(1) })).toThrow("lanczos: op must be symmetric (op.symmetric === true)");
  });
  it("NaN from the operator", () => {
    const bad: LinearOperator = { size: 4, symmetric: true, matvec: (x) => x.map(() => NaN) };
    expect(() => lanczos(bad, { k: 1, rng: rng(1) })).toThrow(/lanczos: the operator returned a non-finite entry NaN/);
  });
});
