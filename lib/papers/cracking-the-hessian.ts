/**
 * Closed forms of "Cracking the Hessian" (two-layer linear / ReLU networks, a self-attention layer).
 *
 * Section 3.1, the two-layer scalar linear network f(x) = <w, v> x, w, v in R^m, with the loss
 * l = 1/(2n) sum_i (<w, v> x_i - y_i)^2 and parameters ordered theta = (v, w) as in the paper.
 */
import { Matrix } from "ml-matrix";

/** The data statistics the Theorem 3.1 formulas depend on. */
export interface ScalarLinearStats {
  /** sigma_x^2 = (1/n) sum x_i^2, the uncentered input variance. */
  sigmaX2: number;
  /** (1/n) sum y_i x_i, the uncentered input-output covariance. */
  yx: number;
  /** (1/n) sum delta_i x_i with delta_i = <w, v> x_i - y_i, the residual-input covariance. */
  deltaX: number;
  /** ||w||^2, ||v||^2 and <w, v>. */
  ww: number;
  vv: number;
  wv: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function requireVector(fn: string, name: string, a: unknown, length?: number): Float64Array {
  if (!(a instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array`);
  if (length !== undefined && a.length !== length) throw new RangeError(`${fn}: ${name} must have length ${length}, got ${a.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`${fn}: ${name}[${i}] is not finite (${a[i]})`);
  }
  return a;
}

/**
 * The statistics of Theorem 3.1 at parameters (w, v) on scalar data (x_i, y_i).
 * `deltaX` is computed as <w,v> sigma_x^2 - yx (the same sum, regrouped), which keeps it exact at a fit.
 */
export function scalarLinearStats(w: Float64Array, v: Float64Array, x: Float64Array, y: Float64Array): ScalarLinearStats {
  const fn = "scalarLinearStats";
  requireVector(fn, "w", w);
  requireVector(fn, "v", v, w.length);
  requireVector(fn, "x", x);
  requireVector(fn, "y", y, x.length);
  if (w.length === 0) throw new RangeError(`${fn}: w must have length >= 1`);
  if (x.length === 0) throw new RangeError(`${fn}: x must hold at least one sample`);
  const n = x.length;
  const sigmaX2 = dot(x, x) / n;
  const yx = dot(y, x) / n;
  const wv = dot(w, v);
  return { sigmaX2, yx, deltaX: wv * sigmaX2 - yx, ww: dot(w, w), vv: dot(v, v), wv };
}

/**
 * The two outliers Lambda_1 >= Lambda_2 of Theorem 3.1, equation (1):
 *   Lambda_{1,2} = s/2 ± sqrt(s^2 + 4 q)/2,  s = sigma_x^2 (||w||^2 + ||v||^2),  q = deltaX^2 + 2 sigma_x^2 deltaX <w,v>.
 * They are the roots of lambda^2 - s lambda - q. The root of smaller magnitude is taken as -q / (the larger)
 * (Vieta), not as a difference of nearly equal numbers, so it stays accurate when q is small (near a fit).
 * The discriminant is evaluated in the sum-of-squares form of equation (2), which is never negative.
 */
export function theorem31Outliers(stats: ScalarLinearStats): [number, number] {
  const { sigmaX2, ww, vv, wv, deltaX } = stats;
  const s = sigmaX2 * (ww + vv); // >= 0
  const q = deltaX * deltaX + 2 * sigmaX2 * deltaX * wv;
  const disc = equation2Discriminant(stats);
  const root = Math.sqrt(disc);
  // s >= 0, so (s + root)/2 has no cancellation; the other root follows from the product -q.
  const big = (s + root) / 2;
  return big === 0 ? [0, 0] : [big, -q / big];
}

/**
 * The discriminant of (1) written as the sum of squares of equation (2):
 *   (s_w - s_v)^2 + 4 sigma_x^4 (||w||^2 ||v||^2 - <w,v>^2) + 4 (2 <w,v> sigma_x^2 - yx)^2,
 * with s_w = sigma_x^2 ||w||^2, s_v = sigma_x^2 ||v||^2. Equal to s^2 + 4q of (1) (an identity: see equation-2).
 */
export function equation2Discriminant(stats: ScalarLinearStats): number {
  const { sigmaX2, ww, vv, wv, yx } = stats;
  const imbalance = sigmaX2 * ww - sigmaX2 * vv;
  const nonCollinear = Math.max(0, ww * vv - wv * wv); // Cauchy-Schwarz: >= 0 up to rounding
  const target = 2 * wv * sigmaX2 - yx;
  return imbalance * imbalance + 4 * sigmaX2 * sigmaX2 * nonCollinear + 4 * target * target;
}

/**
 * The full spectrum Theorem 3.1 predicts, sorted ascending: m - 1 eigenvalues +deltaX, m - 1 eigenvalues
 * -deltaX, and the two outliers.
 */
export function theorem31Spectrum(stats: ScalarLinearStats, m: number): Float64Array {
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`theorem31Spectrum: m must be a positive integer, got ${m}`);
  const [l1, l2] = theorem31Outliers(stats);
  const out = new Float64Array(2 * m);
  for (let i = 0; i < m - 1; i++) {
    out[i] = stats.deltaX;
    out[m - 1 + i] = -stats.deltaX;
  }
  out[2 * m - 2] = l1;
  out[2 * m - 1] = l2;
  return out.sort();
}

/**
 * The Hessian assembled from its blocks, equation (10), in the ordering theta = (v, w):
 *   H = [[ sigma_x^2 w w^T,               sigma_x^2 w v^T + deltaX I ],
 *        [ sigma_x^2 v w^T + deltaX I,    sigma_x^2 v v^T            ]].
 */
export function theorem31BlockHessian(w: Float64Array, v: Float64Array, stats: ScalarLinearStats): Matrix {
  const m = w.length;
  requireVector("theorem31BlockHessian", "v", v, m);
  const { sigmaX2: s2, deltaX: d } = stats;
  const H = new Matrix(2 * m, 2 * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      H.set(i, j, s2 * w[i] * w[j]);
      H.set(m + i, m + j, s2 * v[i] * v[j]);
      const off = s2 * w[i] * v[j] + (i === j ? d : 0);
      H.set(i, m + j, off);
      H.set(m + j, i, off);
    }
  }
  return H;
}

/**
 * The proof's reduction (B.1, eqs. 26-28): for a trial lambda, z = lambda w + deltaX v and
 * nu = (lambda^2 - deltaX^2)(lambda - sigma_x^2 ||v||^2); the characteristic equation becomes
 * det(sigma_x^2 z z^T - nu I) = 0, and the determinant of this rank-one perturbation of a scaled identity is
 * (-nu)^(m-1) (sigma_x^2 ||z||^2 - nu). Returned are the pieces, so a notebook can step through them.
 */
export function theorem31Reduction(lambda: number, w: Float64Array, v: Float64Array, stats: ScalarLinearStats) {
  const m = w.length;
  const z = new Float64Array(m);
  for (let i = 0; i < m; i++) z[i] = lambda * w[i] + stats.deltaX * v[i];
  const nu = (lambda * lambda - stats.deltaX * stats.deltaX) * (lambda - stats.sigmaX2 * stats.vv);
  const zz = dot(z, z);
  /** The factor whose zeros are the outliers: sigma_x^2 ||z||^2 - nu. */
  const outlierFactor = stats.sigmaX2 * zz - nu;
  return { z, nu, outlierFactor, determinant: Math.pow(-nu, m - 1) * outlierFactor };
}
