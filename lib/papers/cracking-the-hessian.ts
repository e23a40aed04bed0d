/**
 * Closed forms of "Cracking the Hessian" (two-layer linear / ReLU networks, a self-attention layer).
 *
 * Section 3.1, the two-layer scalar linear network f(x) = <w, v> x, w, v in R^m, with the loss
 * l = 1/(2n) sum_i (<w, v> x_i - y_i)^2 and parameters ordered theta = (v, w) as in the paper.
 *
 * Contents, in the paper's vocabulary:
 * - Theorem 3.1: `scalarLinearStats`, `theorem31Outliers`, `theorem31Spectrum`, `theorem31BlockHessian`, `theorem31Reduction`;
 *   equation (2): `equation2Discriminant`, `equation2Contributions`; the paired-root helper `pairedRoots`.
 * - Theorems 3.2 / 3.3: `theorem32OutlierEigenvectors`, `theorem33BulkBasis` (with `orthogonalComplement`).
 * - Theorem 3.4 (ReLU cells): `reluCells`, `theorem34Eigenvalues`, `theorem34Spectrum`.
 * - Theorem 3.5 (self-attention, scalar embedding, optional attention sink and batch): `attentionMoments`,
 *   `attentionStats`, `theorem35BlockHessian`, `theorem35Reduced`, `theorem35Cubic`, `theorem35Outliers`,
 *   `theorem35Spectrum`, `theorem35Bounds` (Theorem 3.5 / Remark B.4), `remark31ConditionBound`,
 *   `remarkB2QueryKeyOutliers`, `remarkB2QueryKeySpectrum`, `remarkB3Quadratic`; cubic roots by Viète:
 *   `depressedCubicRoots`, `symmetric3x3Eigenvalues`.
 * - Theorem B.1 (bias): `biasStats`, `theoremB1AssumptionGaps`, `theoremB1Pair`, `theoremB1Triple`, `theoremB1Spectrum`.
 * - Corollaries B.1-B.3: `corollaryB1Stats`, `corollaryB2Stats`, `decoupledSpectrum`, `corollaryB3OutlierEigenvectors`.
 * - Appendix C: `appendixCOutlierProduct`, `appendixCPhase`.
 *
 * Parameter orderings: Theorems 3.1-3.3 use (v, w) (lib/models' deepLinear([1, m, 1])); twoLayerScalar,
 * twoLayerRelu, twoLayerBias and the multi-input/-output models use (w, v[, b]) per group; selfAttention uses
 * (w_V, w_K, w_Q). Each function says which it assumes.
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
  return equation2Contributions(stats).discriminant;
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

// ---------------------------------------------------------------------------------------------------------
// Small helpers (private)
// ---------------------------------------------------------------------------------------------------------

function norm2(a: Float64Array): number {
  return dot(a, a);
}

/** ||a||^2 ||b||^2 - <a, b>^2 >= 0 evaluated as ||a||^2 ||b - (<a,b>/||a||^2) a||^2 (no cancellation). */
function gramDeterminant(a: Float64Array, b: Float64Array): number {
  const aa = norm2(a);
  if (aa === 0) return 0;
  const c = dot(a, b) / aa;
  let r = 0;
  for (let i = 0; i < a.length; i++) {
    const d = b[i] - c * a[i];
    r += d * d;
  }
  return aa * r;
}

function requireFiniteNumber(fn: string, name: string, a: unknown): number {
  if (typeof a !== "number" || !Number.isFinite(a)) throw new RangeError(`${fn}: ${name} must be a finite number, got ${String(a)}`);
  return a;
}

function requireStats(fn: string, stats: unknown, keys: string[]): void {
  if (stats === null || typeof stats !== "object") throw new TypeError(`${fn}: stats must be an object, got ${String(stats)}`);
  for (const k of keys) requireFiniteNumber(fn, `stats.${k}`, (stats as Record<string, unknown>)[k]);
}

const SCALAR_KEYS = ["sigmaX2", "yx", "deltaX", "ww", "vv", "wv"];

// ---------------------------------------------------------------------------------------------------------
// Paired roots of a quadratic (used by Theorem 3.1-type pairs of every model)
// ---------------------------------------------------------------------------------------------------------

/**
 * The two roots of lambda^2 - s lambda - q = 0, i.e. s/2 ± sqrt(s^2 + 4q)/2, the shape of every paired
 * outlier formula in the paper (eq. 1, Theorem 3.4, Remark B.2, Remark B.3, eq. 68).
 *
 * Stable for either sign of s: the root of larger magnitude is (s + sign(s) sqrt(disc))/2 (no cancellation)
 * and the other is -q / (that root) (Vieta), so a small root near a fit keeps its relative accuracy.
 *
 * @param s the sum of the two roots (a trace)
 * @param q minus their product
 * @param disc optional s^2 + 4q evaluated by the caller in a cancellation-free form (a sum of squares);
 *   default s^2 + 4q. Must be >= 0 (two real roots).
 * @returns [larger, smaller] (larger >= smaller)
 */
