/**
 * Cracking the Hessian, Figure 6 (Section 4.3, App. D.1.6) on the Transformer analogue: what the notebook reads off
 * `sinkSpectra` (lib/experiments/transformer-analogue) per sink value — the top eigenvalue, the mean of the top k,
 * the SLQ mass near zero — and the smoothed spectral densities it draws.
 */
import { densityOnGrid } from "../../linalg/slq";
import type { SinkSpectrum } from "../transformer-analogue";

/** Per sink value: lambda_1, the mean of the top k, and the SLQ mass within ±nearZero lambda_1 of 0. */
export function sinkSweepSummary(spectra: SinkSpectrum[], nearZero: number): { lam1: number[]; topMean: number[]; nearZero: number[] } {
  if (!(nearZero > 0)) throw new RangeError(`sinkSweepSummary: nearZero must be a positive fraction of lambda_max, got ${nearZero}`);
  return {
    lam1: spectra.map((s) => s.top[0]),
    topMean: spectra.map((s) => s.top.reduce((a, b) => a + b, 0) / s.top.length),
    nearZero: spectra.map((s) => { let w = 0; s.slq.nodes.forEach((x, i) => { if (Math.abs(x) <= nearZero * s.top[0]) w += s.slq.weights[i]; }); return w; }),
  };
}

/** Number of steps of a sweep where the value decreases. */
export function decreasingSteps(v: number[]): number {
  return v.slice(1).filter((x, i) => x < v[i]).length;
}

/**
 * The SLQ densities of every sink value on one grid of `points` values spanning the spectra (5% margins), Gaussian
 * smoothing sigma = 1% of the range, floored at 1e-6 for a log axis; colours from blue (no sink) to red.
 */
export function sinkDensityTraces(spectra: SinkSpectrum[], points = 400): { traces: Record<string, unknown>[]; sigma: number } {
  const lo = Math.min(...spectra.map((s) => Math.min(...s.slq.nodes))), hi = Math.max(...spectra.map((s) => s.top[0]));
  const grid = Array.from({ length: points }, (_, i) => lo - 0.05 * (hi - lo) + (1.1 * (hi - lo) * i) / (points - 1));
  const sigma = 0.01 * (hi - lo);
  const traces = spectra.map((s, j) => ({
    x: grid, y: Array.from(densityOnGrid(s.slq.nodes, s.slq.weights, grid, sigma)).map((v) => Math.max(v, 1e-6)),
    type: "scatter", mode: "lines", name: `s = ${s.sink} (attention ${s.attentionFirst.toFixed(2)})`,
    line: { color: `hsl(${220 - (200 * j) / Math.max(1, spectra.length - 1)}, 70%, 45%)` },
  }));
  return { traces, sigma };
}
