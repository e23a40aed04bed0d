/**
 * Cracking the Hessian, Section 3.3 and Appendix B.5: the single-head self-attention layer with scalar embedding,
 * f(x) = w_V A(x) x (`selfAttention` with embed 1, theta = (w_V, w_K, w_Q) packed by the model's own
 * `flattenByName`), and the brute force Theorem 3.5 and Remarks B.2-B.4 are checked against: dense Hessians from
 * exact second derivatives through the softmax, their spectra, traces and top eigenvalues. Loss: the mean over
 * all tokens, 1/(2 T B) sum (f - y)^2.
 */
import { Matrix } from "ml-matrix";
import { hessian } from "../../curvature/curvature";
import { Problem, mseProblem } from "../../curvature/problem";
import { clusters } from "../../linalg/clusters";
import { eigh } from "../../linalg/eigh";
import { selfAttention } from "../../models/attention";
import type { Rng } from "../../random/rng";
import {
  AttentionStats, attentionMoments, attentionOutlierBounds, attentionOutliers, attentionSpectrum, attentionStats, queryKeySpectrum,
} from "../../papers/cracking-the-hessian/attention";

/** theta = (w_V, w_K, w_Q) of `selfAttention({ seqLen: T, dK })`, packed by block name. */
export function attentionTheta(T: number, wV: number, wK: Float64Array, wQ: Float64Array): Float64Array {
  if (wK.length !== wQ.length) throw new RangeError(`attentionTheta: wQ must have length d_K = ${wK.length}, got ${wQ.length}`);
  return selfAttention({ seqLen: T, dK: wK.length }).flattenByName({ WV: new Matrix([[wV]]), WK: new Matrix([Array.from(wK)]), WQ: new Matrix([Array.from(wQ)]) });
}

/** One parameter point of the layer on a batch (X, Y: T x B): theta, the token-averaged MSE problem with the sink, Theorem 3.5's statistics. */
export interface AttentionPoint {
  theta: Float64Array;
  problem: Problem;
  stats: AttentionStats;
}

/**
 * The layer at (w_V, w_K, w_Q) with attention sink `sink` on the batch (X, Y), loss normalised by T B, and
 * Theorem 3.5's statistics (`attentionStats`, lib/papers) at the same point.
 */
export function attentionPoint(X: Matrix, Y: Matrix, wV: number, wK: Float64Array, wQ: Float64Array, sink = 0): AttentionPoint {
  const T = X.rows, N = X.rows * X.columns;
  const theta = attentionTheta(T, wV, wK, wQ);
  const problem = mseProblem(selfAttention({ seqLen: T, dK: wK.length, sink }), X, Y, { normalizer: N });
  return { theta, problem, stats: attentionStats(X, Y, wV, wK, wQ, { sink, normalizer: N }) };
}

/** The dense spectrum at a point against Theorem 3.5's `attentionSpectrum`: max |computed − predicted| / max|lambda|. */
export function attentionSpectrumError(pt: AttentionPoint): { H: Matrix; computed: Float64Array; predicted: Float64Array; relErr: number; scale: number } {
  const H = hessian(pt.problem, pt.theta);
  const computed = eigh(H).values;
  const predicted = attentionSpectrum(pt.stats);
  const scale = Math.max(Math.abs(computed[0]), Math.abs(computed[computed.length - 1]));
  let worst = 0;
  for (let i = 0; i < computed.length; i++) worst = Math.max(worst, Math.abs(computed[i] - predicted[i]));
  return { H, computed, predicted, relErr: worst / scale, scale };
}

/** One point of a Figure 2 sweep. */
export interface SweepPoint {
  computed: Float64Array;
  /** Theorem 3.5 vs the dense spectrum (max error / max|lambda|). */
  err: number;
  gamma: number;
  /** The bulk as the paper finds it: |most repeated eigenvalue| (clusters at 1e-9), and its multiplicity. */
  bulk: number;
  bulkMult: number;
  max: number;
  min: number;
}

/**
 * Figure 2: the dense spectrum at (w_V, r u_K, r u_Q) with sink bias `sink`, Theorem 3.5's, their distance, and the
 * bulk read off the computed spectrum (the eigenvalue that repeats).
 * @see Cracking the Hessian, Theorem 3.5 and Figure 2
 */
