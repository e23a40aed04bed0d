import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { standardInit, pytorchDefaultInit, orthogonalInit, ntpInit, mupInit, ntpMultipliers } from "../../lib/init/index";
import { mlp, deepLinear, twoLayerScalar } from "../../lib/models/index";
import { rng } from "../../lib/random/rng";

function blockValues(theta: Float64Array, b: { offset: number; size: number }): number[] {
  return Array.from(theta.subarray(b.offset, b.offset + b.size));
}

const variance = (xs: number[]) => xs.reduce((s, x) => s + x * x, 0) / xs.length;

describe("generic initialisations", () => {
  const model = mlp([200, 300, 10], { activation: "tanh", bias: true });

  it("pytorchDefaultInit: U(-1/sqrt(fan-in), 1/sqrt(fan-in)) for weights and biases", () => {
    const theta = pytorchDefaultInit(model, rng(61));
    for (const b of model.blocks) {
      const xs = blockValues(theta, b);
      const bound = 1 / Math.sqrt(b.fanIn);
      expect(Math.max(...xs.map(Math.abs))).toBeLessThanOrEqual(bound);
      if (b.size > 1000) expect(Math.abs(variance(xs) / (bound * bound / 3) - 1)).toBeLessThan(0.05);
    }
    expect(model.blocks.map((b) => b.fanIn)).toEqual([200, 200, 300, 300]);
  });

  it("standardInit: variance 1/fan-in", () => {
    const theta = standardInit(model, rng(62));
    const W1 = model.blocks[0];
    expect(Math.abs(variance(blockValues(theta, W1)) * 200 - 1)).toBeLessThan(0.02);
  });

  it("orthogonalInit: semi-orthogonal blocks", () => {
    const m = deepLinear([5, 8, 3]);
    const [W1, W2] = m.unflatten(orthogonalInit(m, rng(63)));
    const d1 = W1.transpose().mmul(W1).sub(Matrix.eye(5));
    const d2 = W2.mmul(W2.transpose()).sub(Matrix.eye(3));
    expect(Math.max(...d1.to1DArray().map(Math.abs), ...d2.to1DArray().map(Math.abs))).toBeLessThan(1e-13);
  });

  it("ntpInit and mupInit: multipliers and per-layer learning rates", () => {
    const m = deepLinear([4, 100, 2]);
    const ntp = ntpInit(m, rng(64));
    expect(ntp.multipliers).toEqual([0.5, 0.1]);
    expect(ntpMultipliers([4, 100, 2])).toEqual([0.5, 0.1]);
    const mup = mupInit(m, rng(65));
    expect(mup.lrScale[0]).toBe(1 / 4);
    expect(mup.lrScale[m.numParams - 1]).toBe(1 / 100);
    const sp = mupInit(m, rng(65), { variant: "spectral" });
    expect(sp.lrScale[0]).toBe(25);
    const s = twoLayerScalar(10);
    expect(s.blocks.map((b) => [b.fanIn, b.fanOut])).toEqual([[10, 1], [1, 10]]);
    expect(() => mupInit(m, rng(1), { variant: "x" as "paper" })).toThrow(/mupInit: variant/);
  });
});
