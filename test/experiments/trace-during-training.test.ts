import { describe, expect, it } from "vitest";
import { topPanel, tracePanel } from "../../lib/experiments/figures/trace-during-training";
import { hessian } from "../../lib/curvature";
import { eigh } from "../../lib/linalg/eigh";
import type { ImageDataset } from "../../lib/data";
import { rng } from "../../lib/random/rng";
import { normalCdf, twoSidedNormalQuantile } from "../../lib/stats";

/** A tiny image data set: 60 random 3 x 2 images in 3 classes. */
function tinyImages(): ImageDataset {
  const gen = rng(30);
  const count = 60, dim = 6;
  const images = Uint8Array.from({ length: count * dim }, () => gen.int(256));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  return { name: "tiny", count, dim, shape: [3, 2], images, labels, classes: 3 };
}

describe("trace during training (Data Dependence, Figure 3)", () => {
  it("population form equals the sample MSE at init; (7) equals the exact trace, so Hutchinson's z stays small", () => {
    const panel = tracePanel(tinyImages(), "tiny", { n: 40, width: 5, L: 3, lr: 0.01, epochs: 20, probes: 200, recordAt: [0, 5, 20] }, rng(31));
    expect(Math.abs(panel.initialLoss.population - panel.initialLoss.sample) / panel.initialLoss.sample).toBeLessThan(1e-10);
    expect(panel.initialGradientError).toBeLessThan(1e-10);
    expect(panel.records.map((r) => r.epoch)).toEqual([0, 5, 20]);
    // familywise 1% over three records: a failure here would mean (7) is not the trace
    const limit = twoSidedNormalQuantile(0.01 / 3);
    for (const r of panel.records) expect(Math.abs(r.z)).toBeLessThan(limit);
  });

  it("the normal quantile inverts the CDF", () => {
    const z = twoSidedNormalQuantile(0.05);
    expect(Math.abs(2 * (1 - normalCdf(z)) - 0.05)).toBeLessThan(1e-9);
    // A&S 7.1.26 is accurate to 1.5e-7 in erf, so z is off by at most 1.5e-7 / (2 phi(z)) (phi the normal density)
    const phi = Math.exp(-(1.959963984540054 ** 2) / 2) / Math.sqrt(2 * Math.PI);
    expect(Math.abs(z - 1.959963984540054)).toBeLessThan(1.5e-7 / (2 * phi));
    expect(() => twoSidedNormalQuantile(0)).toThrow("twoSidedNormalQuantile: level must be in (0, 1), got 0");
  });

  it("topPanel: LOBPCG's top-k at the initialisation are the dense Hessian's top-k", () => {
    const { run, records } = topPanel(tinyImages(), "tiny", { n: 40, width: 4, lr: 0.01, epochs: 5, k: 3, tol: 1e-10, maxIterations: 500, recordAt: [0, 5] }, rng(32));
    expect(records.map((r) => r.epoch)).toEqual([0, 5]);
    expect(records.every((r) => r.converged)).toBe(true);
    const dense = Array.from(eigh(hessian(run.problem, run.theta0)).values).reverse().slice(0, 3);
    const scale = Math.abs(dense[0]);
    for (let i = 0; i < 3; i++) expect(Math.abs(records[0].hess[i] - dense[i]) / scale).toBeLessThan(1e-8);
  });
});
