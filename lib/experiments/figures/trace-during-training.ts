/**
 * Data Dependence, Figures 3 and 4 (App. A, B, C): the trace (Hutchinson against (7)) and the top eigenvalues
 * (LOBPCG against (15)) of the Hessian during training, for one image data set. The notebook keeps the parameters, the checks and the
 * plots; this is the training run and the recording. Each data set's panel is one task of lib/tasks
 * (`tracePanels`, `topPanels`): run on worker threads, stored when it finishes, read back by a later run, so a
 * killed paper-scale run resumes with the panels it had finished.
 */
import type { ImageDataset } from "../../data/loaders";
import { dataDir, loadCifar10, loadFashionMnist, loadMnist } from "../../data/loaders";
import { classProportionSubset } from "../../data/subsets";
import { deepLinear } from "../../models/mlp";
import { endToEndLinear } from "../../models/end-to-end";
import { gradient, hessianOperator, loss } from "../../curvature/curvature";
import { Problem, mseProblem, populationProblem } from "../../curvature/problem";
import type { Model } from "../../models/model";
import { Matrix } from "ml-matrix";
import { hutchinson } from "../../linalg/trace";
import { studentizedMean } from "../../stats/skewness";
import { lobpcg } from "../../linalg/lobpcg";
import { pytorchDefaultInit } from "../../init/generic";
import { gradientDescent, halvingSchedule } from "../../train";
import { shallowTopEigenvalues, traceFormula } from "../../papers/data-dependence";
import { rng } from "../../random/rng";
import type { Rng } from "../../random/rng";
import { canonicalJson, runTasksBlocking, scaleTasksRoot, sha256 } from "../../tasks";
import type { TaskFunction } from "../../tasks";
import { DatasetRef, sharedDataset, sharedDatasets } from "../data-dependence/image-datasets";

/**
 * One recorded epoch: the loss, (7) from the weights, Hutchinson's estimate, its standard error, the plain
 * z = (estimate - (7)) / SE, the probes' skewness and Hall's skewness-corrected z (lib/stats/skewness: the plain z
 * of right-skewed probes has a heavy left tail, so only the corrected one may be compared with normal quantiles).
 */
export interface TraceRecord {
  epoch: number;
  loss: number;
  eq7: number;
  hutch: number;
  se: number;
  z: number;
  skewness: number;
  zCorrected: number;
  /** Present when |zCorrected| exceeded `options.confirm.limit`: a fresh, independent estimate at the same weights. */
  confirmation?: TraceConfirmation;
}

/** A second Hutchinson estimate at a flagged record, from its own probes (more of them). */
export interface TraceConfirmation {
  probes: number;
  hutch: number;
  se: number;
  z: number;
  skewness: number;
  zCorrected: number;
}

/** The run's settings (the notebook's parameters). */
export interface TracePanelOptions {
  /** Subset size (class-proportion rule of App. C, whitened to sigma_x = 1). */
  n: number;
  /** Hidden width and number of layers L of the deep linear network. */
  width: number;
  L: number;
  /** lr_max of the halving schedule, and the number of full-batch epochs. */
  lr: number;
  epochs: number;
  /** Hutchinson probes per record (Gaussian). */
  probes: number;
  /** Epochs at which to record (0 = the initialisation). */
  recordAt: number[];
  /**
   * Screen and confirm: a record whose |zCorrected| exceeds `limit` is estimated again at the same weights with
   * `probes` fresh probes (from `gen.fork(label-epoch-confirm)`), so a chance excursion of the first estimate can
   * be told from a trace that differs from (7), which the larger sample shows again.
   */
  confirm?: { limit: number; probes: number };
}

/** What `tracePanel` measured. */
export interface TracePanel {
  records: TraceRecord[];
  /** Population and sample losses at the initialisation (they must agree: the population form is exact). */
  initialLoss: { population: number; sample: number };
  /** max |g_population - g_sample| / max |g_sample| at the initialisation. */
  initialGradientError: number;
  /** d_0 after dropping constant pixels, how many were dropped, and the parameter count. */
  d0: number;
  dropped: number;
  p: number;
  seconds: number;
}

/**
 * Train a deep linear network (PyTorch default init) on a whitened class-proportion subset of `ds` by full-batch
 * GD on the population form of its MSE, recording (7) and Hutchinson's trace of the Hessian at `recordAt`.
 * Draws, in order: the subset from `subsetGen` (default `gen`) and the initialisation from `gen`, each record's
 * probes from `gen.fork(label-epoch)`.
 */
