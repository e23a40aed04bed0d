/**
 * What notebooks use: numerical checks recorded in the run's report, inline Plotly figures, and the scale
 * of the run. See CONTRIBUTING.md for the anatomy of a notebook.
 */
export { check, checkAtMost, checkAtLeast, checks, resetChecks } from "./notebook/check";
export type { CheckRecord, CheckKind } from "./notebook/check";
export { plot, plotBundle, PLOTLY_BUNDLE_MARKER } from "./notebook/plot";
export type { Figure } from "./notebook/plot";
export { displayBundle, setDisplaySink, markdown } from "./notebook/display";
export type { MimeBundle, DisplaySink } from "./notebook/display";
export { scale, pick, parseScale } from "./notebook/scale";
export type { Scale } from "./notebook/scale";
export { rng, Rng } from "./random/rng";
