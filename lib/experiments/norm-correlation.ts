/**
 * Cracking the Hessian, Section 4.2 and Appendices D.1.3, D.1.4, D.3.3, D.3.4, D.4: does the sharpness
 * (largest loss-Hessian eigenvalue) of a trained network correlate with squared norms of its weight
 * matrices, of products of them, or with their alignment?
 *
 * One module holds the whole experiment: sample nets under SP / muP / NTP (`buildModel`, `initNet`), draw
 * the teacher data (`teacherTask`), train (`trainNet`: the divide-by-10 protocol), measure (`sharpness` by
 * Lanczos on exact Hessian-vector products, `hessianTrace` from exact second derivatives, singular values
 * and the three squared norms, knocked-out products, alignments: `netStats`), and correlate (`pearson`
 * with a Fisher-z confidence interval, `correlationSweep`). `panelFigure` draws one Plotly figure with a
 * panel per (parametrisation, phase).
 *
 * ```ts
 * const cfg = { activation: "linear", D: 4, K: 4, width: 30, depth: 2, param: "SP", nets: 30, n: 1024, train } as const;
 * const study = runStudy(cfg, gen);                        // per-net stats at init and after training
 * pearson(study.nets.map((r) => r.trained.sharpness), study.nets.map((r) => r.trained.norms[1].spectral2));
 * ```
 *
 * Linear networks are trained and differentiated on the population form of their sample loss,
 * `1/2 tr(W Sxx W^T) - tr(W Syx^T) + 1/2 tr(Syy)` with the sample moments `Sxx = X X^T / n` etc.: this
 * *is* the sample MSE `1/(2n) sum_i ||W x_i - y_i||^2` (an identity, not an approximation), at a cost
 * independent of n.
 */
import { Matrix } from "ml-matrix";
import type { Model } from "../models/model";
import { deepLinear, mlp } from "../models/mlp";
import { Problem, mseProblem, populationProblem } from "../curvature/problem";
import { populationStats } from "../data/moments";
import { hessianOperator, lossAndGradient } from "../curvature/curvature";
import { mupInit, ntpInit, standardInit } from "../init/generic";
import { gaussianTeacher } from "../data/synthetic";
import { divideBy10Schedule, gradientDescent, sgd } from "../train/index";
import { eigh } from "../linalg/eigh";
import { lanczos } from "../linalg/lanczos";
import { singularValues } from "../linalg/svd";
import type { LinearOperator } from "../linalg/operator";
import { rng } from "../random/rng";
import type { Rng } from "../random/rng";
import { canonicalJson, runTasksBlocking, scaleTasksRoot, sha256 } from "../tasks";
import { ChainNet, chainSgd } from "./chain-sgd";

/** The three parametrisations of Cracking D.1.3. */
export type Parametrization = "SP" | "muP" | "NTP";

/** A fully connected network of the study: `widths = [D, m, ..., m, K]`, no biases. */
export interface NetSpec {
  activation: "linear" | "relu";
  /** Input size D. */
  D: number;
  /** Output size K. */
  K: number;
  /** Hidden width m. */
  width: number;
  /** Number of weight matrices B (2 = the two-layer network). */
  depth: number;
  param: Parametrization;
  /**
   * muP variant (`mupInit`): "paper" (D.1.3 as written, variance fan-out / fan-in, rate 1 / fan-in) or
   * "spectral" (Yang, Simon & Bernstein 2023). Default "paper".
   */
  mup?: "paper" | "spectral";
}

