/**
 * Cracking the Hessian, Figure 1 (Theorem 3.4): the spectrum of the two-layer ReLU network f(x) = w^T (v x)_+,
 * each eigenvalue attributed to the cell (+ or −) its eigenvector lives in. The brute force here (the dense
 * Hessian, its eigenvectors, the cross-cell block) is what the notebook checks Theorem 3.4's closed form
 * (lib/papers, `reluCells` / `reluCellEigenvalues`) against. w and v are read through the model's own
 * `unflattenByName` (blocks `w` 1 x m, `v` m x 1), never by slicing theta.
 */
import { Matrix } from "ml-matrix";
import { hessian } from "../../curvature/curvature";
import type { Problem } from "../../curvature/problem";
import { eigh } from "../../linalg/eigh";
import { reluCells, reluCellEigenvalues } from "../../papers/cracking-the-hessian/relu";

/** The two cells' names as the notebooks print them. */
export type Cell = "+" | "−";

/** Theorem 3.4's prediction for one cell. */
export interface CellPrediction {
  cell: Cell;
  /** Hidden units j of the cell. */
  units: number[];
  /** The cell's predicted eigenvalues (outliers and bulk), ascending. */
  values: number[];
  /** The cell's two outliers (n_c/n) Lambda_{1,2}, descending. */
  outliers: number[];
  /** The cell's bulk value (n_c/n) deltaX_c (0 for a cell without samples). */
  bulk: number;
}

/** w (1 x m block) and v (m x 1 block) of a two-layer model, by block name. */
export function twoLayerWeights(problem: Problem, theta: Float64Array): { w: Float64Array; v: Float64Array } {
  const blocks = problem.model.unflattenByName(theta);
  if (!blocks.w || !blocks.v) throw new RangeError(`twoLayerWeights: the model must have blocks w and v, got ${Object.keys(blocks).join(", ")}`);
  return { w: Float64Array.from(blocks.w.to1DArray()), v: Float64Array.from(blocks.v.to1DArray()) };
}

/**
 * Theorem 3.4 cell by cell at theta: the + cell first, then the − cell.
 * @see Cracking the Hessian, Theorem 3.4
 */
export function theorem34Cells(problem: Problem, theta: Float64Array, xs: Float64Array, ys: Float64Array): [CellPrediction, CellPrediction] {
  const { w, v } = twoLayerWeights(problem, theta);
  const cells = reluCells(w, v, xs, ys);
  const labelled = reluCellEigenvalues(cells);
  const one = (c: typeof cells.plus): CellPrediction => ({
    cell: c.cell === "+" ? "+" : "−",
    units: c.units,
    values: labelled.filter((e) => e.cell === c.cell).map((e) => e.value),
    outliers: labelled.filter((e) => e.cell === c.cell && e.kind === "outlier").map((e) => e.value).sort((a, b) => b - a),
    bulk: c.stats === null ? 0 : c.fraction * c.stats.deltaX,
  });
  return [one(cells.plus), one(cells.minus)];
}

/** What `cellSpectrum` measured at one parameter point. */
export interface CellSpectrum {
  /** Dense eigenvalues, ascending. */
  values: Float64Array;
  /** Theorem 3.4, + cell then − cell. */
  cells: [CellPrediction, CellPrediction];
  /** The cell each computed eigenvalue is attributed to. */
  attributed: Cell[];
  /** Squared norm of each eigenvector on the + cell's parameters. */
  plusMass: number[];
  /** Worst distance of a group's total + mass from an integer. */
  impurity: number;
  /** Per cell: attributed eigenvalues vs the cell's prediction (max error / max|lambda|). */
  perCell: [number, number];
  /** The whole spectrum vs Theorem 3.4 (max error / max|lambda|). */
  whole: number;
  /** Largest |H| entry between the two cells' parameters / max|lambda|. */
  cross: number;
  /** max|lambda|. */
  scaleH: number;
}

