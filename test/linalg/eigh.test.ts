import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { eigh, eigvalsh } from "../../lib/linalg/eigh";
import { rng } from "../../lib/random/rng";
import { battery, eigenChecks, EPS, randomSymmetric } from "./helpers";
import { haarOrthogonal } from "../../lib/linalg/haar";

const LIMIT = 10; // LAPACK's test threshold for scaled residuals

describe("eigh on the battery (LAPACK-style scaled residuals)", () => {
  const cases = battery(rng(11), [3, 17, 64, 200]);
  for (const method of ["ql", "dc"] as const) {
    it(`${method}: ||AQ - QΛ||/(n||A||eps) and ||QᵀQ - I||/(n eps) below ${LIMIT}`, () => {
      let worstRes = 0, worstOrth = 0, worstName = "";
      for (const { name, A, exact } of cases) {
        const { values, vectors } = eigh(A, { vectors: true, method });
        expect(vectors).not.toBeNull();
        for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
        const { residual, orthogonality } = eigenChecks(A, values, vectors!);
        if (residual > worstRes) { worstRes = residual; worstName = name; }
        worstOrth = Math.max(worstOrth, orthogonality);
        expect(residual, `${name} residual`).toBeLessThan(LIMIT);
        expect(orthogonality, `${name} orthogonality`).toBeLessThan(LIMIT);
        if (exact) {
          const n = A.rows;
          const scale = Math.max(1, ...Array.from(exact, Math.abs));
          for (let i = 0; i < n; i++) expect(Math.abs(values[i] - exact[i]), `${name} value ${i}`).toBeLessThanOrEqual(LIMIT * n * EPS * scale);
        }
        // values alone agree with the values computed with vectors
        const w = eigvalsh(A);
        const scale = Math.max(1e-300, ...Array.from(values, Math.abs));
        for (let i = 0; i < w.length; i++) expect(Math.abs(w[i] - values[i]) / (A.rows * scale * EPS), `${name} eigvalsh ${i}`).toBeLessThan(LIMIT);
      }
      console.log(`eigh ${method}: worst scaled residual ${worstRes.toFixed(3)} (${worstName}), worst orthogonality ${worstOrth.toFixed(3)}`);
    });
  }

  it("n = 1000 random (dc): residual and orthogonality below 10", () => {
    const A = randomSymmetric(rng(5), 1000);
    const { values, vectors } = eigh(A, { vectors: true });
    const { residual, orthogonality } = eigenChecks(A, values, vectors!);
    console.log(`eigh n=1000: scaled residual ${residual.toFixed(3)}, orthogonality ${orthogonality.toFixed(3)}`);
    expect(residual).toBeLessThan(LIMIT);
    expect(orthogonality).toBeLessThan(LIMIT);
  });
});

describe("eigh on a large Hessian-like matrix (heavy deflation in divide and conquer)", () => {
  it("PSD J^T J, n = 600, rank 60, plus a block with an eigenvalue of multiplicity 40: residuals, multiplicities", () => {
    const g = rng(12);
    const n = 600;
    const J = g.normalMatrix(60, n);
    const Q = haarOrthogonal(g, n).subMatrix(0, n - 1, 0, 39);
    // A = J^T J + 3 Q Q^T: rank <= 100, a zero eigenvalue of multiplicity >= 500
    const A = J.transpose().mmul(J).add(Q.mmul(Q.transpose()).mul(3));
    const S = A.clone().add(A.transpose()).div(2);
    const { values, vectors } = eigh(S, { vectors: true });
    const { residual, orthogonality } = eigenChecks(S, values, vectors!);
    console.log(`eigh PSD n=600: scaled residual ${residual.toFixed(3)}, orthogonality ${orthogonality.toFixed(3)}`);
    expect(residual).toBeLessThan(LIMIT);
    expect(orthogonality).toBeLessThan(LIMIT);
    // the zero space: exactly n - 100 eigenvalues within the backward-error level 10 n eps ||A||_F
    const bound = 10 * n * EPS * S.norm("frobenius");
    expect(Array.from(values).filter((v) => Math.abs(v) <= bound).length).toBe(n - 100);
  });
});