function assertSpec(where: string, s: NetSpec): void {
  for (const [k, v] of [["D", s.D], ["K", s.K], ["width", s.width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${where}: ${k} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(s.depth) || s.depth < 2) throw new RangeError(`${where}: depth must be an integer >= 2, got ${s.depth}`);
  if (s.activation !== "linear" && s.activation !== "relu") throw new RangeError(`${where}: activation must be "linear" or "relu", got ${String(s.activation)}`);
  if (!["SP", "muP", "NTP"].includes(s.param)) throw new RangeError(`${where}: param must be "SP", "muP" or "NTP", got ${String(s.param)}`);
}

/** Layer widths `[D, m, ..., m, K]` of a spec (depth + 1 entries). */
export function specWidths(spec: NetSpec): number[] {
  assertSpec("specWidths", spec);
  return [spec.D, ...new Array(spec.depth - 1).fill(spec.width), spec.K];
}

/**
 * The model of a spec: `deepLinear` or a bias-free ReLU `mlp`; under NTP every layer's output is multiplied
 * by 1/sqrt(fan-in) (the multipliers of `ntpInit`).
 */
export function buildModel(spec: NetSpec): Model {
  const { widths, multipliers, relu } = chainOf(spec);
  // SP and muP layers are unscaled: no multipliers at all, so the model skips the scaling
  const m = multipliers.every((c) => c === 1) ? undefined : multipliers;
  return !relu
    ? deepLinear(widths, { multipliers: m })
    : mlp(widths, { activation: "relu", bias: false, multipliers: m });
}

/** The chain `buildModel(spec)` computes, for `chainSgd`: its widths, layer multipliers (NTP 1/sqrt(fan-in), else 1), ReLU or not. */
export function chainOf(spec: NetSpec): ChainNet {
  const widths = specWidths(spec);
  const multipliers = widths.slice(0, -1).map((d) => (spec.param === "NTP" ? 1 / Math.sqrt(d) : 1));
  return { widths, multipliers, relu: spec.activation === "relu" };
}

/**
 * Draw the initial weights of a spec's model: SP `standardInit` (N(0, 1/fan-in)), NTP `ntpInit` (N(0, 1)),
 * muP `mupInit` (variant `spec.mup`). Returns theta and the per-parameter learning-rate multipliers
 * (all 1 except under muP).
 */
export function initNet(model: Model, spec: NetSpec, gen: Rng): { theta: Float64Array; lrScale: Float64Array } {
  assertSpec("initNet", spec);
  if (spec.param === "SP") return { theta: standardInit(model, gen), lrScale: new Float64Array(model.numParams).fill(1) };
  if (spec.param === "NTP") { const r = ntpInit(model, gen); return { theta: r.theta, lrScale: r.lrScale }; }
  const r = mupInit(model, gen, { variant: spec.mup ?? "paper" });
  return { theta: r.theta, lrScale: r.lrScale };
}

/** A regression task: data, and the exact loss as a `Problem`. */
export interface Task {
  X: Matrix;
  Y: Matrix;
  /** Teacher matrix (K x D). */
  teacher: Matrix;
}

/**
 * Teacher data of Cracking D.1.3: x ~ N(0, I_D), y = W x + eps (linear) or y = relu(W x) + eps (ReLU
 * teacher), eps ~ N(0, 0.01 I_K), n samples; W has N(0, 1/D) entries.
 */
export function teacherTask(activation: "linear" | "relu", D: number, K: number, n: number, gen: Rng): Task {
  return gaussianTeacher({ inputDim: D, outputDim: K, n, kind: activation, noiseStd: 0.1 }, gen);
}

/**
 * The sample MSE `1/(2n) sum_i ||f(x_i) - y_i||^2` as a `Problem`. For a model linear in its input it is
 * written in population form with the sample moments (the same function of theta, cheaper); otherwise
 * `mseProblem`.
 */
export function taskProblem(model: Model, task: Task): Problem {
  const { X, Y } = task;
  if (!model.linearInInput) return mseProblem(model, X, Y);
  return populationProblem(model, populationStats(X, Y));
}

/** Training protocol (Cracking D.1.3, with the optimiser and a step cap stated). */
export interface TrainSpec {
  /**
   * "gd": full-batch gradient descent on the exact sample loss (one update per "epoch"); "sgd": mini-batch
   * SGD with `batchSize` (the paper: 128), without momentum.
   */
  optimizer: "gd" | "sgd";
  /** Base learning rate eta (multiplied per layer by the parametrisation's lrScale). */
  lr0: number;
  /** Divide by 10 when the loss has not improved by a relative `tol` for `patience` epochs ... */
  patience: number;
  tol: number;
  /** ... until the rate would fall below minLr (the paper: 1e-5). */
  minLr: number;
  /** Hard cap on epochs (GD steps). */
  maxEpochs: number;
  batchSize?: number;
  /** On divergence restart from the same initial point with lr0 / restartFactor, at most `restarts` times (default 4). */
  restarts?: number;
  /** Default 3 (a safeguard of ours, not the paper's protocol). */
  restartFactor?: number;
}

/** Outcome of `trainNet`. */
export interface TrainOutcome {
  theta: Float64Array;
  loss0: number;
  loss: number;
  epochs: number;
  /** Base learning rate of the run that was kept. */
  lr0: number;
  stopped: string;
}

/**
 * What a study keeps of a training run: everything but the trained weights (the stored task results of a
 * paper-scale study stay kilobytes per net instead of the weights' megabytes; the stats are measured first).
 */
export type TrainSummary = Omit<TrainOutcome, "theta">;

/**
 * Train from theta0 with the divide-by-10 protocol (`divideBy10Schedule`): `gradientDescent` on `problem`
 * or `sgd` on the task's samples (`chainSgd` when `chain` describes the model: the same algorithm, faster),
 * whose epoch loss (the schedule's input) is `problem` (for a linear net the population form: the same sample
 * loss without a pass over the n samples). A run whose loss or weights become non-finite, or whose loss ends
 * above its initial value, is restarted from theta0 with the base rate divided by `restartFactor` (default 3);
 * a run that still diverges after the last restart is an error (its weights would be NaN).
 */
export function trainNet(model: Model, problem: Problem, task: Task, theta0: Float64Array, lrScale: Float64Array, spec: TrainSpec, gen: Rng, chain?: ChainNet): TrainOutcome {
  if (spec.optimizer !== "gd" && spec.optimizer !== "sgd") throw new RangeError(`trainNet: optimizer must be "gd" or "sgd", got ${String(spec.optimizer)}`);
  if (!(spec.lr0 > 0)) throw new RangeError(`trainNet: lr0 must be positive, got ${spec.lr0}`);
  const loss0 = lossAndGradient(problem, theta0).loss;
  let lr0 = spec.lr0;
  const restarts = spec.restarts ?? 4;
  const factor = spec.restartFactor ?? 3;
  if (!(factor > 1)) throw new RangeError(`trainNet: restartFactor must be > 1, got ${factor}`);
  for (let attempt = 0; ; attempt++) {
    const schedule = divideBy10Schedule(lr0, { patience: spec.patience, tol: spec.tol, minLr: spec.minLr });
    const sgdOptions = { epochs: spec.maxEpochs, batchSize: spec.batchSize ?? 128, lr: schedule, lrScale, epochLoss: problem };
    const res = spec.optimizer === "gd"
      ? gradientDescent(problem, theta0, { steps: spec.maxEpochs, lr: schedule, lrScale })
      : chain !== undefined
        ? chainSgd(chain, model, task.X, task.Y, theta0, sgdOptions, gen)
        : sgd(model, task.X, task.Y, theta0, sgdOptions, gen);
    const loss = res.losses[res.losses.length - 1];
    const bad = res.stopped === "diverged" || !(loss <= loss0);
    if (res.stopped === "diverged" && attempt >= restarts) {
      throw new RangeError(`trainNet: training diverged at every base rate tried, ${spec.lr0} down to ${lr0} (${attempt + 1} attempts, restartFactor ${factor}); lower train.lr0 or raise train.restarts`);
    }
    if (!bad || attempt >= restarts) {
      return { theta: res.theta, loss0, loss: bad ? NaN : loss, epochs: res.losses.length - 1, lr0, stopped: res.stopped };
    }
    lr0 /= factor;
  }
}

/**
 * Largest eigenvalue of a symmetric operator: `lanczos` (full reorthogonalisation, thick restart) from
 * lib/linalg for the top Ritz pair, stopped when its residual is at most `tol * |value|` (default 1e-9).
 *
 * @returns value (largest Ritz value), residual (its residual norm relative to |value|), iterations (products)
 */
export function topEigenvalue(op: LinearOperator, gen: Rng, options: { tol?: number; maxIterations?: number } = {}): { value: number; residual: number; iterations: number } {
  const r = lanczos(op, { k: 1, which: "largest", rng: gen, tol: options.tol ?? 1e-9, maxIterations: options.maxIterations ?? 2000 });
  const value = r.values[0];
  return { value, residual: r.residualNorms[0] / Math.max(Math.abs(value), Number.MIN_VALUE), iterations: r.iterations };
}

/**
 * Sharpness: the largest eigenvalue of the loss Hessian at theta, by `topEigenvalue` on `hessianOperator`
 * (exact forward-over-reverse Hessian-vector products, no finite differences).
 */
export function sharpness(problem: Problem, theta: Float64Array, gen: Rng, options: { tol?: number; maxIterations?: number } = {}): { value: number; residual: number; iterations: number } {
  return topEigenvalue(hessianOperator(problem, theta), gen, options);
}

/**
 * Trace of the loss Hessian from exact second derivatives: `sum_i e_i^T H e_i`, p Hessian-vector products
 * (use for small nets; `twoLayerLinearTrace` is the closed form for two-layer linear nets).
 */
export function hessianTrace(problem: Problem, theta: Float64Array): number {
  const op = hessianOperator(problem, theta);
  const p = op.size;
  let tr = 0;
  const e = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    e[i] = 1;
    tr += op.matvec(e)[i];
    e[i] = 0;
  }
  return tr;
}

/**
 * Closed-form Hessian trace of a two-layer linear net `f(x) = c W2 W1 x` (c the product of the layer
 * multipliers) under the sample MSE (Cracking D.4, without the decorrelation approximation):
 * `tr H = c^2 (tr(Sxx) ||W2||_F^2 + K tr(W1 Sxx W1^T))` — only the diagonal blocks count and the functional
 * Hessian's diagonal blocks vanish for two layers.
 */
export function twoLayerLinearTrace(W1: Matrix, W2: Matrix, X: Matrix, c = 1): number {
  if (W2.columns !== W1.rows || W1.columns !== X.rows) throw new RangeError(`twoLayerLinearTrace: shapes W2 ${W2.rows}x${W2.columns}, W1 ${W1.rows}x${W1.columns}, X ${X.rows}x${X.columns} do not chain`);
  const n = X.columns;
  let trS = 0;
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < n; j++) trS += X.get(i, j) ** 2;
  trS /= n;
  const W1X = W1.mmul(X);
  let q = 0;
  for (let i = 0; i < W1X.rows; i++) for (let j = 0; j < n; j++) q += W1X.get(i, j) ** 2;
  q /= n;
  return c * c * (trS * frob2(W2) + W2.rows * q);
}

