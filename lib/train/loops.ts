/**
 * The training loops: full-batch gradient descent on any Problem, mini-batch SGD with momentum on an MSE
 * regression, stochastic SGD / AdamW on any mini-batch problems.
 */
import { Matrix } from "ml-matrix";
import { Problem, loss as lossOf, lossAndGradient, mseProblem, MseOptions } from "../curvature/index";
import { rowMajorOf } from "../linalg/storage";
import { Model, checkTheta } from "../models/model";
import { assertPositiveInt } from "../linalg/validate";
import { Rng } from "../random/rng";
import { Schedule, StepState, constantSchedule } from "./schedules";

export interface GdOptions {
  /** Number of updates. */
  steps: number;
  /** Learning rate or schedule. */
  lr: number | Schedule;
  /** Per-parameter learning-rate multipliers (e.g. muP per-layer rates), length p. */
  lrScale?: Float64Array;
  /** Called at step 0 (initial point) and after every update; return false to stop. */
  onStep?: (s: StepState) => void | boolean;
}

export interface TrainResult {
  /** Final parameters. */
  theta: Float64Array;
  /** Loss at steps 0, 1, ..., (GD) or per epoch (SGD); a diverged run ends with a non-finite entry (NaN when theta overflowed). */
  losses: number[];
  /** Learning rate used at each update. */
  lrs: number[];
  /** Why the loop ended. */
  stopped: "steps" | "callback" | "schedule" | "diverged";
}

function resolveSchedule(where: string, lr: number | Schedule): Schedule {
  return typeof lr === "number" ? constantSchedule(lr) : lr;
}

/**
 * True when every entry is finite. An update can overflow theta while the loss it started from was finite
 * (a huge gradient, or a mini-batch step inside an epoch); the loops test theta after each update so that
 * such a run stops as "diverged" instead of failing in the next loss evaluation.
 */
function allFinite(theta: Float64Array): boolean {
  for (let i = 0; i < theta.length; i++) if (!Number.isFinite(theta[i])) return false;
  return true;
}

function checkScale(where: string, lrScale: Float64Array | undefined, p: number): void {
  if (lrScale === undefined) return;
  if (lrScale.length !== p) throw new RangeError(`${where}: lrScale must have length ${p}, got ${lrScale.length}`);
  checkTheta(`${where}: lrScale`, lrScale, p);
}

/**
 * Full-batch gradient descent `theta <- theta - lr * lrScale .* grad l(theta)` on any problem (sample MSE
 * or population loss). Stops early if the loss becomes non-finite ("diverged"), the callback returns
 * false or the schedule returns a non-positive rate.
 */
export function gradientDescent(problem: Problem, theta0: Float64Array, options: GdOptions): TrainResult {
  const p = problem.model.numParams;
  checkTheta("gradientDescent: theta0", theta0, p);
  if (!Number.isInteger(options.steps) || options.steps < 0) throw new RangeError(`gradientDescent: steps must be a non-negative integer, got ${options.steps}`);
  checkScale("gradientDescent", options.lrScale, p);
  const schedule = resolveSchedule("gradientDescent", options.lr);
  const theta = Float64Array.from(theta0);
  const losses: number[] = [];
  const lrs: number[] = [];
  let lr = schedule.lr;
  for (let step = 0; ; step++) {
    const { loss, gradient } = lossAndGradient(problem, theta);
    losses.push(loss);
    if (!Number.isFinite(loss)) return { theta, losses, lrs, stopped: "diverged" };
    lr = schedule.next(loss);
    if (options.onStep && options.onStep({ step, loss, theta, lr, gradient }) === false) return { theta, losses, lrs, stopped: "callback" };
    if (step >= options.steps) return { theta, losses, lrs, stopped: "steps" };
    if (!(lr > 0)) return { theta, losses, lrs, stopped: "schedule" };
    const s = options.lrScale;
    for (let i = 0; i < p; i++) theta[i] -= lr * (s === undefined ? 1 : s[i]) * gradient[i];
    lrs.push(lr);
    if (!allFinite(theta)) { losses.push(NaN); return { theta, losses, lrs, stopped: "diverged" }; }
  }
}

/** Options of `sgd`. */
export interface SgdOptions {
  epochs: number;
  batchSize: number;
  lr: number | Schedule;
  /** Heavy-ball momentum mu (PyTorch convention: buf = mu buf + g, theta -= lr buf). Default 0. */
  momentum?: number;
  lrScale?: Float64Array;
  /** Options of the mini-batch MSE (normalizer defaults to the batch size). */
  mse?: MseOptions;
  /** Called at epoch 0 (initial full-data loss) and after every epoch; return false to stop. */
  onEpoch?: (s: StepState) => void | boolean;
  /**
   * The full-data loss recorded each epoch (it drives the schedule). Default: the sample MSE of (X, Y), by a
   * forward pass. A model linear in its input may pass the same loss in population form (`populationProblem`
   * with the sample moments of X, Y): the same function of theta at a cost independent of n, which otherwise
   * is as much work per epoch as all its mini-batch steps. sgd compares the two at theta0 and refuses a
   * problem whose loss there differs from the sample MSE.
   */
  epochLoss?: Problem;
}