export function pairedRoots(s: number, q: number, disc?: number): [number, number] {
  const fn = "pairedRoots";
  requireFiniteNumber(fn, "s", s);
  requireFiniteNumber(fn, "q", q);
  const d = disc === undefined ? s * s + 4 * q : requireFiniteNumber(fn, "disc", disc);
  if (d < 0) {
    if (d < -1e-12 * (s * s + 4 * Math.abs(q))) throw new RangeError(`${fn}: disc = s^2 + 4q must be >= 0 (real roots), got ${d}`);
  }
  const root = Math.sqrt(Math.max(0, d));
  const big = (s + (s >= 0 ? root : -root)) / 2;
  if (big === 0) return [0, 0];
  const other = -q / big;
  return big >= other ? [big, other] : [other, big];
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
 */
export function equation2Contributions(stats: ScalarLinearStats): Equation2Contributions {
  requireStats("equation2Contributions", stats, SCALAR_KEYS);
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
 */
export function theorem32OutlierEigenvectors(w: Float64Array, v: Float64Array, stats: ScalarLinearStats): { values: [number, number]; vectors: [Float64Array, Float64Array] } {
  const fn = "theorem32OutlierEigenvectors";
  requireVector(fn, "w", w);
  requireVector(fn, "v", v, w.length);
  requireStats(fn, stats, SCALAR_KEYS);
  const m = w.length;
  const values = theorem31Outliers(stats);
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
 */
export function theorem33BulkBasis(w: Float64Array, v: Float64Array, sign: 1 | -1): Matrix {
  const fn = "theorem33BulkBasis";
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
// Theorem 3.4: two-layer ReLU network f(x) = w^T (v x)_+, per cell
// ---------------------------------------------------------------------------------------------------------

/** One ReLU cell of Theorem 3.4. */
export interface ReluCell {
  /** "+" (x > 0, units with v_j > 0) or "-" (x <= 0, units with v_j <= 0 as in the paper; v_j = 0 is refused). */
  cell: "+" | "-";
  /** Indices j of the hidden units in the cell (q of them for "+"). */
  units: number[];
  /** Number of samples in the cell (n_+ or n_-) and the fraction n_+/n. */
  samples: number;
  fraction: number;
  /** Theorem 3.1 statistics of the cell: sigma_{x+}^2, yx_+, deltaX_+ (means over the cell's samples),
   * ||w_+||^2, ||v_+||^2, <w_+, v_+>. Null when the cell has no samples. */
  stats: ScalarLinearStats | null;
}

/**
 * Split the ReLU network into its two cells (Section 3.2, eq. 3). Throws if some v_j is exactly 0 (a kink:
 * the Hessian is not defined there). `minAbsV` in the result says how far the point is from a kink.
 */
export function reluCells(w: Float64Array, v: Float64Array, x: Float64Array, y: Float64Array): { plus: ReluCell; minus: ReluCell; minAbsV: number } {
  const fn = "reluCells";
  requireVector(fn, "w", w);
  requireVector(fn, "v", v, w.length);
  requireVector(fn, "x", x);
  requireVector(fn, "y", y, x.length);
  if (x.length === 0) throw new RangeError(`${fn}: x must hold at least one sample`);
  let minAbsV = Infinity;
  for (let j = 0; j < v.length; j++) {
    if (v[j] === 0) throw new RangeError(`${fn}: v[${j}] = 0 is a kink of the ReLU (Hessian undefined); move off it`);
    minAbsV = Math.min(minAbsV, Math.abs(v[j]));
  }
  const n = x.length;
  const make = (cell: "+" | "-"): ReluCell => {
    const units: number[] = [];
    for (let j = 0; j < v.length; j++) if ((cell === "+") === v[j] > 0) units.push(j);
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < n; i++) if ((cell === "+") === x[i] > 0) { xs.push(x[i]); ys.push(y[i]); }
    const wc = Float64Array.from(units, (j) => w[j]);
    const vc = Float64Array.from(units, (j) => v[j]);
    let stats: ScalarLinearStats | null = null;
    if (xs.length > 0) {
      const xc = Float64Array.from(xs), yc = Float64Array.from(ys);
      const sigmaX2 = dot(xc, xc) / xc.length, yx = dot(yc, xc) / xc.length, wv = dot(wc, vc);
      stats = { sigmaX2, yx, deltaX: wv * sigmaX2 - yx, ww: dot(wc, wc), vv: dot(vc, vc), wv };
    }
    return { cell, units, samples: xs.length, fraction: xs.length / n, stats };
  };
  return { plus: make("+"), minus: make("-"), minAbsV };
}

/** One eigenvalue predicted by Theorem 3.4, with its source. */
export interface LabelledEigenvalue {
  value: number;
  cell: "+" | "-";
  kind: "outlier" | "bulk";
}

/**
 * Theorem 3.4: the spectrum of the ReLU network, cell by cell: for a cell with k units and fraction
 * n_c/n, the outliers (n_c/n) Lambda_{1,2}(cell statistics) and k - 1 bulk eigenvalues at each of
 * ±(n_c/n) deltaX_c (a cell with k = 0 units contributes nothing; a cell with no samples contributes 2k zeros).
 * @returns labelled eigenvalues, sorted ascending by value
 */
export function theorem34Eigenvalues(cells: { plus: ReluCell; minus: ReluCell }): LabelledEigenvalue[] {
  const out: LabelledEigenvalue[] = [];
  for (const c of [cells.plus, cells.minus]) {
    const k = c.units.length;
    if (k === 0) continue;
    if (c.stats === null) {
      for (let i = 0; i < 2 * k; i++) out.push({ value: 0, cell: c.cell, kind: i < 2 ? "outlier" : "bulk" });
      continue;
    }
    const [l1, l2] = theorem31Outliers(c.stats);
    out.push({ value: c.fraction * l1, cell: c.cell, kind: "outlier" }, { value: c.fraction * l2, cell: c.cell, kind: "outlier" });
    for (let i = 0; i < k - 1; i++) {
      out.push({ value: c.fraction * c.stats.deltaX, cell: c.cell, kind: "bulk" }, { value: -c.fraction * c.stats.deltaX, cell: c.cell, kind: "bulk" });
    }
  }
  return out.sort((a, b) => a.value - b.value);
}

/** Theorem 3.4's spectrum as a sorted (ascending) array, length 2m. */
export function theorem34Spectrum(cells: { plus: ReluCell; minus: ReluCell }): Float64Array {
  return Float64Array.from(theorem34Eigenvalues(cells), (e) => e.value);
}

// ---------------------------------------------------------------------------------------------------------
// Cubic roots (Viète, trigonometric form)
// ---------------------------------------------------------------------------------------------------------

/**
 * The three real roots of the depressed cubic t^3 + p t + q = 0 (p <= 0, three real roots) by Viète's
 * trigonometric formula (eqs. 110 and B.5):
 *   t_k = 2 sqrt(-p/3) cos( (1/3) arccos( (3q / (2p)) sqrt(-3/p) ) - 2 pi k / 3 ),  k = 0, 1, 2.
 * The arccos argument is evaluated as -q / (2 m^3), m = sqrt(-p/3) (no division by p), clamped to [-1, 1]
 * against rounding; p = 0 gives the triple root cbrt(-q). A slightly positive p from rounding is treated as 0.
 * @returns [t_0, t_1, t_2] in descending order (t_0 is the largest)
 */
export function depressedCubicRoots(p: number, q: number): [number, number, number] {
  const fn = "depressedCubicRoots";
  requireFiniteNumber(fn, "p", p);
  requireFiniteNumber(fn, "q", q);
  if (p > 0) throw new RangeError(`${fn}: p must be <= 0 for three real roots, got ${p}`);
  const m = Math.sqrt(-p / 3);
  if (m === 0) {
    const t = Math.cbrt(-q) + 0; // + 0 turns -0 into 0
    return [t, t, t];
  }
  const r = Math.min(1, Math.max(-1, -q / (2 * m * m * m)));
  const phi = Math.acos(r) / 3;
  const t0 = 2 * m * Math.cos(phi);
  const t2 = 2 * m * Math.cos(phi - (4 * Math.PI) / 3); // = cos(phi + 2pi/3): smallest
  const t1 = -t0 - t2; // the roots sum to 0
  return [t0, Math.min(t0, Math.max(t1, t2)), t2];
}

/**
 * Eigenvalues of a real symmetric 3 x 3 matrix in closed form (Viète): center = tr/3, N = T - center I,
 * p = -(1/2) tr(N^2) (a sum of squares, no cancellation), q = -det(N), roots center + t_k.
 * Accurate to a few ulps of ||T|| even near a triple root (then N is small and so is every t_k).
 * @returns { values: descending [l0, l1, l2], center, p, q }
 */
export function symmetric3x3Eigenvalues(T: Matrix): { values: [number, number, number]; center: number; p: number; q: number } {
  const fn = "symmetric3x3Eigenvalues";
  if (!(T instanceof Matrix) || T.rows !== 3 || T.columns !== 3) throw new RangeError(`${fn}: T must be a 3 x 3 Matrix`);
  const a = T.to2DArray();
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) requireFiniteNumber(fn, `T[${i}][${j}]`, a[i][j]);
  const center = (a[0][0] + a[1][1] + a[2][2]) / 3;
  const n00 = a[0][0] - center, n11 = a[1][1] - center, n22 = a[2][2] - center;
  const n01 = (a[0][1] + a[1][0]) / 2, n02 = (a[0][2] + a[2][0]) / 2, n12 = (a[1][2] + a[2][1]) / 2;
  const p = -(n00 * n00 + n11 * n11 + n22 * n22 + 2 * (n01 * n01 + n02 * n02 + n12 * n12)) / 2;
  const det = n00 * (n11 * n22 - n12 * n12) - n01 * (n01 * n22 - n12 * n02) + n02 * (n01 * n12 - n11 * n02);
  const q = -det;
  const [t0, t1, t2] = depressedCubicRoots(p, q);
  return { values: [center + t0, center + t1, center + t2], center, p, q };
}

// ---------------------------------------------------------------------------------------------------------
// Theorem 3.5: single-head self-attention with scalar embedding (Section 3.3, Appendix B.5)
// ---------------------------------------------------------------------------------------------------------

/**
 * Attention moments of Definition B.1 for one sequence x (length T) with scalar embedding:
 * A = softmax_rows(c x x^T + sink 1 e_1^T), c = <w_Q, w_K>/sqrt(d_K);
 * m1 = A x, m2_i = sum_j A_ij (x_j - m1_i)^2, m3_i = sum_j A_ij (x_j - m1_i)^3.
 * @param x the sequence
 * @param c the score scale <w_Q, w_K> / sqrt(d_K)
 * @param sink the attention-sink bias added to every query's score on token 0 (default 0)
 */
export function attentionMoments(x: Float64Array, c: number, sink = 0): { A: Float64Array; m1: Float64Array; m2: Float64Array; m3: Float64Array } {
  const fn = "attentionMoments";
  requireVector(fn, "x", x);
  requireFiniteNumber(fn, "c", c);
  requireFiniteNumber(fn, "sink", sink);
  const T = x.length;
  const A = new Float64Array(T * T);
  const m1 = new Float64Array(T), m2 = new Float64Array(T), m3 = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    let mx = -Infinity;
    for (let j = 0; j < T; j++) mx = Math.max(mx, c * x[i] * x[j] + (j === 0 ? sink : 0));
    let s = 0;
    for (let j = 0; j < T; j++) {
      const e = Math.exp(c * x[i] * x[j] + (j === 0 ? sink : 0) - mx);
      A[i * T + j] = e;
      s += e;
    }
    let mean = 0;
    for (let j = 0; j < T; j++) {
      A[i * T + j] /= s;
      mean += A[i * T + j] * x[j];
    }
    let c2 = 0, c3 = 0;
    for (let j = 0; j < T; j++) {
      const d = x[j] - mean;
      c2 += A[i * T + j] * d * d;
      c3 += A[i * T + j] * d * d * d;
    }
    m1[i] = mean;
    m2[i] = c2;
    m3[i] = c3;
  }
  return { A, m1, m2, m3 };
}

/** The scalars and weight statistics Theorem 3.5 depends on. */
export interface AttentionStats {
  /** alpha = ||m1||^2 / N. */
  alpha: number;
  /** beta = (w_V m1 + delta)^T (x ⊙ m2) / (N sqrt(d_K)). */
  beta: number;
  /** gamma = w_V delta^T (x ⊙ m2) / (N sqrt(d_K)): the bulk ±gamma. */
  gamma: number;
  /** zeta = (w_V^2 ||x ⊙ m2||^2 + w_V delta^T (x ⊙ x ⊙ m3)) / (N d_K). */
  zeta: number;
  dK: number;
  /** ||w_K||^2, ||w_Q||^2, <w_K, w_Q>. */
  kk: number;
  qq: number;
  kq: number;
  /** ||w_K + w_Q||^2 and ||w_K - w_Q||^2 (computed from the vectors, for a cancellation-free reduction). */
  sumNorm2: number;
  diffNorm2: number;
  /** ||w_K||^2 ||w_Q||^2 - <w_K, w_Q>^2 >= 0, computed without cancellation. */
  gram: number;
  /** The loss 1/(2N) sum (f - y)^2 and the normalizer N. */
  loss: number;
  normalizer: number;
}

/**
 * Theorem 3.5's scalars for the self-attention layer f(x) = w_V A(x) x (eq. 4; `selfAttention` in
 * lib/models with embed = 1) on a batch of sequences, loss 1/(2N) sum over sequences and tokens of
 * (f - y)^2. With one sequence and N = T this is the paper's setting; a batch sums the same per-token terms.
 * delta = f - y is the residual per token.
 * @param X T x B sequences (one per column), Y the targets (same shape)
 * @param wV the value weight, wK and wQ the key and query vectors (length d_K)
 * @param options sink (attention-sink bias on token 0, default 0), normalizer N (default T B)
 */
export function attentionStats(X: Matrix, Y: Matrix, wV: number, wK: Float64Array, wQ: Float64Array, options: { sink?: number; normalizer?: number } = {}): AttentionStats {
  const fn = "attentionStats";
  if (!(X instanceof Matrix)) throw new TypeError(`${fn}: X must be a Matrix (T x B)`);
  if (!(Y instanceof Matrix) || Y.rows !== X.rows || Y.columns !== X.columns) throw new RangeError(`${fn}: Y must be ${X.rows} x ${X.columns} like X`);
  requireFiniteNumber(fn, "wV", wV);
  requireVector(fn, "wK", wK);
  requireVector(fn, "wQ", wQ, wK.length);
  if (wK.length === 0) throw new RangeError(`${fn}: wK must have length d_K >= 1`);
  const sink = options.sink ?? 0;
  const T = X.rows, B = X.columns;
  const N = options.normalizer ?? T * B;
  if (!(N > 0) || !Number.isFinite(N)) throw new RangeError(`${fn}: options.normalizer must be positive and finite, got ${N}`);
  const dK = wK.length;
  const kq = dot(wK, wQ);
  const c = kq / Math.sqrt(dK);
  let a = 0, b = 0, g = 0, z = 0, l = 0;
  for (let s = 0; s < B; s++) {
    const x = Float64Array.from(X.getColumn(s));
    const y = Y.getColumn(s);
    requireVector(fn, `X[:, ${s}]`, x);
    const { m1, m2, m3 } = attentionMoments(x, c, sink);
    for (let i = 0; i < T; i++) {
      const delta = wV * m1[i] - y[i];
      const xm2 = x[i] * m2[i];
      a += m1[i] * m1[i];
      b += (wV * m1[i] + delta) * xm2;
      g += wV * delta * xm2;
      z += wV * wV * xm2 * xm2 + wV * delta * x[i] * x[i] * m3[i];
      l += delta * delta;
    }
  }
  const sum = new Float64Array(dK), diff = new Float64Array(dK);
  for (let i = 0; i < dK; i++) { sum[i] = wK[i] + wQ[i]; diff[i] = wK[i] - wQ[i]; }
  return {
    alpha: a / N,
    beta: b / (N * Math.sqrt(dK)),
    gamma: g / (N * Math.sqrt(dK)),
    zeta: z / (N * dK),
    dK,
    kk: norm2(wK),
    qq: norm2(wQ),
    kq,
    sumNorm2: norm2(sum),
    diffNorm2: norm2(diff),
    gram: gramDeterminant(wK, wQ),
    loss: l / (2 * N),
    normalizer: N,
  };
}

const ATTENTION_KEYS = ["alpha", "beta", "gamma", "zeta", "dK", "kk", "qq", "kq", "sumNorm2", "diffNorm2", "gram"];

/**
 * The Hessian of Appendix B.5 assembled from alpha, beta, gamma, zeta, in the ordering of lib/models'
 * `selfAttention` (w_V, w_K, w_Q):
 *   [[ alpha,        beta w_Q^T,                 beta w_K^T                ],
 *    [ beta w_Q,     zeta w_Q w_Q^T,             zeta w_Q w_K^T + gamma I  ],
 *    [ beta w_K,     zeta w_K w_Q^T + gamma I,   zeta w_K w_K^T            ]].
 * (The paper prints the same blocks under the column labels (w_V, w_K, w_Q); its blocks belong to the order
 * (w_V, w_Q, w_K), since d score / d w_K is proportional to w_Q. The eigenvalues do not depend on this.)
 */
export function theorem35BlockHessian(wK: Float64Array, wQ: Float64Array, stats: AttentionStats): Matrix {
  const fn = "theorem35BlockHessian";
  requireVector(fn, "wK", wK);
  requireVector(fn, "wQ", wQ, wK.length);
  requireStats(fn, stats, ATTENTION_KEYS);
  const d = wK.length;
  const { alpha, beta, gamma, zeta } = stats;
  const H = new Matrix(2 * d + 1, 2 * d + 1);
  H.set(0, 0, alpha);
  for (let i = 0; i < d; i++) {
    H.set(0, 1 + i, beta * wQ[i]); H.set(1 + i, 0, beta * wQ[i]);
    H.set(0, 1 + d + i, beta * wK[i]); H.set(1 + d + i, 0, beta * wK[i]);
    for (let j = 0; j < d; j++) {
      H.set(1 + i, 1 + j, zeta * wQ[i] * wQ[j]);
      H.set(1 + d + i, 1 + d + j, zeta * wK[i] * wK[j]);
      const off = zeta * wQ[i] * wK[j] + (i === j ? gamma : 0);
      H.set(1 + i, 1 + d + j, off);
      H.set(1 + d + j, 1 + i, off);
    }
  }
  return H;
}

/**
 * The Hessian restricted to its outlier subspace span{e_V, (0, w_K + w_Q, w_K + w_Q), (0, w_K - w_Q, w_Q - w_K)}
 * (orthonormal basis), a symmetric 3 x 3 matrix with s± = ||w_K ± w_Q||:
 *   [[ alpha,            beta s+/sqrt2,          beta s-/sqrt2        ],
 *    [ beta s+/sqrt2,    zeta s+^2/2 + gamma,    zeta s+ s-/2         ],
 *    [ beta s-/sqrt2,    zeta s+ s-/2,           zeta s-^2/2 - gamma  ]].
 * Its characteristic polynomial is the paper's cubic (B.5); its eigenvalues are the three outliers.
 */
export function theorem35Reduced(stats: AttentionStats): Matrix {
  requireStats("theorem35Reduced", stats, ATTENTION_KEYS);
  const { alpha, beta, gamma, zeta } = stats;
  const sp = Math.sqrt(stats.sumNorm2), sm = Math.sqrt(stats.diffNorm2);
  const r = Math.SQRT1_2;
  return new Matrix([
    [alpha, beta * sp * r, beta * sm * r],
    [beta * sp * r, (zeta * stats.sumNorm2) / 2 + gamma, (zeta * sp * sm) / 2],
    [beta * sm * r, (zeta * sp * sm) / 2, (zeta * stats.diffNorm2) / 2 - gamma],
  ]);
}

/** The cubic of Appendix B.5 and its depressed form. */
export interface Theorem35Cubic {
  /** -lambda^3 + a2 lambda^2 + a1 lambda + a0 = 0 with a2 = alpha + zeta S (= tr H), S = ||w_K||^2 + ||w_Q||^2, */
  a2: number;
  /** a1 = (beta^2 - alpha zeta) S + 2 gamma zeta <w_K, w_Q> + gamma^2, */
  a1: number;
  /** a0 = 2 gamma (beta^2 - alpha zeta) <w_K, w_Q> - alpha gamma^2. */
  a0: number;
  /** Depressed form t^3 + p t + q, lambda = t + a2/3, evaluated stably (p as a sum of squares, q = -det). */
  p: number;
  q: number;
  /** q from the expanded coefficients, -(2 a2^3 + 9 a2 a1 + 27 a0)/27 (correct, but may cancel). */
  qExpanded: number;
  /** q exactly as printed in B.5 (a bracket is missing there: 9 a2 multiplies only (beta^2 - alpha zeta) S). */
  qAsPrinted: number;
}

/** The coefficients of Appendix B.5's cubic, with p, q (see `Theorem35Cubic`). */
export function theorem35Cubic(stats: AttentionStats): Theorem35Cubic {
  requireStats("theorem35Cubic", stats, ATTENTION_KEYS);
  const { alpha, beta, gamma, zeta, kq } = stats;
  const S = stats.kk + stats.qq;
  const a2 = alpha + zeta * S;
  const a1 = (beta * beta - alpha * zeta) * S + 2 * gamma * zeta * kq + gamma * gamma;
  const a0 = 2 * gamma * (beta * beta - alpha * zeta) * kq - alpha * gamma * gamma;
  const { p, q } = symmetric3x3Eigenvalues(theorem35Reduced(stats));
  const qExpanded = -(2 * a2 ** 3 + 9 * a2 * a1 + 27 * a0) / 27;
  const qAsPrinted = -(2 * a2 ** 3 + 9 * a2 * (beta * beta - alpha * zeta) * S + 2 * gamma * zeta * kq + gamma * gamma + 27 * a0) / 27;
  return { a2, a1, a0, p, q, qExpanded, qAsPrinted };
}

/**
 * Theorem 3.5's three outliers by Viète's formula, evaluated stably (the reduced symmetric 3 x 3 matrix:
 * p is a sum of squares, q a determinant of the centred matrix; accurate when p is near 0).
 * @returns descending [lambda_0, lambda_1, lambda_2]
 */
export function theorem35Outliers(stats: AttentionStats): [number, number, number] {
  return symmetric3x3Eigenvalues(theorem35Reduced(stats)).values;
}

/** Theorem 3.5's full spectrum, ascending: d_K - 1 eigenvalues at each of ±gamma and the three outliers. */
export function theorem35Spectrum(stats: AttentionStats): Float64Array {
  const out = new Float64Array(2 * stats.dK + 1);
  for (let i = 0; i < stats.dK - 1; i++) {
    out[2 * i] = stats.gamma;
    out[2 * i + 1] = -stats.gamma;
  }
  out.set(theorem35Outliers(stats), 2 * stats.dK - 2);
  return out.sort();
}

/**
 * The bounds of Theorem 3.5 and Remark B.4: with center = (alpha + zeta (||w_K||^2 + ||w_Q||^2)) / 3 = tr(H)/3
 * and xi = 2 sqrt(-p/3) = (2/3) sqrt(3 gamma^2 + 6 zeta gamma <w_K, w_Q> + 3 (beta^2 - alpha zeta) S + (alpha + zeta S)^2),
 * every outlier lies in [center - xi, center + xi] and the largest in [center + xi/2, center + xi].
 * xi is evaluated from the stable p. `xiAsPrinted` is the statement's formula with unsquared norms
 * (zeta ||w_K|| + zeta ||w_Q|| + alpha)^2 (NaN when its radicand is negative; `radicandAsPrinted` tells).
 */
export function theorem35Bounds(stats: AttentionStats): { center: number; xi: number; lower: number; upper: number; lambdaMaxLower: number; lambdaMaxUpper: number; xiAsPrinted: number; radicandAsPrinted: number } {
  const cubic = theorem35Cubic(stats);
  const center = cubic.a2 / 3;
  const xi = 2 * Math.sqrt(-cubic.p / 3);
  const { alpha, beta, gamma, zeta, kq } = stats;
  const S = stats.kk + stats.qq;
  const lin = zeta * Math.sqrt(stats.kk) + zeta * Math.sqrt(stats.qq) + alpha;
  const radicandAsPrinted = 3 * gamma * gamma + 6 * zeta * gamma * kq + 3 * (beta * beta - alpha * zeta) * S + lin * lin;
  const xiAsPrinted = radicandAsPrinted >= 0 ? (2 / 3) * Math.sqrt(radicandAsPrinted) : NaN;
  return { center, xi, lower: center - xi, upper: center + xi, lambdaMaxLower: center + xi / 2, lambdaMaxUpper: center + xi, xiAsPrinted, radicandAsPrinted };
}

/**
 * Remark 3.1: the lower bound on the condition number kappa = |lambda|_max / |lambda|_min,
 *   (2 (alpha + zeta (||w_K||^2 + ||w_Q||^2)) + 3 xi) / (6 |gamma|).
 * It rests on |lambda|_min <= |gamma| (needs d_K >= 2 so that ±gamma are eigenvalues). Infinity when gamma = 0.
 */
export function remark31ConditionBound(stats: AttentionStats): number {
  const b = theorem35Bounds(stats);
  return (2 * 3 * b.center + 3 * b.xi) / (6 * Math.abs(stats.gamma));
}

/**
 * Remark B.2: the query-key block of the Hessian alone has the two-layer-linear form (zeta for sigma_x^2,
 * gamma for deltaX): bulk ±gamma (d_K - 1 each) and the pair Lambda_{1,2} = roots of
 * lambda^2 - zeta S lambda - (gamma^2 + 2 zeta gamma <w_K, w_Q>), discriminant as a sum of squares
 * zeta^2 (||w_K||^2 - ||w_Q||^2)^2 + 4 zeta^2 (||w_K||^2 ||w_Q||^2 - <w_K,w_Q>^2) + 4 (gamma + zeta <w_K,w_Q>)^2.
 */
export function remarkB2QueryKeyOutliers(stats: AttentionStats): [number, number] {
  requireStats("remarkB2QueryKeyOutliers", stats, ATTENTION_KEYS);
  const { zeta, gamma, kk, qq, kq, gram } = stats;
  const d = kk - qq;
  const disc = zeta * zeta * d * d + 4 * zeta * zeta * gram + 4 * (gamma + zeta * kq) ** 2;
  return pairedRoots(zeta * (kk + qq), gamma * gamma + 2 * zeta * gamma * kq, disc);
}

/** Remark B.2's spectrum of the 2 d_K x 2 d_K query-key block, ascending. */
export function remarkB2QueryKeySpectrum(stats: AttentionStats): Float64Array {
  const out = new Float64Array(2 * stats.dK);
  for (let i = 0; i < stats.dK - 1; i++) {
    out[2 * i] = stats.gamma;
    out[2 * i + 1] = -stats.gamma;
  }
  out.set(remarkB2QueryKeyOutliers(stats), 2 * stats.dK - 2);
  return out.sort();
}

/**
 * Remark B.3: at gamma = 0 the cubic is -lambda (lambda^2 - (alpha + zeta S) lambda - (beta^2 - alpha zeta) S):
 * one root 0 and the pair (alpha + zeta S)/2 ± sqrt((alpha + zeta S)^2 + 4 (beta^2 - alpha zeta) S)/2, the
 * discriminant evaluated as (alpha - zeta S)^2 + 4 beta^2 S (a sum of squares). Meaningful when gamma = 0.
 */
export function remarkB3Quadratic(stats: AttentionStats): [number, number] {
  requireStats("remarkB3Quadratic", stats, ATTENTION_KEYS);
  const { alpha, beta, zeta } = stats;
  const S = stats.kk + stats.qq;
  return pairedRoots(alpha + zeta * S, (beta * beta - alpha * zeta) * S, (alpha - zeta * S) ** 2 + 4 * beta * beta * S);
}

// ---------------------------------------------------------------------------------------------------------
// Theorem B.1: linear network with a hidden bias, f(x) = w^T (v x + b)  (Appendix B.3)
// ---------------------------------------------------------------------------------------------------------

/** Statistics of the bias network (Appendix B.3). */
export interface BiasStats {
  /** sigma_x^2 = mean x^2, mean x, mean y, yx = mean y x. */
  sigmaX2: number;
  meanX: number;
  meanY: number;
  yx: number;
  /** deltaX = mean(delta x), deltaBar = mean(delta), delta_i = w^T (v x_i + b) - y_i. */
  deltaX: number;
  deltaBar: number;
  /** ||w||^2, ||v||^2, ||b||^2, <v, b>, <w, v>, <w, b>. */
  ww: number;
  vv: number;
  bb: number;
  vb: number;
  wv: number;
  wb: number;
}

/** The statistics of Theorem B.1 at (w, v, b) on scalar data (x_i, y_i). */
export function biasStats(w: Float64Array, v: Float64Array, b: Float64Array, x: Float64Array, y: Float64Array): BiasStats {
  const fn = "biasStats";
  requireVector(fn, "w", w);
  requireVector(fn, "v", v, w.length);
  requireVector(fn, "b", b, w.length);
  requireVector(fn, "x", x);
  requireVector(fn, "y", y, x.length);
  if (x.length === 0) throw new RangeError(`${fn}: x must hold at least one sample`);
  const n = x.length;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) { sx += x[i]; sy += y[i]; }
  const sigmaX2 = dot(x, x) / n, meanX = sx / n, meanY = sy / n, yx = dot(x, y) / n;
  const wv = dot(w, v), wb = dot(w, b);
  return {
    sigmaX2, meanX, meanY, yx,
    deltaX: wv * sigmaX2 + wb * meanX - yx,
    deltaBar: wv * meanX + wb - meanY,
    ww: dot(w, w), vv: dot(v, v), bb: dot(b, b), vb: dot(v, b), wv, wb,
  };
}