function frob2(W: Matrix): number {
  let s = 0;
  for (let i = 0; i < W.rows; i++) for (let j = 0; j < W.columns; j++) s += W.get(i, j) ** 2;
  return s;
}


/** Squared spectral, Frobenius and nuclear norms (Cracking D.1.3). */
export interface SquaredNorms {
  spectral2: number;
  frobenius2: number;
  nuclear2: number;
}

/** `||W||_2^2 = sigma_max^2`, `||W||_F^2 = sum sigma_i^2` (entrywise), `||W||_*^2 = (sum sigma_i)^2`. */
export function squaredNorms(W: Matrix): SquaredNorms {
  const s = singularValues(W);
  let nuc = 0;
  for (const v of s) nuc += v;
  return { spectral2: s[0] * s[0], frobenius2: frob2(W), nuclear2: nuc * nuc };
}

/** The weight matrices W_1..W_B of a model (blocks named W1, W2, ...), as matrices. */
export function weightMatrices(model: Model, theta: Float64Array): Matrix[] {
  const all = model.unflatten(theta);
  return all.filter((_, i) => /^W\d+$/.test(model.blocks[i].name));
}

/**
 * Knocked-out product `What_b = W_B ... W_{b+1} W_{b-1} ... W_1` (b is 1-based; Cracking D.1.4): the product
 * of every weight matrix but W_b, in network order. For b = 1 it is `W_B ... W_2` (K x m), for b = B
 * `W_{B-1} ... W_1` (m x D), otherwise a K x D matrix. For B = 2, What_1 = W_2 and What_2 = W_1.
 */
