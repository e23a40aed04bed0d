/**
 * Cracking the Hessian, Figure 27 (App. D.2, D.5): progressive sharpening and the edge of stability of the
 * single-head self-attention layer (scalar embedding) trained by full-batch GD on sequence reversal. One run
 * records, every few steps, the sharpness (top eigenvalue of the dense Hessian from exact second derivatives),
 * the trace, the loss, the residual norm, the parameter norms (read by block name: w_V, w_K, w_Q) and two
 * attention statistics; an ensemble of draws classifies what GD with a given eta does on the task.
 */
import { hessian, lossAndGradient, outputs } from "../../curvature/curvature";
import { mseProblem } from "../../curvature/problem";
import { sequenceReversal } from "../../data";
import { eigh } from "../../linalg/eigh";
import { selfAttention } from "../../models/attention";
import type { Rng } from "../../random/rng";

/** Figure 27's setting: d_K, sequence length T, learning rate eta, init std, batch n. */
export interface EdgeOfStabilityConfig {
  dK: number;
  T: number;
  eta: number;
  initStd: number;
  n: number;
}

/** One GD run, recorded every `every` steps. */
export interface EdgeRun {
  step: number[];
  /** lambda_max(H). */
  sharp: number[];
  /** tr(H). */
  trace: number[];
  loss: number[];
  /** sqrt(sum of squared residuals / n). */
  resid: number[];
  wV: number[];
  wK: number[];
  wQ: number[];
  /** Root mean square over the batch of ||m_1|| = ||A x|| and of ||m_2|| = ||A (x ⊙ x) − m_1 ⊙ m_1||. */
  m1: number[];
  m2: number[];
  diverged: boolean;
}

/**
 * Draw the data (`fork("data")`) and the weights (`fork("init")`, N(0, initStd^2)) from `gen.fork("seed-<seed>")`,
 * run plain GD with eta for `steps` steps on the token-averaged MSE (normalizer n T) and record every `every`
 * steps. A loss above 1e6 or non-finite counts as diverged and ends the run.
 * @see Cracking the Hessian, App. D.2, Figure 27
 */
export function edgeOfStabilityRun(config: EdgeOfStabilityConfig, gen: Rng, seed: number, steps: number, every: number): EdgeRun {
  if (!config || !(config.dK >= 1) || !(config.T >= 1) || !(config.n >= 1)) throw new RangeError("edgeOfStabilityRun: config must carry dK, T, n >= 1, eta and initStd");
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`edgeOfStabilityRun: every must be a positive integer, got ${every}`);
  const { dK, T, n, eta } = config;
  const model = selfAttention({ seqLen: T, dK });
  const g = gen.fork(`seed-${seed}`);
  const { X, Y } = sequenceReversal(T, n, g.fork("data"));
  const problem = mseProblem(model, X, Y, { normalizer: n * T }); // mean over tokens
  const theta = g.fork("init").normalArray(model.numParams, 0, config.initStd);
  const r: EdgeRun = { step: [], sharp: [], trace: [], loss: [], resid: [], wV: [], wK: [], wQ: [], m1: [], m2: [], diverged: false };
  for (let t = 0; t <= steps; t++) {
    const { loss, gradient } = lossAndGradient(problem, theta);
    if (!Number.isFinite(loss) || loss > 1e6) { r.diverged = true; break; }
    if (t % every === 0) {
      const H = hessian(problem, theta);
      const ev = eigh(H).values;
      let tr = 0;
      for (let i = 0; i < model.numParams; i++) tr += H.get(i, i);
      const F = outputs(problem, theta);
      let res = 0;
      for (let i = 0; i < T; i++) for (let j = 0; j < n; j++) res += (F.get(i, j) - Y.get(i, j)) ** 2;
      const blocks = model.unflattenByName(theta);
      const wK = Float64Array.from(blocks.WK.to1DArray()), wQ = Float64Array.from(blocks.WQ.to1DArray());
      let c = 0;
      for (let k = 0; k < dK; k++) c += wQ[k] * wK[k];
      c /= Math.sqrt(dK);
      let m1s = 0, m2s = 0;
      for (let j = 0; j < n; j++) {
        const x = Array.from({ length: T }, (_, t2) => X.get(t2, j));
        for (let a = 0; a < T; a++) {
          const s = x.map((xb) => c * x[a] * xb), mx = Math.max(...s), e = s.map((v) => Math.exp(v - mx)), z = e.reduce((u, v) => u + v, 0);
          const m1 = e.reduce((u, v, b) => u + (v / z) * x[b], 0), mm = e.reduce((u, v, b) => u + (v / z) * x[b] * x[b], 0);
          m1s += m1 * m1; m2s += (mm - m1 * m1) ** 2;
        }
      }
      r.step.push(t); r.sharp.push(ev[ev.length - 1]); r.trace.push(tr); r.loss.push(loss); r.resid.push(Math.sqrt(res / n));
      r.wV.push(Math.abs(blocks.WV.get(0, 0))); r.wK.push(Math.hypot(...wK)); r.wQ.push(Math.hypot(...wQ));
      r.m1.push(Math.sqrt(m1s / n)); r.m2.push(Math.sqrt(m2s / n));
    }
    for (let i = 0; i < theta.length; i++) theta[i] -= eta * gradient[i];
  }
  return r;
}

