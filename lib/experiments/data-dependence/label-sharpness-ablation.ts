/**
 * Data Dependence, Figure 2 (Section 5, App. C): the label-sharpness experiment of Figure 1c with one
 * assumption shed per panel. For each largest class proportion alpha_max, one App. C subset of an image data
 * set (the same indices in every panel) and three panels: (a) raw inputs with a strongly balanced
 * initialisation, (b) whitened inputs with PyTorch's default (Kaiming uniform) initialisation, (c) a Tanh MLP
 * with a strongly balanced initialisation on whitened inputs. Each run trains by full-batch gradient descent
 * with the halving schedule and measures the sharpness by Lanczos on exact Hessian-vector products.
 *
 * Every (alpha_max, panel) run is one task of lib/tasks (`labelSharpnessRun`), computed on worker threads,
 * stored as it finishes and read back by a later run, so a paper-scale run (hours) resumes where it was
 * killed. A task draws its initialisation and its Lanczos start from its own generator; the subset comes from
 * the study generator's fork `subset-<alpha>` (its seed is in the params), so the panels of one alpha_max
 * share their subset.
 */
import type { ImageDataset } from "../../data/loaders";
import { classProportionSubset } from "../../data/subsets";
import { mlp } from "../../models/mlp";
import { endToEndLinear } from "../../models/end-to-end";
import { hessianOperator } from "../../curvature/curvature";
import { Problem, mseProblem, populationProblem } from "../../curvature/problem";
import { lanczos } from "../../linalg/lanczos";
import { stronglyBalancedInit, pytorchDefaultInit } from "../../init";
import { gradientDescent, halvingSchedule } from "../../train";
import { rng } from "../../random/rng";
import type { Rng } from "../../random/rng";
import { canonicalJson, runTasksBlocking, scaleTasksRoot, sha256 } from "../../tasks";
import { DatasetRef, sharedDataset, sharedDatasets } from "./image-datasets";
import type { TrainedSharpnessConfig } from "./trained-sharpness";

/** The panels of Figure 2: (a) raw inputs, (b) Kaiming uniform, (c) Tanh. */
export type AblationPanel = "(a) raw inputs" | "(b) Kaiming uniform" | "(c) Tanh";
export const ABLATION_PANELS: readonly AblationPanel[] = ["(a) raw inputs", "(b) Kaiming uniform", "(c) Tanh"];

/**
 * Figure 2's configuration (the notebook's parameters): Figure 1 (c)'s training settings (`alphas` are the
 * largest class proportions of panels (a) and (b)), plus panel (c).
 */
export interface AblationConfig extends TrainedSharpnessConfig {
  /** Panel (c): its width, epochs and proportions (each must be one of `alphas`). */
  tanh: { width: number; epochs: number; alphas: number[] };
}

/** One run of the study as a task: everything that determines its result (plain JSON, hashed into its key). */
export interface AblationRunParams {
  dataset: DatasetRef;
  panel: AblationPanel;
  alpha: number;
  /** Seed of the subset's generator (the study generator's fork `subset-<alpha>`). */
  subsetSeed: number;
  n: number;
  width: number;
  L: number;
  lr: number;
  epochs: number;
}

/** What a run measured. `sharpness` is NaN when the run diverged. */
export interface AblationPoint {
  panel: AblationPanel;
  /** The requested and the realised largest class proportion. */
  alpha: number;
  alphaMax: number;
  finalLoss: number;
  sharpness: number;
  stopped: string;
  lrFinal: number;
  seconds: number;
}

/**
 * One run of Figure 2 (a task of lib/tasks): the subset of `context.shared`'s data set, raw for panel (a) and
 * whitened (sigma_x = 1) otherwise; the deep linear network in population form (exact for the sample MSE) for
 * (a) and (b), the Tanh MLP on the sample for (c); gradient descent with the halving rule from lr_max; the
 * sharpness by Lanczos (tol 1e-8). Draws: the initialisation from `gen`, Lanczos's start from `gen.fork("lanczos")`.
 */
