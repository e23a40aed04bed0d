/**
 * The comparisons notebooks make again and again: a closed-form spectrum against the eigenvalues of a dense
 * matrix, the largest entry, the largest relative difference. One definition each, so that every notebook
 * measures the same way.
 */
import { Matrix } from "ml-matrix";
import { eigh } from "../linalg/eigh";

function entries(fn: string, name: string, a: Matrix | ArrayLike<number>): ArrayLike<number> {
  if (a instanceof Matrix) return a.to1DArray();
  if (a === null || a === undefined || typeof (a as ArrayLike<number>).length !== "number") {
    throw new TypeError(`${fn}: ${name} must be a Matrix or an array of numbers, got ${a === null ? "null" : typeof a}`);
  }
  return a;
}

/** max_i |a_i| over the entries of a Matrix or an array (0 for an empty one; NaN if an entry is NaN). */
export function maxAbs(a: Matrix | ArrayLike<number>): number {
  const x = entries("maxAbs", "a", a);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]);
    if (Number.isNaN(v)) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/**
 * max_i |computed_i - predicted_i| / max_i |computed_i|: the error of a predicted spectrum relative to the
 * spectrum's scale (both sorted the same way, e.g. ascending from `eigh`). Throws when the lengths differ.
 */
export function spectrumRelativeError(computed: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const c = entries("spectrumRelativeError", "computed", computed);
  const p = entries("spectrumRelativeError", "predicted", predicted);
  if (c.length !== p.length) throw new RangeError(`spectrumRelativeError: predicted must have ${c.length} values (one per computed eigenvalue), got ${p.length}`);
  if (c.length === 0) throw new RangeError("spectrumRelativeError: computed must not be empty");
  let worst = 0;
  for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i] - p[i]));
  return worst / maxAbs(c);
}

/**
 * The eigenvalues of a dense symmetric matrix (ascending, `eigh`) against a predicted ascending spectrum.
 * @returns computed, predicted and `relErr` = `spectrumRelativeError(computed, predicted)`
 */
export function compareSpectrum(H: Matrix, predicted: ArrayLike<number>): { computed: Float64Array; predicted: ArrayLike<number>; relErr: number } {
  const computed = eigh(H).values;
  return { computed, predicted, relErr: spectrumRelativeError(computed, predicted) };
}

/** max_i |a_i - b_i| / max(max_i |b_i|, tiny): how far a is from the reference b, relative to b's scale. */
export function maxRelativeDifference(a: Matrix | ArrayLike<number>, b: Matrix | ArrayLike<number>): number {
  const x = entries("maxRelativeDifference", "a", a);
  const y = entries("maxRelativeDifference", "b", b);
  if (x.length !== y.length) throw new RangeError(`maxRelativeDifference: a and b must have the same number of entries, got ${x.length} and ${y.length}`);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  return worst / Math.max(maxAbs(y), Number.MIN_VALUE);
}

/** The eigenvalues of a dense symmetric matrix, descending (`eigh` reversed): the papers sort them this way. */
export function eigenvaluesDescending(A: Matrix): Float64Array {
  if (!(A instanceof Matrix)) throw new TypeError("eigenvaluesDescending: A must be a Matrix");
  return eigh(A).values.reverse();
}

/** ||A||_2 of a dense symmetric matrix: max(|lambda_min|, |lambda_max|) from its dense spectrum. */
export function symmetricNorm(A: Matrix): number {
  if (!(A instanceof Matrix)) throw new TypeError("symmetricNorm: A must be a Matrix");
  const v = eigh(A).values;
  return Math.max(Math.abs(v[0]), Math.abs(v[v.length - 1]));
}

/**
 * max_q |values_q - predicted_q| / scale, where a missing predicted value (q past its end) counts as 0: a
 * closed form that lists the nonzero eigenvalues only, against a whole dense spectrum sorted the same way.
 * NaN anywhere gives NaN.
 */
