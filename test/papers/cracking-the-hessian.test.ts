// Theorem 3.1 closed forms against an independent brute force: the dense Hessian of the same network from
// lib/curvature's exact second derivatives, eigen-decomposed by ml-matrix (not our own solver).
import { describe, expect, it } from "vitest";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { deepLinear } from "../../lib/models";
import { hessian, mseProblem } from "../../lib/curvature";
import { rng } from "../../lib/random/rng";
import {
  equation2Discriminant,
  scalarLinearStats,
  theorem31BlockHessian,
  theorem31Outliers,
  theorem31Reduction,
  theorem31Spectrum,
} from "../../lib/papers/cracking-the-hessian";

/** f(x) = <w, v> x is the deep linear network [1, m, 1]: W1 = v (m x 1), W2 = w^T, theta = (v, w). */
function setting(seed: number, m: number, n: number, scale = 1) {
  const g = rng(seed);
  const v = g.normalArray(m, 0, scale / Math.sqrt(m));
  const w = g.normalArray(m, 0, scale / Math.sqrt(m));
  const x = g.normalArray(n, 0, 1.5);
  const y = x.map((xi) => 0.8 * xi + 0.1 * g.normal());
  const theta = new Float64Array(2 * m);
  theta.set(v, 0);
  theta.set(w, m);
  const problem = mseProblem(deepLinear([1, m, 1]), new Matrix([Array.from(x)]), new Matrix([Array.from(y)]));
  return { v, w, x, y, theta, problem };
}

const maxAbs = (M: Matrix) => Math.max(...M.to1DArray().map(Math.abs));

describe("Cracking the Hessian, Theorem 3.1", () => {
  it("the block form (10) is the Hessian of the network", () => {
    for (const seed of [1, 2, 3]) {
      const { v, w, x, y, theta, problem } = setting(seed, 7, 40);
      const dense = hessian(problem, theta);
      const block = theorem31BlockHessian(w, v, scalarLinearStats(w, v, x, y));
      expect(maxAbs(Matrix.sub(dense, block))).toBeLessThan(1e-13 * maxAbs(dense));
    }
  });

  it("the spectrum (bulk +-deltaX, outliers (1)) matches the dense eigenvalues to 1e-10 relative", () => {
    for (const [seed, m] of [[4, 5], [5, 12], [6, 30]]) {
      const { v, w, x, y, theta, problem } = setting(seed, m, 60, 2);
      const dense = hessian(problem, theta);
      const eig = new EigenvalueDecomposition(dense).realEigenvalues.sort((a, b) => a - b);
      const predicted = theorem31Spectrum(scalarLinearStats(w, v, x, y), m);
      const scale = Math.max(...eig.map(Math.abs));
      const worst = Math.max(...eig.map((e, i) => Math.abs(e - predicted[i])));
      expect(worst / scale).toBeLessThan(1e-10);
    }
  });

  it("the sum-of-squares discriminant (2) equals the one of (1)", () => {
    const g = rng(7);
    for (let t = 0; t < 200; t++) {
      const m = 1 + g.int(10);
      const w = g.normalArray(m), v = g.normalArray(m), x = g.normalArray(20), y = g.normalArray(20);
      const s = scalarLinearStats(w, v, x, y);
      const sum = s.sigmaX2 * (s.ww + s.vv);
      const eq1 = sum * sum + 4 * (s.deltaX * s.deltaX + 2 * s.sigmaX2 * s.deltaX * s.wv);
      expect(Math.abs(equation2Discriminant(s) - eq1)).toBeLessThan(1e-12 * Math.max(1, eq1));
    }
  });

  it("the small outlier stays accurate near a fit, where the textbook root formula cancels", () => {
    // <w, v> sigma_x^2 = yx (1 + 1e-9): deltaX is ~1e-9 of yx, so q is tiny against s^2.
    const m = 4;
    const w = new Float64Array([1, 0.5, -0.25, 2]);
    const v = new Float64Array([0.3, 1, 0.7, 0.2]);
    const x = new Float64Array([1, -2, 0.5, 1.5]);
    const wv = 0.3 + 0.5 - 0.175 + 0.4;
    const sigmaX2 = (1 + 4 + 0.25 + 2.25) / 4;
    const y = x.map((xi) => (wv * (1 - 1e-9)) * xi);
    const s = scalarLinearStats(w, v, x, y);
    const [l1, l2] = theorem31Outliers(s);
    const sum = s.sigmaX2 * (s.ww + s.vv);
    const q = s.deltaX * s.deltaX + 2 * s.sigmaX2 * s.deltaX * s.wv;
    const residual = (l: number) => Math.abs(l * l - sum * l - q) / Math.abs(q); // the quadratic, relative to its constant
    expect(residual(l2)).toBeLessThan(1e-12);
    expect(residual(l1) * Math.abs(q)).toBeLessThan(1e-14 * sum * sum);
    const naive = sum / 2 - Math.sqrt(sum * sum + 4 * q) / 2;
    expect(residual(naive)).toBeGreaterThan(1e-9); // the check above can fail: the naive root does
    expect(sigmaX2).toBeCloseTo(s.sigmaX2, 15);
  });

  it("the proof's determinant identity: det(sigma^2 z z^T - nu I) = (-nu)^(m-1) (sigma^2 |z|^2 - nu)", () => {
    const { v, w, x, y } = setting(8, 6, 30);
    const s = scalarLinearStats(w, v, x, y);
    for (const lambda of [-1.3, 0.2, 0.9, 2.5]) {
      const r = theorem31Reduction(lambda, w, v, s);
      const M = Matrix.mul(new Matrix([Array.from(r.z)]).transpose().mmul(new Matrix([Array.from(r.z)])), s.sigmaX2);
      for (let i = 0; i < 6; i++) M.set(i, i, M.get(i, i) - r.nu);
      const eig = new EigenvalueDecomposition(M).realEigenvalues;
      const det = eig.reduce((a, b) => a * b, 1);
      expect(Math.abs(det - r.determinant)).toBeLessThan(1e-10 * Math.abs(det));
    }
    // ... and the outlier factor vanishes at the closed-form outliers.
    for (const l of theorem31Outliers(s)) {
      const r = theorem31Reduction(l, w, v, s);
      expect(Math.abs(r.outlierFactor)).toBeLessThan(1e-12 * (s.sigmaX2 * r.z.reduce((a, b) => a + b * b, 0) + Math.abs(r.nu)));
    }
  });

  it("bad input names the argument", () => {
    expect(() => scalarLinearStats(new Float64Array([1]), new Float64Array([1, 2]), new Float64Array([1]), new Float64Array([1]))).toThrow(
      /scalarLinearStats: v must have length 1, got 2/,
    );
    expect(() => scalarLinearStats(new Float64Array([NaN]), new Float64Array([1]), new Float64Array([1]), new Float64Array([1]))).toThrow(
      /w\[0\] is not finite/,
    );
    expect(() => theorem31Spectrum(scalarLinearStats(new Float64Array([1]), new Float64Array([1]), new Float64Array([1]), new Float64Array([1])), 0)).toThrow(/m must be a positive integer/);
  });
});
