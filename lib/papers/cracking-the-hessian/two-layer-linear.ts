/**
 * Cracking the Hessian, the two-layer linear network (Section 3.1, Appendix B.1, B.4): Theorems 3.1-3.3,
 * equation (2), Corollaries B.1-B.3. Parameters ordered theta = (v, w) unless a function says otherwise.
 */
import { Matrix } from "ml-matrix";
import { dot, requireVector, norm2, requireStats, SCALAR_KEYS } from "./helpers";

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
 * @see Theorem 3.1, eq. (1)
 */
export function scalarLinearOutliers(stats: ScalarLinearStats): [number, number] {
  const { sigmaX2, ww, vv, wv, deltaX } = stats;
  const s = sigmaX2 * (ww + vv); // >= 0
  const q = deltaX * deltaX + 2 * sigmaX2 * deltaX * wv;
  const disc = sharpnessDiscriminant(stats);
  const root = Math.sqrt(disc);
  // s >= 0, so (s + root)/2 has no cancellation; the other root follows from the product -q.
  const big = (s + root) / 2;
  return big === 0 ? [0, 0] : [big, -q / big];
}

/**
 * The discriminant of (1) written as the sum of squares of equation (2):
 *   (s_w - s_v)^2 + 4 sigma_x^4 (||w||^2 ||v||^2 - <w,v>^2) + 4 (2 <w,v> sigma_x^2 - yx)^2,
 * with s_w = sigma_x^2 ||w||^2, s_v = sigma_x^2 ||v||^2. Equal to s^2 + 4q of (1) (an identity: see equation-2).
 * @see Equation (2)
 */
export function sharpnessDiscriminant(stats: ScalarLinearStats): number {
  return sharpnessContributions(stats).discriminant;
}

/**
 * The full spectrum Theorem 3.1 predicts, sorted ascending: m - 1 eigenvalues +deltaX, m - 1 eigenvalues
 * -deltaX, and the two outliers.
 * @see Theorem 3.1
 */
export function scalarLinearSpectrum(stats: ScalarLinearStats, m: number): Float64Array {
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`scalarLinearSpectrum: m must be a positive integer, got ${m}`);
  const [l1, l2] = scalarLinearOutliers(stats);
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
 * @see Theorem 3.1 (proof, Appendix B.1)
 */
