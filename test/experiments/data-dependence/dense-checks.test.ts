import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import {
  balanceDefect, balancedZeroLossNet, denseSharpness, denseTraces, eigenResidual, functionalHessianNorm, gaussianNet, ggnNtkSpectra, labelledInputs,
  labelsByProportion, largestHessianEigenvalue, randomBalancedNet, randomLinearNet, runningMean, shallowGgnNet, spectrumDeviation, topEigenvalue, worstPairResidual,
} from "../../../lib/experiments/data-dependence/dense-checks";
import { functionalHessian, gaussNewton, hessian } from "../../../lib/curvature";
import { trainedLabelSharpness } from "../../../lib/experiments/data-dependence/trained-sharpness";
import { imageDatasetHash, sharedDatasets } from "../../../lib/experiments/data-dependence/image-datasets";
import type { ImageDataset } from "../../../lib/data";
import { rng } from "../../../lib/random/rng";

describe("dense checks of Data Dependence (brute force)", () => {
  it("spectrumDeviation pads the prediction with zeros and counts predictions past the spectrum", () => {
    expect(spectrumDeviation([4, 2, 0], [4, 1])).toBe(0.25);
    expect(spectrumDeviation([4, 2], [4, 2, 1])).toBe(0.25);
    expect(() => spectrumDeviation([], [])).toThrow("spectrumDeviation: measured must not be empty");
  });

  it("eigenResidual, ggnNtkSpectra and runningMean", () => {
    const K = Matrix.diag([3, 1]);
    expect(eigenResidual(K, [1, 0], 3)).toBe(0);
    expect(eigenResidual(K, [0, 2], 3)).toBe(2);
    const gap = ggnNtkSpectra([2, 1, 1e-17], [2, 1.5]);
    expect(gap.eigErr).toBe(0.25);
    expect(gap.zeroErr).toBe(5e-18);
    const r = runningMean([1, 3, 2]);
    expect(r.mean).toEqual([1, 2, 2]);
    expect(r.se[0]).toBe(0);
    expect(r.se[2]).toBeCloseTo(Math.sqrt(1 / 3), 14);
  });

  it("random nets: eq. (6) has zero targets and scaled layers; (1/n) J^T J's lambda_max by NTK or GGN; traces", () => {
    const net = randomLinearNet({ maxDepth: 3, maxWidth: 4, extraSamples: 2, form: "eq6" }, rng(1));
    expect(net.Y.norm("frobenius")).toBe(0);
    expect(net.X.mmul(net.X.transpose()).div(net.n).sub(Matrix.eye(net.widths[0]).mul(net.sigmaX ** 2)).norm("frobenius")).toBeLessThan(1e-12);
    const G = gaussNewton(net.problem, net.theta);
    expect(Math.abs(denseSharpness(net) - topEigenvalue(G)) / topEigenvalue(G)).toBeLessThan(1e-12);
    const net7 = randomLinearNet({ maxDepth: 3, maxWidth: 4, extraSamples: 2, form: "eq7" }, rng(1));
    expect(net7.widths).toEqual(net.widths); // the same draws up to the layer scales
    const t = denseTraces(net7);
    expect(Math.abs(t.trH - t.trG - t.trHf)).toBeLessThan(1e-10 * t.trG);
    expect(largestHessianEigenvalue(net7.problem, net7.theta, net7.n, rng(2))).toBeCloseTo(topEigenvalue(hessian(net7.problem, net7.theta)), 12);
    const hf = functionalHessian(net7.problem, net7.theta).norm("frobenius");
    expect(Math.abs(functionalHessianNorm(net7.problem, net7.theta, net7.n, rng(3)) - hf)).toBeLessThan(1e-12 * Math.max(hf, 1));
  });

  it("balanced constructions are balanced; zero-loss nets have a p-long spectrum; gaussianNet draws W, X, Y", () => {
    const b = randomBalancedNet({ maxDepth: 4, maxWidth: 5 }, rng(4));
    expect(balanceDefect(b.W)).toBeLessThan(1e-12);
    const z = balancedZeroLossNet({ label: "t", widths: [3, 4, 2], sigmas: "random" }, 1.5, 2, rng(5));
    expect(z.measured.length).toBe(3 * 4 + 4 * 2);
    expect(z.balance).toBeLessThan(1e-12);
    expect(worstPairResidual(Matrix.eye(2), 2, 1, (i) => ({ q: [i === 0 ? 1 : 0, i === 1 ? 1 : 0], lambda: 1 }))).toBe(0);
    const g = gaussianNet([2, 3, 1], 4, 0.5, rng(6));
    expect([g.W[0].rows, g.W[0].columns, g.X.columns, g.Y.rows]).toEqual([3, 2, 4, 1]);
  });

  it("shallowGgnNet: (15)'s lambda_ij and (16)'s vectors are exact for the GGN", () => {
    const s = shallowGgnNet([3, 2, 4], { extraSamples: 2, sigmaX: 1.3, weightStd: 0.7 }, rng(7));
    expect(s.ntkVecErr).toBeLessThan(1e-10);
    expect(s.ggnVecErr).toBeLessThan(1e-10);
    expect(s.grid.length).toBe(3);
    expect(s.grid[0].length).toBe(4);
  });

  it("labels by class proportion and inputs that fit them", () => {
    const { labels, alphaMax, Y } = labelsByProportion(40, 0.5, 4, rng(8));
    expect(labels.length).toBe(40);
    expect(Math.abs(alphaMax - 0.5)).toBeLessThanOrEqual(0.05 + 1e-12); // the rule's floor: within 2 samples of 40
    expect(Math.max(...[0, 1, 2, 3].map((c) => labels.filter((l) => l === c).length)) / 40).toBe(alphaMax);
    expect(Y.rows).toBe(4);
    const X = labelledInputs(Y, 7, 2, rng(9));
    expect(X.mmul(X.transpose()).div(40).sub(Matrix.eye(7).mul(4)).norm("frobenius")).toBeLessThan(1e-12);
  });
});

