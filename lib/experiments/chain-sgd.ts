/**
 * Mini-batch SGD for the bias-free chain nets of the correlation studies, `h_l = act(c_l W_l h_{l-1})`
 * (`deepLinear`, or a ReLU `mlp` without biases; `act` only on hidden layers): the same algorithm as
 * lib/train's `sgd` without momentum (the same shuffles from `gen`, batches, schedule and stopping rules), with
 * each mini-batch's forward and backward pass written out as products into buffers allocated once. The generic
 * loop builds a tape and fresh matrices per batch; at the paper's scale (width 100, tens of thousands of epochs
 * per net) that bookkeeping costs more than the products themselves.
 */
import { Matrix } from "ml-matrix";
import type { Problem } from "../curvature/problem";
import { loss as lossOf } from "../curvature/curvature";
import { dgemm } from "../linalg/kernels/index";
import { rowMajorOf } from "../linalg/storage";
import type { Model } from "../models/model";
import type { Rng } from "../random/rng";
import type { Schedule, TrainResult } from "../train/index";

/** A chain net: layer widths `[d_0, ..., d_L]`, the output multiplier c_l of each layer, ReLU on hidden layers or none. */
export interface ChainNet {
  widths: number[];
  multipliers: number[];
  relu: boolean;
}

/** Options of `chainSgd` (those of `sgd` it supports: no momentum, the default MSE normaliser). */
export interface ChainSgdOptions {
  epochs: number;
  batchSize: number;
  lr: Schedule;
  lrScale?: Float64Array;
  /** The full-data loss recorded each epoch, which drives the schedule (e.g. the population form for a linear net). */
  epochLoss: Problem;
}

/** Buffers of one pass over at most `batchSize` samples: the activations of every layer, and two buffers the
 * backpropagated output gradient alternates between (layer l's is read while layer l-1's is written). */
interface Pass {
  H: Float64Array[];
  G: Float64Array;
  G2: Float64Array;
  offsets: number[];
}

function checkChain(fn: string, net: ChainNet, model: Model): number[] {
  const { widths, multipliers } = net;
  if (!Array.isArray(widths) || widths.length < 2 || !widths.every((w) => Number.isInteger(w) && w >= 1)) {
    throw new RangeError(`${fn}: net.widths must list at least two positive integers, got ${JSON.stringify(widths)}`);
  }
  const L = widths.length - 1;
  if (!Array.isArray(multipliers) || multipliers.length !== L || !multipliers.every((c) => Number.isFinite(c) && c !== 0)) {
    throw new RangeError(`${fn}: net.multipliers must hold ${L} finite non-zero numbers, got ${JSON.stringify(multipliers)}`);
  }
  const offsets = [0];
  for (let l = 1; l <= L; l++) offsets.push(offsets[l - 1] + widths[l] * widths[l - 1]);
  if (offsets[L] !== model.numParams || model.inputDim !== widths[0] || model.outputDim !== widths[L]) {
    throw new RangeError(`${fn}: net (widths ${widths.join("-")}, ${offsets[L]} parameters) does not describe the model ${model.name} (${model.numParams} parameters, ${model.inputDim} -> ${model.outputDim})`);
  }
  return offsets;
}

/** Forward pass of `cols` samples from H[0]: H[l] = act(c_l W_l H[l-1]); returns the output H[L]. */
function forward(net: ChainNet, theta: Float64Array, pass: Pass, cols: number): Float64Array {
  const { widths, multipliers, relu } = net;
  const L = widths.length - 1;
  for (let l = 1; l <= L; l++) {
    const out = pass.H[l];
    dgemm(false, false, widths[l], cols, widths[l - 1], multipliers[l - 1], theta, pass.offsets[l - 1], widths[l - 1], pass.H[l - 1], 0, cols, 0, out, 0, cols);
    if (relu && l < L) for (let i = 0, e = widths[l] * cols; i < e; i++) if (!(out[i] > 0)) out[i] = 0;
  }
  return pass.H[L];
}

/**
 * Mean-squared-error gradient of the batch in H[0] (targets `Yb`, row-major `d_L x cols`) into `grad`, by
 * backpropagation through the chain: dl/dF = (F - Y) / cols, dW_l = c_l G_l H_{l-1}^T, G_{l-1} = c_l W_l^T G_l
 * masked by 1{h > 0} on ReLU layers (the tape's convention, 0 at 0).
 */
function batchGradient(net: ChainNet, theta: Float64Array, Yb: Float64Array, pass: Pass, cols: number, grad: Float64Array): void {
  const { widths, multipliers, relu } = net;
  const L = widths.length - 1;
  const F = forward(net, theta, pass, cols);
  let G = pass.G, G2 = pass.G2;
  for (let i = 0, e = widths[L] * cols; i < e; i++) G[i] = (F[i] - Yb[i]) / cols;
  for (let l = L; l >= 1; l--) {
    const c = multipliers[l - 1], off = pass.offsets[l - 1];
    dgemm(false, true, widths[l], widths[l - 1], cols, c, G, 0, cols, pass.H[l - 1], 0, cols, 0, grad, off, widths[l - 1]);
    if (l === 1) break;
    dgemm(true, false, widths[l - 1], cols, widths[l], c, theta, off, widths[l - 1], G, 0, cols, 0, G2, 0, cols);
    if (relu) { const H = pass.H[l - 1]; for (let i = 0, e = widths[l - 1] * cols; i < e; i++) if (!(H[i] > 0)) G2[i] = 0; }
    const t = G; G = G2; G2 = t;
  }
}

