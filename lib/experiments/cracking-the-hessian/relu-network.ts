/**
 * Cracking the Hessian, Section 3.2: the two-layer ReLU network f(x) = w^T (v x)_+ on wedge data, and the brute
 * force its notebook checks Theorem 3.4 against (the dense Hessian, its eigenvalues, the cells' Theorem 3.2
 * vectors padded into the full parameter space, a gradient-descent run recorded away from the kinks).
 *
 * The network is `twoLayerRelu(m)`: theta = (w, v), blocks `w` (1 x m) and `v` (m x 1); parameter indices come
 * from the model's blocks, w and v from its unflatten.
 */
import type { Matrix } from "ml-matrix";
import { twoLayerRelu } from "../../models/two-layer";
import { hessian } from "../../curvature/curvature";
import { mseProblem } from "../../curvature/problem";
import { wedgeData } from "../../data/synthetic";
import { eigh } from "../../linalg/eigh";
import type { Rng } from "../../random/rng";
import { ReluCell, reluCellEigenvalues, reluCells, reluSpectrum } from "../../papers/cracking-the-hessian/relu";
import { scalarLinearOutlierEigenvectors } from "../../papers/cracking-the-hessian/two-layer-linear";
import { TwoLayerScalarSetup, gdRecords } from "./linear-network";
import { eigenvectorResidual } from "./linear-eigenvectors";

/** The settings of the Theorem 3.4 notebook (its parameters may carry more). */
export interface ReluOptions {
  /** Hidden width m (2m parameters) and samples n. */
  m: number;
  n: number;
  /** Wedge data: x ~ U(-1, 1), y = slopePos x for x > 0, slopeNeg x for x <= 0, plus N(0, noise^2). */
  slopePos: number;
  slopeNeg: number;
  noise: number;
  /** theta_0 ~ N(0, initStd^2) per entry. */
  initStd: number;
}

/** The cells of Theorem 3.4 at one point (`reluCells`). */
export type ReluCells = { plus: ReluCell; minus: ReluCell; minAbsV: number };

/** The ReLU network of Section 3.2 and its wedge data (`reluSetup`): model twoLayerRelu(m), theta = (w, v). */
export interface ReluSetup extends TwoLayerScalarSetup {
  /** Theorem 3.4's cells at theta on this data. */
  cells(theta: Float64Array): ReluCells;
  /** The indices in theta of a cell's parameters: its units' w_j, then their v_j. */
  cellIndices(cell: ReluCell): number[];
}

/**
 * Wedge data and the ReLU network of Section 3.2. Draws from `gen`, in this order: the data (`wedgeData`), then
 * theta_0 (2m normals of standard deviation initStd).
 * @see Theorem 3.4
 */
export function reluSetup(options: ReluOptions, gen: Rng): ReluSetup {
  const fn = "reluSetup";
  if (options === null || typeof options !== "object") throw new TypeError(`${fn}: options must be an object { m, n, slopePos, slopeNeg, noise, initStd }`);
  for (const key of ["m", "n"] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new RangeError(`${fn}: options.${key} must be a positive integer, got ${options[key]}`);
  }
  for (const key of ["slopePos", "slopeNeg", "noise", "initStd"] as const) {
    if (!Number.isFinite(options[key])) throw new RangeError(`${fn}: options.${key} must be a finite number, got ${options[key]}`);
  }
  const { m } = options;
  const data = wedgeData(options.n, gen, { slopePos: options.slopePos, slopeNeg: options.slopeNeg, noiseStd: options.noise });
  const x = Float64Array.from(data.X.getRow(0));
  const y = Float64Array.from(data.Y.getRow(0));
  const model = twoLayerRelu(m);
  const problem = mseProblem(model, data.X, data.Y);
  const theta0 = gen.normalArray(2 * m, 0, options.initStd);
  const weights = (theta: Float64Array) => {
    const b = model.unflattenByName(theta);
    return { w: Float64Array.from(b.w.getRow(0)), v: Float64Array.from(b.v.getColumn(0)) };
  };
  const cells = (theta: Float64Array) => {
    const { w, v } = weights(theta);
    return reluCells(w, v, x, y);
  };
  const [wBlock, vBlock] = ["w", "v"].map((name) => model.blocks.find((b) => b.name === name)!.offset);
  const cellIndices = (cell: ReluCell) => [...cell.units.map((j) => wBlock + j), ...cell.units.map((j) => vBlock + j)];
  return { m, model, x, y, problem, theta0, weights, cells, cellIndices };
}

