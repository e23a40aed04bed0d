import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { rng } from "../../../lib/random/rng";
import { usiInit } from "../../../lib/init/balanced";
import * as dnd from "../../../lib/papers/depth-not-data";
import {
  alignedLinear, blockNormExtremes, blockNormRatios, clusterBands, configLabel, eigenvalueLines, gramFromJacobian, gramKroneckerSum,
  haarBases, hiddenWidths, kroneckerResidual, layerBlockNorms, logSpacedSteps, recordTimes, recursionGrid, spanProjector, stepInRange,
  tailDecay, trackFunctionalHessian, usiProductError, weightProduct,
} from "../../../lib/experiments/depth-not-data";
import { functionalHessian } from "../../../lib/curvature/curvature";

describe("depth-not-data setting", () => {
  it("widths, bases, step range and labels", () => {
    expect(hiddenWidths(4, 6, 3, 3)).toEqual([4, 6, 6, 3]);
    expect(() => hiddenWidths(4, 6, 3, 0)).toThrow("hiddenWidths: L must be an integer >= 1, got 0");
    const { U, V } = haarBases(rng(1), 3, 4, 0);
    expect(U.mmul(U.transpose()).sub(Matrix.eye(3)).abs().max()).toBeLessThan(1e-12);
    expect(V.rows).toBe(4);
    const { eta, B } = stepInRange(0.5, 3, [0.5, 1.2]);
    expect(B).toBe(1.2);
    expect(eta).toBeCloseTo(0.5 / (3 * 1.2 ** 4), 15);
    expect(configLabel({ widths: [4, 5, 3], r: 2, dStar: 3, lambda0: [0.5, 0.8] }, ["dStar", "lambda0"])).toBe("L=2, 4-5-3, r=2, d*=3, λ₀=(0.5, 0.8)");
    expect(() => alignedLinear({ widths: [4], r: 1, dStar: 1 }, { U, V }, { n: 8, dataGen: rng(2) })).toThrow(/alignedLinear: cfg.widths must list/);
  });

  it("the loss of the shared form equals the recursion's excess loss along training", () => {
    const tr = trackFunctionalHessian({ widths: [3, 3, 2], r: 1, dStar: 2, lambda0: [0.6] }, 0, rng(3), { etaFraction: 0.5, steps: 10, every: 5, checkExcess: true });
    expect(tr.t).toEqual([0, 5, 10]);
    expect(tr.hf.every((h) => h >= 0)).toBe(true);
    expect(tr.e0).toBe(tr.loss[0]);
  });
});

describe("depth-not-data dense constructions", () => {
  it("the Gram matrix from the Jacobian equals its Kronecker sum, with Kronecker eigenvectors", () => {
    const cfg = { widths: [3, 4, 2], r: 1, dStar: 2 }, lam = [0.7];
    const s = alignedLinear(cfg, haarBases(rng(4), 2, 3, 0), { n: 6, dataGen: rng(5), lambda0: lam });
    const W = s.problem.model.unflatten(s.theta0);
    const { G } = gramFromJacobian(s.problem.model, s.theta0, s.data.Sxx, 2);
    expect(gramKroneckerSum(W, cfg.widths, s.data.Sxx).sub(G).abs().max()).toBeLessThan(1e-12);
    expect(kroneckerResidual(G, s.U, s.V, lam, { L: 2, r: 1, dStar: 2 })).toBeLessThan(1e-12);
    expect(weightProduct(W, cfg.widths, 0, 1).rows).toBe(3); // the empty product is the identity
    const Hf = functionalHessian(s.problem, s.theta0);
    const { worstDiag, bound } = layerBlockNorms(Hf, s.problem.model.blocks);
    expect(worstDiag).toBeLessThan(1e-14);
    expect(bound).toBeCloseTo(dnd.functionalHessianBound(lam, { L: 2, r: 1, dStar: 2 }).blockBound, 10);
  });

  it("USI products, projectors and the block-norm lemma", () => {
    const widths = [3, 4, 4, 2];
    const init = usiInit(widths, rng(6), { m0: 0.9, r: 1 });
    expect(usiProductError(init.weights, widths, init.U, init.V, 0.9, 1)).toBeLessThan(1e-12);
    const Z = new Matrix([[1, 1], [0, 1], [0, 0]]);
    const Pz = spanProjector(Z);
    expect(Pz.mmul(Pz).sub(Pz).abs().max()).toBeLessThan(1e-14);
    expect(Pz.get(2, 2)).toBeCloseTo(0, 14);
    expect(Math.max(...blockNormRatios(rng(7), { trials: 50, maxBlocks: 3, maxBlockSize: 3 }))).toBeLessThanOrEqual(1 + 1e-12);
    const { tight, loose } = blockNormExtremes(rng(8), 4, 2, 3);
    expect(tight).toBeCloseTo(1, 12);
    expect(loose).toBeCloseTo(2, 12);
  });
});

describe("depth-not-data recursion, times and traces", () => {
  it("recursionGrid converges inside the range; tailDecay follows its ODE", () => {
    const g = recursionGrid({ depths: [2], lambda0s: [0.5, 1.3], etaFractions: [0.5], maxSteps: 1e5 });
    expect(g.runs).toHaveLength(2);
    expect(g.worstBoundExcess).toBeLessThanOrEqual(0);
    expect(g.worstMonotone).toBeLessThanOrEqual(0);
    expect(Math.max(...g.runs.map((r) => r.finalErr))).toBeLessThan(1e-12);
    const t = tailDecay(2, 0.9, 2000);
    expect(t.maxIncrease).toBeLessThanOrEqual(0);
    expect(Math.abs(t.traj[2000] / t.ode(2000) - 1)).toBeLessThan(0.01);
  });

  it("recording times and log-spaced steps", () => {
    const r = recordTimes(100, 5);
    expect(r[0]).toBe(0);
    expect(r[r.length - 1]).toBe(100);
    expect(new Set(r).size).toBe(r.length);
    expect(() => recordTimes(10, 1)).toThrow(/recordTimes/);
    expect(logSpacedSteps(1, 10, 1.5)).toEqual([1, 2, 3, 4, 6, 9]);
    expect(() => logSpacedSteps(1, 10, 1)).toThrow("logSpacedSteps: factor must be > 1, got 1");
  });

  it("eigenvalue lines by cluster band", () => {
    const bands = clusterBands({ dominant: 1, bulk: 1 }, 3, ["d", "b", "z"]);
    expect(bands.map((b) => [b.from, b.to])).toEqual([[0, 1], [1, 2], [2, 3]]);
    const lines = eigenvalueLines([{ t: 0, eig: [4, 2, 0] }, { t: 1, eig: [3, 1, 0] }], bands, { scale: 2 });
    expect(lines[0].y).toEqual([2, 1.5, null]);
    expect(lines[0].x).toEqual([0.5, 1, null]);
  });
});