/**
 * How far a point is from Theorem B.1's assumptions (each 0 when they hold): |<v,b>|/(||v|| ||b||),
 * |  ||v||^2 - ||b||^2 | / (||v||^2 + ||b||^2), |sigma_x^2 - 1|, |mean x|, |mean y|, |yx|.
 */
export function theoremB1AssumptionGaps(s: BiasStats): { orthogonality: number; equalNorms: number; unitVariance: number; meanX: number; meanY: number; yx: number } {
  return {
    orthogonality: Math.abs(s.vb) / Math.sqrt(s.vv * s.bb),
    equalNorms: Math.abs(s.vv - s.bb) / (s.vv + s.bb),
    unitVariance: Math.abs(s.sigmaX2 - 1),
    meanX: Math.abs(s.meanX),
    meanY: Math.abs(s.meanY),
    yx: Math.abs(s.yx),
  };
}

/** Theorem B.1, the pair (68): (||v||^2 + ||w||^2)/2 ± sqrt((||v||^2 + ||w||^2)^2 + 12 (deltaX^2 + deltaBar^2))/2. */
export function theoremB1Pair(s: BiasStats): [number, number] {
  const S = s.vv + s.ww, R = s.deltaX ** 2 + s.deltaBar ** 2;
  return pairedRoots(S, 3 * R, S * S + 12 * R);
}