/** The regimes a draw is sorted into. */
export const EDGE_KINDS = ["diverged", "below the edge", "at the edge", "other"] as const;

/** One draw of the ensemble, summarised. */
export interface EdgeDraw {
  seed: number;
  /** Sharpness at initialisation. */
  s0: number;
  /** The sharpness reached 0.95 edge at some recorded step. */
  reached: boolean;
  /** Mean sharpness over the second half of the run (NaN if nothing was recorded there). */
  lateMean: number;
  kind: (typeof EDGE_KINDS)[number];
  diverged: boolean;
}

/**
 * `seeds` draws of `edgeOfStabilityRun` (seeds 0, 1, ...; `steps` steps, recorded every `every`), each classified
 * by its sharpness over the second half against edge = 2 / eta: diverged; below the edge (late maximum below
 * 0.95 edge); at the edge (late mean within 5% of it); other.
 */
export function edgeOfStabilityEnsemble(config: EdgeOfStabilityConfig, gen: Rng, seeds: number, steps: number, every = 5): EdgeDraw[] {
  const edge = 2 / config.eta;
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return Array.from({ length: seeds }, (_, s) => {
    const r = edgeOfStabilityRun(config, gen, s, steps, every);
    const late = r.sharp.slice(Math.floor(r.sharp.length / 2));
    const lateMean = late.length ? meanOf(late) : NaN;
    const kind = r.diverged ? "diverged" : Math.max(...late) < 0.95 * edge ? "below the edge" : Math.abs(lateMean - edge) <= 0.05 * edge ? "at the edge" : "other";
    return { seed: s, s0: r.sharp[0], reached: r.sharp.some((v) => v >= 0.95 * edge), lateMean, kind, diverged: r.diverged };
  });
}

/**
 * Figure 27's six panels (sharpness with the 2/eta line, loss, trace, residual norm, parameter norms, attention
 * statistics) as Plotly traces and layout.
 */
export function edgeOfStabilityPanels(run: EdgeRun, edge: number, title: string): { data: Record<string, unknown>[]; layout: Record<string, unknown> } {
  const ax = (k: number) => (k === 1 ? "" : String(k));
  const dom = [[0, 0.45], [0.55, 1]], rows = [[0.68, 1], [0.34, 0.6], [0, 0.26]];
  const series: [number, string, number[], string][] = [
    [1, "sharpness λmax", run.sharp, "crimson"], [2, "loss", run.loss, "black"], [3, "trace of H", run.trace, "darkorange"],
    [4, "residual norm", run.resid, "gray"], [5, "|w_V|", run.wV, "green"], [5, "‖w_K‖", run.wK, "purple"], [5, "‖w_Q‖", run.wQ, "teal"],
    [6, "rms ‖m₁‖", run.m1, "royalblue"], [6, "rms ‖m₂‖", run.m2, "skyblue"],
  ];
  const layout: Record<string, unknown> = { title, height: 820, legend: { orientation: "h", y: -0.08 },
    shapes: [{ type: "line", xref: "x", yref: "y", x0: 0, x1: run.step[run.step.length - 1], y0: edge, y1: edge, line: { dash: "dash", color: "black" } }] };
  for (let k = 1; k <= 6; k++) {
    layout[`xaxis${ax(k)}`] = { domain: dom[(k - 1) % 2], anchor: `y${ax(k)}`, title: k >= 5 ? "GD step" : "" };
    layout[`yaxis${ax(k)}`] = { domain: rows[Math.floor((k - 1) / 2)], anchor: `x${ax(k)}`, type: k === 2 ? "log" : "linear",
      title: ["sharpness (– – 2/η)", "loss", "tr H", "residual norm", "parameter norms", "attention stats"][k - 1] };
  }
  const data = series.map(([k, name, y, color]) => ({ x: run.step, y, type: "scatter", mode: "lines", name, xaxis: `x${ax(k)}`, yaxis: `y${ax(k)}`, line: { color, width: 1.5 } }));
  return { data, layout };
}
