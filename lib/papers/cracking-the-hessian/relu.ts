/**
 * Cracking the Hessian, the two-layer ReLU network f(x) = w^T (v x)_+ (Section 3.2, Appendix B.2): Theorem 3.4, per cell.
 */
import { dot, requireVector } from "./helpers";
import { ScalarLinearStats, scalarLinearOutliers } from "./two-layer-linear";

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
 * @see Theorem 3.4
 */
export function reluCellEigenvalues(cells: { plus: ReluCell; minus: ReluCell }): LabelledEigenvalue[] {
  const out: LabelledEigenvalue[] = [];
  for (const c of [cells.plus, cells.minus]) {
    const k = c.units.length;
    if (k === 0) continue;
    if (c.stats === null) {
      for (let i = 0; i < 2 * k; i++) out.push({ value: 0, cell: c.cell, kind: i < 2 ? "outlier" : "bulk" });
      continue;
    }
    const [l1, l2] = scalarLinearOutliers(c.stats);
    out.push({ value: c.fraction * l1, cell: c.cell, kind: "outlier" }, { value: c.fraction * l2, cell: c.cell, kind: "outlier" });
    for (let i = 0; i < k - 1; i++) {
      out.push({ value: c.fraction * c.stats.deltaX, cell: c.cell, kind: "bulk" }, { value: -c.fraction * c.stats.deltaX, cell: c.cell, kind: "bulk" });
    }
  }
  return out.sort((a, b) => a.value - b.value);
}

/**
 * Theorem 3.4's spectrum as a sorted (ascending) array, length 2m.
 * @see Theorem 3.4
 */
export function reluSpectrum(cells: { plus: ReluCell; minus: ReluCell }): Float64Array {
  return Float64Array.from(reluCellEigenvalues(cells), (e) => e.value);
}

// Earlier names (by theorem number), kept so that existing imports keep working.
/** @deprecated The earlier name of `reluCellEigenvalues` (Theorem 3.4). */
export const theorem34Eigenvalues = reluCellEigenvalues;
/** @deprecated The earlier name of `reluSpectrum` (Theorem 3.4). */
export const theorem34Spectrum = reluSpectrum;
