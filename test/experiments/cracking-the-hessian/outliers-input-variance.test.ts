import { describe, expect, it } from "vitest";
import { inputVarianceSweep, nearestEigenvalue } from "../../../lib/experiments/cracking-the-hessian/outliers-input-variance";
import { rng } from "../../../lib/random/rng";

describe("inputVarianceSweep (Cracking the Hessian, Figure 7)", () => {
  it("Theorem 3.1 is the dense spectrum at every input variance, and the outliers scale with sigma_x^2 up to yz", () => {
    const { sweep, yz } = inputVarianceSweep(4, 200, [0.5, 2], rng(7));
    expect(Math.max(...sweep.map((r) => r.err))).toBeLessThan(1e-10);
    expect(Math.abs(sweep[0].stats.sigmaX2 - 0.5)).toBeLessThan(1e-12);
    expect(Math.abs(yz)).toBeLessThan(0.5);
    expect(nearestEigenvalue([1, 2, 5], 4)).toBe(5);
    expect(() => inputVarianceSweep(4, 10, [0], rng(1))).toThrow("inputVarianceSweep: sigma2 must be an array of positive variances");
  });
});
