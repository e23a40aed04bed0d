/**
 * The Transformer analogue of Cracking the Hessian's GPT-2 studies (Section 4.3, App. D.1.5, D.1.6, D.3.5;
 * Figures 5, 6, 23, 24, 25).
 *
 * The paper pre-trains GPT-2 (124M parameters, OpenWebText) and a "similarly sized" model whose attention
 * layers are replaced by MLP blocks, and records along training, on a random sample of 8 training
 * sequences: the largest Hessian eigenvalue (sharpness), the largest GGN eigenvalue, the loss and the mean
 * norm of the residual (the derivative of the loss with respect to the model output). It also adds an
 * attention-sink bias on the first token to a fitted GPT-2 and computes Hessian spectra. None of that runs
 * on a CPU; this module runs the same protocol on a small decoder-only Transformer (`lib/models`
 * `transformer`, GPT-2-style pre-LN, `transformerInit`) trained from scratch on a character-level version of
 * the offline corpus of `lib/data/text.ts`, with exact Hessian- and GGN-vector products (`lib/curvature`)
 * and Lanczos (`lib/linalg`). It is an analogue, not GPT-2.
 *
 * ```ts
 * const corpus = analogueCorpus();                                   // 30-symbol character corpus
 * const arch = { seqLen: 16, dModel: 16, heads: 2, layers: 1 };
 * const sweep = analogueSweep(corpus, arch, training, 3, gen);       // 3 seeds x {attention, none}
 * const b = binnedCurve(sweep.attention.map((r) => r.records), (r) => r.residual, (r) => r.relErr, edges);
 * ```
 *
 * Definitions used throughout:
 * - relative error of the GGN top eigenvalue: `|lambda_max(H) - lambda_max(G)| / |lambda_max(H)|`;
 * - residual of token i: `softmax(F_i) - e_{y_i}` (dl_i/dF_i of that token's cross-entropy); the mean
 *   residual norm is the mean of its Euclidean norms over the tokens of the sample;
 * - curves across seeds (the paper interpolates each seed's curve, then takes mean and standard error):
 *   here each seed's records are averaged within bins of the x quantity, then mean and standard error
 *   (sample standard deviation / sqrt(seeds)) over the seeds with data in that bin.
 */
import { Matrix } from "ml-matrix";
import { crossEntropyProblem, Problem } from "../curvature/problem";
import { ggnOperator, hessianOperator, outputs } from "../curvature/curvature";
import { gelu } from "../autodiff/tape";
import { transformer } from "../models/transformer";
import { Model } from "../models/model";
import { rowMajorOf } from "../linalg/storage";
import { transformerInit } from "../init/transformer";
import { charTokenize, languageModelBatch, loadTextCorpus } from "../data/text";
import { trainStochastic } from "../train/index";
import { lanczos } from "../linalg/lanczos";
import { slqDensity } from "../linalg/slq";
import type { Rng } from "../random/rng";
import { createHash } from "crypto";
import { canonicalJson, runTasksBlocking, scaleTasksRoot, sha256 } from "../tasks";
import type { TaskContext } from "../tasks";

/** A tokenised character corpus. */
export interface AnalogueCorpus {
  /** The symbols, sorted; token i is chars[i]. */
  chars: string[];
  /** The corpus as token ids. */
  tokens: Int32Array;
  /** Number of symbols. */
  vocab: number;
}

/**
 * The offline corpus (`loadTextCorpus`: Debian's licence texts) at the character level with a small
 * vocabulary: lower case, every run of white space one space, every character other than a-z, space,
 * full stop and comma replaced by `#` (30 symbols). A small vocabulary keeps the embedding and output
 * layers (and so the cost of every Hessian-vector product) small.
 *
 * @param text optional text to use instead of the default corpus
 */
export function analogueCorpus(text?: string): AnalogueCorpus {
  const raw = text ?? loadTextCorpus();
  const clean = raw.toLowerCase().replace(/\s+/g, " ").replace(/[^a-z .,]/g, "#");
  if (clean.length < 2) throw new RangeError(`analogueCorpus: text must hold at least 2 characters, got ${clean.length}`);
  const { chars, tokens } = charTokenize(clean);
  return { chars, tokens, vocab: chars.length };
}

