/**
 * The explorable page: one slider per parameter; on every change the explorable recomputes (dense matrix,
 * eigh, closed form) and the spectrum plot is redrawn with both. State for readers and for the browser test
 * sits on #hs-status: data-state ("ok" | "assumption" | "error" | "computing"), data-agreement,
 * data-tolerance, data-update-ms (compute + redraw of the last update) and data-updates (a counter).
 * The computation runs in a Web Worker (./worker), so the page never freezes; a visible "computing" state
 * covers the larger sizes. Without Worker support it runs on the main thread.
 */
import type { Explorable, Outcome } from "./explorables/types";
import type { Reply } from "./worker";
import { backendName } from "../lib/linalg/kernels";

/** The worker's bundled source, put in by tools/book.mjs (esbuild define); absent, everything runs here. */
declare const HS_WORKER_SOURCE: string | undefined;

/** A Web Worker from the embedded source (a blob URL: file:// pages cannot load worker files), or null. */
function startWorker(): Worker | null {
  try {
    if (typeof Worker === "undefined" || typeof HS_WORKER_SOURCE !== "string") return null;
    return new Worker(URL.createObjectURL(new Blob([HS_WORKER_SOURCE], { type: "text/javascript" })));
  } catch {
    return null;
  }
}

declare const Plotly: { react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown> };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Slider values from the location hash (#m=20&n=200), so a setting can be linked; invalid entries ignored. */
function fromHash(e: Explorable): Record<string, number> {
  const values = Object.fromEntries(e.params.map((p) => [p.key, p.value]));
  for (const part of location.hash.replace(/^#/, "").split("&")) {
    const [k, v] = part.split("=");
    const p = e.params.find((q) => q.key === k);
    const x = Number(v);
    if (p && Number.isFinite(x) && x >= p.min && x <= p.max) values[k] = x;
  }
  return values;
}

/** Build the page for `e` inside #hs-app and draw the default setting. */
export function mount(e: Explorable): void {
  const app = document.getElementById("hs-app");
  if (!app) throw new Error("mount: the page has no #hs-app element");
  const values = fromHash(e);
  const form = el("form", { class: "hs-sliders" });
  const status = el("div", { id: "hs-status", "data-updates": "0" });
  const plotDiv = el("div", { id: "hs-plot", class: "hs-plot" });
  const notes = el("ul", { class: "hs-notes" });
  for (const p of e.params) {
    const id = `hs-${p.key}`;
    const row = el("div", { class: "hs-slider" });
    const input = el("input", { type: "range", id, name: p.key, min: String(p.min), max: String(p.max), step: String(p.step), value: String(values[p.key]) });
    const out = el("output", { for: id }, String(values[p.key]));
    input.addEventListener("input", () => {
      values[p.key] = Number(input.value);
      out.textContent = input.value;
      history.replaceState(null, "", "#" + e.params.map((q) => `${q.key}=${values[q.key]}`).join("&"));
      schedule();
    });
    row.append(el("label", { for: id }, p.label), input, out);
    form.append(row);
  }
  form.addEventListener("submit", (ev) => ev.preventDefault());
  const worker = startWorker();
  // with a worker, the kernels are chosen there (its first reply names them)
  app.append(form, status, plotDiv, notes, el("p", { class: "hs-backend" }, worker ? "linear-algebra kernels: starting the Web Worker…" : `linear-algebra kernels: ${backendName()}, on the page's thread (JavaScript when the browser has no WebAssembly SIMD)`));

  let pending = false;
  let busy = false;
  let updates = 0;
  const backendLine = app.querySelector(".hs-backend") as HTMLElement;
  function schedule(): void {
    pending = true; // slider events arriving mid-update coalesce into one recomputation
    status.dataset.state = "computing";
    status.textContent = "computing…";
    if (busy) return;
    // let the browser paint the computing state before the work starts
    requestAnimationFrame(() => setTimeout(run, 0));
  }

  /** Compute in the worker when there is one, else here; the same Outcome or the same thrown error. */
  function computeOnce(v: Record<string, number>): Promise<Outcome> {
    if (worker === null) return Promise.resolve().then(() => e.compute(v));
    const id = ++requestId;
    return new Promise((resolve, reject) => {
      worker.onmessage = (ev: MessageEvent<Reply>) => {
        if (ev.data.id !== id) return;
        backendLine.textContent = `linear-algebra kernels: ${ev.data.backend}, in a Web Worker (JavaScript when the browser has no WebAssembly SIMD)`;
        if (ev.data.outcome) resolve(ev.data.outcome);
        else {
          const err = new Error(ev.data.error?.message ?? "the worker failed");
          err.name = ev.data.error?.name ?? "Error";
          reject(err);
        }
      };
      worker.onerror = (ev) => reject(new Error(`the worker failed: ${ev.message}`));
      worker.postMessage({ id, values: v });
    });
  }
  let requestId = 0;

  async function run(): Promise<void> {
    pending = false;
    busy = true;
    const t0 = performance.now();
    let state: string, message: string;
    try {
      const o = await computeOnce({ ...values });
      // a diverged setting must not be drawn as a disagreement of the claim
      if (![...o.computed, ...o.predicted, o.agreement].every(Number.isFinite)) throw new Error("this setting produced non-finite values (it diverged), so there is nothing to compare");
      const x = o.computed.map((_, i) => i + 1);
      await Plotly.react(plotDiv, [
        { x, y: o.computed, type: "scatter", mode: "markers", name: `dense ${e.matrix}: eigh`, marker: { size: 8, color: "#1f77b4" } },
        { x, y: o.predicted, type: "scatter", mode: "markers", name: "closed form", marker: { size: 12, symbol: "circle-open", color: "crimson", line: { width: 2 } } },
      ], { title: { text: `${o.computed.length} eigenvalues, ascending` }, xaxis: { title: { text: "index" } }, yaxis: { title: { text: "eigenvalue" } }, margin: { t: 50 }, height: 440 }, { responsive: true, displaylogo: false });
      const holds = o.agreement <= o.tolerance;
      state = holds ? "ok" : "error";
      message = `max |computed − closed form| / max |λ| = ${o.agreement.toExponential(2)} ${holds ? "≤" : ">"} tolerance ${o.tolerance.toExponential(0)}${holds ? ": agree" : ": DISAGREE"}`;
      status.dataset.agreement = String(o.agreement);
      status.dataset.tolerance = String(o.tolerance);
      notes.replaceChildren(...o.notes.map((n) => el("li", {}, n)));
      plotDiv.style.visibility = "visible";
    } catch (err) {
      const assumption = (err as Error).name === "AssumptionError";
      state = assumption ? "assumption" : "error";
      message = `${assumption ? "Assumption fails" : "Error"}: ${(err as Error).message}`;
      status.dataset.agreement = "";
      notes.replaceChildren();
      plotDiv.style.visibility = "hidden"; // never leave a stale comparison on screen
    }
    const ms = performance.now() - t0;
    status.dataset.state = state;
    status.dataset.updateMs = ms.toFixed(1);
    status.dataset.updates = String(++updates);
    status.textContent = `${message} · update ${ms.toFixed(0)} ms`;
    status.className = `hs-${state}`;
    busy = false;
    if (pending) schedule();
  }
  schedule();
}
