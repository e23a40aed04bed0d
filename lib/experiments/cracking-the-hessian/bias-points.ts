/**
 * Cracking the Hessian, Theorem B.1 (App. B.3): the two-layer linear network with a bias, f(x) = w^T (v x + b),
 * at points built to meet (or to break, one at a time) the theorem's assumptions, and the brute force its
 * spectrum is checked against: the dense Hessian from exact second derivatives. theta is packed by the model's
 * own `flattenByName` (blocks w 1 x m, v m x 1, b m x 1; the paper's order (82)).
 */
import { Matrix } from "ml-matrix";
import { hessian } from "../../curvature/curvature";
import { Problem, mseProblem } from "../../curvature/problem";
import { decorrelatedData } from "../../data";
import { eigh } from "../../linalg/eigh";
import { twoLayerBias } from "../../models/two-layer";
import type { Rng } from "../../random/rng";
import { BiasStats, biasSpectrum, biasStats } from "../../papers/cracking-the-hessian/bias";

/** The notebook's configuration: width m, samples n, the weights' scales. */
export interface BiasConfig {
  m: number;
  n: number;
  wStd: number;
  vStd: number;
}

/** Which assumptions a point meets: <v, b> = 0, ||b|| = ||v||, and the input-target covariance yx added. */
export interface BiasAssumptions {
  orthogonal: boolean;
  equalNorms: boolean;
  yx: number;
}

/** One parameter point with its data. */
export interface BiasPoint {
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  v: Float64Array;
  b: Float64Array;
  theta: Float64Array;
  problem: Problem;
  stats: BiasStats;
}

/**
 * Inputs and targets from `decorrelatedData(1, n)` (mean 0, variance 1, zero correlation: sigma_x^2 = 1,
 * E[x] = E[y] = 0, yx = 0 to rounding; `opts.yx` x is then added to y), w, v, b Gaussian (std wStd / sqrt(m),
 * vStd / sqrt(m)); b made orthogonal to v and rescaled to ||v|| as `opts` asks.
 * @see Cracking the Hessian, Theorem B.1
 */
export function biasPoint(config: BiasConfig, g: Rng, opts: BiasAssumptions): BiasPoint {
  if (!config || !Number.isInteger(config.m) || config.m < 1) throw new RangeError(`biasPoint: config.m must be a positive integer, got ${config?.m}`);
  const { m, n } = config;
  const d = decorrelatedData(1, n, g);
  const x = Float64Array.from(d.X.getRow(0));
  const y = Float64Array.from(d.Y.getRow(0), (yi, i) => yi + opts.yx * x[i]); // yx != 0 breaks an assumption
  const w = g.normalArray(m, 0, config.wStd / Math.sqrt(m)), v = g.normalArray(m, 0, config.vStd / Math.sqrt(m)), b = g.normalArray(m, 0, config.vStd / Math.sqrt(m));
  const vv = v.reduce((s, a) => s + a * a, 0);
  if (opts.orthogonal) { const vb = v.reduce((s, a, i) => s + a * b[i], 0); for (let i = 0; i < m; i++) b[i] -= (vb / vv) * v[i]; }
  if (opts.equalNorms) { const bn = Math.sqrt(b.reduce((s, a) => s + a * a, 0)); for (let i = 0; i < m; i++) b[i] *= Math.sqrt(vv) / bn; }
  const model = twoLayerBias(m);
  const theta = model.flattenByName({ w: new Matrix([Array.from(w)]), v: Matrix.columnVector(Array.from(v)), b: Matrix.columnVector(Array.from(b)) });
  const problem = mseProblem(model, new Matrix([Array.from(x)]), new Matrix([Array.from(y)]));
  return { x, y, w, v, b, theta, problem, stats: biasStats(w, v, b, x, y) };
}

/**
 * The dense spectrum at a point against Theorem B.1's `biasSpectrum`: max |computed − predicted| / max|lambda|.
 * @returns the dense Hessian H, computed (ascending), predicted, relErr and the scale max|lambda|
 */
export function biasSpectrumError(pt: BiasPoint, m: number): { H: Matrix; computed: Float64Array; predicted: Float64Array; relErr: number; scale: number } {
  const H = hessian(pt.problem, pt.theta);
  const computed = eigh(H).values;
  const predicted = biasSpectrum(pt.stats, m);
  const scale = Math.max(Math.abs(computed[0]), Math.abs(computed[computed.length - 1]));
  return { H, computed, predicted, relErr: Math.max(...Array.from(computed, (e, i) => Math.abs(e - predicted[i]))) / scale, scale };
}
