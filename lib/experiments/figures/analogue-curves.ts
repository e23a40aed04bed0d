/**
 * Cracking the Hessian, Figures 23-25 (App. D.3.6): the Transformer analogue with and without attention,
 * trained side by side over seeds, and the relative error of the GGN's top eigenvalue against the Hessian's
 * along training. One function runs the sweep and measures what every figure checks first; the curve traces
 * are drawn the same way in each. The notebooks keep the parameters, the checks and the plots.
 */
import type { Rng } from "../../random/rng";
import {
  AnalogueArch, AnalogueCorpus, AnalogueRecord, AnalogueSweep, AnalogueTraining, SeedCurve, TopOptions, analogueSweep, checkpointSteps,
} from "../transformer-analogue";
import { NotebookChecks, requireChecks } from "./checks";

/** A figure's configuration: the architecture, the training, how many checkpoints and seeds. */
export interface AnalogueFigureConfig {
  arch: AnalogueArch;
  steps: number;
  batch: number;
  lr: number;
  evalSequences: number;
  /** Number of checkpoints (`checkpointSteps(steps, checkpoints)`). */
  checkpoints: number;
  seeds: number;
  lanczos?: TopOptions;
}

/** A figure's settings with the number of loss bins its curves are averaged in. */
export interface AnalogueSettings extends AnalogueFigureConfig {
  bins: number;
}

/**
 * The settings Figures 5 and 23-25 share (with seed 5 they run the same sweep): context T = seqLen, width d =
 * dModel, heads, blocks (MLP width 4d; the attention-free model gets a matched MLP width). Measured: quick scale
 * about 20 s (40-60 s when the machine is heavily loaded, much of it the kernel's start); paper scale about
 * 1-2 minutes (5-6 minutes heavily loaded).
 */
export const ANALOGUE_SETTINGS: { quick: AnalogueSettings; paper: AnalogueSettings } = {
  quick: { arch: { seqLen: 10, dModel: 16, heads: 1, layers: 1 }, steps: 120, batch: 4, lr: 1e-2, evalSequences: 4, checkpoints: 7, seeds: 3, bins: 6, lanczos: { basisSize: 12, tol: 1e-5 } },
  paper: { arch: { seqLen: 16, dModel: 24, heads: 2, layers: 2 }, steps: 400, batch: 6, lr: 5e-3, evalSequences: 6, checkpoints: 12, seeds: 3, bins: 8, lanczos: { basisSize: 16, tol: 1e-6 } },
};

/** What `analogueFigure` ran and measured. */
export interface AnalogueFigure {
  corpus: AnalogueCorpus;
  training: AnalogueTraining;
  sweep: AnalogueSweep;
  /** Checkpoint records per seed, with attention and without. */
  runsA: AnalogueRecord[][];
  runsN: AnalogueRecord[][];
  /** |params with − params without| / params with. */
  parameterGap: number;
  /** Fraction of checkpoints whose Lanczos runs converged. */
  convergedFraction: number;
  /** Mean (over seeds) final / initial checkpoint loss, per model. */
  lossRatio: { attention: number; noAttention: number };
}

/** Run the sweep (`analogueSweep` on `gen`) and measure the sizes, the convergence and the training progress. */
export function analogueFigure(corpus: AnalogueCorpus, config: AnalogueFigureConfig, gen: Rng): AnalogueFigure {
  if (!config || typeof config !== "object" || !config.arch) throw new TypeError("analogueFigure: config must carry arch, steps, batch, lr, evalSequences, checkpoints and seeds");
  const training: AnalogueTraining = {
    steps: config.steps, batch: config.batch, lr: config.lr, evalSequences: config.evalSequences,
    checkpoints: checkpointSteps(config.steps, config.checkpoints), lanczos: config.lanczos,
  };
  const sweep = analogueSweep(corpus, config.arch, training, config.seeds, gen);
  const runsA = sweep.attention.map((r) => r.records);
  const runsN = sweep.noAttention.map((r) => r.records);
  const allRecords = [...runsA, ...runsN].flat();
  const meanAt = (runs: AnalogueRecord[][], i: number) => runs.reduce((s, run) => s + run[i].loss, 0) / runs.length;
  const last = training.checkpoints.length - 1;
  return {
    corpus, training, sweep, runsA, runsN,
    parameterGap: Math.abs(sweep.params.attention - sweep.params.noAttention) / sweep.params.attention,
    convergedFraction: allRecords.filter((r) => r.converged).length / allRecords.length,
    lossRatio: { attention: meanAt(runsA, last) / meanAt(runsA, 0), noAttention: meanAt(runsN, last) / meanAt(runsN, 0) },
  };
}