/**
 * Theorem B.1, the triple: the roots of lambda^3 - S lambda^2 - R lambda + R ||w||^2 (S = ||v||^2 + ||w||^2,
 * R = deltaX^2 + deltaBar^2) by Viète with p (107) and q (109): lambda_k = t_k + S/3. p = -R - S^2/3 has no
 * cancellation; the root of smallest magnitude is taken from the product of the roots, -R ||w||^2.
 * @returns { values: descending, p, q }
 */
export function theoremB1Triple(s: BiasStats): { values: [number, number, number]; p: number; q: number } {
  const S = s.vv + s.ww, R = s.deltaX ** 2 + s.deltaBar ** 2;
  const p = -R - (S * S) / 3;
  const q = (-2 / 27) * S ** 3 - (s.vv * R) / 3 + (2 / 3) * s.ww * R;
  const t = depressedCubicRoots(p, q);
  const l = t.map((ti) => ti + S / 3);
  // smallest |root| from the product of the other two (no cancellation in t + S/3)
  const order = [0, 1, 2].sort((i, j) => Math.abs(l[i]) - Math.abs(l[j]));
  const prodOthers = l[order[1]] * l[order[2]];
  if (prodOthers !== 0) l[order[0]] = (-R * s.ww) / prodOthers;
  l.sort((a, b) => b - a);
  return { values: [l[0], l[1], l[2]], p, q };
}