export function knockedOut(Ws: Matrix[], b: number): Matrix {
  const B = Ws.length;
  if (!Number.isInteger(b) || b < 1 || b > B) throw new RangeError(`knockedOut: b must be in 1..${B}, got ${b}`);
  const chain = (lo: number, hi: number): Matrix | null => { // W_hi ... W_lo (1-based), null if empty
    let P: Matrix | null = null;
    for (let j = lo; j <= hi; j++) P = P === null ? Ws[j - 1].clone() : Ws[j - 1].mmul(P);
    return P;
  };
  const below = chain(1, b - 1);
  const above = chain(b + 1, B);
  if (below === null) return above!;
  if (above === null) return below;
  return above.mmul(below);
}

/**
 * Alignment of the two weight matrices of a two-layer net (Cracking D.1.3), with W = W_2^T and V = W_1
 * (both m x D), so `W^T V = W_2 W_1`: Frobenius `|tr(W_2 W_1)|` (absolute, as in Figure 15), spectral
 * `sigma_max(W_2 W_1)`, nuclear `sum_i sigma_i(W_2 W_1)`.
 */
export function alignments(W1: Matrix, W2: Matrix): { frobenius: number; spectral: number; nuclear: number } {
  const P = W2.mmul(W1);
  let tr = 0;
  for (let i = 0; i < Math.min(P.rows, P.columns); i++) tr += P.get(i, i);
  const s = singularValues(P);
  let nuc = 0;
  for (const v of s) nuc += v;
  return { frobenius: Math.abs(tr), spectral: s[0], nuclear: nuc };
}