/** Architecture of the analogue (the `transformer` options that both variants share). */
export interface AnalogueArch {
  /** Context length T. */
  seqLen: number;
  /** Width d. */
  dModel: number;
  /** Heads (divides d). */
  heads: number;
  /** Blocks. */
  layers: number;
  /** MLP hidden width of the attention model (default 4 d). */
  mlpWidth?: number;
}

function attentionOptions(vocab: number, arch: AnalogueArch, sink = 0) {
  return { vocab, seqLen: arch.seqLen, dModel: arch.dModel, heads: arch.heads, layers: arch.layers, mlpWidth: arch.mlpWidth ?? 4 * arch.dModel, attention: true, sink };
}

/**
 * MLP width of the attention-free variant that makes its parameter count closest to the attention
 * model's (the paper's "similarly sized model without attention": every attention sublayer becomes an
 * MLP sublayer; with `transformer({ attention: false })` both MLPs of a block share this width).
 *
 * @returns the width m' in [1, 16 d] minimising |p(no attention, m') - p(attention)|
 */
export function matchedMlpWidth(vocab: number, arch: AnalogueArch): number {
  const target = transformer(attentionOptions(vocab, arch)).numParams;
  let best = 1, gap = Infinity;
  for (let m = 1; m <= 16 * arch.dModel; m++) {
    const p = transformer({ ...attentionOptions(vocab, arch), mlpWidth: m, attention: false }).numParams;
    if (Math.abs(p - target) < gap) { gap = Math.abs(p - target); best = m; }
  }
  return best;
}

/**
 * The two models of the comparison: the attention model (optionally with an attention-sink bias) and the
 * attention-free model of matched size.
 */
export function analogueModel(vocab: number, arch: AnalogueArch, attention: boolean, sink = 0): Model {
  if (!attention && sink !== 0) throw new RangeError("analogueModel: a sink needs attention (sink must be 0 when attention is false)");
  return attention
    ? transformer(attentionOptions(vocab, arch, sink))
    : transformer({ ...attentionOptions(vocab, arch), mlpWidth: matchedMlpWidth(vocab, arch), attention: false });
}

/** A cross-entropy problem on `sequences` random windows of the corpus (next-character prediction). */
export function corpusProblem(model: Model, corpus: AnalogueCorpus, seqLen: number, sequences: number, gen: Rng): Problem {
  const { X, labels } = languageModelBatch(corpus.tokens, corpus.vocab, seqLen, sequences, gen);
  return crossEntropyProblem(model, X, labels);
}

/**
 * Loss and mean residual norm of a cross-entropy problem built with the default normaliser (N = number
 * of tokens, as `crossEntropyProblem` does by default): the residual of token i is N times column i of
 * the problem's output gradient, `softmax(F_i) - e_{y_i}`.
 */
export function lossAndResidual(problem: Problem, theta: Float64Array): { loss: number; residual: number } {
  if (problem.kind !== "crossEntropy") throw new RangeError(`lossAndResidual: problem must be a cross-entropy problem, got ${problem.kind}`);
  const F = rowMajorOf(outputs(problem, theta));
  const G = problem.outputGradient(F);
  const C = problem.outputRows, n = problem.outputCols;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) { const r = G[c * n + i] * n; s += r * r; }
    total += Math.sqrt(s);
  }
  return { loss: problem.value(F), residual: total / n };
}

/** Options of the Lanczos runs for the top eigenvalues. */
export interface TopOptions {
  /** Residual tolerance relative to the largest Ritz value (default 1e-6). */
  tol?: number;
  /** Lanczos basis size before a restart (default 20). */
  basisSize?: number;
  /** Matrix-vector products per operator (default 400). */
  maxIterations?: number;
}

/** Largest Hessian and GGN eigenvalues at one point. */
export interface TopCurvature {
  /** lambda_max(H), the sharpness. */
  hessian: number;
  /** lambda_max(G), the GGN's largest eigenvalue. */
  ggn: number;
  /** |lambda_max(H) - lambda_max(G)| / |lambda_max(H)|. */
  relErr: number;
  /** Hessian- plus GGN-vector products spent. */
  matvecs: number;
  /** Both Lanczos runs met the tolerance. */
  converged: boolean;
}

/**
 * Largest eigenvalue of the loss Hessian and of the GGN (exact operators from `lib/curvature`) by
 * Lanczos with full reorthogonalisation, and the relative error of the second as an approximation of the
 * first.
 */
