/**
 * Gradient descent in the setting of Depth, Not Data, measured along the way against the scalar recursion
 * (Lemmas 3.4, A.2, A.4, A.6-A.8, A.11): one function per lemma's run, taking the notebook's configuration
 * and its generator (the same fork labels as the notebooks had, so the numbers do not change).
 */
import { Matrix } from "ml-matrix";
import type { Rng } from "../../random/rng";
import { eigh } from "../../linalg/eigh";
import { svd } from "../../linalg/svd";
import { functionalHessian, gaussNewton, hessian } from "../../curvature/curvature";
import { balancedInit, sharedFormInit } from "../../init/balanced";
import { gradientDescent } from "../../train/loops";
import * as dnd from "../../papers/depth-not-data";
import { alignedLinear, haarBases, stepInRange, type LinearConfig } from "./setting";

/** A configuration started from the shared form with D_0 = diag(lambda0). */
export interface SharedFormConfig extends LinearConfig {
  lambda0: number[];
}

/**
 * The label a configuration carries in check names: `L=3, 4-5-5-3, r=2`, then `d*=...`, `λ₀=(...)` or
 * `m=...` for the fields asked for, in that order.
 */
export function configLabel(cfg: LinearConfig & { lambda0?: number[]; m?: number }, fields: Array<"dStar" | "lambda0" | "m">): string {
  const parts = [`L=${cfg.widths.length - 1}`, cfg.widths.join("-"), `r=${cfg.r}`];
  if (fields.includes("dStar")) parts.push(`d*=${cfg.dStar}`);
  if (fields.includes("lambda0")) parts.push(`λ₀=(${(cfg.lambda0 ?? []).join(", ")})`);
  if (fields.includes("m")) parts.push(`m=${cfg.m}`);
  return parts.join(", ");
}

function spectralNormOf(A: Matrix): number {
  const ev = eigh(A).values;
  return Math.max(Math.abs(ev[0]), Math.abs(ev[ev.length - 1]));
}

/** ||H_f|| along gradient descent on the sample loss, from the dense functional Hessian. */
export interface FunctionalHessianTrack {
  L: number;
  /** eta = etaFraction / (L B^{2(L-1)}) and B = max(lambda_0, 1). */
  eta: number;
  B: number;
  /** Recorded steps (every `every` steps with loss >= skipBelow), ||H_f|| and the loss there. */
  t: number[];
  hf: number[];
  loss: number[];
  /** The loss at step 0. */
  e0: number;
}

/**
 * Gradient descent from the shared form on the sample loss of whitened aligned data (n = 4 d_0; forks
 * `U<c>`, `V<c>`, `d<c>`), with the dense ||H_f|| every `every` steps. With `checkExcess`, the loss must equal
 * the closed-form excess loss of the scalar recursion at every step (to 1e-12), or it throws.
 * @see Depth, Not Data, Lemmas A.6 and A.8
 */
export function trackFunctionalHessian(
  cfg: SharedFormConfig,
  c: number,
  gen: Rng,
  options: { etaFraction: number; steps: number; every: number; skipBelow?: number; checkExcess?: boolean },
): FunctionalHessianTrack {
  const L = cfg.widths.length - 1;
  const s = alignedLinear(cfg, haarBases(gen, cfg.widths[L], cfg.widths[0], c), { n: 4 * cfg.widths[0], dataGen: gen.fork(`d${c}`), lambda0: cfg.lambda0, loss: "sample" });
  const { eta, B } = stepInRange(options.etaFraction, L, cfg.lambda0);
  const traj = options.checkExcess ? dnd.scalarRecursion(cfg.lambda0, { L, eta, steps: options.steps, r: cfg.r, dStar: cfg.dStar }) : [];
  const out: FunctionalHessianTrack = { L, eta, B, t: [], hf: [], loss: [], e0: NaN };
  const skipBelow = options.skipBelow ?? -Infinity;
  gradientDescent(s.problem, s.theta0, { steps: options.steps, lr: eta, onStep: ({ step, theta, loss }) => {
    if (options.checkExcess && Math.abs(loss - dnd.excessLoss(traj[step], L, cfg.r, cfg.dStar)) > 1e-12) throw new Error(`trackFunctionalHessian: excess-loss closed form disagrees at step ${step}`);
    if (step === 0) out.e0 = loss;
    if (loss < skipBelow || step % options.every !== 0) return;
    out.t.push(step); out.hf.push(spectralNormOf(functionalHessian(s.problem, theta))); out.loss.push(loss);
  } });
  return out;
}

