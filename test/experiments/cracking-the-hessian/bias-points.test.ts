import { describe, expect, it } from "vitest";
import { biasPoint, biasSpectrumError } from "../../../lib/experiments/cracking-the-hessian/bias-points";
import { biasAssumptionGaps } from "../../../lib/papers/cracking-the-hessian";
import { rng } from "../../../lib/random/rng";

const config = { m: 5, n: 40, wStd: 1, vStd: 1 };

describe("biasPoint (Cracking the Hessian, Theorem B.1)", () => {
  it("meets the assumptions and packs theta = (w, v, b) by block name", () => {
    const pt = biasPoint(config, rng(61), { orthogonal: true, equalNorms: true, yx: 0 });
    expect(Math.max(...Object.values(biasAssumptionGaps(pt.stats)))).toBeLessThan(1e-13);
    expect(Array.from(pt.theta)).toEqual([...pt.w, ...pt.v, ...pt.b]);
    const e = biasSpectrumError(pt, 5);
    expect(e.relErr).toBeLessThan(1e-9);
    expect(e.H.rows).toBe(15);
  });

  it("breaks Theorem B.1 when an assumption is dropped, and refuses a bad width", () => {
    expect(biasSpectrumError(biasPoint(config, rng(62), { orthogonal: true, equalNorms: true, yx: 0.8 }), 5).relErr).toBeGreaterThan(1e-4);
    expect(() => biasPoint({ ...config, m: 0 }, rng(1), { orthogonal: true, equalNorms: true, yx: 0 })).toThrow("biasPoint: config.m must be a positive integer, got 0");
  });
});