/**
 * The dense Hessian at theta, diagonalised with eigenvectors; each eigenvalue attributed to the cell that holds
 * its eigenvector. Equal eigenvalues of the two cells span a joint eigenspace in which the solver may return any
 * rotation, so attribution is per group of equal eigenvalues (gaps <= 1e-9 max|lambda|): the group's total
 * + mass is invariant and counts its + eigenvalues.
 * @see Cracking the Hessian, Theorem 3.4 and Figure 1
 */
export function cellSpectrum(problem: Problem, theta: Float64Array, xs: Float64Array, ys: Float64Array): CellSpectrum {
  const H = hessian(problem, theta);
  const { values, vectors } = eigh(H, { vectors: true });
  const m = problem.model.numParams / 2;
  const cells = theorem34Cells(problem, theta, xs, ys);
  const plusIdx = new Set(cells[0].units.flatMap((j) => [j, m + j]));
  const scaleH = Math.max(Math.abs(values[0]), Math.abs(values[values.length - 1]));
  let cross = 0; // decoupling: the Hessian block between the cells' parameters
  for (let a = 0; a < 2 * m; a++) for (let b = 0; b < 2 * m; b++) if (plusIdx.has(a) !== plusIdx.has(b)) cross = Math.max(cross, Math.abs(H.get(a, b)));
  const plusMass = Array.from(values.keys()).map((k) => {
    let s = 0;
    for (const a of plusIdx) s += (vectors as Matrix).get(a, k) ** 2;
    return s;
  });
  const attributed: Cell[] = new Array(values.length);
  let impurity = 0;
  for (let start = 0; start < values.length; ) {
    let end = start + 1;
    while (end < values.length && values[end] - values[end - 1] <= 1e-9 * scaleH) end++;
    let sum = 0;
    for (let k = start; k < end; k++) sum += plusMass[k];
    const nPlus = Math.round(sum);
    impurity = Math.max(impurity, Math.abs(sum - nPlus));
    for (let k = start; k < end; k++) attributed[k] = k - start < nPlus ? "+" : "−";
    start = end;
  }
  const err = (a: number[], b: number[]) => {
    if (a.length !== b.length) return Infinity;
    const sa = a.slice().sort((x, y) => x - y), sb = b.slice().sort((x, y) => x - y);
    return Math.max(0, ...sa.map((x, i) => Math.abs(x - sb[i]))) / scaleH;
  };
  const perCell = cells.map((c) => err(Array.from(values).filter((_, k) => attributed[k] === c.cell), c.values)) as [number, number];
  const whole = err(Array.from(values), cells.flatMap((c) => c.values));
  return { values, cells, attributed, plusMass, impurity, perCell, whole, cross: cross / scaleH, scaleH };
}

/**
 * Figure 1's traces: sorted eigenvalues coloured by cell (diamonds: the cell's outliers, dots: its bulk) and
 * Theorem 3.4's prediction as open black circles.
 */
export function cellSpectrumTraces(a: CellSpectrum): Record<string, unknown>[] {
  const idx = Array.from(a.values.keys());
  const isOutlier = (k: number) => a.cells.some((c) => c.cell === a.attributed[k] && c.outliers.some((o) => Math.abs(o - a.values[k]) <= 1e-8 * a.scaleH));
  const traces: Record<string, unknown>[] = [];
  for (const [cell, color] of [["+", "crimson"], ["−", "royalblue"]] as const) {
    for (const out of [false, true]) {
      const sel = idx.filter((k) => a.attributed[k] === cell && isOutlier(k) === out);
      if (sel.length) traces.push({ x: sel.map((k) => k + 1), y: sel.map((k) => a.values[k]), type: "scatter", mode: "markers",
        name: `${cell} cell ${out ? "outliers" : "bulk"} (${sel.length})`, marker: { color, size: out ? 13 : 9, symbol: out ? "diamond" : "circle" } });
    }
  }
  const pred = a.cells.flatMap((c) => c.values).sort((x, y) => x - y);
  traces.push({ x: idx.map((k) => k + 1), y: pred, type: "scatter", mode: "markers", name: "Theorem 3.4", marker: { color: "black", size: 15, symbol: "circle-open" } });
  return traces;
}
