/**
 * Inline Plotly figures. `plot(figure)` sends one MIME bundle:
 * - `application/vnd.plotly.v1+json`: the figure itself, rendered natively by JupyterLab (with its Plotly
 *   renderer) and VS Code;
 * - `text/html`: a div and a script that draw the figure with plotly.js, for classic Notebook, JupyterLab
 *   without the renderer, and the HTML pages. The first plot of a kernel session also carries plotly.js
 *   itself, from the installed plotly.js-dist (offline, no CDN); the runner swaps that copy for one shared
 *   file in build/html/;
 * - `text/plain`: a one-line summary.
 */
import { readFileSync } from "fs";
import { displayBundle } from "./display";

/** A Plotly figure: traces, layout and config as plotly.js takes them. */
export interface Figure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** The attribute that marks the inlined plotly.js, so the runner can replace it with a shared copy. */
export const PLOTLY_BUNDLE_MARKER = "data-hs-plotly-bundle";

let bundleSent = false;
let plotCount = 0;

function plotlySource(): string {
  const file = require.resolve("plotly.js-dist/plotly.js");
  // A literal "</script" inside an inline script would end it early.
  return readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
}

/** Serialise for embedding inside a <script>: JSON, with "</" and U+2028/9 escaped. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/<\//g, "<\\/")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function validate(figure: Figure): void {
  if (figure === null || typeof figure !== "object") throw new TypeError("plot: figure must be an object { data, layout? }");
  if (!Array.isArray(figure.data) || figure.data.length === 0) {
    throw new TypeError("plot: figure.data must be a non-empty array of traces");
  }
  // A NaN in a trace would silently vanish from the picture: refuse it here, naming the trace.
  figure.data.forEach((trace, t) => {
    for (const key of ["x", "y", "z"]) {
      const values = trace[key];
      if (values === undefined || values === null || typeof values === "string") continue;
      const flat: unknown[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v) || ArrayBuffer.isView(v)) for (const e of Array.from(v as ArrayLike<unknown>)) walk(e);
        else flat.push(v);
      };
      walk(values);
      const bad = flat.findIndex((v) => typeof v === "number" && !Number.isFinite(v));
      if (bad >= 0) {
        const name = typeof trace.name === "string" ? ` ("${trace.name}")` : "";
        throw new RangeError(`plot: trace ${t}${name} has a non-finite ${key} value at flat index ${bad}`);
      }
    }
  });
}

/** Convert typed arrays to plain arrays so JSON keeps them as arrays. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

/**
 * plotly.js 3+ dropped string titles (`title: "..."` draws nothing); accept them, as notebooks naturally
 * write them, and convert to `{ text }` on the layout and on every axis.
 */
function normalizeTitles(layout: Record<string, unknown>): Record<string, unknown> {
  const fix = (obj: Record<string, unknown>) => {
    if (typeof obj.title === "string") obj.title = { text: obj.title };
  };
  fix(layout);
  for (const [key, value] of Object.entries(layout)) {
    if (!/^[xyz]axis\d*$|^scene\d*$|^coloraxis\d*$/.test(key) || value === null || typeof value !== "object") continue;
    const axis = value as Record<string, unknown>;
    fix(axis);
    for (const sub of ["xaxis", "yaxis", "zaxis", "colorbar"]) {
      const inner = axis[sub];
      if (inner && typeof inner === "object") fix(inner as Record<string, unknown>);
    }
  }
  return layout;
}

/** The MIME bundle `plot` displays (exposed for tests and for embedding). */
export function plotBundle(figure: Figure, options: { includePlotly?: boolean } = {}): Record<string, unknown> {
  validate(figure);
  const fig = plain({ data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {} }) as Required<Figure>;
  normalizeTitles(fig.layout);
  for (const trace of fig.data) {
    const bar = (trace as { colorbar?: Record<string, unknown> }).colorbar;
    if (bar && typeof bar.title === "string") bar.title = { text: bar.title };
  }
  const config = { responsive: true, displaylogo: false, ...fig.config };
  plotCount += 1;
  const id = `hs-plot-${process.pid}-${plotCount}`;
  const loader = options.includePlotly ? `<script ${PLOTLY_BUNDLE_MARKER}="1">${plotlySource()}</script>\n` : "";
  const html =
    loader +
    `<div id="${id}" class="hs-plot" style="width:100%;min-height:${Number(fig.layout.height) || 450}px"></div>\n` +
    `<script>(function(){var el=document.getElementById(${JSON.stringify(id)});` +
    `if(!window.Plotly){el.textContent="plotly.js is not loaded: re-run the notebook from the top.";return;}` +
    `window.Plotly.newPlot(el,${scriptJson(fig.data)},${scriptJson(fig.layout)},${scriptJson(config)});})();</script>`;
  const title = fig.layout.title;
  const titleText = typeof title === "string" ? title : (title as { text?: string } | undefined)?.text ?? "untitled";
  return {
    "application/vnd.plotly.v1+json": { data: fig.data, layout: fig.layout, config },
    "text/html": html,
    "text/plain": `[Plotly figure: ${titleText}; ${fig.data.length} trace(s)]`,
  };
}

/** Display a Plotly figure inline. */
export function plot(figure: Figure): void {
  const bundle = plotBundle(figure, { includePlotly: !bundleSent });
  bundleSent = true;
  displayBundle(bundle);
}
