/**
 * Cracking the Hessian, Figures 10-13 (App. D.1.2, D.3.2): the paired-outlier study of Figure 3 repeated for
 * one depth and activation over the four combinations of initialisation and data, as one function taking the
 * figure's configuration. The notebooks keep the parameters, the checks and the plots; this is the machinery.
 */
import type { Rng } from "../../random/rng";
import { median } from "../../stats";
import { PairedConfig, PairedData, PairedInit, PairedPoint, pairedStudy, pairedTraces } from "../paired-outliers";
import { NotebookChecks, requireChecks } from "./checks";

/** The four panels: (a) both assumptions, (b) neither, (c), (d) one each. */
export const PAIRED_PANELS: readonly (readonly [string, PairedInit, PairedData])[] = [
  ["(a) orthogonal init, decorrelated data", "orthogonal", "decorrelated"],
  ["(b) standard init, standardised data", "standard", "standardized"],
  ["(c) orthogonal init, standardised data", "orthogonal", "standardized"],
  ["(d) standard init, decorrelated data", "standard", "decorrelated"],
];

/** A figure's configuration: depth, activation and, per hidden width m, the input sizes, networks and samples. */
export interface PairedFigureConfig {
  layers: number;
  activation: "linear" | "relu";
  widths: number[];
  Ds: Record<number, number[]>;
  models: Record<number, number>;
  n: Record<number, number>;
}

/** The grid of a figure: per hidden width m, the input sizes, the networks per point and the sample size. */
export type PairedGrid = Omit<PairedFigureConfig, "layers" | "activation">;

const GRID: { quick: PairedGrid; paper: PairedGrid } = {
  quick: { widths: [10, 150], Ds: { 10: [1, 2, 10], 150: [1] }, models: { 10: 4, 150: 2 }, n: { 10: 102, 150: 152 } },
  paper: { widths: [10, 150], Ds: { 10: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 150: [1, 2, 5, 10, 25, 50, 100, 150] }, models: { 10: 100, 150: 100 }, n: { 10: 102, 150: 152 } },
};

/**
 * Figures 10-13's grid at both scales (for `pick`), for the hidden widths asked for (10 and 150). Paper scale: App.
 * D.1.2's grid (D = 1..10 at width 10; D up to 150 at width 150), 100 networks per point, samples of 102 and 152
 * points; quick scale: D in {1, 2, 10} with 4 networks at width 10, D = 1 with 2 networks at width 150.
 */
export function pairedGrid(widths: number[]): { quick: PairedGrid; paper: PairedGrid } {
  if (!Array.isArray(widths) || widths.length === 0 || widths.some((m) => !GRID.paper.widths.includes(m))) {
    throw new RangeError(`pairedGrid: widths must list some of ${GRID.paper.widths.join(", ")}, got ${JSON.stringify(widths)}`);
  }
  const only = (g: PairedGrid): PairedGrid => ({
    widths: [...widths],
    Ds: Object.fromEntries(widths.map((m) => [m, [...g.Ds[m]]])),
    models: Object.fromEntries(widths.map((m) => [m, g.models[m]])),
    n: Object.fromEntries(widths.map((m) => [m, g.n[m]])),
  });
  return { quick: only(GRID.quick), paper: only(GRID.paper) };
}

/**
 * Figure 3's readings of the two claims, shared by Figures 10-13: (a) "clearly paired", the runner-up pair at least
 * 100 times farther from tr/D than the best; (b) "no clear best pair", the runner-up within one order of magnitude.
 */
export const PAIRED_THRESHOLDS = Object.freeze({ ratioA: 100, ratioB: 10 });

/** Where a figure's claims fail in the numbers: the `disagreement` text of check (a) and of (b)'s closeness. */
export interface PairedDisagreements {
  a?: string;
  closeB?: string;
}