// Pearson's r with its Fisher-z interval lives in lib/stats; re-exported for this module's callers.
import { pearson } from "../stats";
import type { Correlation } from "../stats";
export { pearson };
export type { Correlation };

/** What `netStats` measures at one point. */
export interface NetStats {
  loss: number;
  sharpness: number;
  /** Relative Ritz residual of the sharpness. */
  residual: number;
  /** Hessian trace (only when asked for): exact (p HVPs) or the two-layer closed form. */
  trace?: number;
  /** The exact trace from p HVPs, when computed next to the closed form (for checking). */
  traceExact?: number;
  /** Squared norms of W_1..W_B. */
  norms: SquaredNorms[];
  /** Squared norms of the knocked-out products What_1..What_B. */
  knocked: SquaredNorms[];
  /** Alignment of W_1 and W_2 (two-layer nets only). */
  align?: { frobenius: number; spectral: number; nuclear: number };
}

/** Measure a net: loss, sharpness (exact HVPs + Lanczos), norms, knocked-out products, alignment, trace if asked. */
export function netStats(model: Model, problem: Problem, theta: Float64Array, gen: Rng, options: { trace?: boolean; knocked?: boolean } = {}): NetStats {
  const s = sharpness(problem, theta, gen);
  const Ws = weightMatrices(model, theta);
  const B = Ws.length;
  return {
    loss: lossAndGradient(problem, theta).loss,
    sharpness: s.value,
    residual: s.residual,
    trace: options.trace ? hessianTrace(problem, theta) : undefined,
    norms: Ws.map(squaredNorms),
    knocked: options.knocked === false ? [] : Ws.map((_, b) => squaredNorms(knockedOut(Ws, b + 1))),
    align: B === 2 ? alignments(Ws[0], Ws[1]) : undefined,
  };
}

/** One configuration of a correlation study. */
export interface StudyConfig extends NetSpec {
  /** Number of nets sampled (the paper: 200). */
  nets: number;
  /** Sample size (the paper: 1024). */
  n: number;
  train: TrainSpec;
  /**
   * Also compute the Hessian trace: `true` / "exact" from p HVPs per net; "closed" from `twoLayerLinearTrace`
   * (two-layer linear nets), with the exact trace as well for the first `exactTraceNets` nets (default 3).
   */
  trace?: boolean | "exact" | "closed";
  exactTraceNets?: number;
}

/** Result of `runStudy`: one record per net. */
export interface Study {
  config: StudyConfig;
  task: Task;
  nets: Array<{ init: NetStats; trained: NetStats; train: TrainSummary }>;
  seconds: number;
}

/** One net of a study as a task: the study's configuration and the seed of its data set (plain JSON). */
export interface NetTaskParams {
  config: StudyConfig;
  /** The seed of `gen.fork("data")`, the generator runStudy draws the data set from. */
  dataSeed: number;
}