/** One Markdown line: the corpus, the two models' sizes, the checkpoints and the sweep time. */
export function analogueSummary(fig: AnalogueFigure): string {
  const { corpus, sweep, training } = fig;
  return `Corpus: ${corpus.tokens.length} characters, vocabulary ${corpus.vocab} (\`${corpus.chars.join("")}\`). With attention: **${sweep.params.attention}** parameters; without: **${sweep.params.noAttention}** (MLP width ${sweep.noAttentionMlpWidth}). ` +
    `Checkpoints at steps ${training.checkpoints.join(", ")}; sweep time ${sweep.seconds.toFixed(1)} s.`;
}

/**
 * Record what every analogue figure checks before its curves mean anything: the two models of similar size
 * (parameter counts within 2%), every Lanczos run converged, training lowered the loss of both models (final /
 * initial sample loss <= 0.9); after a Markdown line with the sizes and checkpoints (`analogueSummary`).
 * @param checks lib/notebook itself (`import * as notebook from "./lib/notebook"`) or any object with these functions
 */
export function checkAnalogueFigure(fig: AnalogueFigure, checks: Pick<NotebookChecks, "checkAtLeast" | "checkAtMost" | "markdown">): void {
  const { checkAtLeast, checkAtMost, markdown } = requireChecks("checkAnalogueFigure", checks, ["checkAtLeast", "checkAtMost", "markdown"]);
  markdown(analogueSummary(fig));
  checkAtMost("parameter counts of the two models differ by at most 2% (similar size)", fig.parameterGap, 0.02);
  checkAtLeast("every Lanczos run converged (fraction of checkpoints)", fig.convergedFraction, 1);
  checkAtMost("training lowered the loss (attention): final / initial sample loss", fig.lossRatio.attention, 0.9);
  checkAtMost("training lowered the loss (no attention): final / initial sample loss", fig.lossRatio.noAttention, 0.9);
}

/** The figures' colours: with attention, without. */
export const ANALOGUE_COLORS = { a: "crimson", n: "royalblue" } as const;

/** A training step on a log axis: initialisation (step 0) drawn at 0.5. */
export function stepX(step: number): number {
  return step === 0 ? 0.5 : step;
}

/** A seed-averaged curve as a Plotly trace (mean ± s.e.), x mapped by `x` (default: as is); `extra` adds fields (axes, legend). */
export function curveTrace(c: SeedCurve, name: string, color: string, options: { x?: (x: number) => number; extra?: Record<string, unknown> } = {}): Record<string, unknown> {
  const x = options.x ?? ((v: number) => v);
  return {
    x: c.x.map(x), y: c.mean, error_y: { type: "data", array: c.se, visible: true }, type: "scatter", mode: "lines+markers",
    line: { color }, name, ...options.extra,
  };
}

/** Every checkpoint of every seed as faint markers (`y` of each record against `x`). */
export function recordCloud(runs: AnalogueRecord[][], x: (r: AnalogueRecord) => number, y: (r: AnalogueRecord) => number, color: string): Record<string, unknown> {
  const records = runs.flat();
  return { x: records.map(x), y: records.map(y), type: "scatter", mode: "markers", marker: { color, opacity: 0.25, size: 5 }, showlegend: false };
}
