/**
 * Group eigenvalues into clusters of (numerically) equal values, to count multiplicities.
 */
import { assertFiniteArray, assertPositive } from "./validate";

/** One cluster of eigenvalues: its mean, how many values it holds, and its smallest and largest member. */
export interface Cluster {
  value: number;
  multiplicity: number;
  min: number;
  max: number;
}

/**
 * Cluster eigenvalues (single linkage on the sorted values).
 *
 * The values are sorted in DESCENDING order; two consecutive sorted values join the same cluster when their
 * gap satisfies
 *
 *     gap <= relTol * max_i |values_i| + absTol.
 *
 * Clusters are chained: a run of values each within the threshold of the next forms one cluster, even if its
 * total spread exceeds the threshold (the spread is reported as `max - min`). The threshold is the same for
 * all clusters (scaled by the largest magnitude, not by each cluster's own value), so near-zero eigenvalues of
 * a Hessian (its null space) merge into one cluster at 0 when their size is below relTol * max|lambda| + absTol.
 *
 * @param values eigenvalues, any order, finite
 * @param relTol relative tolerance (>= 0), e.g. 1e-8 for values from a dense solver
 * @param absTol absolute tolerance (>= 0), default 0
 * @returns clusters sorted by value DESCENDING (largest first): { value (mean), multiplicity, min, max }
 * @example clusters([3, 1, 3 + 1e-14, 0], 1e-10) // [{value: 3, multiplicity: 2, ...}, {value: 1, ...}, {value: 0, ...}]
 */
export function clusters(values: ArrayLike<number>, relTol: number, absTol = 0): Cluster[] {
  const fn = "clusters";
  if (values === null || values === undefined || typeof (values as ArrayLike<number>).length !== "number") {
    throw new TypeError(`clusters: values must be an array of numbers, got ${String(values)}`);
  }
  assertFiniteArray(fn, "values", values);
  assertPositive(fn, "relTol", relTol, true);
  assertPositive(fn, "absTol", absTol, true);
  const sorted = Float64Array.from(values).sort().reverse();
  const out: Cluster[] = [];
  if (sorted.length === 0) return out;
  let scale = 0;
  for (let i = 0; i < sorted.length; i++) scale = Math.max(scale, Math.abs(sorted[i]));
  const threshold = relTol * scale + absTol;
  let start = 0;
  for (let i = 1; i <= sorted.length; i++) {
    if (i === sorted.length || sorted[i - 1] - sorted[i] > threshold) {
      let sum = 0;
      for (let j = start; j < i; j++) sum += sorted[j];
      out.push({ value: sum / (i - start), multiplicity: i - start, min: sorted[i - 1], max: sorted[start] });
      start = i;
    }
  }
  return out;
}
