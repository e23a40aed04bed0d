import { describe, expect, it } from "vitest";
import { decreasingSteps, sinkDensityTraces, sinkSweepSummary } from "../../../lib/experiments/cracking-the-hessian/attention-sinks-analogue";
import type { SinkSpectrum } from "../../../lib/experiments/transformer-analogue";

const spec = (sink: number, top: number[], nodes: number[], weights: number[]): SinkSpectrum =>
  ({ sink, attentionFirst: 0.5, top: Float64Array.from(top), slq: { nodes: Float64Array.from(nodes), weights: Float64Array.from(weights) }, loss: 1, converged: true });

describe("attention-sinks-analogue (Cracking the Hessian, Figure 6)", () => {
  it("reads lambda_1, the top-k mean and the SLQ mass near zero; counts decreasing steps; draws densities", () => {
    const s = [spec(0, [4, 2], [0.1, 4], [0.9, 0.1]), spec(1, [3, 3], [0.5, 3], [0.5, 0.5])];
    const sum = sinkSweepSummary(s, 0.05);
    expect(sum.lam1).toEqual([4, 3]);
    expect(sum.topMean).toEqual([3, 3]);
    expect(sum.nearZero).toEqual([0.9, 0]);
    expect(decreasingSteps([1, 0, 2, 1])).toBe(2);
    const d = sinkDensityTraces(s, 50);
    expect(d.traces).toHaveLength(2);
    expect(Math.abs(d.sigma - 0.039)).toBeLessThan(1e-12);
    expect(() => sinkSweepSummary(s, 0)).toThrow("sinkSweepSummary: nearZero must be a positive fraction of lambda_max, got 0");
  });
});
