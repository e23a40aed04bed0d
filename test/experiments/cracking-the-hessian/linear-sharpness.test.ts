import { describe, expect, it } from "vitest";
import { phaseRun, randomScalarLinearStats } from "../../../lib/experiments/cracking-the-hessian/linear-sharpness";
import { scalarLinearSetup } from "../../../lib/experiments/cracking-the-hessian/linear-network";
import { hessian } from "../../../lib/curvature";
import { rng } from "../../../lib/random/rng";
import { outlierProduct } from "../../../lib/papers/cracking-the-hessian";

describe("randomScalarLinearStats", () => {
  it("draws `count` reproducible points with widths in 1..30", () => {
    const a = randomScalarLinearStats(rng(2).fork("identity"), 20), b = randomScalarLinearStats(rng(2).fork("identity"), 20);
    expect(a).toHaveLength(20);
    expect(a).toEqual(b);
    for (const s of a) expect(s.sigmaX2).toBeGreaterThan(0);
    expect(() => randomScalarLinearStats(rng(1), -1)).toThrow("randomScalarLinearStats: count must be a non-negative integer, got -1");
  });
});

describe("phaseRun (Appendix C)", () => {
  it("records every iterate; lambda_2 = tr - lambda_1 is an eigenvalue and -lambda_1 lambda_2 is eq. (122)", () => {
    const lin = scalarLinearSetup({ m: 4, n: 60, teacher: 1, noise: 0.3, initStd: 0.3 }, rng(77));
    const run = phaseRun(lin, { etaHigh: 0.7, etaLow: 0.2, switchAt: 3, steps: 6 });
    expect(run.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(run[0].trace).toBeCloseTo(hessian(lin.problem, lin.theta0).trace(), 14);
    for (const r of run) {
      expect(r.l2Distance / r.scale).toBeLessThan(1e-12);
      expect(Math.abs(-r.l1 * r.l2 - outlierProduct(r.stats)) / (r.l1 * r.l1)).toBeLessThan(1e-10);
    }
  });
});