export function labelSharpnessRun(p: AblationRunParams, gen: Rng, context: { shared?: unknown }): AblationPoint {
  const t0 = Date.now();
  if (!ABLATION_PANELS.includes(p.panel)) throw new RangeError(`labelSharpnessRun: panel must be one of ${ABLATION_PANELS.join(", ")}, got ${JSON.stringify(p.panel)}`);
  const ds = sharedDataset(context.shared, p.dataset, "labelSharpnessRun");
  const raw = p.panel === "(a) raw inputs";
  const sub = classProportionSubset(ds, p.n, rng(p.subsetSeed), { alphaMax: p.alpha, sigmaX: raw ? null : 1 });
  const widths = [sub.X.rows, ...Array(p.L - 1).fill(p.width), ds.classes];
  const balanced = () => stronglyBalancedInit(widths, Array.from({ length: Math.min(...widths) }, () => gen.uniform()), gen).theta;
  let problem: Problem;
  let theta0: Float64Array;
  if (p.panel === "(c) Tanh") {
    problem = mseProblem(mlp(widths, { activation: "tanh" }), sub.X, sub.Y);
    theta0 = balanced();
  } else {
    problem = populationProblem(endToEndLinear(widths), { Sxx: sub.Sxx, Syx: sub.Syx, Syy: sub.Syy });
    theta0 = raw ? balanced() : pytorchDefaultInit(mlp(widths, { activation: "linear" }), gen);
  }
  const schedule = halvingSchedule(p.lr);
  const run = gradientDescent(problem, theta0, { steps: p.epochs, lr: schedule });
  const sharpness = run.stopped === "diverged" ? NaN : lanczos(hessianOperator(problem, run.theta), { k: 1, rng: gen.fork("lanczos"), tol: 1e-8 }).values[0];
  return { panel: p.panel, alpha: p.alpha, alphaMax: sub.alphaMax, finalLoss: run.losses[run.losses.length - 1], sharpness, stopped: run.stopped, lrFinal: schedule.lr, seconds: (Date.now() - t0) / 1000 };
}

/** The tasks of a configuration, in the order of the old loop: per alpha_max, (a), (b), then (c) if listed. */
export function ablationParams(config: AblationConfig, dataset: DatasetRef, gen: Rng): AblationRunParams[] {
  const fn = "labelSharpnessAblation";
  for (const k of ["n", "width", "L", "epochs"] as const) if (!Number.isInteger(config[k]) || config[k] < 1) throw new RangeError(`${fn}: config.${k} must be a positive integer, got ${config[k]}`);
  if (!(config.lr > 0)) throw new RangeError(`${fn}: config.lr must be positive, got ${config.lr}`);
  if (!Array.isArray(config.alphas) || config.alphas.length === 0) throw new RangeError(`${fn}: config.alphas must be a non-empty array of proportions`);
  for (const a of config.tanh.alphas) if (!config.alphas.includes(a)) throw new RangeError(`${fn}: config.tanh.alphas must be among config.alphas, got ${a}`);
  const params: AblationRunParams[] = [];
  const { n, L, lr } = config;
  for (const alpha of config.alphas) {
    const subsetSeed = gen.fork(`subset-${alpha}`).seed;
    for (const panel of ["(a) raw inputs", "(b) Kaiming uniform"] as const) params.push({ dataset, panel, alpha, subsetSeed, n, L, lr, width: config.width, epochs: config.epochs });
    if (config.tanh.alphas.includes(alpha)) params.push({ dataset, panel: "(c) Tanh", alpha, subsetSeed, n, L, lr, width: config.tanh.width, epochs: config.tanh.epochs });
  }
  return params;
}

/**
 * Figure 2: every (alpha_max, panel) run of `config` on `ds`, as resumable tasks (`labelSharpnessRun`, fork
 * labels `<panel>-<alpha>`, stored under `scaleTasksRoot()` in `data-dependence-figure-2/<hash>`). Returns the
 * points in the order of `ablationParams`. Throws if the panels of one alpha_max realised different proportions.
 */
export function labelSharpnessAblation(ds: ImageDataset, config: AblationConfig, gen: Rng, options: { workers?: number; log?: (line: string) => void; study?: string } = {}): AblationPoint[] {
  const { shared, refs } = sharedDatasets([ds]);
  const params = ablationParams(config, refs[0], gen);
  const out = runTasksBlocking<AblationRunParams, AblationPoint>({
    study: options.study ?? `data-dependence-figure-2/${sha256(canonicalJson({ config, dataset: refs[0], seed: gen.seed }, "labelSharpnessAblation")).slice(0, 12)}`,
    seed: gen.seed,
    label: (i) => `${params[i].panel}-${params[i].alpha}`,
    params,
    module: __filename,
    root: scaleTasksRoot(),
    shared,
    workers: options.workers,
    log: options.log,
  }, "labelSharpnessRun", labelSharpnessRun);
  for (const r of out.results) {
    const first = out.results.find((q) => q.alpha === r.alpha)!;
    if (r.alphaMax !== first.alphaMax) throw new Error(`labelSharpnessAblation: the panels of alpha_max = ${r.alpha} realised different proportions (${first.alphaMax}, ${r.alphaMax})`);
  }
  return out.results;
}

/** The points of one panel, sorted by the realised alpha_max. */
export function panelPoints<T extends { panel: AblationPanel; alphaMax: number }>(points: T[], panel: AblationPanel): T[] {
  return points.filter((r) => r.panel === panel).sort((a, b) => a.alphaMax - b.alphaMax);
}

/**
 * Pairs (i < j) of points sorted by alpha_max whose sharpness does not increase: s_j < s_i, or either NaN (a
 * diverged run counts against "sharpness increasing with label imbalance").
 */
export function invertedPairs(points: { sharpness: number }[]): number {
  let inv = 0;
  for (let i = 0; i < points.length; i++) for (let j = i + 1; j < points.length; j++) if (!(points[j].sharpness >= points[i].sharpness)) inv++;
  return inv;
}