/**
 * Gradient descent from the shared form (as `trackFunctionalHessian`, every step's loss kept) and alpha, the
 * smallest of the first r values of D_t seen along the run, read from the weights.
 * @see Depth, Not Data, Lemma A.7
 */
export function lossAndAlpha(cfg: SharedFormConfig, c: number, gen: Rng, options: { etaFraction: number; steps: number }): { L: number; eta: number; alpha: number; losses: number[] } {
  const L = cfg.widths.length - 1;
  const s = alignedLinear(cfg, haarBases(gen, cfg.widths[L], cfg.widths[0], c), { n: 4 * cfg.widths[0], dataGen: gen.fork(`d${c}`), lambda0: cfg.lambda0, loss: "sample" });
  const { eta } = stepInRange(options.etaFraction, L, cfg.lambda0);
  let alpha = Infinity;
  const run = gradientDescent(s.problem, s.theta0, { steps: options.steps, lr: eta, onStep: ({ theta }) => {
    const d = dnd.readSharedStructure(s.U, s.V, s.problem.model.unflatten(theta), cfg.r).diagonals[0];
    for (let i = 0; i < cfg.r; i++) alpha = Math.min(alpha, d[i]);
  } });
  return { L, eta, alpha, losses: run.losses };
}

/**
 * Lemma 3.4's comparison: gradient descent from a balanced initialisation (A ~ N(0, std^2), fork `A-<c>`;
 * population loss of aligned data, n = 3 d_0, fork `data-<c>`) against the shared form built from the scalar
 * recursion at every step.
 * @returns the recursion `traj`, lambda_0, `worst` = max relative Frobenius deviation of a layer from its
 *   shared-form prediction, `worstOff` = largest off-diagonal entry in the U, V bases, and the middle layer's
 *   diagonal every steps/30 steps (`measured`)
 */
export function sharedStructureRun(cfg: LinearConfig, c: number, gen: Rng, options: { std: number; eta: number; steps: number }) {
  const L = cfg.widths.length - 1;
  const init = balancedInit(cfg.widths, gen.fork(`A-${c}`), { std: options.std });
  const k = init.lambdas.length;
  const s = alignedLinear(cfg, init, { n: 3 * cfg.widths[0], dataGen: gen.fork(`data-${c}`) });
  const traj = dnd.scalarRecursion(init.lambdas, { L, eta: options.eta, steps: options.steps, r: cfg.r, dStar: cfg.dStar });
  let worst = 0, worstOff = 0;
  const measured = new Map<number, Float64Array>();
  gradientDescent(s.problem, init.theta, { steps: options.steps, lr: options.eta, onStep: ({ step, theta }) => {
    const W = s.problem.model.unflatten(theta);
    const pred = sharedFormInit(cfg.widths, init.U, traj[step], init.V).weights;
    W.forEach((Wl, l) => { worst = Math.max(worst, Wl.clone().sub(pred[l]).norm() / pred[l].norm()); });
    const read = dnd.readSharedStructure(init.U, init.V, W, k);
    worstOff = Math.max(worstOff, read.offDiagonal);
    if (step % Math.max(1, Math.floor(options.steps / 30)) === 0) measured.set(step, read.diagonals[Math.floor(L / 2)]);
  } });
  return { ...cfg, L, lambda0: init.lambdas, traj, measured, worst, worstOff };
}

/**
 * Lemma 3.4 without its alignment assumption: the target's input basis rotated by `angle` in the plane of
 * V's first and k-th columns (forks `A-misaligned`, `data-misaligned`); the largest off-diagonal entry of the
 * layers in the initial bases at every step.
 */