export function topCurvature(problem: Problem, theta: Float64Array, gen: Rng, options: TopOptions = {}): TopCurvature {
  const opts = { k: 1, which: "largest" as const, rng: gen, tol: options.tol ?? 1e-6, basisSize: options.basisSize ?? 20, maxIterations: options.maxIterations ?? 400 };
  const h = lanczos(hessianOperator(problem, theta), opts);
  const g = lanczos(ggnOperator(problem, theta), opts);
  const hessian = h.values[0], ggn = g.values[0];
  return { hessian, ggn, relErr: Math.abs(hessian - ggn) / Math.abs(hessian), matvecs: h.iterations + g.iterations, converged: h.converged && g.converged };
}

/**
 * Checkpoints 0 < s_1 < ... < s_{count-1} = steps, geometric from s_1 = max(1, round(steps / 40)), like
 * the paper's "every 10 steps at the beginning, then every 100, eventually every 1000". Always starts at 0.
 */
export function checkpointSteps(steps: number, count: number): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`checkpointSteps: steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`checkpointSteps: count must be an integer >= 2, got ${count}`);
  const first = Math.max(1, Math.round(steps / 40));
  const out = new Set<number>([0]);
  for (let i = 0; i < count - 1; i++) out.add(count === 2 ? steps : Math.round(first * Math.pow(steps / first, i / (count - 2))));
  out.add(steps);
  return [...out].sort((a, b) => a - b);
}

/** How the analogue is trained and measured. */
export interface AnalogueTraining {
  /** AdamW updates. */
  steps: number;
  /** Sequences per training mini-batch. */
  batch: number;
  /** Learning rate (constant). */
  lr: number;
  /** AdamW decoupled weight decay (default 0). */
  weightDecay?: number;
  /** Sequences in each checkpoint's fresh random sample (the paper: 8). */
  evalSequences: number;
  /** Steps at which to measure (0 = initialisation; `checkpointSteps`). */
  checkpoints: number[];
  /** Lanczos options. */
  lanczos?: TopOptions;
}

/** One checkpoint of a run. */
export interface AnalogueRecord extends TopCurvature {
  step: number;
  /** Cross-entropy on the checkpoint's sample. */
  loss: number;
  /** Mean residual norm on the checkpoint's sample. */
  residual: number;
}

/** A training run with its checkpoints. */
export interface AnalogueRun {
  records: AnalogueRecord[];
  /** Final parameters. */
  theta: Float64Array;
  /** Mini-batch training losses (one per update). */
  trainLosses: number[];
  /** Parameter count. */
  params: number;
  /** Wall-clock seconds of the run (training and measurements). */
  seconds: number;
}

/**
 * Train `model` from GPT-2-style initialisation with AdamW on random windows of the corpus, and at every
 * checkpoint measure (on a fresh random sample of `evalSequences` windows) the loss, the mean residual
 * norm and the top Hessian and GGN eigenvalues. Randomness: `gen.fork("init")` (weights), `fork("batches")`
 * (training windows), `fork("eval")` (checkpoint samples), `fork("lanczos")` (start vectors), so two
 * models trained with the same `gen` see the same windows and the same checkpoint samples.
 */
export function trainAnalogue(model: Model, corpus: AnalogueCorpus, seqLen: number, training: AnalogueTraining, gen: Rng): AnalogueRun {
  const t0 = Date.now();
  if (model.inputDim !== corpus.vocab) throw new RangeError(`trainAnalogue: model vocabulary ${model.inputDim} differs from the corpus's ${corpus.vocab}`);
  const bad = training.checkpoints.find((s) => !Number.isInteger(s) || s < 0 || s > training.steps);
  if (bad !== undefined) throw new RangeError(`trainAnalogue: checkpoints must be integers in [0, ${training.steps}], got ${bad}`);
  const wanted = new Set(training.checkpoints);
  const batches = gen.fork("batches"), evals = gen.fork("eval"), lz = gen.fork("lanczos");
  const records: AnalogueRecord[] = [];
  const measure = (step: number, theta: Float64Array) => {
    const problem = corpusProblem(model, corpus, seqLen, training.evalSequences, evals);
    const lr = lossAndResidual(problem, theta);
    records.push({ step, ...lr, ...topCurvature(problem, theta, lz, training.lanczos) });
  };
  const run = trainStochastic(transformerInit(model, gen.fork("init")), {
    steps: training.steps,
    optimizer: "adam",
    lr: training.lr,
    weightDecay: training.weightDecay ?? 0,
    batch: () => corpusProblem(model, corpus, seqLen, training.batch, batches),
    onStep: (s) => { if (wanted.has(s.step)) measure(s.step, s.theta); },
  });
  if (run.stopped !== "steps") throw new Error(`trainAnalogue: training stopped early (${run.stopped}) at step ${run.losses.length}`);
  if (wanted.has(training.steps)) measure(training.steps, run.theta);
  return { records, theta: run.theta, trainLosses: run.losses, params: model.numParams, seconds: (Date.now() - t0) / 1000 };
}

