/**
 * Cracking the Hessian, Figure 5 (Section 4.3, App. D.1.5) on the Transformer analogue: is the GGN's top
 * eigenvalue a worse proxy for the sharpness with attention than without? The cross-checks of the Lanczos top
 * eigenvalues (dense `eigh` on a tiny model, a re-computation with a larger Krylov basis) and the binned error
 * curves against a checkpoint statistic (the mean residual norm for Figure 5, the loss for Figure 23).
 */
import { gaussNewton, hessian } from "../../curvature/curvature";
import { eigh } from "../../linalg/eigh";
import { transformerInit } from "../../init";
import type { Model } from "../../models/model";
import type { Rng } from "../../random/rng";
import {
  AnalogueArch, AnalogueCorpus, AnalogueRecord, CurveOrdering, SeedCurve, TopCurvature, TopOptions, analogueModel, binnedCurve, compareCurves,
  corpusProblem, geometricEdges, topCurvature,
} from "../transformer-analogue";

/** The tiny architecture of the dense cross-check: context 3, width 3, one head, one block, MLP width 6 (about 300 parameters). */
export const TINY_ARCH: AnalogueArch = { seqLen: 3, dModel: 3, heads: 1, layers: 1, mlpWidth: 6 };

/** Lanczos and dense `eigh` on the same tiny model. */
export interface TinyCrossCheck {
  numParams: number;
  /** Lanczos (sweep options). */
  top: TopCurvature;
  /** lambda_max of the dense Hessian and of the dense GGN. */
  denseHessian: number;
  denseGgn: number;
  /** |dense H - dense G| / |dense H|. */
  denseRelErr: number;
}

/**
 * The top Hessian and GGN eigenvalues of a tiny analogue model (`TINY_ARCH`, GPT-2 init with std 0.3, one corpus
 * window) by Lanczos with `lanczos`, and by `eigh` of the dense Hessian and GGN (columns from exact products).
 * Draws from `gen.fork("tiny <withAttention>")`.
 */
export function tinyLanczosCrossCheck(corpus: AnalogueCorpus, withAttention: boolean, gen: Rng, lanczos: TopOptions): TinyCrossCheck {
  if (typeof withAttention !== "boolean") throw new TypeError(`tinyLanczosCrossCheck: withAttention must be a boolean, got ${typeof withAttention}`);
  const g = gen.fork(`tiny ${withAttention}`);
  const tiny = analogueModel(corpus.vocab, TINY_ARCH, withAttention);
  const theta = transformerInit(tiny, g, { std: 0.3 });
  const problem = corpusProblem(tiny, corpus, TINY_ARCH.seqLen, 1, g);
  const top = topCurvature(problem, theta, g, lanczos);
  const h = eigh(hessian(problem, theta)).values, G = eigh(gaussNewton(problem, theta)).values;
  const denseHessian = h[h.length - 1], denseGgn = G[G.length - 1];
  return { numParams: tiny.numParams, top, denseHessian, denseGgn, denseRelErr: Math.abs(denseHessian - denseGgn) / Math.abs(denseHessian) };
}

/**
 * Both top eigenvalues at theta on a fresh sample of `sequences` windows (`gen.fork("recheck")`), once with the
 * sweep's Lanczos options and once with a three times larger basis, tolerance 1e-10 and 2000 products.
 */
export function lanczosRecheck(model: Model, corpus: AnalogueCorpus, seqLen: number, sequences: number, theta: Float64Array, gen: Rng, lanczos: TopOptions & { basisSize: number }): { fast: TopCurvature; slow: TopCurvature } {
  if (!(lanczos && lanczos.basisSize >= 1)) throw new RangeError("lanczosRecheck: lanczos.basisSize must be a positive integer");
  const g = gen.fork("recheck");
  const problem = corpusProblem(model, corpus, seqLen, sequences, g);
  const fast = topCurvature(problem, theta, g, lanczos);
  const slow = topCurvature(problem, theta, g, { basisSize: 3 * lanczos.basisSize, tol: 1e-10, maxIterations: 2000 });
  return { fast, slow };
}

/** The two seed-averaged error curves over bins of a checkpoint statistic, and how they compare. */
export interface BinnedErrorCurves {
  /** Checkpoints after initialisation, per seed. */
  trainedA: AnalogueRecord[][];
  trainedN: AnalogueRecord[][];
  curveA: SeedCurve;
  curveN: SeedCurve;
  order: CurveOrdering;
}

/**
 * Bin the checkpoints after initialisation (step > 0) of both models by `x` (geometric bins spanning the range
 * both reach), average each seed's relative GGN errors within a bin, then mean and standard error over seeds;
 * `compareCurves` counts the bins where attention's error is the larger.
 * @see Cracking the Hessian, Figures 5 and 23
 */
export function binnedErrorCurves(runsA: AnalogueRecord[][], runsN: AnalogueRecord[][], x: (r: AnalogueRecord) => number, bins: number): BinnedErrorCurves {
  const trained = (runs: AnalogueRecord[][]) => runs.map((run) => run.filter((r) => r.step > 0));
  const xs = trained([...runsA, ...runsN]).flat().map(x);
  const edges = geometricEdges(Math.min(...xs), Math.max(...xs), bins);
  const curveA = binnedCurve(trained(runsA), x, (r) => r.relErr, edges);
  const curveN = binnedCurve(trained(runsN), x, (r) => r.relErr, edges);
  return { trainedA: trained(runsA), trainedN: trained(runsN), curveA, curveN, order: compareCurves(curveA, curveN) };
}

/** The bins of a curve that hold data, as a Plotly trace with error bars (mean ± s.e.). */
export function binnedTrace(c: SeedCurve, name: string, color: string): Record<string, unknown> {
  const has = c.x.map((_, i) => i).filter((i) => c.seeds[i] > 0);
  return { x: has.map((i) => c.x[i]), y: has.map((i) => c.mean[i]), error_y: { type: "data", array: has.map((i) => c.se[i]), visible: true }, type: "scatter", mode: "lines+markers", line: { color }, name };
}