/**
 * Theorem B.1's full spectrum (3m eigenvalues), ascending: the pair (68), the triple, bulk
 * ±sqrt(deltaX^2 + deltaBar^2) and zeros. The paper leaves the multiplicities unstated; counting eigenvalues
 * (A ⊗ I_m plus a rank-2 term in (85)) and the dense Hessian give m - 2 at each of ±sqrt(...) and m - 1 zeros
 * (see the theorem-B.1 notebook). Needs m >= 2.
 */
export function theoremB1Spectrum(s: BiasStats, m: number): Float64Array {
  if (!Number.isInteger(m) || m < 2) throw new RangeError(`theoremB1Spectrum: m must be an integer >= 2, got ${m}`);
  const r = Math.sqrt(s.deltaX ** 2 + s.deltaBar ** 2);
  const out: number[] = [...theoremB1Pair(s), ...theoremB1Triple(s).values];
  for (let i = 0; i < m - 2; i++) out.push(r, -r);
  for (let i = 0; i < m - 1; i++) out.push(0);
  return Float64Array.from(out).sort();
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
 */
export function corollaryB1Stats(ws: Float64Array[], vs: Float64Array[], X: Matrix, Y: Matrix): ScalarLinearStats[] {
  const fn = "corollaryB1Stats";
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
 */
export function corollaryB2Stats(ws: Float64Array[], vs: Float64Array[], X: Matrix, Y: Matrix): ScalarLinearStats[] {
  const fn = "corollaryB2Stats";
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
  for (const g of groups) out.push(...theorem31Spectrum(g, m));
  return Float64Array.from(out).sort();
}

/**
 * Corollary B.3, eq. (119): the outlier eigenvectors of output k, as full vectors (length 2 m K) in the
 * parameter ordering of lib/models' `twoLayerMultiOutput` (w_1, v_1, ..., w_K, v_K):
 * zero outside group k, and in group k  (w-part, v-part) = (Lambda_i v_k + deltaX_k w_k, deltaX_k v_k + Lambda_i w_k).
 * This is (119), lambda (w_k; v_k) + deltaX_k (v_k; w_k), read with the halves in the order (v_k, w_k) of
 * Theorem 3.2; read in the order (w_k, v_k) the halves must be swapped (see the corollary-B.3 notebook).
 */
export function corollaryB3OutlierEigenvectors(ws: Float64Array[], vs: Float64Array[], groups: ScalarLinearStats[], k: number): { values: [number, number]; vectors: [Float64Array, Float64Array] } {
  const fn = "corollaryB3OutlierEigenvectors";
  const K = ws.length;
  if (vs.length !== K || groups.length !== K) throw new RangeError(`${fn}: ws, vs and groups must have the same length K`);
  if (!Number.isInteger(k) || k < 0 || k >= K) throw new RangeError(`${fn}: k must be an integer in [0, ${K - 1}], got ${k}`);
  const m = ws[0].length;
  const { values, vectors } = theorem32OutlierEigenvectors(ws[k], vs[k], groups[k]);
  const full = vectors.map((z) => {
    const out = new Float64Array(2 * m * K);
    // theorem32 vectors are in (v, w) order: z = (z_v; z_w); place z_w then z_v in the (w_k, v_k) group
    out.set(z.subarray(m), 2 * m * k);
    out.set(z.subarray(0, m), 2 * m * k + m);
    return out;
  }) as [Float64Array, Float64Array];
  return { values, vectors: full };
}

// ---------------------------------------------------------------------------------------------------------
// Appendix C: learning phases of the scalar linear network
// ---------------------------------------------------------------------------------------------------------

/**
 * Appendix C: -Lambda_1 Lambda_2 = deltaX^2 + 2 sigma_x^2 deltaX <w, v> = (<w,v> sigma_x^2 - yx)(3 <w,v> sigma_x^2 - yx),
 * evaluated in the factored form.
 */
export function appendixCOutlierProduct(stats: ScalarLinearStats): number {
  requireStats("appendixCOutlierProduct", stats, SCALAR_KEYS);
  const a = stats.wv * stats.sigmaX2;
  return (a - stats.yx) * (3 * a - stats.yx);
}

/**
 * Appendix C's phase of learning from <w, v> and thetaStar = yx / sigma_x^2 (for thetaStar > 0 as in the
 * paper; mirrored for thetaStar < 0): "early" when <w,v> <= thetaStar / 3, "late" when
 * thetaStar / 3 < <w,v> <= thetaStar, "divergent" when <w,v> > thetaStar. Early and divergent:
 * Lambda_2 <= 0 and Lambda_1 >= tr(H);
 * late: Lambda_2 >= 0 and Lambda_1 <= tr(H).
 */
export function appendixCPhase(stats: ScalarLinearStats): "early" | "late" | "divergent" {
  requireStats("appendixCPhase", stats, SCALAR_KEYS);
  if (!(stats.sigmaX2 > 0)) throw new RangeError(`appendixCPhase: stats.sigmaX2 must be > 0, got ${stats.sigmaX2}`);
  const thetaStar = stats.yx / stats.sigmaX2;
  const s = thetaStar >= 0 ? 1 : -1;
  const c = s * stats.wv, t = s * thetaStar;
  if (c <= t / 3) return "early";
  if (c <= t) return "late";
  return "divergent";
}