/** Runs of the two models over several seeds. */
export interface AnalogueSweep {
  attention: AnalogueRun[];
  noAttention: AnalogueRun[];
  /** Parameter counts of the two models. */
  params: { attention: number; noAttention: number };
  /** MLP width of the attention-free model. */
  noAttentionMlpWidth: number;
  seconds: number;
}

/** sha256 of a corpus (symbols and tokens): what stands for the corpus in a task's key. */
export function corpusHash(corpus: AnalogueCorpus): string {
  const h = createHash("sha256").update(JSON.stringify(corpus.chars)).update("\0");
  h.update(new Uint8Array(corpus.tokens.buffer, corpus.tokens.byteOffset, corpus.tokens.byteLength));
  return h.digest("hex");
}

/** A run of the sweep as a task: the architecture, the protocol, which model, and the corpus's hash. */
export interface AnalogueRunParams {
  arch: AnalogueArch;
  training: AnalogueTraining;
  attention: boolean;
  corpus: string;
}

/**
 * One run of `analogueSweep` (a task of lib/tasks): train the attention model or the attention-free one on
 * the corpus handed over as `context.shared` (checked against the hash in the params).
 */
export function analogueRunTask(p: AnalogueRunParams, gen: Rng, context: Pick<TaskContext, "shared">): AnalogueRun {
  const corpus = context.shared as AnalogueCorpus;
  if (!corpus || !(corpus.tokens instanceof Int32Array) || corpusHash(corpus) !== p.corpus) throw new Error("analogueRunTask: context.shared must be the corpus whose hash is params.corpus");
  return trainAnalogue(analogueModel(corpus.vocab, p.arch, p.attention), corpus, p.arch.seqLen, p.training, gen);
}

/**
 * The paper's comparison: for seed s = 0..seeds-1 (generator `gen.fork("seed s")`), train the attention
 * model and the attention-free model of matched size with the same windows and checkpoint samples. The 2
 * x seeds runs are tasks of lib/tasks (`analogueRunTask`): run on worker threads, stored as they finish
 * (`scaleTasksRoot()`), read back by a later run, with the same numbers for any number of workers.
 *
 * @param options.study the study's id in the task store (default `transformer-analogue/<hash of the arguments>`)
 */
export function analogueSweep(corpus: AnalogueCorpus, arch: AnalogueArch, training: AnalogueTraining, seeds: number, gen: Rng, options: { study?: string; workers?: number; log?: (line: string) => void } = {}): AnalogueSweep {
  if (!Number.isInteger(seeds) || seeds < 1) throw new RangeError(`analogueSweep: seeds must be a positive integer, got ${seeds}`);
  const t0 = Date.now();
  const withA = analogueModel(corpus.vocab, arch, true);
  const without = analogueModel(corpus.vocab, arch, false);
  const hash = corpusHash(corpus);
  // Task 2s trains the attention model, 2s + 1 the one without, both from gen.fork(`seed ${s}`).
  const params: AnalogueRunParams[] = Array.from({ length: 2 * seeds }, (_, i) => ({ arch, training, attention: i % 2 === 0, corpus: hash }));
  const out = runTasksBlocking({
    study: options.study ?? `transformer-analogue/T${arch.seqLen}-d${arch.dModel}-L${arch.layers}-${sha256(canonicalJson({ arch, training, seeds, corpus: hash, seed: gen.seed }, "analogueSweep")).slice(0, 12)}`,
    seed: gen.seed,
    label: (i) => `seed ${i >> 1}`,
    params,
    module: __filename,
    root: scaleTasksRoot(),
    workers: options.workers,
    log: options.log,
    shared: corpus,
  }, "analogueRunTask", analogueRunTask);
  return {
    attention: out.results.filter((_, i) => i % 2 === 0),
    noAttention: out.results.filter((_, i) => i % 2 === 1),
    params: { attention: withA.numParams, noAttention: without.numParams },
    noAttentionMlpWidth: matchedMlpWidth(corpus.vocab, arch),
    seconds: (Date.now() - t0) / 1000,
  };
}