/**
 * Remark B.1: each cell's Theorem 3.2 outlier vectors (computed from the cell's units and statistics, in the
 * order (v, w)), placed on the cell's parameters of theta = (w, v) with zeros elsewhere, must be eigenvectors of
 * the full Hessian H with eigenvalues (n_c/n) Lambda_i. Returns the worst `eigenvectorResidual` (0 when no cell
 * has both units and samples).
 * @see Theorem 3.4, Remark B.1
 */
export function reluCellOutlierResidual(setup: ReluSetup, theta: Float64Array, H: Matrix): number {
  const { w, v } = setup.weights(theta);
  const cells = setup.cells(theta);
  let worst = 0;
  for (const cell of [cells.plus, cells.minus]) {
    if (cell.stats === null || cell.units.length === 0) continue;
    const k = cell.units.length;
    const ev = scalarLinearOutlierEigenvectors(Float64Array.from(cell.units, (j) => w[j]), Float64Array.from(cell.units, (j) => v[j]), cell.stats);
    const idx = setup.cellIndices(cell); // (w_j ..., v_j ...)
    for (let i = 0; i < 2; i++) {
      const z = new Float64Array(2 * setup.m);
      for (let a = 0; a < k; a++) { z[idx[a]] = ev.vectors[i][k + a]; z[idx[k + a]] = ev.vectors[i][a]; } // (v, w) halves -> (w, v) model order
      worst = Math.max(worst, eigenvectorResidual(H, z, cell.fraction * ev.values[i]));
    }
  }
  return worst;
}

/** The dense spectrum at one point against Theorem 3.4 (`reluSpectrumAt`). */
export interface ReluSpectrumPoint {
  cells: ReluCells;
  /** Eigenvalues of the exact Hessian and Theorem 3.4's, ascending. */
  computed: Float64Array;
  predicted: Float64Array;
  /** Each cell's two outliers (n_c/n) Lambda_{1,2}, largest first (empty for a cell without units). */
  outliers: { "+": number[]; "-": number[] };
}

/**
 * The exact Hessian's eigenvalues at theta with Theorem 3.4's prediction, cell by cell.
 * @see Theorem 3.4
 */
export function reluSpectrumAt(setup: ReluSetup, theta: Float64Array): ReluSpectrumPoint {
  const cells = setup.cells(theta);
  const labelled = reluCellEigenvalues(cells);
  const outs = (cell: "+" | "-") => labelled.filter((e) => e.cell === cell && e.kind === "outlier").map((e) => e.value).sort((a, b) => b - a);
  return { cells, computed: eigh(hessian(setup.problem, theta)).values, predicted: reluSpectrum(cells), outliers: { "+": outs("+"), "-": outs("-") } };
}

/**
 * Gradient descent (step eta) from theta_0 with `reluSpectrumAt` and the loss at every `every`-th step. A unit
 * changes cells when v_j crosses 0, a kink where the Hessian does not exist: a recorded point with
 * min_j |v_j| <= kink is not measured (`skipped`).
 * @see Theorem 3.4
 */
export function reluSpectrumRun(setup: ReluSetup, options: { eta: number; steps: number; every: number; kink: number }): { points: Array<ReluSpectrumPoint & { step: number; loss: number }>; skipped: number } {
  if (!(options.kink >= 0)) throw new RangeError(`reluSpectrumRun: options.kink must be >= 0, got ${options.kink}`);
  let skipped = 0;
  const points = gdRecords(setup.problem, setup.theta0, { lr: options.eta, steps: options.steps, every: options.every }, (s) => {
    const { v } = setup.weights(s.theta);
    if (Math.min(...Array.from(v, Math.abs)) <= options.kink) { skipped++; return null; }
    return { step: s.step, loss: s.loss, ...reluSpectrumAt(setup, s.theta) };
  }).filter((p): p is ReluSpectrumPoint & { step: number; loss: number } => p !== null);
  return { points, skipped };
}