export function attentionSweepPoint(X: Matrix, Y: Matrix, uK: Float64Array, uQ: Float64Array, wV: number, r: number, sink: number): SweepPoint {
  const pt = attentionPoint(X, Y, wV, uK.map((a) => r * a), uQ.map((a) => r * a), sink);
  const computed = eigh(hessian(pt.problem, pt.theta)).values;
  const predicted = attentionSpectrum(pt.stats);
  const sc = Math.max(Math.abs(computed[0]), Math.abs(computed[computed.length - 1]));
  let err = 0;
  for (let i = 0; i < computed.length; i++) err = Math.max(err, Math.abs(computed[i] - predicted[i]) / sc);
  const rep = clusters(computed, 1e-9).reduce((a, b) => (b.multiplicity > a.multiplicity ? b : a));
  return { computed, err, gamma: pt.stats.gamma, bulk: Math.abs(rep.value), bulkMult: rep.multiplicity, max: computed[computed.length - 1], min: computed[0] };
}

/** Remark B.2's draw: a batch, key and query vectors ~ N(0, qkStd^2), the full Hessian and its query-key block. */
export interface QueryKeyDraw {
  wK: Float64Array;
  wQ: Float64Array;
  H: Matrix;
  /** H without the w_V row and column (order w_K, w_Q). */
  QK: Matrix;
  stats: AttentionStats;
}

/** Draw X, Y (T x B, N(0, 1)), w_K, w_Q from `g` in that order and take the dense Hessian with sink `sink`. */
export function queryKeyDraw(T: number, dK: number, B: number, g: Rng, qkStd: number, wV: number, sink: number): QueryKeyDraw {
  const X = g.normalMatrix(T, B), Y = g.normalMatrix(T, B);
  const wK = g.normalArray(dK, 0, qkStd), wQ = g.normalArray(dK, 0, qkStd);
  const pt = attentionPoint(X, Y, wV, wK, wQ, sink);
  const H = hessian(pt.problem, pt.theta);
  return { wK, wQ, H, QK: H.subMatrix(1, 2 * dK, 1, 2 * dK), stats: pt.stats };
}

/**
 * Remark B.2: the eigenvalues of the query-key block (ascending) against `queryKeySpectrum` (bulk ±gamma and
 * Theorem 3.1's pair with sigma_x^2 -> zeta, deltaX -> gamma): max |computed − predicted| / max|computed|.
 * @see Cracking the Hessian, Remark B.2
 */
export function queryKeySpectrumError(QK: Matrix, stats: AttentionStats): { computed: Float64Array; predicted: Float64Array; relErr: number } {
  const computed = eigh(QK).values;
  const predicted = queryKeySpectrum(stats);
  if (predicted.length !== computed.length) throw new RangeError(`queryKeySpectrumError: QK must be 2 d_K x 2 d_K (${predicted.length}), got ${computed.length}`);
  let worst = 0, big = 0;
  for (let i = 0; i < computed.length; i++) { worst = Math.max(worst, Math.abs(computed[i] - predicted[i])); big = Math.max(big, Math.abs(computed[i])); }
  return { computed, predicted, relErr: worst / big };
}

/** Figure 2's three traces of one sweep (lambda_max, |lambda_min|, the bulk |gamma|) on axes `x<axis>`/`y<axis>`. */
export function sweepPanelTraces(xs: number[], es: SweepPoint[], axis: string, showLegend: boolean): Record<string, unknown>[] {
  return [
    { x: xs, y: es.map((e) => e.max), name: "λmax (outlier)", line: { color: "crimson" } },
    { x: xs, y: es.map((e) => Math.abs(e.min)), name: "|λmin|", line: { color: "darkorange", dash: "dash" } },
    { x: xs, y: es.map((e) => Math.max(e.bulk, 1e-18)), name: "bulk |γ| (repeated eigenvalue)", line: { color: "royalblue" } },
  ].map((t) => ({ ...t, type: "scatter", mode: "lines+markers", xaxis: `x${axis}`, yaxis: `y${axis}`, showlegend: showLegend, legendgroup: t.name }));
}

/**
 * Remark B.3's family of points with gamma linear in s and gamma = 0 at s = 0: one sequence x, w_K, w_Q drawn from
 * `gen`, then targets chosen so that the residual is delta = delta_perp + s delta_par, delta_perp ⊥ x ⊙ m2 (a
 * random vector projected) and delta_par ∥ x ⊙ m2 (unit). At s = 0, gamma = 0 while beta and zeta stay non-zero.
 * @see Cracking the Hessian, Remark B.3
 */