export function maxScaledDeviation(values: ArrayLike<number>, predicted: ArrayLike<number>, scale: number): number {
  const v = entries("maxScaledDeviation", "values", values);
  const p = entries("maxScaledDeviation", "predicted", predicted);
  if (p.length > v.length) throw new RangeError(`maxScaledDeviation: predicted must have at most ${v.length} values (one per computed value), got ${p.length}`);
  if (typeof scale !== "number") throw new TypeError(`maxScaledDeviation: scale must be a number, got ${typeof scale}`);
  let worst = 0;
  for (let q = 0; q < v.length; q++) worst = Math.max(worst, Math.abs(v[q] - (q < p.length ? p[q] : 0)));
  return worst / scale;
}

/** Counts of the three eigenvalue clusters of the linear-network papers (largest first). */
export interface ClusterCounts {
  dominant: number;
  bulk: number;
  zero?: number;
}

/**
 * A predicted descending spectrum of length p made of `counts.dominant` copies of `values.dominant`, then
 * `counts.bulk` copies of `values.bulk`, then zeros (Depth, Not Data, Corollary 3.6 / Lemma A.1).
 */
export function clusteredSpectrum(counts: ClusterCounts, values: { dominant: number; bulk: number }, p: number): Float64Array {
  if (!Number.isInteger(p) || p < counts.dominant + counts.bulk) throw new RangeError(`clusteredSpectrum: p must be an integer >= ${counts.dominant + counts.bulk} (dominant + bulk), got ${p}`);
  const out = new Float64Array(p);
  for (let q = 0; q < counts.dominant + counts.bulk; q++) out[q] = q < counts.dominant ? values.dominant : values.bulk;
  return out;
}

/** The total multiplicity of the clusters (from `clusters`) whose value lies within tol of `value`. */
export function multiplicityNear(found: Array<{ value: number; multiplicity: number }>, value: number, tol: number): number {
  if (!Array.isArray(found)) throw new TypeError("multiplicityNear: found must be an array of clusters");
  return found.filter((c) => Math.abs(c.value - value) <= tol).reduce((a, c) => a + c.multiplicity, 0);
}

/**
 * Sizes of the dominant and bulk clusters read from a descending spectrum alone: values above
 * `zeroFloor * values[0]` count as nonzero; among them the largest ratio of consecutive values is the cut.
 * @returns dominant, bulk, and zeroMax = |largest value counted as zero| / values[0] (0 when none)
 */
export function countByGap(values: ArrayLike<number>, zeroFloor: number): { dominant: number; bulk: number; zeroMax: number } {
  const eig = entries("countByGap", "values", values);
  if (!(zeroFloor >= 0)) throw new RangeError(`countByGap: zeroFloor must be >= 0, got ${zeroFloor}`);
  let nonzero = 0;
  while (nonzero < eig.length && eig[nonzero] > zeroFloor * eig[0]) nonzero++;
  let best = 1, cut = nonzero;
  for (let q = 0; q + 1 < nonzero; q++) { const g = eig[q] / eig[q + 1]; if (g > best) { best = g; cut = q + 1; } }
  return { dominant: cut, bulk: nonzero - cut, zeroMax: nonzero < eig.length ? Math.abs(eig[nonzero]) / eig[0] : 0 };
}

/**
 * The Weyl excess max_q (|a_q - b_q| - h): how far two spectra sorted the same way differ beyond h (by Weyl's
 * inequality it is <= 0 when h is the norm of the difference of the matrices). Starts from 0.
 */
export function weylExcess(a: ArrayLike<number>, b: ArrayLike<number>, h: number): number {
  const x = entries("weylExcess", "a", a), y = entries("weylExcess", "b", b);
  if (x.length !== y.length) throw new RangeError(`weylExcess: a and b must have the same length, got ${x.length} and ${y.length}`);
  let w = 0;
  for (let q = 0; q < x.length; q++) w = Math.max(w, Math.abs(x[q] - y[q]) - h);
  return w;
}

/** Least-squares line y = a + b x and its R^2 (at least two distinct x). */
export function linearFit(x: ArrayLike<number>, y: ArrayLike<number>): { a: number; b: number; r2: number } {
  const n = x.length;
  if (n !== y.length || n < 2) throw new RangeError(`linearFit: x and y must have the same length >= 2, got ${n} and ${y.length}`);
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) sx += x[i];
  for (let i = 0; i < n; i++) sy += y[i];
  const mx = sx / n, my = sy / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2; }
  const b = sxy / sxx;
  return { a: my - b * mx, b, r2: (sxy * sxy) / (sxx * syy) };
}