export function tracePanel(ds: ImageDataset, label: string, options: TracePanelOptions, gen: Rng, subsetGen: Rng = gen): TracePanel {
  const c = options.confirm;
  if (c !== undefined && !(c.limit > 0 && Number.isFinite(c.limit) && Number.isInteger(c.probes) && c.probes >= 2)) {
    throw new RangeError(`tracePanel: options.confirm must be { limit: a positive number, probes: an integer >= 2 }, got ${JSON.stringify(c)}`);
  }
  const t0 = Date.now();
  const run = populationRun(ds, options.n, Array(options.L - 1).fill(options.width), gen, subsetGen);
  const { model, problem, theta0 } = run;
  const records: TraceRecord[] = [];
  const onStep = (s: { step: number; loss: number; theta: Float64Array }) => {
    if (!options.recordAt.includes(s.step)) return;
    const W = model.unflatten(s.theta);
    const eq7 = traceFormula(W, 1);
    const H = hessianOperator(problem, s.theta);
    const h = hutchinson(H, { probes: options.probes, rng: gen.fork(`${label}-${s.step}`), distribution: "gaussian" });
    const t = studentizedMean(h.samples, eq7);
    const record: TraceRecord = { epoch: s.step, loss: s.loss, eq7, hutch: h.estimate, se: h.standardError, z: t.t, skewness: t.skewness, zCorrected: t.corrected };
    const confirm = options.confirm;
    if (confirm && Math.abs(t.corrected) > confirm.limit) {
      const h2 = hutchinson(H, { probes: confirm.probes, rng: gen.fork(`${label}-${s.step}-confirm`), distribution: "gaussian" });
      const t2 = studentizedMean(h2.samples, eq7);
      record.confirmation = { probes: confirm.probes, hutch: h2.estimate, se: h2.standardError, z: t2.t, skewness: t2.skewness, zCorrected: t2.corrected };
    }
    records.push(record);
  };
  gradientDescent(problem, theta0, { steps: options.epochs, lr: halvingSchedule(options.lr), onStep });
  return { records, initialLoss: run.initialLoss, initialGradientError: run.initialGradientError, d0: run.d0, dropped: run.dropped, p: theta0.length, seconds: (Date.now() - t0) / 1000 };
}

/** A deep linear network on the population form of a whitened class-proportion subset, ready to train. */
export interface PopulationRun {
  model: Model;
  problem: Problem;
  theta0: Float64Array;
  initialLoss: { population: number; sample: number };
  initialGradientError: number;
  d0: number;
  dropped: number;
}

/**
 * The set-up Figures 3 and 4 share: a class-proportion subset of n samples of `ds` (whitened, sigma_x = 1), the
 * network [d_0, ...hidden, classes] in end-to-end form on its population loss, a PyTorch default initialisation,
 * and the comparison at that initialisation with the sample MSE of the same network. Draws: the subset from
 * `subsetGen` (default `gen`), then the initialisation from `gen`.
 */
export function populationRun(ds: ImageDataset, n: number, hidden: number[], gen: Rng, subsetGen: Rng = gen): PopulationRun {
  const sub = classProportionSubset(ds, n, subsetGen, { sigmaX: 1 });
  const widths = [sub.X.rows, ...hidden, ds.classes];
  const model = endToEndLinear(widths);
  const problem = populationProblem(model, { Sxx: sub.Sxx, Syx: sub.Syx, Syy: sub.Syy });
  const theta0 = pytorchDefaultInit(deepLinear(widths), gen);
  const sample = mseProblem(deepLinear(widths), sub.X, sub.Y);
  const g1 = gradient(problem, theta0), g2 = gradient(sample, theta0);
  let e = 0, m = 0;
  for (let i = 0; i < g1.length; i++) { e = Math.max(e, Math.abs(g1[i] - g2[i])); m = Math.max(m, Math.abs(g2[i])); }
  return { model, problem, theta0, initialLoss: { population: loss(problem, theta0), sample: loss(sample, theta0) }, initialGradientError: e / m, d0: sub.X.rows, dropped: sub.dropped };
}

/** One recorded epoch of Figure 4: LOBPCG's top-k Hessian eigenvalues against (15), with the solver's record. */
export interface TopRecord {
  epoch: number;
  loss: number;
  hess: number[];
  eq15: number[];
  pctErr: number[];
  resBoundPct: number;
  converged: boolean;
  iterations: number;
  products: number;
}