export function gammaZeroFamily(T: number, dK: number, wV: number, qkStd: number, gen: Rng): { x: Float64Array; wK: Float64Array; wQ: Float64Array; theta: Float64Array; at: (s: number) => AttentionPoint } {
  const x = gen.normalArray(T);
  const wK = gen.normalArray(dK, 0, qkStd), wQ = gen.normalArray(dK, 0, qkStd);
  const kq = wK.reduce((s, a, i) => s + a * wQ[i], 0);
  const mom = attentionMoments(x, kq / Math.sqrt(dK));
  const u = x.map((xi, i) => xi * mom.m2[i]);
  const uu = u.reduce((s, a) => s + a * a, 0);
  const r = gen.normalArray(T);
  const ru = r.reduce((s, a, i) => s + a * u[i], 0);
  const deltaPerp = r.map((a, i) => a - (ru / uu) * u[i]);
  const deltaPar = u.map((a) => a / Math.sqrt(uu));
  const X = new Matrix([Array.from(x)]).transpose();
  const theta = attentionTheta(T, wV, wK, wQ);
  const at = (s: number): AttentionPoint => {
    const Y = new Matrix([Array.from(x, (_, i) => wV * mom.m1[i] - (deltaPerp[i] + s * deltaPar[i]))]).transpose();
    return { theta, stats: attentionStats(X, Y, wV, wK, wQ), problem: mseProblem(selfAttention({ seqLen: T, dK }), X, Y, { normalizer: T }) };
  };
  return { x, wK, wQ, theta, at };
}

/** One draw of Remark B.4's sweep. */
export interface BoundsDraw {
  /** Std of the query/key entries. */
  qk: number;
  /** Dense lambda_max(H). */
  lmax: number;
  /** Theorem 3.5's largest outlier. */
  top: number;
  /** tr/3 + xi/2 and tr/3 + xi. */
  lower: number;
  upper: number;
  /** (lambda_max − tr/3) / xi, in [1/2, 1] by (121). */
  pos: number;
  /** |tr(H) − (alpha + zeta S)| / |tr(H)|. */
  trErr: number;
  /** |lambda_max − max(largest outlier, |gamma|)| / max(|lambda_max|, xi). */
  topErr: number;
  /** The largest outlier lies outside [lower, upper] (beyond 1e-12 of the scale). */
  topViolates: boolean;
  lowViolates: boolean;
  upViolates: boolean;
  /** |gamma| exceeds the largest outlier: lambda_max is the bulk. */
  bulkWins: boolean;
}

/**
 * Remark B.4's sweep of `draws` random draws from `gen`: query/key std log-uniform in [e^-2, e^1.5], w_V ~ N(0, 2^2),
 * an attention sink U(0, 5) in 30% of draws; per draw the dense Hessian's trace and largest eigenvalue against
 * Theorem 3.5's largest outlier and the bounds (121).
 * @see Cracking the Hessian, Remark B.4, eq. (121)
 */
export function outlierBoundsSweep(T: number, dK: number, B: number, draws: number, gen: Rng): BoundsDraw[] {
  if (!Number.isInteger(draws) || draws < 1) throw new RangeError(`outlierBoundsSweep: draws must be a positive integer, got ${draws}`);
  const out: BoundsDraw[] = [];
  for (let k = 0; k < draws; k++) {
    const qk = Math.exp(gen.uniform(-2, 1.5)), wV = gen.normal(0, 2), sink = gen.uniform() < 0.3 ? gen.uniform(0, 5) : 0;
    const X = gen.normalMatrix(T, B), Y = gen.normalMatrix(T, B);
    const wK = gen.normalArray(dK, 0, qk), wQ = gen.normalArray(dK, 0, qk);
    const pt = attentionPoint(X, Y, wV, wK, wQ, sink);
    const H = hessian(pt.problem, pt.theta);
    const st = pt.stats;
    const b = attentionOutlierBounds(st);
    const lmax = eigh(H, { largest: 1 }).values[0];
    const top = attentionOutliers(st)[0];
    const scl = Math.max(Math.abs(lmax), b.xi);
    out.push({
      qk, lmax, top, lower: b.lambdaMaxLower, upper: b.lambdaMaxUpper,
      pos: (lmax - 3 * b.center / 3) / b.xi,
      trErr: Math.abs(H.trace() - 3 * b.center) / Math.abs(H.trace()),
      topErr: Math.abs(lmax - Math.max(top, Math.abs(st.gamma))) / scl, // lambda_max(H) = max(largest outlier, |gamma|)
      topViolates: top < b.lambdaMaxLower - 1e-12 * scl || top > b.lambdaMaxUpper + 1e-12 * scl,
      lowViolates: lmax < b.lambdaMaxLower - 1e-12 * scl,
      upViolates: lmax > b.lambdaMaxUpper + 1e-12 * scl,
      bulkWins: Math.abs(st.gamma) > top,
    });
  }
  return out;
}
