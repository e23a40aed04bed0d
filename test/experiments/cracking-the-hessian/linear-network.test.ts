import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { gdRecords, scalarLinearSetup, scalarLinearSpectrumAt, scalarLinearSpectrumRun } from "../../../lib/experiments/cracking-the-hessian/linear-network";
import { gradient, hessian, loss } from "../../../lib/curvature";
import { eigh } from "../../../lib/linalg/eigh";
import { rng } from "../../../lib/random/rng";
import { scalarLinearStats } from "../../../lib/papers/cracking-the-hessian";

const options = { m: 5, n: 40, teacher: 1.5, noise: 0.3, initStd: 0.6 };

describe("scalarLinearSetup (Cracking the Hessian, Section 3.1)", () => {
  it("draws x, the noise of y, then theta_0, in that order, from the generator", () => {
    const lin = scalarLinearSetup(options, rng(7));
    const g = rng(7);
    const x = g.normalArray(40);
    const y = x.map((xi) => 1.5 * xi + 0.3 * g.normal());
    const theta0 = g.normalArray(10, 0, 0.6 / Math.sqrt(5));
    expect(Array.from(lin.x)).toEqual(Array.from(x));
    expect(Array.from(lin.y)).toEqual(Array.from(y));
    expect(Array.from(lin.theta0)).toEqual(Array.from(theta0));
  });

  it("theta = (v, w): weights and pack invert each other, and the network is <w, v> x", () => {
    const lin = scalarLinearSetup(options, rng(8));
    const { w, v } = lin.weights(lin.theta0);
    expect(Array.from(v)).toEqual(Array.from(lin.theta0.slice(0, 5)));
    expect(Array.from(w)).toEqual(Array.from(lin.theta0.slice(5)));
    expect(Array.from(lin.pack(w, v))).toEqual(Array.from(lin.theta0));
    const F = lin.model.forward(lin.theta0, new Matrix([[2]])).get(0, 0);
    const wv = w.reduce((s, a, i) => s + a * v[i], 0);
    expect(Math.abs(F - 2 * wv)).toBeLessThan(1e-14);
    expect(lin.stats(lin.theta0)).toEqual(scalarLinearStats(w, v, lin.x, lin.y));
  });

  it("refuses bad options with the argument's name", () => {
    expect(() => scalarLinearSetup({ ...options, m: 0 }, rng(1))).toThrow("scalarLinearSetup: options.m must be a positive integer, got 0");
    expect(() => scalarLinearSetup({ ...options, noise: NaN }, rng(1))).toThrow("scalarLinearSetup: options.noise must be a finite number");
  });
});

describe("gdRecords", () => {
  it("is plain gradient descent, recorded every `every` steps, bitwise", () => {
    const lin = scalarLinearSetup(options, rng(9));
    const eta = (t: number) => 0.1 / (1 + t / 5);
    const recs = gdRecords(lin.problem, lin.theta0, { lr: eta, steps: 7, every: 3 }, (s) => ({ step: s.step, loss: s.loss, lr: s.lr, theta: Float64Array.from(s.theta) }));
    expect(recs.map((r) => r.step)).toEqual([0, 3, 6]);
    const theta = lin.theta0.slice();
    for (let t = 0; t <= 6; t++) {
      if (t % 3 === 0) {
        const r = recs[t / 3];
        expect(Array.from(r.theta)).toEqual(Array.from(theta));
        expect(r.loss).toBe(loss(lin.problem, theta));
        expect(r.lr).toBe(eta(t));
      }
      const g = gradient(lin.problem, theta);
      for (let i = 0; i < theta.length; i++) theta[i] -= eta(t) * g[i];
    }
  });

  it("refuses a bad `every` and a bad rate", () => {
    const lin = scalarLinearSetup(options, rng(9));
    expect(() => gdRecords(lin.problem, lin.theta0, { lr: 0.1, steps: 2, every: 0 }, () => 0)).toThrow("gdRecords: every must be a positive integer, got 0");
    expect(() => gdRecords(lin.problem, lin.theta0, { lr: "x" as unknown as number, steps: 2 }, () => 0)).toThrow("gdRecords: lr must be a number or a function of the step");
  });
});

describe("scalarLinearSpectrumAt / scalarLinearSpectrumRun (Theorem 3.1)", () => {
  it("the dense spectrum is Theorem 3.1's, labelled m-1 / m-1 / 2", () => {
    const lin = scalarLinearSetup(options, rng(10));
    const at = scalarLinearSpectrumAt(lin, lin.theta0);
    expect(Array.from(at.computed)).toEqual(Array.from(eigh(hessian(lin.problem, lin.theta0)).values));
    const scale = Math.max(...Array.from(at.computed, Math.abs));
    at.computed.forEach((e, i) => expect(Math.abs(e - at.predicted[i])).toBeLessThan(1e-12 * scale));
    const count = (k: string) => at.kinds.filter((q) => q === k).length;
    expect([count("bulk+"), count("bulk-"), count("outlier")]).toEqual([4, 4, 2]);
    expect(Math.abs(at.nearestSmallOutlier - at.outliers[1])).toBeLessThan(1e-12 * scale);
  });

  it("records the run at steps 0, every, ..., with falling loss", () => {
    const lin = scalarLinearSetup(options, rng(11));
    const run = scalarLinearSpectrumRun(lin, { eta: 0.05, steps: 20, every: 10 });
    expect(run.map((r) => r.step)).toEqual([0, 10, 20]);
    expect(run[2].loss).toBeLessThan(run[0].loss);
  });
});