/** The columns `idx` of a row-major `rows x n` array into `out` as a row-major `rows x idx.length` array. */
function gather(src: Float64Array, rows: number, n: number, idx: Int32Array, out: Float64Array): void {
  const b = idx.length;
  for (let i = 0; i < rows; i++) {
    const base = i * n, o = i * b;
    for (let j = 0; j < b; j++) out[o + j] = src[base + idx[j]];
  }
}

function allFinite(theta: Float64Array): boolean {
  for (let i = 0; i < theta.length; i++) if (!Number.isFinite(theta[i])) return false;
  return true;
}

/**
 * Mini-batch SGD on the sample MSE `1/(2b) sum ||f(x_i) - y_i||^2` of each batch of (X `d_0 x n`, Y `d_L x n`):
 * each epoch shuffles the samples with `gen.permutation(n)` and visits them in batches of `batchSize` (last batch
 * smaller), `theta <- theta - lr * lrScale .* grad`. `epochLoss` is evaluated at the start and after every epoch
 * and advances the schedule; the run stops as `sgd` does ("steps", "schedule", "diverged"). Refuses a `net` that
 * does not describe `model`, and an `epochLoss` that at theta0 is not the sample MSE of this chain on (X, Y).
 */
export function chainSgd(net: ChainNet, model: Model, X: Matrix, Y: Matrix, theta0: Float64Array, options: ChainSgdOptions, gen: Rng): TrainResult {
  const fn = "chainSgd";
  const offsets = checkChain(fn, net, model);
  const { widths } = net;
  const L = widths.length - 1;
  if (!(theta0 instanceof Float64Array) || theta0.length !== model.numParams) throw new RangeError(`${fn}: theta0 must be a Float64Array of length ${model.numParams}`);
  if (X.rows !== widths[0] || Y.rows !== widths[L] || X.columns !== Y.columns || X.columns < 1) {
    throw new RangeError(`${fn}: X must be ${widths[0]} x n and Y ${widths[L]} x n (n >= 1), got ${X.rows} x ${X.columns} and ${Y.rows} x ${Y.columns}`);
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`${fn}: batchSize must be a positive integer, got ${options.batchSize}`);
  if (!Number.isInteger(options.epochs) || options.epochs < 0) throw new RangeError(`${fn}: epochs must be a non-negative integer, got ${options.epochs}`);
  const s = options.lrScale;
  if (s !== undefined && s.length !== model.numParams) throw new RangeError(`${fn}: lrScale must have length ${model.numParams}, got ${s.length}`);
  const n = X.columns, p = model.numParams, b = Math.min(n, options.batchSize);
  const xs = rowMajorOf(X), ys = rowMajorOf(Y);
  const wmax = Math.max(...widths);
  const pass: Pass = { H: widths.map((w) => new Float64Array(w * b)), G: new Float64Array(wmax * b), G2: new Float64Array(wmax * b), offsets };
  const Yb = new Float64Array(widths[L] * b);
  // The chain's own sample MSE at theta0, in slices of b samples, against epochLoss: a net that does not
  // compute what the epoch loss measures would train on one function and be judged on another.
  let sse = 0, yy = 0;
  for (let start = 0; start < n; start += b) {
    const cols = Math.min(b, n - start), idx = new Int32Array(cols);
    for (let j = 0; j < cols; j++) idx[j] = start + j;
    gather(xs, widths[0], n, idx, pass.H[0]);
    gather(ys, widths[L], n, idx, Yb);
    const F = forward(net, theta0, pass, cols);
    for (let i = 0, e = widths[L] * cols; i < e; i++) { sse += (F[i] - Yb[i]) ** 2; yy += Yb[i] ** 2; }
  }
  const sample = sse / (2 * n), loss0 = lossOf(options.epochLoss, theta0);
  if (!(Math.abs(sample - loss0) <= 1e-9 * (Math.abs(sample) + yy / (2 * n)))) {
    throw new RangeError(`${fn}: epochLoss must be the sample MSE of this chain on (X, Y), but at theta0 it is ${loss0} where the chain's is ${sample}`);
  }
  const theta = Float64Array.from(theta0);
  const grad = new Float64Array(p);
  const losses: number[] = [];
  const lrs: number[] = [];
  const schedule = options.lr;
  for (let epoch = 0; ; epoch++) {
    const loss = epoch === 0 ? loss0 : lossOf(options.epochLoss, theta);
    losses.push(loss);
    if (!Number.isFinite(loss)) return { theta, losses, lrs, stopped: "diverged" };
    const lr = schedule.next(loss);
    if (epoch >= options.epochs) return { theta, losses, lrs, stopped: "steps" };
    if (!(lr > 0)) return { theta, losses, lrs, stopped: "schedule" };
    const perm = gen.permutation(n);
    for (let start = 0; start < n; start += options.batchSize) {
      const idx = perm.subarray(start, Math.min(n, start + options.batchSize));
      gather(xs, widths[0], n, idx, pass.H[0]);
      gather(ys, widths[L], n, idx, Yb);
      batchGradient(net, theta, Yb, pass, idx.length, grad);
      if (s === undefined) for (let i = 0; i < p; i++) theta[i] -= lr * grad[i];
      else for (let i = 0; i < p; i++) theta[i] -= lr * s[i] * grad[i];
      if (!allFinite(theta)) { lrs.push(lr); losses.push(NaN); return { theta, losses, lrs, stopped: "diverged" }; }
    }
    lrs.push(lr);
  }
}