/** Mean and standard error (sample sd / sqrt(count)) of some numbers; se = 0 for a single number. */
export function meanAndStandardError(xs: number[]): { mean: number; se: number; count: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, se: NaN, count: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, se: 0, count: 1 };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(v / n), count: n };
}

/** A curve averaged across seeds: one entry per step (or per bin). */
export interface SeedCurve {
  /** x of each point (the step, or the bin's geometric centre). */
  x: number[];
  mean: number[];
  se: number[];
  /** Seeds with data at each point. */
  seeds: number[];
}

/**
 * Mean and standard error across seeds of `y` at each checkpoint step (every run records the same steps).
 */
export function curveByStep(runs: AnalogueRecord[][], y: (r: AnalogueRecord) => number): SeedCurve {
  if (runs.length === 0) throw new RangeError("curveByStep: runs must not be empty");
  const steps = runs[0].map((r) => r.step);
  for (const run of runs) {
    if (run.length !== steps.length || run.some((r, i) => r.step !== steps[i])) throw new RangeError("curveByStep: every run must record the same steps");
  }
  const stats = steps.map((_, i) => meanAndStandardError(runs.map((run) => y(run[i]))));
  return { x: steps, mean: stats.map((s) => s.mean), se: stats.map((s) => s.se), seeds: stats.map((s) => s.count) };
}

/** `bins + 1` edges spaced geometrically from lo to hi (0 < lo < hi). */
export function geometricEdges(lo: number, hi: number, bins: number): number[] {
  if (!(lo > 0 && hi > lo && Number.isFinite(hi))) throw new RangeError(`geometricEdges: need 0 < lo < hi, got lo = ${lo}, hi = ${hi}`);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`geometricEdges: bins must be a positive integer, got ${bins}`);
  return Array.from({ length: bins + 1 }, (_, i) => lo * Math.pow(hi / lo, i / bins));
}

/**
 * Averaged curve of y against x across seeds: each run's records are averaged within each bin
 * [edges[k], edges[k+1]) of x (the last bin includes its right edge), then mean and standard error over the
 * runs with data in the bin. Bins without data have mean NaN and seeds 0; x is the bin's geometric centre.
 */
export function binnedCurve(runs: AnalogueRecord[][], x: (r: AnalogueRecord) => number, y: (r: AnalogueRecord) => number, edges: number[]): SeedCurve {
  const bins = edges.length - 1;
  if (bins < 1) throw new RangeError(`binnedCurve: edges must hold at least 2 values, got ${edges.length}`);
  for (let k = 0; k < bins; k++) if (!(edges[k + 1] > edges[k])) throw new RangeError(`binnedCurve: edges must increase, edges[${k}] = ${edges[k]}, edges[${k + 1}] = ${edges[k + 1]}`);
  const perBin: number[][] = Array.from({ length: bins }, () => []);
  for (const run of runs) {
    const sum = new Float64Array(bins), cnt = new Int32Array(bins);
    for (const r of run) {
      const xv = x(r);
      let k = -1;
      for (let b = 0; b < bins; b++) if (xv >= edges[b] && (xv < edges[b + 1] || (b === bins - 1 && xv === edges[bins]))) { k = b; break; }
      if (k < 0) continue;
      sum[k] += y(r);
      cnt[k]++;
    }
    for (let k = 0; k < bins; k++) if (cnt[k] > 0) perBin[k].push(sum[k] / cnt[k]);
  }
  const stats = perBin.map((v) => meanAndStandardError(v));
  return {
    x: Array.from({ length: bins }, (_, k) => Math.sqrt(edges[k] * edges[k + 1])),
    mean: stats.map((s) => s.mean),
    se: stats.map((s) => s.se),
    seeds: stats.map((s) => s.count),
  };
}

/** Pointwise comparison of two curves on the same x. */
export interface CurveOrdering {
  /** Points where both curves have at least `minSeeds` seeds. */
  matched: number;
  /** Matched points where a's mean exceeds b's. */
  aLarger: number;
  /** aLarger / matched (NaN when nothing matched). */
  fraction: number;
  /** Indices of the matched points. */
  indices: number[];
}

