/**
 * Inline Plotly figures. `plot(figure)` sends one MIME bundle:
 * - `application/vnd.plotly.v1+json`: the figure itself, rendered natively by JupyterLab (with its Plotly
 *   renderer) and VS Code;
 * - `text/html`: a div and a script that draw the figure with plotly.js, for classic Notebook, JupyterLab
 *   without the renderer, and the HTML pages. plotly.js is loaded by the page, never embedded (see
 *   drawScript); the div's static text says what to do where scripts do not run;
 * - `text/plain`: a one-line summary.
 */
import { displayBundle } from "./display";

/** A Plotly figure: traces, layout and config as plotly.js takes them. */
export interface Figure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** The class of every plot's placeholder div (the static text the drawing script replaces). */
export const PLOT_CLASS = "hs-plot";

/** Where plotly.js is looked for by a page that lacks it: the Jupyter server's files route (the server runs
 * from the project root), then the page's own folder (exported pages sit next to a shared plotly.js). */
export const PLOTLY_PATH = "node_modules/plotly.js-dist/plotly.js";

/** Shown, as static HTML, wherever the script cannot run (an untrusted notebook, a preview without scripts). */
export const NOT_DRAWN_MESSAGE =
  "This plot is drawn by JavaScript, which did not run here. In Jupyter: trust the notebook (File > Trust Notebook) " +
  "or run Kernel > Restart & Run All on the kernel \"TypeScript (hessian-spectra)\".";

let plotCount = 0;

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

const LOG_AXIS_KEY = /^[xyz]axis\d*$/;

/**
 * Log axes read as powers of ten: plotly.js's default exponent format labels a log axis with SI letters
 * and mantissas ("1.178026f"), which no reader parses. Every log axis, in 2D layouts and in 3D scenes, gets
 * `exponentformat: "power"`.
 */
export function readableLogAxes(layout: Record<string, unknown>): Record<string, unknown> {
  const fix = (container: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(container)) {
      if (!LOG_AXIS_KEY.test(key) || value === null || typeof value !== "object") continue;
      const axis = value as Record<string, unknown>;
      if (axis.type === "log") axis.exponentformat = "power";
    }
  };
  fix(layout);
  for (const [key, value] of Object.entries(layout)) {
    if (/^scene\d*$/.test(key) && value !== null && typeof value === "object") fix(value as Record<string, unknown>);
  }
  return layout;
}

/**
 * The drawing script of the HTML fallback. plotly.js is never embedded in outputs (a saved notebook would
 * carry 10 MB): a page without window.Plotly loads it once, shared by all plots of the page, from the
 * Jupyter server's files route (base URL from classic Notebook's <body data-base-url> or JupyterLab's
 * page config), else from the page's folder; if none loads, the plot says where it looked.
 */
function drawScript(id: string, data: string, layout: string, config: string): string {
  return (
    `<script>(function(){var el=document.getElementById(${JSON.stringify(id)});if(!el)return;` +
    `function draw(){el.innerHTML="";window.Plotly.newPlot(el,${data},${layout},${config});}` +
    `if(window.Plotly)return draw();` +
    `var w=window;if(!w.hsPlotlyLoading){w.hsPlotlyLoading=new Promise(function(ok,fail){` +
    `var c=[],tried=[],base=document.body?document.body.getAttribute("data-base-url"):null;` +
    `if(base===null){var cfg=document.getElementById("jupyter-config-data");` +
    `if(cfg){try{base=JSON.parse(cfg.textContent).baseUrl||null;}catch(e){}}}` +
    `if(base!==null)c.push(base.replace(/\\/?$/,"/")+"files/${PLOTLY_PATH}");` +
    `c.push("plotly.js","../plotly.js");` +
    `(function next(){if(window.Plotly)return ok();if(!c.length)return fail(tried);` +
    `var s=document.createElement("script");s.src=c.shift();tried.push(new URL(s.src,location.href).href);` +
    `s.onload=next;s.onerror=function(){s.remove();next();};document.head.appendChild(s);})();});}` +
    `w.hsPlotlyLoading.then(draw,function(tried){el.textContent="plotly.js could not be found: looked at "+` +
    `tried.join(", ")+". Start Jupyter from the project root (npm run jupyter) so that ${PLOTLY_PATH} is served.";});` +
    `})();</script>`
  );
}

/** The MIME bundle `plot` displays (exposed for tests and for embedding). */
export function plotBundle(figure: Figure): Record<string, unknown> {
  validate(figure);
  const fig = plain({ data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {} }) as Required<Figure>;
  normalizeTitles(fig.layout);
  readableLogAxes(fig.layout);
  for (const trace of fig.data) {
    const bar = (trace as { colorbar?: Record<string, unknown> }).colorbar;
    if (bar && typeof bar.title === "string") bar.title = { text: bar.title };
  }
  const config = { responsive: true, displaylogo: false, ...fig.config };
  plotCount += 1;
  const id = `hs-plot-${process.pid}-${Date.now().toString(36)}-${plotCount}`;
  const html =
    `<div id="${id}" class="${PLOT_CLASS}" style="width:100%;min-height:${Number(fig.layout.height) || 450}px">` +
    `<p class="hs-plot-message">${NOT_DRAWN_MESSAGE}</p></div>\n` +
    drawScript(id, scriptJson(fig.data), scriptJson(fig.layout), scriptJson(config));
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
  displayBundle(plotBundle(figure));
}