/**
 * Record the checks every paired-outlier figure makes (Figure 3's, as the catalogue asks): the trace of every
 * network against its eigenvalues (<= 1e-12 relative), (a) the smallest median runner-up/best ratio >= 100,
 * (b) the largest median ratio at D >= 2 <= 10, and (b)'s "very close to the trace fraction", the median best gap
 * below the median mean eigenvalue; then the tables. A claim the numbers contradict is marked by `disagreements`.
 * @param checks lib/notebook itself (`import * as notebook from "./lib/notebook"`) or any object with these functions
 */
export function checkPairedFigure(fig: PairedFigure, checks: Pick<NotebookChecks, "checkAtLeast" | "checkAtMost" | "markdown">, disagreements: PairedDisagreements = {}): PairedFigureSummary {
  const { checkAtLeast, checkAtMost, markdown } = requireChecks("checkPairedFigure", checks, ["checkAtLeast", "checkAtMost", "markdown"]);
  const mark = (text: string | undefined) => (text === undefined ? undefined : { disagreement: text });
  const s = pairedFigureSummary(fig);
  checkAtMost("trace: diagonal sum vs sum of computed eigenvalues (worst relative error, all networks)", fig.worstTraceError, 1e-12);
  checkAtLeast("(a) smallest median runner-up/best ratio over widths and D", s.minRatioA, PAIRED_THRESHOLDS.ratioA, mark(disagreements.a));
  checkAtMost("(b) largest median runner-up/best ratio over widths and D >= 2", s.maxRatioB, PAIRED_THRESHOLDS.ratioB);
  checkAtMost("(b) 'very close to the trace fraction': largest (median best gap) / (median mean eigenvalue) over D >= 2", s.worstCloseB, 1, mark(disagreements.closeB));
  markdown(pairedFigureTable(fig, s, PAIRED_THRESHOLDS));
  return s;
}

/** One panel: its title and, per width (in `widths` order), one point per D. */
export interface PairedFigurePanel {
  title: string;
  points: PairedPoint[][];
}

/** What `pairedOutlierFigure` measured. */
export interface PairedFigure {
  panels: PairedFigurePanel[];
  /** Every point of every panel. */
  everyPoint: PairedPoint[];
  /** Networks whose Hessians were computed. */
  networks: number;
  /** Worst relative error of tr(H) (diagonal sum) against the sum of the computed eigenvalues. */
  worstTraceError: number;
  seconds: number;
}

/**
 * Run the four panels of a paired-outlier figure: for each panel and each width m, `pairedStudy` over
 * `Ds[m]` with `models[m]` networks on samples of `n[m]` points, every draw from `gen` in panel order.
 */
export function pairedOutlierFigure(config: PairedFigureConfig, gen: Rng): PairedFigure {
  const fn = "pairedOutlierFigure";
  if (!config || !Array.isArray(config.widths) || config.widths.length === 0) throw new RangeError(`${fn}: config.widths must list at least one hidden width`);
  for (const m of config.widths) {
    if (!Array.isArray(config.Ds?.[m]) || !(config.models?.[m] >= 1) || !(config.n?.[m] >= 1)) {
      throw new RangeError(`${fn}: config.Ds, config.models and config.n must each have an entry for width ${m}`);
    }
  }
  console.log(`${config.layers}-layer ${config.activation} networks; ${config.widths.map((m) => `width ${m}: D in {${config.Ds[m].join(", ")}}, ${config.models[m]} networks per point, n = ${config.n[m]}`).join("; ")}`);
  const t0 = Date.now();
  const panels = PAIRED_PANELS.map(([title, init, data]) => ({
    title,
    points: config.widths.map((m) =>
      pairedStudy({ layers: config.layers, activation: config.activation, width: m, n: config.n[m], init, data } as Omit<PairedConfig, "D">, config.Ds[m], config.models[m], gen),
    ),
  }));
  const seconds = (Date.now() - t0) / 1000;
  const everyPoint = panels.flatMap((p) => p.points.flat());
  return {
    panels,
    everyPoint,
    networks: everyPoint.reduce((s, p) => s + p.models, 0),
    worstTraceError: Math.max(...everyPoint.map((p) => p.worstTraceError)),
    seconds,
  };
}

