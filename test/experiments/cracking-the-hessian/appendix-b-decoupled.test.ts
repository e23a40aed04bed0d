import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import {
  correlatedInputs, crossGroupCoupling, decoupledSpectrumError, eigenResidual, groupWeights, largestInputCovariance, multiInputSetting,
  multiOutputSetting, outlierEigenvectorResiduals, secondOutlierEvents,
} from "../../../lib/experiments/cracking-the-hessian/appendix-b-decoupled";
import { hessian } from "../../../lib/curvature";
import { multiInputStats, multiOutputStats } from "../../../lib/papers/cracking-the-hessian";
import { rng } from "../../../lib/random/rng";

describe("Corollaries B.1-B.3 brute force", () => {
  it("multi-output: draws x, the noise, then theta0 from the generator; groups by block name; decoupled spectrum", () => {
    const cfg = { m: 3, K: 2, n: 20, slopes: [2, 0.5], noise: 0.2, initStd: 0.5 };
    const s = multiOutputSetting(cfg, rng(112));
    const g = rng(112);
    const x = g.normalArray(20);
    for (let k = 0; k < 2; k++) for (let j = 0; j < 20; j++) expect(s.Y.get(k, j)).toBe(cfg.slopes[k] * x[j] + 0.2 * g.normal());
    expect(Array.from(s.theta0)).toEqual(Array.from(g.normalArray(12, 0, 0.5 / Math.sqrt(3))));
    const { ws, vs } = groupWeights(s.model, s.theta0);
    expect(Array.from(ws[1])).toEqual(Array.from(s.theta0.slice(6, 9)));
    expect(Array.from(vs[1])).toEqual(Array.from(s.theta0.slice(9, 12)));
    expect(crossGroupCoupling(hessian(s.problem, s.theta0), 6)).toBe(0);
    expect(decoupledSpectrumError(s.problem, s.theta0, multiOutputStats(ws, vs, s.x, s.Y), 3).relErr).toBeLessThan(1e-10);
    const r = outlierEigenvectorResiduals(s.problem, s.theta0, s.x, s.Y);
    expect(r.good).toBeLessThan(1e-10);
    expect(r.align).toBeLessThan(1e-10);
    expect(r.lit).toBeGreaterThan(1e-3);
    expect(() => multiOutputSetting({ ...cfg, slopes: [1] }, rng(1))).toThrow("multiOutputSetting: config.slopes must hold K = 2 slopes");
  });

  it("multi-input: decorrelated inputs decouple, correlated ones do not", () => {
    const s = multiInputSetting({ m: 3, D: 3, n: 30, noise: 0.2, initStd: 0.5 }, rng(111));
    expect(largestInputCovariance(s.X)).toBeLessThan(1e-14);
    const { ws, vs } = groupWeights(s.model, s.theta0);
    expect(decoupledSpectrumError(s.problem, s.theta0, multiInputStats(ws, vs, s.X, s.Y), 3).relErr).toBeLessThan(1e-10);
    expect(largestInputCovariance(correlatedInputs(3, 30, rng(2)))).toBeGreaterThan(0.1);
    expect(() => crossGroupCoupling(new Matrix(4, 4), 3)).toThrow("crossGroupCoupling: size must divide 4, got 3");
  });

  it("eigenResidual and secondOutlierEvents", () => {
    const H = new Matrix([[2, 0], [0, 1]]);
    expect(eigenResidual(H, Float64Array.from([1, 0]), 2)).toBe(0);
    const ev = secondOutlierEvents([0, 1, 2, 3], [[1], [1], [1], [1]], [[-1], [-0.5], [0], [0]]);
    expect(ev.turn).toEqual([2]);
    expect(ev.settled).toEqual([2]);
    expect(() => secondOutlierEvents([0], [], [])).toThrow("secondOutlierEvents: l1 and l2 must have one row per step");
  });
});
