/**
 * Cracking the Hessian, Figure 7 (Section 3.1): the spectrum of the two-layer scalar linear network
 * f(x) = <w, v> x as the input variance sigma_x^2 grows, for one draw of the weights (standard parametrisation,
 * read by block name: w 1 x m, v m x 1) and one standard normal sample rescaled to mean square 1. The brute force:
 * the dense Hessian at every sigma_x^2, against Theorem 3.1 (`scalarLinearSpectrum`, lib/papers).
 */
import { Matrix } from "ml-matrix";
import { hessian } from "../../curvature/curvature";
import { mseProblem } from "../../curvature/problem";
import { standardInit } from "../../init";
import { eigh } from "../../linalg/eigh";
import { twoLayerScalar } from "../../models/two-layer";
import type { Rng } from "../../random/rng";
import { ScalarLinearStats, scalarLinearOutliers, scalarLinearSpectrum, scalarLinearStats } from "../../papers/cracking-the-hessian/two-layer-linear";

/** One input scale of the sweep. */
export interface VariancePoint {
  s2: number;
  /** Dense eigenvalues, ascending. */
  computed: Float64Array;
  stats: ScalarLinearStats;
  outliers: [number, number];
  /** Theorem 3.1 vs dense: max |computed − predicted| / max|lambda|. */
  err: number;
}

/**
 * Weights from `standardInit` (`gen.fork("init")`), z ~ N(0, 1) (`fork("x")`) rescaled to mean(z^2) = 1, targets
 * y ~ N(0, 1) (`fork("y")`); for each sigma_x^2 the inputs x = sigma_x z and the dense spectrum vs Theorem 3.1.
 * @returns the sweep and the sample covariance yz = mean(y z)
 * @see Cracking the Hessian, Theorem 3.1 and Figure 7
 */
export function inputVarianceSweep(m: number, n: number, sigma2: number[], gen: Rng): { sweep: VariancePoint[]; yz: number } {
  if (!Array.isArray(sigma2) || sigma2.some((s) => !(s > 0))) throw new RangeError("inputVarianceSweep: sigma2 must be an array of positive variances");
  const model = twoLayerScalar(m);
  const theta = standardInit(model, gen.fork("init"));
  const blocks = model.unflattenByName(theta);
  const w = Float64Array.from(blocks.w.to1DArray()), v = Float64Array.from(blocks.v.to1DArray());
  const zRaw = gen.fork("x").normalArray(n);
  const zRms = Math.sqrt(zRaw.reduce((s, a) => s + a * a, 0) / n);
  const z = zRaw.map((a) => a / zRms);
  const y = gen.fork("y").normalArray(n);
  const yz = z.reduce((s, a, i) => s + a * y[i], 0) / n;
  const sweep = sigma2.map((s2) => {
    const x = z.map((a) => Math.sqrt(s2) * a);
    const problem = mseProblem(model, new Matrix([Array.from(x)]), new Matrix([Array.from(y)]));
    const computed = eigh(hessian(problem, theta)).values;
    const stats = scalarLinearStats(w, v, x, y);
    const predicted = scalarLinearSpectrum(stats, m);
    const sc = Math.max(Math.abs(computed[0]), Math.abs(computed[computed.length - 1]));
    let err = 0;
    for (let i = 0; i < computed.length; i++) err = Math.max(err, Math.abs(computed[i] - predicted[i]) / sc);
    return { s2, computed, stats, outliers: scalarLinearOutliers(stats), err };
  });
  return { sweep, yz };
}

/** The computed eigenvalue nearest to `target`. */
export function nearestEigenvalue(computed: ArrayLike<number>, target: number): number {
  return Array.from(computed).reduce((b, e) => (Math.abs(e - target) < Math.abs(b - target) ? e : b));
}
