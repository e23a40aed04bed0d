import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { closestPairOfBlock, pairPanelTraces, pairsThroughTraining, worstPairGap } from "../../../lib/experiments/cracking-the-hessian/outliers-paired-training";
import { twoLayerRelu, twoLayerScalar } from "../../../lib/models";
import { standardInit } from "../../../lib/init";
import { wedgeData } from "../../../lib/data";
import { rng } from "../../../lib/random/rng";

describe("pairsThroughTraining (Cracking the Hessian, Figure 8)", () => {
  const data = wedgeData(30, rng(3));
  const theta0 = standardInit(twoLayerScalar(4), rng(4));
  const config = { lr: 0.1, momentum: 0.9, steps: 6, every: 3 };

  it("linear: the closest pair sums to the trace and is Theorem 3.1's outliers", () => {
    const { rec } = pairsThroughTraining(twoLayerScalar(4), data.X, data.Y, theta0, config, false, rng(5));
    expect(rec.step).toEqual([0, 3, 6]);
    expect(worstPairGap(rec.cells.all, rec.scale)).toBeLessThan(1e-10);
    expect(Math.max(...rec.thm)).toBeLessThan(1e-10);
  });

  it("ReLU: the cells decouple and each cell's pair sums to its block's trace", () => {
    const { rec } = pairsThroughTraining(twoLayerRelu(4), data.X, data.Y, theta0, config, true, rng(5));
    expect(Math.max(...rec.cross)).toBeLessThan(1e-14);
    expect(worstPairGap(rec.cells["+"], rec.scale)).toBeLessThan(1e-10);
    expect(worstPairGap(rec.cells["−"], rec.scale)).toBeLessThan(1e-10);
    expect(pairPanelTraces(rec.cells["+"], rec.step, "2", "blue", "x", true)).toHaveLength(4);
  });

  it("closestPairOfBlock: a 2 x 2 block's pair is its spectrum; an empty block gives zeros; bad input is refused", () => {
    const H = new Matrix([[2, 1, 0], [1, 3, 0], [0, 0, 5]]);
    const p = closestPairOfBlock(H, [0, 1]);
    expect(p.tr).toBe(5);
    expect(Math.abs(p.hi + p.lo - 5)).toBeLessThan(1e-14);
    expect(closestPairOfBlock(H, [])).toEqual({ tr: 0, hi: 0, lo: 0, gap: 0, second: Infinity });
    expect(() => closestPairOfBlock(H, null as unknown as number[])).toThrow("closestPairOfBlock: idx must be an array");
    expect(() => pairsThroughTraining(twoLayerScalar(4), data.X, data.Y, theta0, { ...config, every: 0 }, false, rng(5))).toThrow("pairsThroughTraining: config.every must be >= 1");
  });
});
