// The aligned, whitened setting of Depth, Not Data under uniform spectral initialisation (USI), shared by
// the Corollary 3.6 and Lemma A.1 explorables: the same constructions the notebooks use.
import { rng } from "../../lib/random/rng";
import { deepLinear } from "../../lib/models";
import { populationProblem, Problem } from "../../lib/curvature";
import { usiInit } from "../../lib/init";
import { alignedData } from "../../lib/data/synthetic";
import { AssumptionError, int } from "./types";

/** Build the USI network and its aligned population problem; AssumptionError when the sizes leave Assumptions 3.1-3.3. */
export function usiSetting(p: Record<string, number>): { widths: number[]; L: number; r: number; dStar: number; problem: Problem; theta: Float64Array } {
  const L = int(p, "L"), d0 = int(p, "d0"), width = int(p, "width"), dOut = int(p, "dOut"), r = int(p, "r"), dStar = int(p, "dStar");
  if (dStar > d0) throw new AssumptionError(`Assumption 3.1 (whitened data of rank d*) needs d* ≤ d₀, but d* = ${dStar} > d₀ = ${d0}.`);
  if (r > dStar) throw new AssumptionError(`Assumption 3.2 (an aligned rank-r target) needs r ≤ d*, but r = ${r} > d* = ${dStar}.`);
  if (r > dOut) throw new AssumptionError(`Assumption 3.2 needs r ≤ d_L, but r = ${r} > d_L = ${dOut}.`);
  if (L > 1 && width < r) throw new AssumptionError(`USI (Assumption 3.3) gives every layer r = ${r} singular values m, which a hidden width ${width} < r cannot hold.`);
  const widths = [d0, ...new Array(L - 1).fill(width), dOut];
  const gen = rng(int(p, "seed"));
  const init = usiInit(widths, gen.fork("init"), { m0: p.m, r });
  const data = alignedData(init.U, init.V, { dStar, r, n: 4 * d0 }, gen.fork("data"));
  const problem = populationProblem(deepLinear(widths), { Sxx: data.Sxx, Syx: data.Syx, Syy: data.Syy });
  return { widths, L, r, dStar, problem, theta: init.theta };
}

/** Shared sliders: depth, widths, ranks, the USI value m. */
export const usiParams = [
  { key: "L", label: "depth L", min: 1, max: 6, step: 1, value: 3 },
  { key: "d0", label: "input width d₀", min: 1, max: 8, step: 1, value: 5 },
  { key: "width", label: "hidden width", min: 1, max: 8, step: 1, value: 5 },
  { key: "dOut", label: "output width d_L", min: 1, max: 8, step: 1, value: 4 },
  { key: "dStar", label: "data rank d*", min: 1, max: 8, step: 1, value: 4 },
  { key: "r", label: "target rank r", min: 1, max: 8, step: 1, value: 2 },
];