/**
 * One net of `runStudy` (a task of lib/tasks): rebuild the data set from its seed, draw the net from `gen`
 * (runStudy's `gen.fork(`net-${i}`)`), measure it at initialisation and after `trainNet`.
 */
export function normCorrelationNet(p: NetTaskParams, gen: Rng, context: { index: number }): Study["nets"][number] {
  const config = p.config;
  const model = buildModel(config);
  const task = teacherTask(config.activation, config.D, config.K, config.n, rng(p.dataSeed));
  const problem = taskProblem(model, task);
  const { theta, lrScale } = initNet(model, config, gen);
  const exact = config.trace === true || config.trace === "exact";
  const init = netStats(model, problem, theta, gen, { trace: exact });
  const train = trainNet(model, problem, task, theta, lrScale, config.train, gen, chainOf(config));
  const trained = netStats(model, problem, train.theta, gen, { trace: exact });
  if (config.trace === "closed") {
    const c = config.param === "NTP" ? 1 / Math.sqrt(config.D * config.width) : 1;
    for (const [st, th] of [[init, theta], [trained, train.theta]] as const) {
      const [W1, W2] = weightMatrices(model, th);
      st.trace = twoLayerLinearTrace(W1, W2, task.X, c);
      if (context.index < (config.exactTraceNets ?? 3)) st.traceExact = hessianTrace(problem, th);
    }
  }
  const { theta: _weights, ...summary } = train;
  return { init, trained, train: summary };
}

/** How a study's nets run (lib/tasks): every field optional. */
export interface StudyRunOptions {
  /** The study's id, its folder in the task store (default: `norm-correlation/<hash of config and seed>`). */
  study?: string;
  /** Worker threads (default HS_WORKERS, else every core). */
  workers?: number;
  /** Where progress lines go (default console.log). */
  log?: (line: string) => void;
}

/**
 * Run one configuration: one data set (from `gen.fork("data")`), `nets` networks each from its own fork of
 * gen (`net-${i}`), each measured at initialisation and after `trainNet`. The nets are tasks of lib/tasks
 * (`normCorrelationNet`): run on worker threads, stored as they finish (`scaleTasksRoot()`), read back by a
 * later run; the numbers are the same for any number of workers and after any interruption.
 */
export function runStudy(config: StudyConfig, gen: Rng, options: StudyRunOptions = {}): Study {
  const t0 = Date.now();
  if (!Number.isInteger(config.nets) || config.nets < 4) throw new RangeError(`runStudy: nets must be an integer >= 4, got ${config.nets}`);
  buildModel(config); // bad specs throw here, before any task starts
  if (config.trace === "closed" && (config.depth !== 2 || config.activation !== "linear")) throw new RangeError("runStudy: trace \"closed\" needs a two-layer linear net");
  const dataGen = gen.fork("data");
  const task = teacherTask(config.activation, config.D, config.K, config.n, dataGen);
  const params: NetTaskParams[] = Array.from({ length: config.nets }, () => ({ config, dataSeed: dataGen.seed }));
  const out = runTasksBlocking({
    study: options.study ?? `norm-correlation/${config.activation}-${config.param}-D${config.D}-m${config.width}-B${config.depth}-${sha256(canonicalJson({ config, seed: gen.seed }, "runStudy")).slice(0, 12)}`,
    seed: gen.seed,
    label: (i) => `net-${i}`,
    params,
    module: __filename,
    root: scaleTasksRoot(),
    workers: options.workers,
    log: options.log,
  }, "normCorrelationNet", normCorrelationNet);
  return { config, task, nets: out.results, seconds: (Date.now() - t0) / 1000 };
}

/** Correlation of the sharpness (or `target`) with `quantity` over a study's nets, at init or after training. */
export function correlate(study: Study, phase: "init" | "trained", quantity: (s: NetStats) => number, target: (s: NetStats) => number = (s) => s.sharpness): Correlation {
  return pearson(study.nets.map((r) => target(r[phase])), study.nets.map((r) => quantity(r[phase])));
}

/** One line of a panel: a correlation per x value, with its interval. */
export interface Series {
  name: string;
  values: Correlation[];
  /** Own x values (default: the panel's). */
  x?: number[];
  dash?: string;
  color?: string;
}

