/**
 * Initialisations for any `Model` (they read each block's shape and fan-in from `model.blocks`):
 * standard parametrisation (SP), PyTorch's default `nn.Linear` initialisation (Kaiming uniform),
 * orthogonal, NTP and muP with their multipliers and per-layer learning rates (Cracking the Hessian,
 * App. D.1.3). Bias blocks are the blocks named `b`, `b1`, `b2`, ...
 */
import { Model, ParamBlock } from "../models/model";
import { Rng } from "../random/rng";
import { haarOrthogonal } from "../linalg/haar";

function isBias(b: ParamBlock): boolean {
  return /^b\d*$/.test(b.name);
}

function checkModel(where: string, model: Model): void {
  if (!model || !Array.isArray(model.blocks)) throw new TypeError(`${where}: model must be a Model`);
}

function fill(theta: Float64Array, b: ParamBlock, draw: () => number): void {
  for (let i = 0; i < b.size; i++) theta[b.offset + i] = draw();
}

/**
 * Standard parametrisation (Cracking D.1.3): every block i.i.d. with variance gain^2 / fan-in,
 * Gaussian (default) or uniform on [-sqrt(3/fan-in), sqrt(3/fan-in)] gain. Biases the same way.
 */
export function standardInit(model: Model, gen: Rng, options: { distribution?: "normal" | "uniform"; gain?: number } = {}): Float64Array {
  checkModel("standardInit", model);
  const gain = options.gain ?? 1;
  const dist = options.distribution ?? "normal";
  if (dist !== "normal" && dist !== "uniform") throw new RangeError(`standardInit: distribution must be "normal" or "uniform", got ${String(dist)}`);
  const theta = new Float64Array(model.numParams);
  for (const b of model.blocks) {
    const std = gain / Math.sqrt(b.fanIn);
    const bound = std * Math.sqrt(3);
    fill(theta, b, dist === "normal" ? () => gen.normal(0, std) : () => gen.uniform(-bound, bound));
  }
  return theta;
}

/**
 * PyTorch's default `nn.Linear` initialisation: weights `kaiming_uniform_(a = sqrt(5))`, i.e.
 * U(-1/sqrt(fan-in), 1/sqrt(fan-in)), and biases U(-1/sqrt(fan-in), 1/sqrt(fan-in)) (Data Dependence,
 * Figure 2b).
 */
export function pytorchDefaultInit(model: Model, gen: Rng): Float64Array {
  checkModel("pytorchDefaultInit", model);
  const theta = new Float64Array(model.numParams);
  for (const b of model.blocks) {
    const bound = 1 / Math.sqrt(b.fanIn);
    fill(theta, b, () => gen.uniform(-bound, bound));
  }
  return theta;
}

/**
 * Orthogonal initialisation (as `torch.nn.init.orthogonal_`): every weight block `rows x cols` is the
 * top-left corner of a Haar-random orthogonal matrix of size max(rows, cols), times `gain` (orthonormal
 * rows or columns; a vector block is a random unit vector). Biases are zero.
 */
export function orthogonalInit(model: Model, gen: Rng, options: { gain?: number } = {}): Float64Array {
  checkModel("orthogonalInit", model);
  const gain = options.gain ?? 1;
  const theta = new Float64Array(model.numParams);
  for (const b of model.blocks) {
    if (isBias(b)) continue;
    const Q = haarOrthogonal(gen, Math.max(b.rows, b.cols));
    for (let i = 0; i < b.rows; i++) for (let j = 0; j < b.cols; j++) theta[b.offset + i * b.cols + j] = gain * Q.get(i, j);
  }
  return theta;
}

/** Result of the parametrisation-aware initialisations. */
export interface Parametrization {
  theta: Float64Array;
  /** Per-layer output multipliers for `deepLinear` / `mlp` (`{ multipliers }` option), one per layer. */
  multipliers: number[];
  /** Per-parameter learning-rate multipliers (pass as `lrScale` to the training loops). */
  lrScale: Float64Array;
}

function weightBlocks(model: Model): ParamBlock[] {
  return model.blocks.filter((b) => !isBias(b));
}

/**
 * Neural tangent parametrisation (Jacot et al. 2018; Cracking D.1.3): weights N(0, 1), layer outputs
 * multiplied by 1/sqrt(fan-in), layer-independent learning rate. Build the model with
 * `{ multipliers: ntpInit(...).multipliers }` (or `ntpMultipliers(widths)`). Biases zero.
 * (The paper writes the multiplier as 1/sqrt(n_l); we use the fan-in, as in Jacot et al.)
 */
export function ntpInit(model: Model, gen: Rng): Parametrization {
  checkModel("ntpInit", model);
  const theta = new Float64Array(model.numParams);
  for (const b of model.blocks) if (!isBias(b)) fill(theta, b, () => gen.normal(0, 1));
  return { theta, multipliers: weightBlocks(model).map((b) => 1 / Math.sqrt(b.fanIn)), lrScale: new Float64Array(model.numParams).fill(1) };
}

/** NTP multipliers 1/sqrt(d_{l-1}) for `widths = [d_0, ..., d_L]`. */
export function ntpMultipliers(widths: number[]): number[] {
  return widths.slice(0, -1).map((d) => 1 / Math.sqrt(d));
}

/**
 * Maximal-update parametrisation. `variant: "paper"` (default) is Cracking App. D.1.3 as written, with the
 * Theta-constants set to 1: weight variance `n_l / n_{l-1}` (fan-out / fan-in) and per-layer learning rate
 * `1 / n_{l-1}`. `variant: "spectral"` is the spectral condition of Yang, Simon and Bernstein (2023):
 * std `(1/sqrt(fan-in)) min(1, sqrt(fan-out / fan-in))`, learning rate `fan-out / fan-in`. Multipliers 1,
 * biases zero (their learning rate is the layer's).
 */
export function mupInit(model: Model, gen: Rng, options: { variant?: "paper" | "spectral" } = {}): Parametrization {
  checkModel("mupInit", model);
  const variant = options.variant ?? "paper";
  if (variant !== "paper" && variant !== "spectral") throw new RangeError(`mupInit: variant must be "paper" or "spectral", got ${String(variant)}`);
  const theta = new Float64Array(model.numParams);
  const lrScale = new Float64Array(model.numParams);
  for (const b of model.blocks) {
    const fi = b.fanIn, fo = b.fanOut;
    const std = variant === "paper" ? Math.sqrt(fo / fi) : Math.min(1, Math.sqrt(fo / fi)) / Math.sqrt(fi);
    const lr = variant === "paper" ? 1 / fi : fo / fi;
    if (!isBias(b)) fill(theta, b, () => gen.normal(0, std));
    lrScale.fill(lr, b.offset, b.offset + b.size);
  }
  return { theta, multipliers: weightBlocks(model).map(() => 1), lrScale };
}
