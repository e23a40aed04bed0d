import { describe, expect, it } from "vitest";
import { reluCellOutlierResidual, reluSetup, reluSpectrumAt, reluSpectrumRun } from "../../../lib/experiments/cracking-the-hessian/relu-network";
import { hessian } from "../../../lib/curvature";
import { wedgeData } from "../../../lib/data";
import { rng } from "../../../lib/random/rng";

const options = { m: 6, n: 80, slopePos: 1.5, slopeNeg: -0.5, noise: 0.1, initStd: 0.8 };

describe("reluSetup (Theorem 3.4)", () => {
  it("draws the wedge data, then theta_0; theta = (w, v) and a cell's indices are its units' w_j then v_j", () => {
    const relu = reluSetup(options, rng(34));
    const g = rng(34);
    const data = wedgeData(80, g, { slopePos: 1.5, slopeNeg: -0.5, noiseStd: 0.1 });
    expect(Array.from(relu.x)).toEqual(data.X.getRow(0));
    expect(Array.from(relu.theta0)).toEqual(Array.from(g.normalArray(12, 0, 0.8)));
    const { w, v } = relu.weights(relu.theta0);
    expect(Array.from(w)).toEqual(Array.from(relu.theta0.slice(0, 6)));
    expect(Array.from(v)).toEqual(Array.from(relu.theta0.slice(6)));
    const cells = relu.cells(relu.theta0);
    expect(relu.cellIndices(cells.plus)).toEqual([...cells.plus.units, ...cells.plus.units.map((j) => 6 + j)]);
    expect(() => reluSetup({ ...options, initStd: Infinity }, rng(1))).toThrow("reluSetup: options.initStd must be a finite number");
    expect(() => reluSetup({ ...options, n: 2.5 }, rng(1))).toThrow("reluSetup: options.n must be a positive integer, got 2.5");
  });

  it("the dense spectrum is Theorem 3.4's and the cells' Theorem 3.2 vectors are eigenvectors", () => {
    const relu = reluSetup(options, rng(35));
    const at = reluSpectrumAt(relu, relu.theta0);
    const scale = Math.max(...Array.from(at.computed, Math.abs));
    at.computed.forEach((e, i) => expect(Math.abs(e - at.predicted[i])).toBeLessThan(1e-12 * scale));
    const top = Math.max(at.outliers["+"][0] ?? -Infinity, at.outliers["-"][0] ?? -Infinity);
    expect(Math.abs(top - at.computed[at.computed.length - 1])).toBeLessThan(1e-12 * scale);
    expect(reluCellOutlierResidual(relu, relu.theta0, hessian(relu.problem, relu.theta0))).toBeLessThan(1e-13);
  });

  it("reluSpectrumRun skips recorded points at a kink", () => {
    const relu = reluSetup(options, rng(36));
    const run = reluSpectrumRun(relu, { eta: 0.1, steps: 20, every: 10, kink: 1e-8 });
    expect(run.points.length + run.skipped).toBe(3);
    const none = reluSpectrumRun(relu, { eta: 0.1, steps: 20, every: 10, kink: 1e6 });
    expect([none.points.length, none.skipped]).toEqual([0, 3]);
    expect(() => reluSpectrumRun(relu, { eta: 0.1, steps: 2, every: 1, kink: -1 })).toThrow("reluSpectrumRun: options.kink must be >= 0, got -1");
  });
});