/** A panel of `panelFigure`. */
export interface Panel {
  title: string;
  x: number[];
  series: Series[];
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

/**
 * One Plotly figure with the panels on a grid (`cols` per row), each series drawn as r against x with its
 * 95% interval as error bars; a series name keeps its colour across panels and appears once in the legend.
 */
export function panelFigure(title: string, panels: Panel[], options: { cols?: number; xTitle?: string; yTitle?: string; logX?: boolean; height?: number } = {}) {
  const cols = options.cols ?? 2;
  const rows = Math.ceil(panels.length / cols);
  const colorOf = new Map<string, string>();
  const data: Array<Record<string, unknown>> = [];
  const layout: Record<string, unknown> = {
    title, height: options.height ?? 330 * rows + 80, grid: { rows, columns: cols, pattern: "independent" },
    annotations: [] as unknown[], legend: { orientation: "h", y: -0.08 }, margin: { t: 80 },
  };
  panels.forEach((p, k) => {
    const ax = k === 0 ? "" : String(k + 1);
    for (const s of p.series) {
      if (!colorOf.has(s.name)) colorOf.set(s.name, s.color ?? PALETTE[colorOf.size % PALETTE.length]);
      data.push({
        x: s.x ?? p.x, y: s.values.map((c) => c.r), type: "scatter", mode: "lines+markers", name: s.name, legendgroup: s.name,
        showlegend: k === 0, xaxis: `x${ax}`, yaxis: `y${ax}`,
        line: { color: colorOf.get(s.name), dash: s.dash ?? "solid" }, marker: { color: colorOf.get(s.name), size: 6 },
        error_y: { type: "data", symmetric: false, array: s.values.map((c) => c.hi - c.r), arrayminus: s.values.map((c) => c.r - c.lo), thickness: 1, width: 3 },
      });
    }
    layout[`xaxis${ax}`] = { title: options.xTitle ?? "", type: options.logX ? "log" : "linear" };
    layout[`yaxis${ax}`] = { title: options.yTitle ?? "Pearson r", range: [-1.05, 1.05] };
    (layout.annotations as unknown[]).push({ text: `<b>${p.title}</b>`, xref: `x${ax} domain`, yref: `y${ax} domain`, x: 0.5, y: 1.1, showarrow: false });
  });
  return { data, layout };
}

/**
 * One series per study (one per depth B): the correlation of the sharpness with `quantity(stats, b)` for
 * b = 1..B, drawn against b. Used for the deep-network figures (17-22).
 */
export function depthSeries(studies: Study[], phase: "init" | "trained", quantity: (s: NetStats, b: number) => number, target?: (s: NetStats) => number): Series[] {
  return studies.map((s, k) => {
    const B = s.config.depth;
    const bs = Array.from({ length: B }, (_, i) => i + 1);
    return { name: `B = ${B}`, x: bs, values: bs.map((b) => correlate(s, phase, (st) => quantity(st, b), target)), color: PALETTE[k % PALETTE.length] };
  });
}

/** Format a correlation as `r [lo, hi]`. */
export function fmtR(c: Correlation, digits = 2): string {
  return `${c.r.toFixed(digits)} [${c.lo.toFixed(digits)}, ${c.hi.toFixed(digits)}]`;
}

/** The three squared norms, in the paper's order. */
export const NORMS = ["spectral2", "frobenius2", "nuclear2"] as const;
export type NormName = (typeof NORMS)[number];
/** Display names of the norms. */
export const NORM_LABEL: Record<NormName, string> = { spectral2: "spectral", frobenius2: "Frobenius", nuclear2: "nuclear" };
const NORM_COLOR: Record<NormName, string> = { spectral2: "#d62728", frobenius2: "#1f77b4", nuclear2: "#2ca02c" };
const DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];

/**
 * Correlation of the sharpness (or `target`) with the squared norms of W_b (`of: "weights"`) or of the
 * knocked-out products What_b (`of: "knocked"`), for every study (one per x value): one series per
 * (matrix, norm). Colours by norm and dashes by matrix (`colorBy: "norm"`, default), or colours by matrix.
 * `matrices` are 1-based; default all.
 */