/**
 * Mini-batch SGD with momentum on the MSE of a regression data set (X `d_0 x n`, Y `d_L x n`): each epoch
 * shuffles the samples with `gen` and visits them in batches of `batchSize` (last batch smaller). The
 * schedule is advanced once per epoch with the full-data loss, which is also what `losses` records.
 */
export function sgd(model: Model, X: Matrix, Y: Matrix, theta0: Float64Array, options: SgdOptions, gen: Rng): TrainResult {
  const p = model.numParams;
  checkTheta("sgd: theta0", theta0, p);
  const full = mseProblem(model, X, Y, options.mse);
  assertPositiveInt("sgd: batchSize", options.batchSize);
  if (!Number.isInteger(options.epochs) || options.epochs < 0) throw new RangeError(`sgd: epochs must be a non-negative integer, got ${options.epochs}`);
  const mu = options.momentum ?? 0;
  if (!(mu >= 0 && mu < 1)) throw new RangeError(`sgd: momentum must be in [0, 1), got ${mu}`);
  checkScale("sgd", options.lrScale, p);
  const schedule = resolveSchedule("sgd", options.lr);
  const epochLoss = options.epochLoss ?? full;
  if (options.epochLoss !== undefined) checkSameLoss(options.epochLoss, full, model, theta0, Y, options.mse);
  const n = X.columns;
  // Row-major copies of the data, taken once: a mini-batch gathers its columns from them (X, Y are checked
  // finite by mseProblem above, so a batch is too).
  const xs = rowMajorOf(X), ys = rowMajorOf(Y);
  const theta = Float64Array.from(theta0);
  const buf = new Float64Array(p);
  const losses: number[] = [];
  const lrs: number[] = [];
  let lr = schedule.lr;
  for (let epoch = 0; ; epoch++) {
    const loss = lossOf(epochLoss, theta);
    losses.push(loss);
    if (!Number.isFinite(loss)) return { theta, losses, lrs, stopped: "diverged" };
    lr = schedule.next(loss);
    if (options.onEpoch && options.onEpoch({ step: epoch, loss, theta, lr, gradient: null }) === false) return { theta, losses, lrs, stopped: "callback" };
    if (epoch >= options.epochs) return { theta, losses, lrs, stopped: "steps" };
    if (!(lr > 0)) return { theta, losses, lrs, stopped: "schedule" };
    const perm = gen.permutation(n);
    for (let start = 0; start < n; start += options.batchSize) {
      const idx = perm.subarray(start, Math.min(n, start + options.batchSize));
      const batch = mseProblem(model, gatherColumns(xs, X.rows, n, idx), gatherColumns(ys, Y.rows, n, idx), options.mse);
      const { gradient } = lossAndGradient(batch, theta);
      step(theta, gradient, buf, mu, lr, options.lrScale);
      if (!allFinite(theta)) { lrs.push(lr); losses.push(NaN); return { theta, losses, lrs, stopped: "diverged" }; }
    }
    lrs.push(lr);
  }
}

/**
 * One heavy-ball update `buf = mu buf + g; theta -= lr * lrScale .* buf`. Without momentum buf is g itself (the
 * same numbers: 0 * buf + g is g), so that loop skips buf.
 */
function step(theta: Float64Array, g: Float64Array, buf: Float64Array, mu: number, lr: number, s: Float64Array | undefined): void {
  const p = theta.length;
  if (mu === 0 && s !== undefined) for (let i = 0; i < p; i++) theta[i] -= lr * s[i] * g[i];
  else if (mu === 0) for (let i = 0; i < p; i++) theta[i] -= lr * 1 * g[i];
  else for (let i = 0; i < p; i++) {
    buf[i] = mu * buf[i] + g[i];
    theta[i] -= lr * (s === undefined ? 1 : s[i]) * buf[i];
  }
}

/** The columns `idx` of a row-major `rows x n` array, as a `rows x idx.length` matrix (filled in place, as `fromRowMajor`). */
function gatherColumns(src: Float64Array, rows: number, n: number, idx: Int32Array): Matrix {
  const b = idx.length;
  const out = new Matrix(rows, b);
  const rowsData = (out as unknown as { data: Float64Array[] }).data;
  for (let i = 0; i < rows; i++) {
    const r = rowsData[i];
    const base = i * n;
    for (let j = 0; j < b; j++) r[j] = src[base + idx[j]];
  }
  return out;
}

/**
 * Refuse an `epochLoss` that is not the sample MSE: another model's problem, or a different loss value at theta0.
 * The population form agrees with the sample MSE to rounding of its traces, i.e. relative to the loss scale
 * `sum ||y_i||^2 / (2N)` (the loss at F = 0), not to the loss itself (which may be near zero).
 */