/** Figure 4's settings: a two-layer network of the given width, k eigenvalues by LOBPCG at `recordAt`. */
export interface TopPanelOptions {
  n: number;
  width: number;
  lr: number;
  epochs: number;
  k: number;
  tol: number;
  maxIterations: number;
  recordAt: number[];
}

/**
 * Data Dependence, Figure 4: train a two-layer linear network as in `tracePanel` and record, at `recordAt`, the
 * top-k Hessian eigenvalues by LOBPCG (warm-started from the previous record's vectors; probes from
 * `gen.fork(label-h-epoch)`) against the closed form (15).
 */
export function topPanel(ds: ImageDataset, label: string, options: TopPanelOptions, gen: Rng, subsetGen: Rng = gen): { run: PopulationRun; records: TopRecord[]; seconds: number } {
  const t0 = Date.now();
  const run = populationRun(ds, options.n, [options.width], gen, subsetGen);
  const { model, problem, theta0 } = run;
  const records: TopRecord[] = [];
  let warm: Matrix | undefined; // the previous record's eigenvectors start the next solve (the Hessian moves slowly)
  const onStep = (s: { step: number; loss: number; theta: Float64Array }) => {
    if (!options.recordAt.includes(s.step)) return;
    const [W1, W2] = model.unflatten(s.theta);
    const eq15 = Array.from(shallowTopEigenvalues(W1, W2, 1, options.k));
    const h = lobpcg(hessianOperator(problem, s.theta), { k: options.k, rng: gen.fork(`${label}-h-${s.step}`), tol: options.tol, maxIterations: options.maxIterations, initial: warm });
    warm = h.vectors;
    const hess = Array.from(h.values);
    records.push({
      epoch: s.step, loss: s.loss, hess, eq15,
      pctErr: hess.map((v, i) => (100 * Math.abs(v - eq15[i])) / Math.abs(v)),
      resBoundPct: Math.max(...Array.from(h.residualNorms).map((r, i) => (100 * r) / Math.abs(hess[i]))),
      converged: h.converged, iterations: h.iterations, products: h.products,
    });
  };
  gradientDescent(problem, theta0, { steps: options.epochs, lr: halvingSchedule(options.lr), onStep });
  return { run, records, seconds: (Date.now() - t0) / 1000 };
}

/** A panel of Figure 3 or 4: the data set's label (the figure's panel title) and the data set. */
export interface LabelledDataset {
  label: string;
  ds: ImageDataset;
}

/**
 * The panels of Figures 3 and 4 (and 1c): Fashion-MNIST (its files must be present), then `optionalDatasets`.
 */
export function figureDatasets(n: number, log: (line: string) => void = (l) => console.log(l)): LabelledDataset[] {
  return [{ label: "Fashion-MNIST", ds: loadFashionMnist("train") }, ...optionalDatasets(n, log)];
}

/**
 * MNIST and CIFAR-10, each when its files are present under `dataDir()` and d_0 < n (whitening needs n > d_0);
 * a line says why a panel is left out. Nothing is substituted for an absent data set.
 */
export function optionalDatasets(n: number, log: (line: string) => void = (l) => console.log(l)): LabelledDataset[] {
  const out: LabelledDataset[] = [];
  for (const [label, load] of [["MNIST", () => loadMnist("train")], ["CIFAR-10", () => loadCifar10("train")]] as [string, () => ImageDataset][]) {
    let ds: ImageDataset;
    try { ds = load(); } catch (e) { log(`${label}: files absent under ${dataDir()}, panel not drawn (${(e as Error).message.split("\n")[0]})`); continue; }
    if (ds.dim >= n) { log(`${label}: d0 = ${ds.dim} >= n = ${n}: whitening needs n > d0; run with --scale paper (n = 5000).`); continue; }
    out.push({ label, ds });
  }
  return out;
}