export function normSeries(studies: Study[], phase: "init" | "trained", options: { of?: "weights" | "knocked"; norms?: readonly NormName[]; matrices?: number[]; colorBy?: "norm" | "matrix"; target?: (s: NetStats) => number } = {}): Series[] {
  const of = options.of ?? "weights";
  const B = studies[0].config.depth;
  const mats = options.matrices ?? Array.from({ length: B }, (_, i) => i + 1);
  const norms = options.norms ?? NORMS;
  const sym = of === "weights" ? "W" : "Ŵ";
  const out: Series[] = [];
  for (const b of mats) for (const nm of norms) {
    out.push({
      name: norms.length === 1 ? `‖${sym}${b}‖²` : `‖${sym}${b}‖² ${NORM_LABEL[nm]}`,
      values: studies.map((s) => correlate(s, phase, (st) => (of === "weights" ? st.norms : st.knocked)[b - 1][nm], options.target)),
      color: (options.colorBy ?? "norm") === "norm" ? NORM_COLOR[nm] : PALETTE[(b - 1) % PALETTE.length],
      dash: (options.colorBy ?? "norm") === "norm" ? DASHES[(b - 1) % DASHES.length] : "solid",
    });
  }
  return out;
}

/** Largest correlation (over the matrices W_1..W_B) of one norm in one study. */
export function bestOverMatrices(study: Study, phase: "init" | "trained", norm: NormName, target?: (s: NetStats) => number): { r: number; b: number; c: Correlation } {
  let best = { r: -Infinity, b: 0, c: null as unknown as Correlation };
  for (let b = 1; b <= study.config.depth; b++) {
    const c = correlate(study, phase, (st) => st.norms[b - 1][norm], target);
    if (c.r > best.r) best = { r: c.r, b, c };
  }
  return best;
}

/**
 * Least-squares floor of a linear task: the smallest sample MSE any linear map reaches,
 * `1/2 (tr Syy - tr(Syx Sxx^-1 Sxy))`, from a Cholesky-free solve of the normal equations.
 */
export function leastSquaresFloor(task: Task): number {
  const { X, Y } = task;
  const n = X.columns;
  const { Sxx, Syx } = populationStats(X, Y);
  const W = Syx.mmul(inverseSpd(Sxx));
  const R = Matrix.sub(W.mmul(X), Y);
  let s = 0;
  for (let i = 0; i < R.rows; i++) for (let j = 0; j < n; j++) s += R.get(i, j) ** 2;
  return s / (2 * n);
}

function inverseSpd(S: Matrix): Matrix {
  const e = eigh(S, { vectors: true });
  const V = e.vectors!;
  const d = Array.from(e.values, (v) => 1 / v);
  return V.mmul(Matrix.diag(d)).mmul(V.transpose());
}

/**
 * Margin of one norm over the others in a study: the best correlation (over W_1..W_B) of `norm` minus the
 * best correlation of either other norm. >= 0 when `norm` correlates most (the paper's orderings).
 */
export function orderingMargin(study: Study, phase: "init" | "trained", norm: NormName, target?: (s: NetStats) => number): number {
  const mine = bestOverMatrices(study, phase, norm, target).r;
  const others = NORMS.filter((x) => x !== norm).map((x) => bestOverMatrices(study, phase, x, target).r);
  return mine - Math.max(...others);
}

/** Table rows (Markdown) of the best correlation per norm: `| param | D | spectral | Frobenius | nuclear |`. */
export function bestTable(studies: Study[], phase: "init" | "trained", target?: (s: NetStats) => number): string {
  const head = `| param | D | depth | ${NORMS.map((nm) => `best ${NORM_LABEL[nm]} (matrix: r [95% CI])`).join(" | ")} |\n|---|---|---|---|---|---|\n`;
  return head + studies.map((s) => `| ${s.config.param} | ${s.config.D} | ${s.config.depth} | ${NORMS.map((nm) => {
    const b = bestOverMatrices(s, phase, nm, target);
    return `W${b.b}: ${fmtR(b.c)}`;
  }).join(" | ")} |`).join("\n");
}

// Singular values come from lib/linalg (one helper for papers and experiments); re-exported for importers here.
export { singularValues };