/** In how many of the points that both curves cover (each with >= minSeeds seeds) is a above b? */
export function compareCurves(a: SeedCurve, b: SeedCurve, minSeeds = 1): CurveOrdering {
  if (a.x.length !== b.x.length || a.x.some((v, i) => v !== b.x[i])) throw new RangeError("compareCurves: the curves must share their x values");
  const indices: number[] = [];
  let aLarger = 0;
  for (let i = 0; i < a.x.length; i++) {
    if (a.seeds[i] < minSeeds || b.seeds[i] < minSeeds) continue;
    indices.push(i);
    if (a.mean[i] > b.mean[i]) aLarger++;
  }
  return { matched: indices.length, aLarger, fraction: indices.length ? aLarger / indices.length : NaN, indices };
}

// ranks and spearman live in lib/stats; re-exported for this module's callers.
import { ranks, spearman } from "../stats";
export { ranks, spearman };

/**
 * Attention probabilities of an attention model `analogueModel(vocab, arch, true, sink)` at theta on the
 * one-hot input X (`vocab x (T B)`): a plain re-evaluation of the forward pass of `lib/models/transformer`
 * (which does not expose its attention weights), returning `logits` (to be compared with `model.forward`)
 * and, per layer and head, the mean attention weight on the first token over every query t >= 1 of every
 * sequence (query 0 can only attend to itself).
 */
export function attentionOnFirstToken(vocab: number, arch: AnalogueArch, sink: number, theta: Float64Array, X: Matrix): { perHead: number[][]; mean: number; logits: Matrix } {
  const model = analogueModel(vocab, arch, true, sink);
  if (theta.length !== model.numParams) throw new RangeError(`attentionOnFirstToken: theta must have length ${model.numParams}, got ${theta.length}`);
  if (X.rows !== vocab || X.columns % arch.seqLen !== 0) throw new RangeError(`attentionOnFirstToken: X must be ${vocab} x (multiple of ${arch.seqLen}), got ${X.rows} x ${X.columns}`);
  const T = arch.seqLen, d = arch.dModel, H = arch.heads, dh = d / H, m = arch.mlpWidth ?? 4 * d;
  const N = X.columns, B = N / T;
  const blk = new Map(model.blocks.map((b) => [b.name, b]));
  const W = (name: string) => { const b = blk.get(name)!; return theta.subarray(b.offset, b.offset + b.size); };
  // column-major working arrays: h[j * d + i] = feature i of token column j
  const tokens = Array.from({ length: N }, (_, j) => { for (let v = 0; v < vocab; v++) if (X.get(v, j) === 1) return v; throw new RangeError(`attentionOnFirstToken: column ${j} of X is not one-hot`); });
  const E = W("E"), P = W("P");
  let h = new Float64Array(N * d);
  for (let j = 0; j < N; j++) for (let i = 0; i < d; i++) h[j * d + i] = E[i * vocab + tokens[j]] + P[i * T + (j % T)];
  const layerNorm = (x: Float64Array, g: Float64Array, b: Float64Array) => {
    const y = new Float64Array(x.length);
    for (let j = 0; j < N; j++) {
      let mu = 0; for (let i = 0; i < d; i++) mu += x[j * d + i]; mu /= d;
      let v = 0; for (let i = 0; i < d; i++) v += (x[j * d + i] - mu) ** 2; v /= d;
      const r = 1 / Math.sqrt(v + 1e-5);
      for (let i = 0; i < d; i++) y[j * d + i] = (x[j * d + i] - mu) * r * g[i] + b[i];
    }
    return y;
  };
  const linear = (A: Float64Array, rows: number, cols: number, x: Float64Array, bias?: Float64Array) => {
    const y = new Float64Array(N * rows);
    for (let j = 0; j < N; j++) for (let r = 0; r < rows; r++) {
      let s = bias ? bias[r] : 0;
      for (let c = 0; c < cols; c++) s += A[r * cols + c] * x[j * cols + c];
      y[j * rows + r] = s;
    }
    return y;
  };
  const perHead: number[][] = [];
  for (let l = 1; l <= arch.layers; l++) {
    const x = layerNorm(h, W(`${l}.ln1.g`), W(`${l}.ln1.b`));
    const cat = new Float64Array(N * d);
    const row: number[] = [];
    for (let hd = 1; hd <= H; hd++) {
      const Q = linear(W(`${l}.${hd}.Wq`), dh, d, x), K = linear(W(`${l}.${hd}.Wk`), dh, d, x), Vv = linear(W(`${l}.${hd}.Wv`), dh, d, x);
      let first = 0, count = 0;
      for (let s = 0; s < B; s++) for (let t = 0; t < T; t++) {
        const q = s * T + t;
        const sc = new Float64Array(t + 1);
        let mx = -Infinity;
        for (let u = 0; u <= t; u++) {
          let dot = 0; for (let i = 0; i < dh; i++) dot += Q[q * dh + i] * K[(s * T + u) * dh + i];
          sc[u] = dot / Math.sqrt(dh) + (u === 0 ? sink : 0);
          mx = Math.max(mx, sc[u]);
        }
        let z = 0; for (let u = 0; u <= t; u++) { sc[u] = Math.exp(sc[u] - mx); z += sc[u]; }
        for (let u = 0; u <= t; u++) {
          const a = sc[u] / z;
          for (let i = 0; i < dh; i++) cat[q * d + (hd - 1) * dh + i] += a * Vv[(s * T + u) * dh + i];
        }
        if (t >= 1) { first += sc[0] / z; count++; }
      }
      row.push(count ? first / count : NaN);
    }
    perHead.push(row);
    const upd = linear(W(`${l}.Wo`), d, d, cat);
    for (let k = 0; k < h.length; k++) h[k] += upd[k];
    const x2 = layerNorm(h, W(`${l}.ln2.g`), W(`${l}.ln2.b`));
    const a1 = linear(W(`${l}.mlp.W1`), m, d, x2, W(`${l}.mlp.b1`)).map((v) => gelu.f(v));
    const upd2 = linear(W(`${l}.mlp.W2`), d, m, a1, W(`${l}.mlp.b2`));
    for (let k = 0; k < h.length; k++) h[k] += upd2[k];
  }
  const logitsCm = linear(W("Wout"), vocab, d, layerNorm(h, W("lnf.g"), W("lnf.b")));
  const logits = new Matrix(vocab, N);
  for (let j = 0; j < N; j++) for (let v = 0; v < vocab; v++) logits.set(v, j, logitsCm[j * vocab + v]);
  const all = perHead.flat();
  return { perHead, mean: all.reduce((a, b) => a + b, 0) / all.length, logits };
}

