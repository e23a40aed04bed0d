/**
 * Cracking the Hessian, Figure 9 (Section 3.3): attention sinks with a d-dimensional embedding (beyond Theorem 3.5's
 * d = 1), where no closed form exists. The brute force checked against itself: the dense Hessian (exact
 * forward-over-reverse second derivatives) against central differences of the exact gradient, its repeated
 * eigenvalues (the bulk, as the paper finds it) and its largest 5%.
 */
import { Matrix } from "ml-matrix";
import { gradient, hessian } from "../../curvature/curvature";
import { mseProblem } from "../../curvature/problem";
import { clusters } from "../../linalg/clusters";
import { eigh } from "../../linalg/eigh";
import { selfAttention } from "../../models/attention";
import type { Rng } from "../../random/rng";

/** Figure 9's layer: embedding d, key dimension d_K, sequence length T. */
export interface SinkEmbeddingConfig {
  d: number;
  dK: number;
  T: number;
}

/** What one sink value gave. */
export interface SinkEmbeddingSpectrum {
  sink: number;
  /** Dense eigenvalues, ascending. */
  values: Float64Array;
  /** Worst relative error of H u against central differences of the gradient (h = 1e-5) along 3 random u. */
  fdErr: number;
  /** Every repeated eigenvalue (multiplicity >= 2, clusters at 1e-9): the paper's rule taken literally. */
  literal: { value: number; multiplicity: number }[];
  /** The repeated values with the bulk's own multiplicity d_K − 2d + 1. */
  repeated: { value: number; multiplicity: number }[];
  /** The largest 5% of the eigenvalues (ceil(0.05 p)), ascending. */
  top: number[];
  /** Largest |repeated| value (0 if none), and the mean of `top`. */
  bulkEdge: number;
  topMean: number;
}

/**
 * For each sink bias: the dense Hessian of `selfAttention({ seqLen: T, embed: d, dK, sink })` at theta on (X, Y)
 * (loss normalised by T B), its finite-difference check (directions from `gen.fork("fd-<sink>")`), its bulk and
 * its outliers.
 * @see Cracking the Hessian, Figure 9
 */
export function sinkEmbeddingSpectra(config: SinkEmbeddingConfig, X: Matrix, Y: Matrix, theta: Float64Array, sinks: number[], gen: Rng): SinkEmbeddingSpectrum[] {
  if (!config || !(config.dK > 0) || !(config.d > 0)) throw new RangeError("sinkEmbeddingSpectra: config must carry d, dK and T");
  const { d, dK, T } = config;
  return sinks.map((sink) => {
    const problem = mseProblem(selfAttention({ seqLen: T, embed: d, dK, sink }), X, Y, { normalizer: T * X.columns });
    const H = hessian(problem, theta);
    const g = gen.fork(`fd-${sink}`);
    let fdErr = 0;
    for (let k = 0; k < 3; k++) {
      const u = g.normalArray(theta.length);
      const h = 1e-5;
      const gp = gradient(problem, theta.map((t, i) => t + h * u[i])), gm = gradient(problem, theta.map((t, i) => t - h * u[i]));
      const Hu = H.mmul(Matrix.columnVector(Array.from(u))).getColumn(0);
      let num = 0, den = 0;
      for (let i = 0; i < theta.length; i++) { num = Math.max(num, Math.abs((gp[i] - gm[i]) / (2 * h) - Hu[i])); den = Math.max(den, Math.abs(Hu[i])); }
      fdErr = Math.max(fdErr, num / den);
    }
    const values = eigh(H).values;
    const groups = clusters(values, 1e-9);
    const literal = groups.filter((c) => c.multiplicity >= 2);
    const repeated = groups.filter((c) => c.multiplicity === dK - 2 * d + 1);
    const k5 = Math.ceil(0.05 * values.length);
    const top = Array.from(values).slice(-k5);
    return { sink, values, fdErr, literal, repeated, top, bulkEdge: Math.max(0, ...repeated.map((c) => Math.abs(c.value))), topMean: top.reduce((a, b) => a + b, 0) / k5 };
  });
}

/** How far the repeated values are from coming in ± pairs: max_i |v_i + v_{n−1−i}| / max|lambda| (sorted values). */
export function pairAsymmetry(r: SinkEmbeddingSpectrum): number {
  const vals = r.repeated.map((c) => c.value).sort((a, b) => a - b);
  return Math.max(0, ...vals.map((v, i) => Math.abs(v + vals[vals.length - 1 - i]))) / Math.max(...Array.from(r.values, Math.abs));
}