export function scalarLinearBlockHessian(w: Float64Array, v: Float64Array, stats: ScalarLinearStats): Matrix {
  const m = w.length;
  requireVector("scalarLinearBlockHessian", "v", v, m);
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
 * @see Theorem 3.1 (proof, Appendix B.1)
 */
export function scalarLinearReduction(lambda: number, w: Float64Array, v: Float64Array, stats: ScalarLinearStats) {
  const m = w.length;
  const z = new Float64Array(m);
  for (let i = 0; i < m; i++) z[i] = lambda * w[i] + stats.deltaX * v[i];
  const nu = (lambda * lambda - stats.deltaX * stats.deltaX) * (lambda - stats.sigmaX2 * stats.vv);
  const zz = dot(z, z);
  /** The factor whose zeros are the outliers: sigma_x^2 ||z||^2 - nu. */
  const outlierFactor = stats.sigmaX2 * zz - nu;
  return { z, nu, outlierFactor, determinant: Math.pow(-nu, m - 1) * outlierFactor };
}

// ---------------------------------------------------------------------------------------------------------
// Equation (2): the four contributions to sharpness
// ---------------------------------------------------------------------------------------------------------

/** The terms of equation (2); `lambdaMax = norm + sqrt(imbalance + nonCollinearity + target) / 2`. */
export interface Equation2Contributions {
  /** (4) overall parameter norm: sigma_x^2 (||w||^2 + ||v||^2) / 2 = tr(H) / 2. */
  norm: number;
  /** (1) imbalance between the layer norms: (sigma_x^2 ||w||^2 - sigma_x^2 ||v||^2)^2. */
  imbalance: number;
  /** (2) non-collinearity: 4 sigma_x^4 (||w||^2 ||v||^2 - <w, v>^2). */
  nonCollinearity: number;
  /** (3) deviation from the target: 4 (2 <w, v> sigma_x^2 - yx)^2. */
  target: number;
  /** The discriminant, imbalance + nonCollinearity + target (= that of eq. 1). */
  discriminant: number;
  /** The sharpness Lambda_1 = norm + sqrt(discriminant) / 2. */
  lambdaMax: number;
}

/**
 * The four contributions to sharpness named after equation (2) (Section 3.1): Lambda_1 =
 * (1/2) sigma_x^2 (||w||^2 + ||v||^2) + (1/2) sqrt(imbalance + non-collinearity + target deviation).
 * Pass exact `ww, vv, wv` from `scalarLinearStats`; the non-collinearity is clipped at 0 against rounding.
 * @see Equation (2)
 */
export function sharpnessContributions(stats: ScalarLinearStats): Equation2Contributions {
  requireStats("sharpnessContributions", stats, SCALAR_KEYS);
  const { sigmaX2, ww, vv, wv, yx } = stats;
  const d = sigmaX2 * ww - sigmaX2 * vv;
  const imbalance = d * d;
  const nonCollinearity = 4 * sigmaX2 * sigmaX2 * Math.max(0, ww * vv - wv * wv);
  const t = 2 * wv * sigmaX2 - yx;
  const target = 4 * t * t;
  const norm = (sigmaX2 * (ww + vv)) / 2;
  const discriminant = imbalance + nonCollinearity + target;
  return { norm, imbalance, nonCollinearity, target, discriminant, lambdaMax: norm + Math.sqrt(discriminant) / 2 };
}

// ---------------------------------------------------------------------------------------------------------
// Theorems 3.2 and 3.3: eigenvectors of the scalar linear network (ordering theta = (v, w))
// ---------------------------------------------------------------------------------------------------------

/**
 * Theorem 3.2: the outlier eigenvectors, in the paper's ordering theta = (v, w):
 *   z_i = Lambda_i (w; v) + deltaX (v; w),  i = 1, 2,
 * unnormalised (the theorem fixes them up to scale). They span span{(w; v), (v; w)}; for deltaX != 0 also
 * z_i = (Lambda_i / deltaX) grad l + deltaX theta. (For the ordering (w, v), swap the two halves.)
 *
 * @returns values [Lambda_1, Lambda_2] and the vectors (length 2m each)
 * @see Theorem 3.2
 */
export function scalarLinearOutlierEigenvectors(w: Float64Array, v: Float64Array, stats: ScalarLinearStats): { values: [number, number]; vectors: [Float64Array, Float64Array] } {
  const fn = "scalarLinearOutlierEigenvectors";
  requireVector(fn, "w", w);
  requireVector(fn, "v", v, w.length);
  requireStats(fn, stats, SCALAR_KEYS);
  const m = w.length;
  const values = scalarLinearOutliers(stats);
  const vectors = values.map((l) => {
    const z = new Float64Array(2 * m);
    for (let i = 0; i < m; i++) {
      z[i] = l * w[i] + stats.deltaX * v[i];
      z[m + i] = stats.deltaX * w[i] + l * v[i];
    }
    return z;
  }) as [Float64Array, Float64Array];
  return { values, vectors };
}

/**
 * An orthonormal basis (m x (m-1), columns) of the orthogonal complement of a nonzero u in R^m: the last
 * m - 1 columns of the Householder reflector that maps u to a multiple of e_1 (exactly orthonormal to rounding).
 */
export function orthogonalComplement(u: Float64Array): Matrix {
  const fn = "orthogonalComplement";
  requireVector(fn, "u", u);
  const m = u.length;
  const nu = Math.sqrt(norm2(u));
  if (nu === 0) throw new RangeError(`${fn}: u must be nonzero`);
  // h = u/|u| + sign(u_0) e_1, reflector P = I - 2 h h^T / |h|^2, P u ∝ e_1; columns 1..m-1 span u^perp.
  const h = new Float64Array(m);
  for (let i = 0; i < m; i++) h[i] = u[i] / nu;
  h[0] += h[0] >= 0 ? 1 : -1;
  const hh = norm2(h);
  const Q = new Matrix(m, Math.max(0, m - 1));
  for (let j = 1; j < m; j++) {
    for (let i = 0; i < m; i++) Q.set(i, j - 1, (i === j ? 1 : 0) - (2 * h[i] * h[j]) / hh);
  }
  return Q;
}

/**
 * Theorem 3.3: an orthonormal basis (2m x (m-1), columns) of the bulk eigenspace of eigenvalue
 * `sign * deltaX`, in the ordering theta = (v, w):
 *   z = (zhat; sign zhat) / sqrt(2),  zhat in the orthogonal complement of w + sign v.
 * NOTE: `sign` is the sign relative to deltaX (proof of Theorem 3.3, cases (a)/(b)): eigenvalue +deltaX has
 * z_1 = z_2 and zhat ⟂ w + v. The theorem's statement writes sgn(lambda_bulk), which agrees only when
 * deltaX > 0 (see the theorem-3.3 notebook).
 * @see Theorem 3.3
 */
export function scalarLinearBulkBasis(w: Float64Array, v: Float64Array, sign: 1 | -1): Matrix {
  const fn = "scalarLinearBulkBasis";
  requireVector(fn, "w", w);
  requireVector(fn, "v", v, w.length);
  if (sign !== 1 && sign !== -1) throw new RangeError(`${fn}: sign must be 1 or -1, got ${String(sign)}`);
  const m = w.length;
  const u = new Float64Array(m);
  for (let i = 0; i < m; i++) u[i] = w[i] + sign * v[i];
  const C = orthogonalComplement(u);
  const Z = new Matrix(2 * m, m - 1);
  const r = Math.SQRT1_2;
  for (let j = 0; j < m - 1; j++) {
    for (let i = 0; i < m; i++) {
      Z.set(i, j, r * C.get(i, j));
      Z.set(m + i, j, sign * r * C.get(i, j));
    }
  }
  return Z;
}

// ---------------------------------------------------------------------------------------------------------
// Corollaries B.1 - B.3: multi-dimensional input / output (Appendix B.4)
// ---------------------------------------------------------------------------------------------------------

function rowOf(M: Matrix, i: number): Float64Array {
  return Float64Array.from(M.getRow(i));
}

/**
 * Per-input-coordinate statistics for Corollary B.1 (f(x) = sum_d <w_d, v_d> x_d): for each d,
 * sigma_d^2 = mean x_d^2, yx_d = mean y x_d and deltaX_d = <w_d, v_d> sigma_d^2 - yx_d (the corollary's
 * formula, exact when the inputs are decorrelated, mean x_d x_e = 0 for d != e).
 * @param ws, vs the D vectors w_d, v_d (length m each)
 * @param X D x n inputs, Y 1 x n targets
 * @see Corollary B.1
 */
export function multiInputStats(ws: Float64Array[], vs: Float64Array[], X: Matrix, Y: Matrix): ScalarLinearStats[] {
  const fn = "multiInputStats";
  if (!Array.isArray(ws) || !Array.isArray(vs) || ws.length !== vs.length) throw new RangeError(`${fn}: ws and vs must be arrays of the same length D`);
  if (!(X instanceof Matrix) || X.rows !== ws.length) throw new RangeError(`${fn}: X must be a Matrix with D = ${ws.length} rows`);
  if (!(Y instanceof Matrix) || Y.rows !== 1 || Y.columns !== X.columns) throw new RangeError(`${fn}: Y must be 1 x ${X.columns}`);
  const y = rowOf(Y, 0);
  return ws.map((w, d) => scalarLinearStats(w, vs[d], rowOf(X, d), y));
}

/**
 * Per-output statistics for Corollary B.2 (f^k(x) = <w_k, v_k> x): sigma^2 = mean x^2, yx_k = mean y_k x and
 * deltaX_k = <w_k, v_k> sigma^2 - yx_k.
 * @param x 1 x n inputs (Matrix) , Y K x n targets
 * @see Corollary B.2
 */
export function multiOutputStats(ws: Float64Array[], vs: Float64Array[], X: Matrix, Y: Matrix): ScalarLinearStats[] {
  const fn = "multiOutputStats";
  if (!Array.isArray(ws) || !Array.isArray(vs) || ws.length !== vs.length) throw new RangeError(`${fn}: ws and vs must be arrays of the same length K`);
  if (!(X instanceof Matrix) || X.rows !== 1) throw new RangeError(`${fn}: X must be a 1 x n Matrix`);
  if (!(Y instanceof Matrix) || Y.rows !== ws.length || Y.columns !== X.columns) throw new RangeError(`${fn}: Y must be ${ws.length} x ${X.columns}`);
  const x = rowOf(X, 0);
  return ws.map((w, k) => scalarLinearStats(w, vs[k], x, rowOf(Y, k)));
}

/**
 * The decoupled spectrum of Corollaries B.1 / B.2 (eqs. 112-113, 117-118), ascending: for every group,
 * m - 1 eigenvalues at each of ±deltaX_g and the pair Lambda_{1,2} of Theorem 3.1 with that group's statistics.
 */
export function decoupledSpectrum(groups: ScalarLinearStats[], m: number): Float64Array {
  if (!Array.isArray(groups) || groups.length === 0) throw new RangeError("decoupledSpectrum: groups must be a non-empty array");
  const out: number[] = [];
  for (const g of groups) out.push(...scalarLinearSpectrum(g, m));
  return Float64Array.from(out).sort();
}

/**
 * Corollary B.3, eq. (119): the outlier eigenvectors of output k, as full vectors (length 2 m K) in the
 * parameter ordering of lib/models' `twoLayerMultiOutput` (w_1, v_1, ..., w_K, v_K):
 * zero outside group k, and in group k  (w-part, v-part) = (Lambda_i v_k + deltaX_k w_k, deltaX_k v_k + Lambda_i w_k).
 * This is (119), lambda (w_k; v_k) + deltaX_k (v_k; w_k), read with the halves in the order (v_k, w_k) of
 * Theorem 3.2; read in the order (w_k, v_k) the halves must be swapped (see the corollary-B.3 notebook).
 * @see Corollary B.3
 */
export function multiOutputOutlierEigenvectors(ws: Float64Array[], vs: Float64Array[], groups: ScalarLinearStats[], k: number): { values: [number, number]; vectors: [Float64Array, Float64Array] } {
  const fn = "multiOutputOutlierEigenvectors";
  const K = ws.length;
  if (vs.length !== K || groups.length !== K) throw new RangeError(`${fn}: ws, vs and groups must have the same length K`);
  if (!Number.isInteger(k) || k < 0 || k >= K) throw new RangeError(`${fn}: k must be an integer in [0, ${K - 1}], got ${k}`);
  const m = ws[0].length;
  const { values, vectors } = scalarLinearOutlierEigenvectors(ws[k], vs[k], groups[k]);
  const full = vectors.map((z) => {
    const out = new Float64Array(2 * m * K);
    // theorem32 vectors are in (v, w) order: z = (z_v; z_w); place z_w then z_v in the (w_k, v_k) group
    out.set(z.subarray(m), 2 * m * k);
    out.set(z.subarray(0, m), 2 * m * k + m);
    return out;
  }) as [Float64Array, Float64Array];
  return { values, vectors: full };
}

// Earlier names (by theorem number), kept so that existing imports keep working.
/** @deprecated The earlier name of `scalarLinearOutliers` (Theorem 3.1). */
export const theorem31Outliers = scalarLinearOutliers;
/** @deprecated The earlier name of `scalarLinearSpectrum` (Theorem 3.1). */
export const theorem31Spectrum = scalarLinearSpectrum;
/** @deprecated The earlier name of `scalarLinearBlockHessian` (Theorem 3.1). */
export const theorem31BlockHessian = scalarLinearBlockHessian;
/** @deprecated The earlier name of `scalarLinearReduction` (Theorem 3.1). */
export const theorem31Reduction = scalarLinearReduction;
/** @deprecated The earlier name of `sharpnessDiscriminant` (Equation). */
export const equation2Discriminant = sharpnessDiscriminant;
/** @deprecated The earlier name of `sharpnessContributions` (Equation). */
export const equation2Contributions = sharpnessContributions;
/** @deprecated The earlier name of `scalarLinearOutlierEigenvectors` (Theorem 3.2). */
export const theorem32OutlierEigenvectors = scalarLinearOutlierEigenvectors;
/** @deprecated The earlier name of `scalarLinearBulkBasis` (Theorem 3.3). */
export const theorem33BulkBasis = scalarLinearBulkBasis;
/** @deprecated The earlier name of `multiInputStats` (Corollary B.1). */
export const corollaryB1Stats = multiInputStats;
/** @deprecated The earlier name of `multiOutputStats` (Corollary B.2). */
export const corollaryB2Stats = multiOutputStats;
/** @deprecated The earlier name of `multiOutputOutlierEigenvectors` (Corollary B.3). */
export const corollaryB3OutlierEigenvectors = multiOutputOutlierEigenvectors;
