import { describe, expect, it } from "vitest";
import { EDGE_KINDS, edgeOfStabilityEnsemble, edgeOfStabilityPanels, edgeOfStabilityRun } from "../../../lib/experiments/cracking-the-hessian/dynamics-edge-of-stability";
import { hessian, mseProblem } from "../../../lib/curvature";
import { selfAttention } from "../../../lib/models";
import { sequenceReversal } from "../../../lib/data";
import { eigh } from "../../../lib/linalg/eigh";
import { rng } from "../../../lib/random/rng";

const config = { dK: 2, T: 2, eta: 2.3, initStd: 0.1, n: 5 };

describe("edgeOfStabilityRun (Cracking the Hessian, Figure 27)", () => {
  it("records at step 0 the sharpness and trace of the dense Hessian of the seed's draw", () => {
    const r = edgeOfStabilityRun(config, rng(27), 3, 4, 2);
    expect(r.step).toEqual([0, 2, 4]);
    const g = rng(27).fork("seed-3");
    const { X, Y } = sequenceReversal(2, 5, g.fork("data"));
    const model = selfAttention({ seqLen: 2, dK: 2 });
    const H = hessian(mseProblem(model, X, Y, { normalizer: 10 }), g.fork("init").normalArray(model.numParams, 0, 0.1));
    const ev = eigh(H).values;
    expect(r.sharp[0]).toBe(ev[ev.length - 1]);
    expect(Math.abs(r.trace[0] - H.trace())).toBeLessThan(1e-15);
    expect(r.m1[0]).toBeGreaterThan(0);
  });

  it("classifies ensemble draws and builds six panels", () => {
    const e = edgeOfStabilityEnsemble(config, rng(27), 2, 20);
    expect(e).toHaveLength(2);
    for (const d of e) expect(EDGE_KINDS).toContain(d.kind);
    const { data, layout } = edgeOfStabilityPanels(edgeOfStabilityRun(config, rng(27), 0, 4, 1), 2 / 2.3, "t");
    expect(data).toHaveLength(9);
    expect(layout.yaxis6).toBeDefined();
  });

  it("refuses bad arguments", () => {
    expect(() => edgeOfStabilityRun(config, rng(1), 0, 4, 0)).toThrow("edgeOfStabilityRun: every must be a positive integer, got 0");
    expect(() => edgeOfStabilityRun({ ...config, n: 0 }, rng(1), 0, 4, 1)).toThrow("edgeOfStabilityRun: config must carry dK, T, n >= 1");
  });
});