/** `records` epochs from 0 to `epochs`, spaced geometrically (early training, when the loss is high, well covered). */
export function geometricRecords(epochs: number, records: number): number[] {
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`geometricRecords: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(records) || records < 2) throw new RangeError(`geometricRecords: records must be an integer >= 2, got ${records}`);
  return Array.from(new Set(Array.from({ length: records }, (_, i) => (i === 0 ? 0 : Math.round(Math.pow(epochs, i / (records - 1))))))).sort((a, b) => a - b);
}

/**
 * One panel as a task: which data set (name and content hash), the seed of its subset's generator (the study
 * seed: the subset is part of the data, the same for any other panel or run), its label (fork labels of its
 * probes) and the settings.
 */
export interface PanelTaskParams<O> {
  dataset: DatasetRef;
  subsetSeed: number;
  label: string;
  options: O;
}

/** Figure 3's panel as a task of lib/tasks: `tracePanel` on the data set of `context.shared`, drawing from `gen`. */
export function tracePanelTask(p: PanelTaskParams<TracePanelOptions>, gen: Rng, context: { shared?: unknown }): TracePanel {
  return tracePanel(sharedDataset(context.shared, p.dataset, "tracePanelTask"), p.label, p.options, gen, rng(p.subsetSeed));
}

/** What a Figure 4 panel keeps (plain data: `topPanel` without the model and problem). */
export interface TopPanelSummary {
  records: TopRecord[];
  initialLoss: { population: number; sample: number };
  initialGradientError: number;
  d0: number;
  dropped: number;
  /** Parameter count. */
  p: number;
  seconds: number;
}

/** Figure 4's panel as a task of lib/tasks: `topPanel` on the data set of `context.shared`, drawing from `gen`. */
export function topPanelTask(p: PanelTaskParams<TopPanelOptions>, gen: Rng, context: { shared?: unknown }): TopPanelSummary {
  const { run, records, seconds } = topPanel(sharedDataset(context.shared, p.dataset, "topPanelTask"), p.label, p.options, gen, rng(p.subsetSeed));
  return { records, initialLoss: run.initialLoss, initialGradientError: run.initialGradientError, d0: run.d0, dropped: run.dropped, p: run.theta0.length, seconds };
}

/** How a figure's panels run (lib/tasks): every field optional. */
export interface PanelRunOptions {
  /** Worker threads (default HS_WORKERS, else every core). */
  workers?: number;
  /** Where progress lines go (default console.log). */
  log?: (line: string) => void;
}

// One task per panel, fork label = the panel's label, study `data-dependence-<figure>/<hash>`.
function panelStudy<O, R>(figure: string, run: string, fn: TaskFunction<PanelTaskParams<O>, R>, panels: LabelledDataset[], options: O, gen: Rng, runOptions: PanelRunOptions): (R & { label: string })[] {
  if (!Array.isArray(panels) || panels.length === 0) throw new RangeError(`${run}: panels must be a non-empty array of { label, ds }`);
  const { shared, refs } = sharedDatasets(panels.map((p) => p.ds));
  const params = panels.map((p, i) => ({ dataset: refs[i], subsetSeed: gen.seed, label: p.label, options }));
  const out = runTasksBlocking<PanelTaskParams<O>, R>({
    study: `data-dependence-${figure}/${sha256(canonicalJson({ params, seed: gen.seed }, run)).slice(0, 12)}`,
    seed: gen.seed,
    label: (i) => panels[i].label,
    params,
    module: __filename,
    root: scaleTasksRoot(),
    shared,
    workers: runOptions.workers,
    log: runOptions.log,
  }, run, fn);
  return out.results.map((r, i) => ({ ...r, label: panels[i].label }));
}

/**
 * Data Dependence, Figure 3: `tracePanel` for each data set, each panel a resumable task (`tracePanelTask`): its
 * subset from `rng(gen.seed)`, its initialisation and probes from `gen.fork(label)`; stored under `scaleTasksRoot()` in `data-dependence-figure-3/<hash>`.
 */
export function tracePanels(panels: LabelledDataset[], options: TracePanelOptions, gen: Rng, runOptions: PanelRunOptions = {}): (TracePanel & { label: string })[] {
  return panelStudy("figure-3", "tracePanelTask", tracePanelTask, panels, options, gen, runOptions);
}

/**
 * Data Dependence, Figure 4: `topPanel` for each data set, each panel a resumable task (`topPanelTask`): its
 * subset from `rng(gen.seed)`, its initialisation and LOBPCG starts from `gen.fork(label)`; stored under `scaleTasksRoot()` in `data-dependence-figure-4/<hash>`.
 */
export function topPanels(panels: LabelledDataset[], options: TopPanelOptions, gen: Rng, runOptions: PanelRunOptions = {}): (TopPanelSummary & { label: string })[] {
  return panelStudy("figure-4", "topPanelTask", topPanelTask, panels, options, gen, runOptions);
}
