import { describe, expect, it } from "vitest";
import {
  attentionPoint, attentionSpectrumError, attentionSweepPoint, attentionTheta, gammaZeroFamily, outlierBoundsSweep, queryKeyDraw, queryKeySpectrumError,
  sweepPanelTraces,
} from "../../../lib/experiments/cracking-the-hessian/attention-dense";
import { selfAttention } from "../../../lib/models";
import { rng } from "../../../lib/random/rng";

describe("attention-dense (Cracking the Hessian, Theorem 3.5, Remarks B.2-B.4, Figure 2)", () => {
  const g = rng(2);
  const X = g.normalMatrix(4, 2), Y = g.normalMatrix(4, 2);
  const wK = g.normalArray(6, 0, 0.7), wQ = g.normalArray(6, 0, 0.7);

  it("packs theta = (w_V, w_K, w_Q) by block name; Theorem 3.5 is the dense spectrum", () => {
    const theta = attentionTheta(4, 1.3, wK, wQ);
    expect(Array.from(theta)).toEqual([1.3, ...wK, ...wQ]);
    expect(selfAttention({ seqLen: 4, dK: 6 }).unflattenByName(theta).WQ.to1DArray()).toEqual(Array.from(wQ));
    expect(attentionSpectrumError(attentionPoint(X, Y, 1.3, wK, wQ, 1)).relErr).toBeLessThan(1e-9);
    const p = attentionSweepPoint(X, Y, wK, wQ, 1.3, 1, 0);
    expect(p.err).toBeLessThan(1e-9);
    expect(p.bulkMult).toBe(5);
    expect(Math.abs(p.bulk - Math.abs(p.gamma))).toBeLessThan(1e-9 * Math.max(p.max, -p.min));
    expect(sweepPanelTraces([1], [p], "2", false)).toHaveLength(3);
    expect(() => attentionTheta(4, 1, wK, wQ.slice(1))).toThrow("attentionTheta: wQ must have length d_K = 6, got 5");
  });

  it("Remark B.2: the query-key block's spectrum; Remark B.3: gamma = 0 at s = 0; Remark B.4: the bounds hold", () => {
    const d = queryKeyDraw(4, 6, 1, rng(3), 0.8, 1.2, 0);
    expect(d.QK.rows).toBe(12);
    expect(queryKeySpectrumError(d.QK, d.stats).relErr).toBeLessThan(1e-10);
    const fam = gammaZeroFamily(4, 6, 1.2, 0.8, rng(4));
    const p0 = fam.at(0);
    expect(Math.abs(p0.stats.gamma) / Math.abs(p0.stats.beta)).toBeLessThan(1e-14);
    expect(Math.abs(fam.at(1).stats.gamma)).toBeGreaterThan(1e-6);
    const rows = outlierBoundsSweep(4, 5, 1, 5, rng(5));
    expect(rows.every((r) => !r.topViolates && r.trErr < 1e-12 && r.topErr < 1e-9)).toBe(true);
    expect(() => outlierBoundsSweep(4, 5, 1, 0, rng(5))).toThrow("outlierBoundsSweep: draws must be a positive integer, got 0");
  });
});