function checkSameLoss(epochLoss: Problem, full: Problem, model: Model, theta0: Float64Array, Y: Matrix, mse: MseOptions | undefined): void {
  if (epochLoss.model.numParams !== model.numParams || epochLoss.model.inputDim !== model.inputDim || epochLoss.model.outputDim !== model.outputDim) {
    throw new RangeError(`sgd: epochLoss must be a problem of the trained model (${model.numParams} parameters, ${model.inputDim} -> ${model.outputDim}), got one of ${epochLoss.model.numParams} parameters, ${epochLoss.model.inputDim} -> ${epochLoss.model.outputDim}`);
  }
  const a = lossOf(full, theta0), b = lossOf(epochLoss, theta0);
  let yy = 0;
  for (const v of rowMajorOf(Y)) yy += v * v;
  const scale = yy / (2 * (mse?.normalizer ?? Y.columns));
  if (!(Math.abs(a - b) <= 1e-9 * (Math.abs(a) + scale))) {
    throw new RangeError(`sgd: epochLoss must be the sample MSE of (X, Y) in another form, but at theta0 it is ${b} where the sample MSE is ${a}`);
  }
}

/** Options of `trainStochastic`. */
export interface StochasticOptions {
  /** Number of updates. */
  steps: number;
  /** The mini-batch problem for a step (e.g. a fresh `crossEntropyProblem` on a random batch). */
  batch: (step: number) => Problem;
  /** Learning rate or schedule (advanced every step with the mini-batch loss). */
  lr: number | Schedule;
  /** "sgd" (heavy-ball momentum, PyTorch convention) or "adam" (AdamW, decoupled weight decay). Default "sgd". */
  optimizer?: "sgd" | "adam";
  /** SGD momentum. Default 0. */
  momentum?: number;
  /** Adam moments. Defaults 0.9, 0.999, 1e-8 (PyTorch). */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** AdamW decoupled weight decay. Default 0. */
  weightDecay?: number;
  /** Per-parameter learning-rate multipliers. */
  lrScale?: Float64Array;
  /** Called before every update with the mini-batch loss and gradient at theta; return false to stop. */
  onStep?: (s: StepState) => void | boolean;
}

/**
 * Stochastic training on any problems (MSE, cross-entropy, ...): at each step the caller's `batch(step)`
 * gives the mini-batch problem, then one SGD-with-momentum or AdamW update. `losses` are mini-batch losses.
 */
export function trainStochastic(theta0: Float64Array, options: StochasticOptions): TrainResult {
  const p = theta0.length;
  checkTheta("trainStochastic: theta0", theta0, p);
  if (!Number.isInteger(options.steps) || options.steps < 0) throw new RangeError(`trainStochastic: steps must be a non-negative integer, got ${options.steps}`);
  checkScale("trainStochastic", options.lrScale, p);
  const opt = options.optimizer ?? "sgd";
  if (opt !== "sgd" && opt !== "adam") throw new RangeError(`trainStochastic: optimizer must be "sgd" or "adam", got ${String(opt)}`);
  const mu = options.momentum ?? 0;
  if (!(mu >= 0 && mu < 1)) throw new RangeError(`trainStochastic: momentum must be in [0, 1), got ${mu}`);
  const b1 = options.beta1 ?? 0.9, b2 = options.beta2 ?? 0.999, eps = options.eps ?? 1e-8, wd = options.weightDecay ?? 0;
  const schedule = resolveSchedule("trainStochastic", options.lr);
  const theta = Float64Array.from(theta0);
  const m1 = new Float64Array(p), m2 = new Float64Array(p);
  const losses: number[] = [];
  const lrs: number[] = [];
  for (let step = 0; ; step++) {
    if (step >= options.steps) return { theta, losses, lrs, stopped: "steps" };
    const problem = options.batch(step);
    if (problem.model.numParams !== p) throw new RangeError(`trainStochastic: batch(${step}) has ${problem.model.numParams} parameters, theta has ${p}`);
    const { loss, gradient } = lossAndGradient(problem, theta);
    losses.push(loss);
    if (!Number.isFinite(loss)) return { theta, losses, lrs, stopped: "diverged" };
    const lr = schedule.next(loss);
    if (options.onStep && options.onStep({ step, loss, theta, lr, gradient }) === false) return { theta, losses, lrs, stopped: "callback" };
    if (!(lr > 0)) return { theta, losses, lrs, stopped: "schedule" };
    const s = options.lrScale;
    if (opt === "sgd") {
      for (let i = 0; i < p; i++) {
        m1[i] = mu * m1[i] + gradient[i];
        theta[i] -= lr * (s === undefined ? 1 : s[i]) * m1[i];
      }
    } else {
      const c1 = 1 - Math.pow(b1, step + 1), c2 = 1 - Math.pow(b2, step + 1);
      for (let i = 0; i < p; i++) {
        const g = gradient[i];
        m1[i] = b1 * m1[i] + (1 - b1) * g;
        m2[i] = b2 * m2[i] + (1 - b2) * g * g;
        const r = lr * (s === undefined ? 1 : s[i]);
        theta[i] -= r * wd * theta[i] + (r * (m1[i] / c1)) / (Math.sqrt(m2[i] / c2) + eps);
      }
    }
    lrs.push(lr);
    if (!allFinite(theta)) { losses.push(NaN); return { theta, losses, lrs, stopped: "diverged" }; }
  }
}

/** One recorded point of a run. */