/** The quantities the figure's claims are read from. */
export interface PairedFigureSummary {
  /** (a): smallest median runner-up/best ratio over widths and D. */
  minRatioA: number;
  /** (b): largest median runner-up/best ratio over widths and D >= 2. */
  maxRatioB: number;
  /** (b): largest (median best gap) / (median mean eigenvalue) over D >= 2. */
  worstCloseB: number;
  /** D = 1 (Theorem 3.1), every panel: worst best gap / mean eigenvalue. */
  worstD1: number;
}

/** The median runner-up/best ratio of a point. */
export const medianRatio = (p: PairedPoint): number => median(p.ratio);

/** Read the figure's claims off its panels (panel 0 is (a), panel 1 is (b)). */
export function pairedFigureSummary(figure: PairedFigure): PairedFigureSummary {
  const bPts = figure.panels[1].points.flat().filter((p) => p.D >= 2);
  const d1 = figure.everyPoint.filter((p) => p.D === 1);
  return {
    minRatioA: Math.min(...figure.panels[0].points.flat().map(medianRatio)),
    maxRatioB: Math.max(...bPts.map(medianRatio)),
    worstCloseB: Math.max(...bPts.map((p) => median(p.best) / median(p.mean))),
    worstD1: Math.max(...d1.flatMap((p) => p.best.map((b, i) => b / p.mean[i]))),
  };
}

/** A Plotly figure of one panel (log-log: median gaps and mean eigenvalue against D, one colour per width). */
export function pairedPanelPlot(panel: PairedFigurePanel, widths: number[], label: string): { data: Array<Record<string, unknown>>; layout: Record<string, unknown> } {
  const colors = ["#1f77b4", "#ff7f0e"];
  return {
    data: panel.points.flatMap((pts, k) => pairedTraces(pts, `m = ${widths[k]}`, colors[k % colors.length])),
    layout: { title: `${panel.title} — ${label}`, xaxis: { title: "input size D", type: "log" }, yaxis: { title: "median over networks (10–90% bars)", type: "log", exponentformat: "power" }, height: 420 },
  };
}

/** The figure's tables (one per panel) and a sentence with the summary against its thresholds, as Markdown. */
export function pairedFigureTable(figure: PairedFigure, s: PairedFigureSummary, thresholds: { ratioA: number; ratioB: number }): string {
  const row = (p: PairedPoint) =>
    `| ${p.width} | ${p.D} | ${median(p.best).toExponential(2)} | ${median(p.second).toExponential(2)} | ${median(p.mean).toExponential(2)} | ${median(p.best.map((b, i) => b / Math.abs(p.target[i]))).toExponential(2)} | ${medianRatio(p).toExponential(2)} |`;
  const { panels } = figure;
  return (
    panels.map((pn) => `**${pn.title}**\n\n| m | D | median best gap | median runner-up | median mean eig. | median best gap / (tr/D) | median ratio |\n|---|---|---|---|---|---|---|\n${pn.points.flat().map(row).join("\n")}`).join("\n\n") +
    `\n\nSmallest median ratio in (a): **${s.minRatioA.toExponential(2)}** (check: ≥ ${thresholds.ratioA}); largest in (b) for D ≥ 2: **${s.maxRatioB.toFixed(2)}** (check: ≤ ${thresholds.ratioB}); largest (b) best gap / mean eigenvalue: **${s.worstCloseB.toFixed(2)}** (check: ≤ 1). ` +
    `Median ratios in (c): ${panels[2].points.flat().map((p) => medianRatio(p).toExponential(1)).join(", ")}; (d): ${panels[3].points.flat().map((p) => medianRatio(p).toExponential(1)).join(", ")}. ` +
    `${figure.networks} networks in ${figure.seconds.toFixed(1)} s.`
  );
}
