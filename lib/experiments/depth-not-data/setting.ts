/**
 * The setting of Depth, Not Data (Assumptions 3.1-3.3): a deep linear network W_L ... W_1 in the shared form
 * P(U D), P(D), ..., P(D V^T), trained on QR-whitened inputs with a target aligned to the bases U, V.
 * One constructor for what every notebook of the paper builds before it trains or differentiates.
 */
import type { Matrix } from "ml-matrix";
import type { Rng } from "../../random/rng";
import { haarOrthogonal } from "../../linalg/haar";
import { deepLinear } from "../../models/mlp";
import { mseProblem, populationProblem, type Problem } from "../../curvature/problem";
import { sharedFormInit } from "../../init/balanced";
import { alignedData, type AlignedData } from "../../data/synthetic";

/** One configuration of the paper's setting: widths [d_0, ..., d_L], target rank r, data rank d*. */
export interface LinearConfig {
  widths: number[];
  r: number;
  dStar: number;
}

/** [d_0, width, ..., width, d_L] with L - 1 hidden layers of the same width. */
export function hiddenWidths(d0: number, width: number, dOut: number, L: number): number[] {
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`hiddenWidths: L must be an integer >= 1, got ${L}`);
  return [d0, ...new Array(L - 1).fill(width), dOut];
}

/** Haar-random output and input bases U (d_L x d_L) and V (d_0 x d_0), from the forks `U<label>` and `V<label>`. */
export function haarBases(gen: Rng, dOut: number, d0: number, label: string | number): { U: Matrix; V: Matrix } {
  return { U: haarOrthogonal(gen.fork(`U${label}`), dOut), V: haarOrthogonal(gen.fork(`V${label}`), d0) };
}

/** A deep linear network in the paper's setting, ready to train. */
export interface AlignedLinear {
  L: number;
  widths: number[];
  U: Matrix;
  V: Matrix;
  data: AlignedData;
  /** The population loss (moments S_xx, S_yx, S_yy) or the sample loss of the whitened data. */
  problem: Problem;
  /** Flat parameters of P(U D), P(D), ..., P(D V^T) with D = diag(lambda0) (empty without lambda0). */
  theta0: Float64Array;
  /** Number of parameters p. */
  p: number;
}

/**
 * The aligned deep linear setting: whitened data aligned to U, V (`alignedData`, n samples drawn from
 * `dataGen`), the loss, and the shared-form initialisation D = diag(lambda0) when lambda0 is given.
 *
 * The sample loss of the QR-whitened data equals the population loss exactly and keeps its relative accuracy
 * down to 1e-30 as a sum of squares; the population formula cancels to ~1e-16 absolute near the minimum.
 * @param loss "population" (default) or "sample"
 * @see Depth, Not Data, Assumptions 3.1-3.3
 */
export function alignedLinear(
  cfg: LinearConfig,
  bases: { U: Matrix; V: Matrix },
  options: { n: number; dataGen: Rng; lambda0?: ArrayLike<number>; loss?: "population" | "sample" },
): AlignedLinear {
  if (!cfg || !Array.isArray(cfg.widths) || cfg.widths.length < 2) throw new RangeError(`alignedLinear: cfg.widths must list d_0, ..., d_L, got ${JSON.stringify(cfg?.widths)}`);
  const { widths, r, dStar } = cfg;
  const L = widths.length - 1;
  const { U, V } = bases;
  const data = alignedData(U, V, { dStar, r, n: options.n }, options.dataGen);
  const model = deepLinear(widths);
  const problem = (options.loss ?? "population") === "sample" ? mseProblem(model, data.X, data.Y) : populationProblem(model, { Sxx: data.Sxx, Syx: data.Syx, Syy: data.Syy });
  const theta0 = options.lambda0 ? sharedFormInit(widths, U, options.lambda0, V).theta : new Float64Array(0);
  return { L, widths, U, V, data, problem, theta0, p: model.numParams };
}

/**
 * The step size eta = fraction * eta_max with eta_max = 1 / (L B^{2(L-1)}), B = max(max_i lambda_{i,0}, 1)
 * (Lemma A.3's range), and B itself.
 */
export function stepInRange(fraction: number, L: number, lambda0: ArrayLike<number>): { eta: number; B: number } {
  const B = Math.max(...Array.from(lambda0), 1);
  return { eta: fraction / (L * Math.pow(B, 2 * (L - 1))), B };
}
