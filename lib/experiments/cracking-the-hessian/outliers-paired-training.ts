/**
 * Cracking the Hessian, Figure 8 (Sections 3.1-3.2): the two outliers of the two-layer linear network, and of
 * each cell of the ReLU network, stay paired through training: they sum to the trace of their Hessian block.
 * The brute force: at every recorded step of full-batch heavy-ball GD the dense Hessian, its diagonal blocks,
 * and the pair of eigenvalues whose sum is closest to the block's trace. Weights are read through the model's
 * `unflattenByName` (blocks `w` 1 x m, `v` m x 1; theta = (w, v)).
 */
import { Matrix } from "ml-matrix";
import { hessian } from "../../curvature/curvature";
import { mseProblem } from "../../curvature/problem";
import { eigh } from "../../linalg/eigh";
import type { Model } from "../../models/model";
import type { Rng } from "../../random/rng";
import { sgd } from "../../train/loops";
import type { TrainResult } from "../../train/loops";
import { closestPairSums } from "../paired-outliers";
import { scalarLinearOutliers, scalarLinearStats } from "../../papers/cracking-the-hessian/two-layer-linear";

/** The pair of one diagonal block: its trace, the two eigenvalues summing closest to it, the gap and the runner-up's gap. */
export interface BlockPair {
  tr: number;
  hi: number;
  lo: number;
  /** |hi + lo - tr|. */
  gap: number;
  /** The gap of the second-best pair (how clearly the pair is singled out). */
  second: number;
}

/**
 * The diagonal block of H on the parameter indices `idx`, its trace, and the pair of its eigenvalues whose sum is
 * closest to that trace (with the runner-up). A block with no index (a cell with no units) gives zeros.
 */
export function closestPairOfBlock(H: Matrix, idx: number[]): BlockPair {
  if (!Array.isArray(idx)) throw new TypeError("closestPairOfBlock: idx must be an array of parameter indices");
  if (idx.length === 0) return { tr: 0, hi: 0, lo: 0, gap: 0, second: Infinity };
  const B = new Matrix(idx.length, idx.length);
  idx.forEach((a, i) => idx.forEach((b, j) => B.set(i, j, H.get(a, b))));
  let tr = 0;
  for (let i = 0; i < idx.length; i++) tr += B.get(i, i);
  const values = eigh(B).values;
  if (values.length < 2) return { tr, hi: values[0] ?? 0, lo: 0, gap: Math.abs((values[0] ?? 0) - tr), second: Infinity };
  const r = closestPairSums(values, tr);
  return { tr, hi: values[r.best[1]], lo: values[r.best[0]], gap: r.bestGap, second: r.secondGap };
}

/** What `pairsThroughTraining` recorded at every `every`-th step. */
export interface PairRecord {
  step: number[];
  loss: number[];
  /** max |H_ab| at each recorded step. */
  scale: number[];
  /** ReLU only: largest cross-cell |H| / max|H|. */
  cross: number[];
  /** Linear only: the whole pair vs Theorem 3.1's (Lambda_1, Lambda_2), worst deviation / max|H|. */
  thm: number[];
  cells: { "+": BlockPair[]; "−": BlockPair[]; all: BlockPair[] };
}

/** Figure 8's training: full-batch heavy-ball GD (`sgd` with one batch of all n points). */
export interface PairTrainingConfig {
  lr: number;
  momentum: number;
  steps: number;
  /** Record every `every` steps. */
  every: number;
}

/**
 * Train `model` (twoLayerScalar or twoLayerRelu, theta = (w, v)) on (X, Y) from theta0 and record the pair of the
 * whole Hessian at every `every`-th step; for ReLU also each cell's block pair (+: units with v_j > 0) and the
 * cross-cell block; for the linear network the comparison with Theorem 3.1.
 * @see Cracking the Hessian, Theorems 3.1 and 3.4, Figure 8
 */
