/**
 * Cracking the Hessian, Section 3.1 and Appendix C: the brute force behind the sharpness notebooks of the
 * two-layer scalar linear network (equation (2), the learning phases): random test points for the identity
 * (1) = (2), and a gradient-descent run with the dense spectrum at every step.
 */
import { hessian } from "../../curvature/curvature";
import { eigh } from "../../linalg/eigh";
import type { Rng } from "../../random/rng";
import { ScalarLinearStats, scalarLinearStats } from "../../papers/cracking-the-hessian/two-layer-linear";
import { ScalarLinearSetup, gdRecords } from "./linear-network";

/**
 * `count` random points for an identity in Theorem 3.1's statistics: each draws a width m in 1..30, then w, v
 * (length m) and x, y (20 samples), every vector with its own log-normal scale exp(N(0, 1)), from `gen`, in that order.
 * @see equation (2)
 */
export function randomScalarLinearStats(gen: Rng, count: number): ScalarLinearStats[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`randomScalarLinearStats: count must be a non-negative integer, got ${count}`);
  const out: ScalarLinearStats[] = [];
  for (let k = 0; k < count; k++) {
    const m = 1 + gen.int(30);
    const w = gen.normalArray(m, 0, Math.exp(gen.normal())), v = gen.normalArray(m, 0, Math.exp(gen.normal()));
    const xs = gen.normalArray(20, 0, Math.exp(gen.normal())), ys = gen.normalArray(20, 0, Math.exp(gen.normal()));
    out.push(scalarLinearStats(w, v, xs, ys));
  }
  return out;
}

/** One step of `phaseRun`: the statistics and what the dense spectrum says about the two outliers. */
export interface PhaseRecord {
  step: number;
  stats: ScalarLinearStats;
  /** tr(H), from the dense Hessian's diagonal. */
  trace: number;
  /** lambda_1, the largest dense eigenvalue, and lambda_2 = tr(H) - lambda_1 (the bulk ±deltaX cancels in the trace). */
  l1: number;
  l2: number;
  /** max(|lambda_max|, |lambda_min|): the spectrum's scale. */
  scale: number;
  /** min_i |lambda_i - lambda_2| over the dense eigenvalues: is lambda_2 one of them? */
  l2Distance: number;
}

/**
 * Appendix C: gradient descent from theta_0 with step etaHigh for the first `switchAt` steps and etaLow after,
 * with the exact Hessian diagonalised at every iterate (t = 0 .. steps).
 * @see Appendix C, eq. (122)
 */
export function phaseRun(setup: ScalarLinearSetup, options: { etaHigh: number; etaLow: number; switchAt: number; steps: number }): PhaseRecord[] {
  return gdRecords(setup.problem, setup.theta0, { lr: (t) => (t < options.switchAt ? options.etaHigh : options.etaLow), steps: options.steps }, (s) => {
    const H = hessian(setup.problem, s.theta);
    const ev = eigh(H).values;
    const trace = H.trace();
    const l1 = ev[ev.length - 1], l2 = trace - l1;
    return { step: s.step, stats: setup.stats(s.theta), trace, l1, l2, scale: Math.max(Math.abs(l1), Math.abs(ev[0])), l2Distance: Math.min(...Array.from(ev, (e) => Math.abs(e - l2))) };
  });
}