describe("eigh options", () => {
  const A = randomSymmetric(rng(3), 40);
  const all = eigh(A, { vectors: true });
  it("largest k: the top k values, ascending, with matching vectors", () => {
    const top = eigh(A, { vectors: true, largest: 5 });
    // the same values to the backward-error level (LAPACK's range solver dsyevr and the full dsyevd are
    // different algorithms, so equality is to rounding, not bitwise)
    const bound = 10 * 40 * EPS * A.norm("frobenius");
    const ref = all.values.slice(35);
    top.values.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(bound));
    expect(top.vectors!.columns).toBe(5);
    const { residual, orthogonality } = eigenChecks(A, top.values, top.vectors!);
    expect(residual).toBeLessThan(LIMIT);
    expect(orthogonality).toBeLessThan(LIMIT);
  });
  it("smallest k: the bottom k values", () => {
    const bottom = eigh(A, { smallest: 3 });
    const bound = 10 * 40 * EPS * A.norm("frobenius");
    const ref = eigvalsh(A).slice(0, 3);
    expect(bottom.values.length).toBe(3);
    bottom.values.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(bound));
    expect(bottom.vectors).toBeNull();
  });
  it("recovers a known spectrum with exact multiplicities", () => {
    const Q = haarOrthogonal(rng(9), 30);
    const w = Float64Array.from({ length: 30 }, (_, i) => (i < 10 ? 0 : i < 25 ? 1 : 4));
    const B = Q.mmul(Matrix.diag(Array.from(w))).mmul(Q.transpose());
    const sym = B.add(B.transpose()).div(2);
    const v = eigvalsh(sym);
    for (let i = 0; i < 30; i++) expect(Math.abs(v[i] - w[i])).toBeLessThan(30 * 4 * EPS * 10);
  });
  it("does not modify its argument", () => {
    const B = A.clone();
    eigh(B, { vectors: true });
    expect(B.to2DArray()).toEqual(A.to2DArray());
  });
});

describe("eigh bad input", () => {
  it("non-square", () => expect(() => eigh(new Matrix(3, 4))).toThrow("eigh: A must be square, got 3 x 4"));
  it("non-symmetric", () => expect(() => eigh(new Matrix([[1, 2], [0, 1]]))).toThrow(/eigh: A must be symmetric/));
  it("symmetric within tolerance is accepted", () => expect(eigh(new Matrix([[1, 2], [2 + 1e-14, 1]])).values.length).toBe(2));
  it("NaN / Inf", () => {
    expect(() => eigh(new Matrix([[1, NaN], [NaN, 1]]))).toThrow(/eigh: A has a non-finite entry NaN at \(0, 1\)/);
    expect(() => eigh(new Matrix([[Infinity]]))).toThrow(/eigh: A has a non-finite entry Infinity/);
  });
  it("k out of range", () => {
    const I = Matrix.eye(3);
    expect(() => eigh(I, { largest: 4 })).toThrow("eigh: options.largest must be <= 3, got 4");
    expect(() => eigh(I, { largest: 0 })).toThrow("eigh: options.largest must be >= 1, got 0");
    expect(() => eigh(I, { smallest: 1.5 })).toThrow("eigh: options.smallest must be an integer, got 1.5");
    expect(() => eigh(I, { largest: 1, smallest: 1 })).toThrow(/at most one/);
  });
  it("empty and non-matrix", () => {
    expect(() => eigh(new Matrix(0, 0))).toThrow(/eigh: A must not be empty/);
    expect(() => eigh([[1]] as unknown as Matrix)).toThrow(/eigh: A must be an ml-matrix Matrix/);
  });
});
