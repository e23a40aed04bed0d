/**
 * What notebooks use: numerical checks recorded in the run's report, inline Plotly figures, and the scale
 * of the run. See CONTRIBUTING.md for the anatomy of a notebook.
 */
export { check, checkAtMost, checkAtLeast, checkHolds, checks, resetChecks } from "./check";
export type { CheckRecord, CheckKind, CheckOptions } from "./check";
export { plot, plotBundle, readableLogAxes, NOT_DRAWN_MESSAGE, PLOTLY_PATH, PLOT_CLASS } from "./plot";
export type { Figure } from "./plot";
export { displayBundle, setDisplaySink, markdown, table } from "./display";
export type { MimeBundle, DisplaySink } from "./display";
export { scale, pick, parseScale } from "./scale";
export type { Scale } from "./scale";
export { rng, Rng } from "../random/rng";
export { paperRun, readLedgerEntry, ledgerStale, ledgerSummary, formatDuration } from "./ledger";
export type { LedgerEntry } from "./ledger";