export function misalignedOffDiagonal(cfg: LinearConfig, gen: Rng, options: { std: number; eta: number; steps: number; angle: number }): number[] {
  const init = balancedInit(cfg.widths, gen.fork("A-misaligned"), { std: options.std });
  const k = init.lambdas.length, d0 = cfg.widths[0], a = options.angle;
  const R = Matrix.eye(d0);
  R.set(0, 0, Math.cos(a)); R.set(0, k - 1, -Math.sin(a)); R.set(k - 1, 0, Math.sin(a)); R.set(k - 1, k - 1, Math.cos(a));
  const s = alignedLinear(cfg, { U: init.U, V: init.V.mmul(R) }, { n: 3 * d0, dataGen: gen.fork("data-misaligned") });
  const off: number[] = [];
  gradientDescent(s.problem, init.theta, { steps: options.steps, lr: options.eta, onStep: ({ theta }) => { off.push(dnd.readSharedStructure(init.U, init.V, s.problem.model.unflatten(theta), k).offDiagonal); } });
  return off;
}

/**
 * Lemma A.2's comparison (balanced start, fork `A<c>`; population loss, n = 2 d_0, fork `d<c>`): at every
 * step, U^T W_{L:1} V against P(D_t^L) (`frozen`), the singular values of W_{L:1} against lambda_{i,t}^L
 * (`svErr`) and those of every layer against lambda_{i,t} (`layerErr`), max abs errors; `sv` and `pred` every
 * steps/60 steps for the plot.
 */
export function singularValueRun(cfg: LinearConfig, c: number, gen: Rng, options: { std: number; eta: number; steps: number }) {
  const L = cfg.widths.length - 1;
  const init = balancedInit(cfg.widths, gen.fork(`A${c}`), { std: options.std });
  const k = init.lambdas.length;
  const s = alignedLinear(cfg, init, { n: 2 * cfg.widths[0], dataGen: gen.fork(`d${c}`) });
  const traj = dnd.scalarRecursion(init.lambdas, { L, eta: options.eta, steps: options.steps, r: cfg.r, dStar: cfg.dStar });
  let frozen = 0, svErr = 0, layerErr = 0;
  const sv: number[][] = [], pred: number[][] = [];
  const every = Math.max(1, Math.floor(options.steps / 60));
  gradientDescent(s.problem, init.theta, { steps: options.steps, lr: options.eta, onStep: ({ step, theta }) => {
    const W = s.problem.model.unflatten(theta);
    let E = Matrix.eye(cfg.widths[0]);
    for (const Wl of W) E = Wl.mmul(E);
    const core = init.U.transpose().mmul(E).mmul(init.V);
    const target = Matrix.zeros(core.rows, core.columns);
    for (let i = 0; i < k; i++) target.set(i, i, Math.pow(traj[step][i], L));
    frozen = Math.max(frozen, core.clone().sub(target).abs().max());
    const predSv = Array.from(traj[step], (x) => Math.pow(x, L)).sort((a, b) => b - a);
    const sE = Array.from(svd(E).s);
    for (let i = 0; i < k; i++) svErr = Math.max(svErr, Math.abs(sE[i] - predSv[i]));
    const predLayer = Array.from(traj[step]).sort((a, b) => b - a);
    for (const Wl of W) { const sl = svd(Wl).s; for (let i = 0; i < k; i++) layerErr = Math.max(layerErr, Math.abs(sl[i] - predLayer[i])); }
    if (step % every === 0) { sv.push(sE.slice(0, k)); pred.push(predSv); }
  } });
  return { L, frozen, svErr, layerErr, sv, pred, every };
}

/**
 * Lemma A.4's runs (r = 2): for each depth, bases from forks `U<L>`, `V<L>`, population loss of aligned data
 * (n = 2 d_0, fork `d<L>`); for each start, eta = etaFraction eta_max and min(lambda_1, lambda_2) of the
 * weights at every step (`mins`), its minimum `minSeen`, and the lemma's alpha = min_i min(lambda_{i,0}, 1).
 */
export function lowerBoundRuns(P: { depths: number[]; starts: number[][]; etaFraction: number; steps: number; d0: number; dStar: number; dOut: number; width: number }, gen: Rng) {
  const runs: Array<{ L: number; start: number[]; eta: number; minSeen: number; alpha: number; mins: number[] }> = [];
  for (const L of P.depths) {
    const widths = [P.d0, ...new Array(L - 1).fill(P.width), P.dOut];
    const bases = haarBases(gen, P.dOut, P.d0, L);
    const s = alignedLinear({ widths, r: 2, dStar: P.dStar }, bases, { n: 2 * P.d0, dataGen: gen.fork(`d${L}`) });
    for (const start of P.starts) {
      const { eta } = stepInRange(P.etaFraction, L, start);
      let minSeen = Infinity;
      const mins: number[] = [];
      gradientDescent(s.problem, sharedFormInit(widths, bases.U, start, bases.V).theta, { steps: P.steps, lr: eta, onStep: ({ theta }) => {
        const d = dnd.readSharedStructure(bases.U, bases.V, s.problem.model.unflatten(theta), 2).diagonals[0];
        const m = Math.min(d[0], d[1]);
        minSeen = Math.min(minSeen, m);
        mins.push(m);
      } });
      runs.push({ L, start, eta, minSeen, alpha: Math.min(...start.map((x) => Math.min(x, 1))), mins });
    }
  }
  return runs;
}