/** The Hessian spectrum of one sink setting. */
export interface SinkSpectrum {
  sink: number;
  /** Mean attention on the first token (queries t >= 1, all heads and layers). */
  attentionFirst: number;
  /** The k largest Hessian eigenvalues, descending (Lanczos). */
  top: Float64Array;
  /** Stochastic Lanczos quadrature of the whole spectrum: nodes and weights (summing to 1). */
  slq: { nodes: Float64Array; weights: Float64Array };
  loss: number;
  converged: boolean;
}

/**
 * Hessian spectra of the attention model at fixed weights theta (trained with sink 0) when an attention-sink
 * bias `sink` is added to every head's pre-softmax score on the first token (Cracking D.1.6 adds it to the
 * first head of every block; `transformer`'s `sink` option acts on every head), for each sink value, on the
 * same sample (X, labels).
 *
 * @param options.k top eigenvalues by Lanczos (tol 1e-6); options.probes, options.steps: SLQ
 */
export function sinkSpectra(vocab: number, arch: AnalogueArch, theta: Float64Array, X: Matrix, labels: ArrayLike<number>, sinks: number[], gen: Rng, options: { k: number; probes: number; steps: number }): SinkSpectrum[] {
  return sinks.map((sink) => {
    const model = analogueModel(vocab, arch, true, sink);
    const problem = crossEntropyProblem(model, X, labels);
    const g = gen.fork(`sink ${sink}`);
    const top = lanczos(hessianOperator(problem, theta), { k: options.k, which: "largest", rng: g, tol: 1e-6, basisSize: Math.max(2 * options.k + 10, 20), maxIterations: 1000 });
    const slq = slqDensity(hessianOperator(problem, theta), { probes: options.probes, steps: options.steps, rng: g });
    return { sink, attentionFirst: attentionOnFirstToken(vocab, arch, sink, theta, X).mean, top: top.values, slq, loss: lossAndResidual(problem, theta).loss, converged: top.converged };
  });
}