export function pairsThroughTraining(model: Model, X: Matrix, Y: Matrix, theta0: Float64Array, config: PairTrainingConfig, relu: boolean, gen: Rng): { rec: PairRecord; result: TrainResult } {
  if (!config || !(config.every >= 1)) throw new RangeError(`pairsThroughTraining: config.every must be >= 1, got ${config?.every}`);
  const problem = mseProblem(model, X, Y);
  const m = model.numParams / 2, n = X.columns;
  const xs = Float64Array.from(X.getRow(0)), ys = Float64Array.from(Y.getRow(0));
  const rec: PairRecord = { step: [], loss: [], scale: [], cross: [], thm: [], cells: { "+": [], "−": [], all: [] } };
  const result = sgd(model, X, Y, theta0, {
    epochs: config.steps, batchSize: n, lr: config.lr, momentum: config.momentum,
    onEpoch: (s) => {
      if (s.step % config.every !== 0) return;
      const H = hessian(problem, s.theta);
      let scaleH = 0;
      for (let a = 0; a < 2 * m; a++) for (let b = 0; b < 2 * m; b++) scaleH = Math.max(scaleH, Math.abs(H.get(a, b)));
      rec.step.push(s.step); rec.loss.push(s.loss); rec.scale.push(scaleH);
      rec.cells.all.push(closestPairOfBlock(H, Array.from({ length: 2 * m }, (_, a) => a)));
      const blocks = model.unflattenByName(s.theta);
      const w = Float64Array.from(blocks.w.to1DArray()), v = Float64Array.from(blocks.v.to1DArray());
      if (relu) {
        const units = Array.from({ length: m }, (_, j) => j);
        const ip = units.filter((j) => v[j] > 0).flatMap((j) => [j, m + j]), im = units.filter((j) => v[j] <= 0).flatMap((j) => [j, m + j]);
        let cross = 0;
        for (const a of ip) for (const b of im) cross = Math.max(cross, Math.abs(H.get(a, b)));
        rec.cross.push(cross / scaleH);
        rec.cells["+"].push(closestPairOfBlock(H, ip));
        rec.cells["−"].push(closestPairOfBlock(H, im));
      } else {
        const [L1, L2] = scalarLinearOutliers(scalarLinearStats(w, v, xs, ys));
        const p = rec.cells.all[rec.cells.all.length - 1];
        rec.thm.push(Math.max(Math.abs(p.hi - L1), Math.abs(p.lo - L2)) / scaleH);
      }
    },
  }, gen);
  return { rec, result };
}

/** Worst |pair sum − trace| / max|H| over the recorded steps. */
export function worstPairGap(pairs: BlockPair[], scale: number[]): number {
  return Math.max(...pairs.map((p, i) => p.gap / scale[i]));
}

/** Figure 8's traces for one panel: lambda_1, lambda_2, their sum and the trace (markers), on axes `x<axis>`/`y<axis>`. */
export function pairPanelTraces(pairs: BlockPair[], steps: number[], axis: string, color: string, label: string, highlight: boolean): Record<string, unknown>[] {
  const on = { xaxis: `x${axis}`, yaxis: `y${axis}` };
  return [
    { x: steps, y: pairs.map((p) => p.hi), type: "scatter", mode: "lines", name: `${label} λ₁`, ...on, line: { color, width: 2 } },
    { x: steps, y: pairs.map((p) => p.lo), type: "scatter", mode: "lines", name: `${label} λ₂`, ...on, line: { color, dash: "dash" } },
    { x: steps, y: pairs.map((p) => p.hi + p.lo), type: "scatter", mode: "lines", name: `${label} λ₁ + λ₂`, ...on, line: { color: "black", width: highlight ? 3 : 1 } },
    { x: steps, y: pairs.map((p) => p.tr), type: "scatter", mode: "markers", name: `${label} trace`, ...on, marker: { color: highlight ? "gold" : "lightgray", size: 6, line: { color: "black", width: 1 } } },
  ];
}
