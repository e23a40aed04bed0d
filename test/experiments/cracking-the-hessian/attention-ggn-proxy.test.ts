import { describe, expect, it } from "vitest";
import { binnedErrorCurves, binnedTrace, tinyLanczosCrossCheck } from "../../../lib/experiments/cracking-the-hessian/attention-ggn-proxy";
import { AnalogueRecord, analogueCorpus } from "../../../lib/experiments/transformer-analogue";
import { rng } from "../../../lib/random/rng";

const rec = (step: number, residual: number, relErr: number): AnalogueRecord =>
  ({ step, residual, relErr, loss: 1, hessian: 1, ggn: 1, matvecs: 1, converged: true } as unknown as AnalogueRecord);

describe("attention-ggn-proxy (Cracking the Hessian, Figure 5)", () => {
  it("Lanczos matches dense eigh on the tiny model", () => {
    const c = tinyLanczosCrossCheck(analogueCorpus(), false, rng(5), { basisSize: 12, tol: 1e-8 });
    expect(Math.abs(c.top.hessian - c.denseHessian) / Math.abs(c.denseHessian)).toBeLessThan(1e-6);
    expect(Math.abs(c.top.ggn - c.denseGgn) / Math.abs(c.denseGgn)).toBeLessThan(1e-6);
    expect(() => tinyLanczosCrossCheck(analogueCorpus(), 1 as unknown as boolean, rng(5), {})).toThrow("tinyLanczosCrossCheck: withAttention must be a boolean");
  }, 60000);

  it("bins trained checkpoints (step > 0) and counts where attention's error is larger", () => {
    const runsA = [[rec(0, 5, 9), rec(1, 1, 0.5), rec(2, 2, 0.4)], [rec(0, 5, 9), rec(1, 1.1, 0.3), rec(2, 2.1, 0.2)]];
    const runsN = [[rec(0, 5, 9), rec(1, 1, 0.1), rec(2, 2, 0.6)], [rec(0, 5, 9), rec(1, 1.1, 0.1), rec(2, 2.1, 0.6)]];
    const b = binnedErrorCurves(runsA, runsN, (r) => r.residual, 2);
    expect(b.trainedA.flat().every((r) => r.step > 0)).toBe(true);
    expect(b.order.matched).toBe(2);
    expect(b.order.aLarger).toBe(1);
    expect(Math.abs(b.curveA.mean[0] - 0.4)).toBeLessThan(1e-15);
    expect((binnedTrace(b.curveA, "a", "red").x as number[]).length).toBe(2);
  });
});
