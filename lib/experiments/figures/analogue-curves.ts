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

/** What `analogueFigure` ran and measured. */
export interface AnalogueFigure {
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
    training, sweep, runsA, runsN,
    parameterGap: Math.abs(sweep.params.attention - sweep.params.noAttention) / sweep.params.attention,
    convergedFraction: allRecords.filter((r) => r.converged).length / allRecords.length,
    lossRatio: { attention: meanAt(runsA, last) / meanAt(runsA, 0), noAttention: meanAt(runsN, last) / meanAt(runsN, 0) },
  };
}

/** One Markdown line: the two models' sizes, the checkpoints and the sweep time. */
export function analogueSummary(fig: AnalogueFigure): string {
  const { sweep, training } = fig;
  return `With attention: **${sweep.params.attention}** parameters; without: **${sweep.params.noAttention}** (MLP width ${sweep.noAttentionMlpWidth}). ` +
    `Checkpoints at steps ${training.checkpoints.join(", ")}; sweep time ${sweep.seconds.toFixed(1)} s.`;
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
