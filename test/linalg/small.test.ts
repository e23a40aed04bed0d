// The small closed-form solvers of lib/linalg/small.ts against brute force (ml-matrix's dense eigensolver).
import { describe, expect, it } from "vitest";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { depressedCubicRoots, pairedRoots, symmetric3x3Eigenvalues } from "../../lib/linalg/small";
import { rng } from "../../lib/random/rng";

const sortedEig = (H: Matrix) => new EigenvalueDecomposition(H).realEigenvalues.sort((a, b) => a - b);
const maxAbs = (M: Matrix) => Math.max(...M.to1DArray().map(Math.abs));

describe("small closed-form solvers", () => {
  it("pairedRoots: both signs of s, small root accurate", () => {
    for (const [s, q] of [[3, 2], [-3, 2], [5, -1e-12], [-5, -1e-12], [0, 4]]) {
      const [a, b] = pairedRoots(s, q);
      expect(a).toBeGreaterThanOrEqual(b);
      for (const r of [a, b]) expect(Math.abs(r * r - s * r - q)).toBeLessThan(1e-14 * Math.max(s * s, Math.abs(q), r * r) + 1e-30);
      expect(Math.abs(a * b + q)).toBeLessThan(1e-14 * Math.abs(q));
    }
    expect(() => pairedRoots(1, -1)).toThrow(/disc = s\^2 \+ 4q must be >= 0/);
  });

  it("depressedCubicRoots and symmetric3x3Eigenvalues vs a dense solver, incl. near-triple roots", () => {
    const g = rng(11);
    for (let t = 0; t < 50; t++) {
      const A = g.normalMatrix(3, 3);
      const S = Matrix.add(A, A.transpose());
      if (t % 5 === 0) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) S.set(i, j, (i === j ? 2 : 0) + 1e-9 * S.get(i, j));
      const exact = sortedEig(S).reverse();
      const got = symmetric3x3Eigenvalues(S).values;
      for (let i = 0; i < 3; i++) expect(Math.abs(got[i] - exact[i])).toBeLessThan(1e-14 * maxAbs(S) * 10);
    }
    expect(depressedCubicRoots(0, 0)).toEqual([0, 0, 0]);
    const r = depressedCubicRoots(-7, 6); // (t-1)(t-2)(t+3)
    expect(r.map((x) => Math.round(x * 1e12) / 1e12)).toEqual([2, 1, -3]);
    expect(() => depressedCubicRoots(1, 0)).toThrow(/p must be <= 0/);
  });

  it("bad input names the function and argument", () => {
    expect(() => pairedRoots(NaN, 1)).toThrow("pairedRoots: s must be a finite number, got NaN");
    expect(() => symmetric3x3Eigenvalues(new Matrix(2, 2))).toThrow("symmetric3x3Eigenvalues: T must be a 3 x 3 Matrix");
  });
});