/** 150 random 3 x 2 images in 3 classes. */
function tinyImages(): ImageDataset {
  const gen = rng(40);
  return { name: "tiny", count: 150, dim: 6, shape: [3, 2], images: Uint8Array.from({ length: 900 }, () => gen.int(256)), labels: Uint8Array.from({ length: 150 }, (_, i) => i % 3), classes: 3 };
}

describe("Figure 1 (c) training and shared data sets", () => {
  it("trainedLabelSharpness: one point per alpha; the population form equals the sample MSE at the first", () => {
    const pts = trainedLabelSharpness(tinyImages(), "tiny", { n: 60, width: 4, L: 3, lr: 0.01, epochs: 20, alphas: [0.4, 0.8] }, rng(10));
    expect(pts.map((p) => p.alphaTarget)).toEqual([0.4, 0.8]);
    expect(pts[1].initial).toBeUndefined();
    const i0 = pts[0].initial!;
    expect(Math.abs(i0.population - i0.sample) / i0.sample).toBeLessThan(1e-10);
    expect(i0.gradientError).toBeLessThan(1e-10);
    expect(pts.every((p) => p.sharpness > 0 && p.syxTop > 0)).toBe(true);
  });

  it("a data set's hash follows its content; two data sets may not share a name", () => {
    const a = tinyImages(), b = { ...tinyImages(), labels: Uint8Array.from({ length: 150 }, (_, i) => (i + 1) % 3) };
    expect(imageDatasetHash(a)).toBe(imageDatasetHash(tinyImages()));
    expect(imageDatasetHash(a)).not.toBe(imageDatasetHash(b));
    expect(() => sharedDatasets([a, b])).toThrow('sharedDatasets: two different data sets are named "tiny"');
    expect(() => imageDatasetHash({} as ImageDataset)).toThrow("imageDatasetHash: ds must be an ImageDataset");
  });
});
