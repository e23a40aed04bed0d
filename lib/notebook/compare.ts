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