/** One run of Lemma A.11's decomposition: per step, the deviation of H's eigenvalues from mu_k, ||H_f||, C sqrt(excess). */
export interface DecompositionTrace { L: number; t: number[]; dev: number[]; hf: number[]; weylSlack: number[]; a6: number[]; excess: number[] }

/**
 * Lemma A.11 at every step of every configuration (bases from forks `U<c>`, `V<c>`; population loss, n = 2
 * d_0, fork `data<c>`): dense H, H_o and H_f against mu_k(t) = the Gram spectrum of the recursion's D_t.
 * @returns the traces, `worstHo` = max_k |lambda_k(H_o) - mu_k| / lambda_max(H_o), `worstWeyl` = max of
 *   (max_k |lambda_k(H) - mu_k| - ||H_f||) / lambda_max(H) - 1e-12, `worstA6` = max of ||H_f|| - C sqrt(excess)
 *   - 1e-14, and the number of steps recorded; throws if the loss leaves the closed-form excess loss by 1e-12
 */
export function decompositionAlongTraining(configs: SharedFormConfig[], gen: Rng, options: { eta: number; steps: number }) {
  const traces: DecompositionTrace[] = [];
  let worstWeyl = -Infinity, worstA6 = -Infinity, worstHo = 0, recorded = 0;
  configs.forEach((cfg, c) => {
    const L = cfg.widths.length - 1;
    const s = alignedLinear(cfg, haarBases(gen, cfg.widths[L], cfg.widths[0], c), { n: 2 * cfg.widths[0], dataGen: gen.fork(`data${c}`), lambda0: cfg.lambda0 });
    const traj = dnd.scalarRecursion(cfg.lambda0, { L, eta: options.eta, steps: options.steps, r: cfg.r, dStar: cfg.dStar });
    const tr: DecompositionTrace = { L, t: [], dev: [], hf: [], weylSlack: [], a6: [], excess: [] };
    gradientDescent(s.problem, s.theta0, { steps: options.steps, lr: options.eta, onStep: ({ step, theta, loss }) => {
      const eigH = eigh(hessian(s.problem, theta)).values.reverse();
      const eigHo = eigh(gaussNewton(s.problem, theta)).values.reverse();
      const hf = spectralNormOf(functionalHessian(s.problem, theta));
      const mu = dnd.gramSpectrum(traj[step], { L, r: cfg.r, dStar: cfg.dStar, dOut: cfg.widths[L] }).map((q) => q.value);
      let dev = 0;
      for (let k = 0; k < s.p; k++) {
        const muK = k < mu.length ? mu[k] : 0;
        dev = Math.max(dev, Math.abs(eigH[k] - muK));
        worstHo = Math.max(worstHo, Math.abs(eigHo[k] - muK) / eigHo[0]);
      }
      worstWeyl = Math.max(worstWeyl, (dev - hf) / eigH[0] - 1e-12);
      const bound = dnd.functionalHessianBound(traj[step], { L, r: cfg.r, dStar: cfg.dStar });
      const excess = dnd.excessLoss(traj[step], L, cfg.r, cfg.dStar);
      worstA6 = Math.max(worstA6, hf - bound.constantC * Math.sqrt(excess) - 1e-14);
      if (Math.abs(loss - excess) > 1e-12) throw new Error(`decompositionAlongTraining: excess loss closed form disagrees with the loss at step ${step}`);
      tr.t.push(step); tr.dev.push(dev); tr.hf.push(hf); tr.weylSlack.push(hf - dev); tr.a6.push(bound.constantC * Math.sqrt(excess)); tr.excess.push(excess);
      recorded++;
    } });
    traces.push(tr);
  });
  return { traces, worstWeyl, worstA6, worstHo, recorded };
}
