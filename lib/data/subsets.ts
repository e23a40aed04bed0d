/**
 * Class-proportion subsets of image data sets (Data Dependence, App. C): the inputs, the one-hot labels and
 * their second moments, ready for `mseProblem` or `populationProblem`.
 */
import { Matrix } from "ml-matrix";
import type { Rng } from "../random/rng";
import { ImageDataset, imagesToMatrix, selectLabels } from "./loaders";
import { oneHot, subsampleByClass, whiten } from "./synthetic";
import { populationStats } from "./moments";

/** A class-proportion subset of an image data set prepared as in App. C, with its second moments. */
export interface ClassProportionSubset {
  /** Inputs d_0 x n: QR-whitened (X X^T / n = sigma_x^2 I) unless `sigmaX` was null (raw pixels / 255). */
  X: Matrix;
  /** One-hot labels, classes x n. */
  Y: Matrix;
  /** Class index of each sample. */
  labels: Int32Array;
  /** Realised largest class proportion (count of the largest class / n). */
  alphaMax: number;
  /** Pixels dropped because they are constant over the subset (QR whitening needs full row rank). */
  dropped: number;
  /** Second moments X X^T / n, Y X^T / n, Y Y^T / n (the population form of the same MSE loss). */
  Sxx: Matrix;
  Syx: Matrix;
  Syy: Matrix;
}

/**
 * App. C subset: n samples by the class-proportion rule (`subsampleByClass`, largest class 0 with proportion
 * about alphaMax; uniformly random when alphaMax is undefined), pixels scaled to [0, 1], pixels constant over
 * the subset removed (they would make X rank deficient), then QR-whitened to sigma_x (`whiten`) unless
 * sigmaX is null (Figure 2a: raw inputs). Returns the data and the second moments S_xx, S_yx, S_yy, for which
 * the population loss 1/2 tr(W S_xx W^T) - tr(W S_yx^T) + 1/2 tr(S_yy) equals the sample MSE (1/2n)||W X - Y||_F^2
 * of any linear network with end-to-end matrix W.
 * @param ds an image data set from lib/data; @param n subset size; @param gen generator for the subset
 * @param options alphaMax (in [1/classes, 1]) and sigmaX (positive, or null for raw inputs; default 1)
 */
export function classProportionSubset(
  ds: ImageDataset,
  n: number,
  gen: Rng,
  options: { alphaMax?: number; sigmaX?: number | null } = {},
): ClassProportionSubset {
  const fn = "classProportionSubset";
  const fail = (message: string): never => { throw new RangeError(`${fn}: ${message}`); };
  if (!(Number.isInteger(n) && n >= 1 && n <= ds.count)) fail(`n must be an integer in [1, ${ds.count}], got ${n}`);
  const sigmaX = options.sigmaX === undefined ? 1 : options.sigmaX;
  if (sigmaX !== null && !(Number.isFinite(sigmaX) && sigmaX > 0)) fail(`sigmaX must be a positive finite number, got ${sigmaX}`);
  const idx = subsampleByClass(ds.labels, n, gen, options.alphaMax, ds.classes);
  const raw = imagesToMatrix(ds, idx);
  const labels = selectLabels(ds, idx);
  const keep: number[] = [];
  for (let i = 0; i < raw.rows; i++) {
    const first = raw.get(i, 0);
    let constant = true;
    for (let j = 1; j < n && constant; j++) if (raw.get(i, j) !== first) constant = false;
    if (!constant) keep.push(i);
  }
  const cols = Array.from({ length: n }, (_, j) => j);
  const Xk = keep.length === raw.rows ? raw : raw.selection(keep, cols);
  const X = sigmaX === null ? Xk : whiten(Xk, sigmaX);
  const Y = oneHot(labels, ds.classes);
  const counts = new Array(ds.classes).fill(0);
  labels.forEach((c) => counts[c]++);
  return { X, Y, labels, alphaMax: Math.max(...counts) / n, dropped: raw.rows - keep.length, ...populationStats(X, Y) };
}
