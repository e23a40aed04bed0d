import { describe, expect, it } from "vitest";
import { pairAsymmetry, sinkEmbeddingSpectra } from "../../../lib/experiments/cracking-the-hessian/attention-sink-embedding";
import { selfAttention } from "../../../lib/models";
import { standardInit } from "../../../lib/init";
import { rng } from "../../../lib/random/rng";

describe("sinkEmbeddingSpectra (Cracking the Hessian, Figure 9)", () => {
  it("the dense Hessian matches finite differences; the bulk has 2d values in ± pairs, d_K - 2d + 1 times each", () => {
    const cfg = { d: 2, dK: 7, T: 3 };
    const g = rng(9);
    const X = g.normalMatrix(6, 2), Y = g.normalMatrix(6, 2);
    const theta = standardInit(selfAttention({ seqLen: 3, embed: 2, dK: 7 }), g.fork("init"));
    const [r] = sinkEmbeddingSpectra(cfg, X, Y, theta, [1], g);
    expect(r.fdErr).toBeLessThan(1e-6);
    expect(r.repeated.length).toBe(4);
    expect(pairAsymmetry(r)).toBeLessThan(1e-9);
    expect(r.top.length).toBe(Math.ceil(0.05 * theta.length));
    expect(() => sinkEmbeddingSpectra({ d: 0, dK: 7, T: 3 }, X, Y, theta, [1], g)).toThrow("sinkEmbeddingSpectra: config must carry d, dK and T");
  });
});
