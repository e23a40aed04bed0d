/**
 * Data Dependence (Sections 2-4): the brute-force side of the notebooks' checks. Random and constructed deep
 * linear networks, their dense Jacobians, NTKs, Gauss-Newton matrices and Hessians (exact second derivatives,
 * `lib/curvature`) and dense eigen-decompositions. Nothing here evaluates a closed form of the paper: the
 * notebooks compute those (`lib/papers/data-dependence`) and compare. Every function draws from the `gen` it
 * is given, in the order the notebooks drew before (so their numbers are unchanged).
 */
import { Matrix } from "ml-matrix";
import { deepLinear } from "../../models/mlp";
import type { Model } from "../../models/model";
import { functionalHessian, functionalHessianOperator, gaussNewton, gradient, hessian, hessianOperator, jacobian, loss, ntkGram, outputs } from "../../curvature/curvature";
import { mseProblem, Problem } from "../../curvature/problem";
import { eigh } from "../../linalg/eigh";
import { lanczos } from "../../linalg/lanczos";
import { whiten, oneHot } from "../../data/synthetic";
import { subsampleByClass } from "../../data";
import { balancedInit, completeBasis, stronglyBalancedInit } from "../../init";
import type { Rng } from "../../random/rng";

/** Dense eigenvalues, descending. */
export function descending(A: Matrix): number[] {
  return Array.from(eigh(A).values).reverse();
}

/** The largest eigenvalue of a dense symmetric matrix. */
export function topEigenvalue(A: Matrix): number {
  return eigh(A, { largest: 1 }).values[0];
}

/**
 * max_q |measured_q - predicted_q| / measured_0 over a whole descending dense spectrum, where the predicted
 * list (nonzero eigenvalues of a closed form, descending) is padded with zeros; predicted values beyond the
 * spectrum's length count with their size (they should have been zero).
 */
export function spectrumDeviation(measured: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (measured.length === 0) throw new RangeError("spectrumDeviation: measured must not be empty");
  const lmax = measured[0];
  let err = 0;
  for (let i = measured.length; i < predicted.length; i++) err = Math.max(err, predicted[i] / lmax);
  for (let i = 0; i < measured.length; i++) err = Math.max(err, Math.abs(measured[i] - (i < predicted.length ? predicted[i] : 0)) / lmax);
  return err;
}

/** max_l ||W_l W_l^T - W_{l+1}^T W_{l+1}||_F (divided by ||W_l W_l^T||_F when `relative`): the balance defect. */
export function balanceDefect(W: Matrix[], relative = false): number {
  let worst = 0;
  for (let l = 0; l + 1 < W.length; l++) {
    const a = W[l].mmul(W[l].transpose());
    const d = Matrix.sub(a, W[l + 1].transpose().mmul(W[l + 1])).norm("frobenius");
    worst = Math.max(worst, relative ? d / a.norm("frobenius") : d);
  }
  return worst;
}

/** ||K q - lambda q|| / ||q||: how far q is from an eigenvector of K with eigenvalue lambda. */
export function eigenResidual(K: Matrix, q: ArrayLike<number>, lambda: number): number {
  const Kq = K.mmul(Matrix.columnVector(Array.from(q))).getColumn(0);
  let r2 = 0, q2 = 0;
  for (let t = 0; t < q.length; t++) { r2 += (Kq[t] - lambda * q[t]) ** 2; q2 += q[t] ** 2; }
  return Math.sqrt(r2 / q2);
}

/** A deep linear network with its data: the model, layer matrices, inputs, targets and flat parameters. */
export interface LinearNet {
  widths: number[];
  L: number;
  n: number;
  sigmaX: number;
  W: Matrix[];
  X: Matrix;
  Y: Matrix;
  model: Model;
  theta: Float64Array;
  problem: Problem;
}

function net(widths: number[], W: Matrix[], X: Matrix, Y: Matrix, sigmaX: number): LinearNet {
  const model = deepLinear(widths);
  const theta = model.flatten(W);
  return { widths, L: widths.length - 1, n: X.columns, sigmaX, W, X, Y, model, theta, problem: mseProblem(model, X, Y) };
}

/**
 * eq. (3)-(5): a network of the given widths with i.i.d. N(0, weightStd^2) weights, Gaussian inputs (not
 * whitened) and Gaussian targets. Draws W, X, Y.
 */
export function gaussianNet(widths: number[], n: number, weightStd: number, gen: Rng): LinearNet {
  const W = widths.slice(1).map((d, l) => gen.normalMatrix(d, widths[l], weightStd));
  const X = gen.normalMatrix(widths[0], n);
  return net(widths, W, X, gen.normalMatrix(widths[widths.length - 1], n), NaN);
}

/** The dense curvature of eq. (3)-(5): Jacobian, NTK, GGN and Hessian, and Hessian and GGN at zero loss (Y := f(X)). */
export function denseCurvature(nt: LinearNet): { J: Matrix; K: Matrix; G: Matrix; H: Matrix; Hzero: Matrix; Gzero: Matrix } {
  const zero = mseProblem(nt.model, nt.X, outputs(nt.problem, nt.theta));
  return { J: jacobian(nt.model, nt.theta, nt.X), K: ntkGram(nt.problem, nt.theta), G: gaussNewton(nt.problem, nt.theta), H: hessian(nt.problem, nt.theta), Hzero: hessian(zero, nt.theta), Gzero: gaussNewton(zero, nt.theta) };
}

/**
 * GGN vs NTK spectra (descending): the largest |difference| of the shared eigenvalues and the largest |extra|
 * eigenvalue of the longer list, both over the GGN's lambda_max.
 */
export function ggnNtkSpectra(eg: number[], ek: number[]): { eigErr: number; zeroErr: number } {
  const r = Math.min(eg.length, ek.length);
  const lmax = eg[0];
  let eigErr = 0, zeroErr = 0;
  for (let i = 0; i < r; i++) eigErr = Math.max(eigErr, Math.abs(eg[i] - ek[i]) / lmax);
  for (const v of (eg.length > ek.length ? eg : ek).slice(r)) zeroErr = Math.max(zeroErr, Math.abs(v) / lmax);
  return { eigErr, zeroErr };
}

/** How eq. (6) and (7) draw a random unbalanced net. */
export interface RandomNetOptions {
  maxDepth: number;
  maxWidth: number;
  extraSamples: number;
  /** eq. (6): layer scale (0.3 + U) / sqrt(fan-in) and zero targets; eq. (7): scale 0.3 + U and Gaussian targets. */
  form: "eq6" | "eq7";
}

/**
 * A random unbalanced deep linear net: depth L in 1..maxDepth, widths in 1..maxWidth, n = d_0 + 1 + U{0..extra-1},
 * sigma_x in [0.3, 3], per-layer weight scale (see `form`), Gaussian inputs QR-whitened to sigma_x.
 * Draws L, widths, n, sigma_x, W, X (and Y for eq. (7)).
 */
export function randomLinearNet(o: RandomNetOptions, gen: Rng): LinearNet {
  const L = 1 + gen.int(o.maxDepth);
  const widths = Array.from({ length: L + 1 }, () => 1 + gen.int(o.maxWidth));
  const n = widths[0] + 1 + gen.int(o.extraSamples);
  const sigmaX = 0.3 + 2.7 * gen.uniform();
  const W = widths.slice(1).map((d, l) => gen.normalMatrix(d, widths[l], o.form === "eq6" ? (0.3 + gen.uniform()) / Math.sqrt(widths[l]) : 0.3 + gen.uniform()));
  const X = whiten(gen.normalMatrix(widths[0], n), sigmaX);
  return net(widths, W, X, o.form === "eq6" ? new Matrix(widths[L], n) : gen.normalMatrix(widths[L], n), sigmaX);
}

/** lambda_max of (1/n) J^T J from the smaller of the dense NTK and GGN (same nonzero spectrum). */
export function denseSharpness(nt: LinearNet): number {
  return nt.n * nt.widths[nt.L] < nt.theta.length ? topEigenvalue(ntkGram(nt.problem, nt.theta)) : topEigenvalue(gaussNewton(nt.problem, nt.theta));
}

/**
 * eq. (6), strongly balanced case: depth 2..maxDepth, widths 2..maxWidth, singular values in [0.5, 1.5], a strongly
 * balanced net (App. C), sigma_x in [0.3, 3] and d_0 + 2 whitened Gaussian samples. Draws in that order.
 */
export function randomBalancedNet(o: { maxDepth: number; maxWidth: number }, gen: Rng): LinearNet {
  const L = 2 + gen.int(o.maxDepth - 1);
  const widths = Array.from({ length: L + 1 }, () => 2 + gen.int(o.maxWidth - 1));
  const sig = Array.from({ length: Math.min(...widths) }, () => 0.5 + gen.uniform());
  const init = stronglyBalancedInit(widths, sig, gen);
  const sigmaX = 0.3 + 2.7 * gen.uniform();
  const X = whiten(gen.normalMatrix(widths[0], widths[0] + 2), sigmaX);
  return net(widths, init.weights, X, new Matrix(widths[L], X.columns), sigmaX);
}

/** eq. (7): the dense traces Tr G, Tr H, Tr H_f and ||H_f||_F at the net's point, and its loss. */
export function denseTraces(nt: LinearNet): { loss: number; trG: number; trH: number; trHf: number; normHf: number } {
  const Hf = functionalHessian(nt.problem, nt.theta);
  return { loss: loss(nt.problem, nt.theta), trG: gaussNewton(nt.problem, nt.theta).trace(), trH: hessian(nt.problem, nt.theta).trace(), trHf: Hf.trace(), normHf: Hf.norm("frobenius") };
}

/**
 * eq. (7) on raw inputs: widths 5-4-4-3, n = 12, inputs with per-coordinate scales in [0.2, 2.2] (not whitened),
 * N(0, 0.36) weights; the dense trace of the GGN and the average sigma_x = sqrt(tr(X X^T) / (n d_0)). Draws X, W, Y.
 */
export function rawInputNet(gen: Rng): { nt: LinearNet; denseTrace: number; avgSigma: number } {
  const widths = [5, 4, 4, 3], n = 12;
  const X = Matrix.diag(Array.from({ length: widths[0] }, () => 0.2 + 2 * gen.uniform())).mmul(gen.normalMatrix(widths[0], n));
  const W = widths.slice(1).map((d, l) => gen.normalMatrix(d, widths[l], 0.6));
  const nt = net(widths, W, X, gen.normalMatrix(3, n), NaN);
  return { nt, denseTrace: gaussNewton(nt.problem, nt.theta).trace(), avgSigma: Math.sqrt(X.mmul(X.transpose()).trace() / (n * widths[0])) };
}

/** The net of eq. (7)'s Hutchinson cells: N(0, 0.25) weights, d_0 + 10 whitened samples (sigma_x = 1), Gaussian targets. Draws W, X, Y. */
export function hutchinsonNet(widths: number[], gen: Rng): LinearNet {
  const W = widths.slice(1).map((d, l) => gen.normalMatrix(d, widths[l], 0.5));
  const X = whiten(gen.normalMatrix(widths[0], widths[0] + 10), 1.0);
  return net(widths, W, X, gen.normalMatrix(widths[widths.length - 1], widths[0] + 10), 1);
}

/** The Hessian of a net as an operator (exact Hessian-vector products). */
export function hessianOf(nt: LinearNet) {
  return hessianOperator(nt.problem, nt.theta);
}

/** Running mean of samples and its standard error (0 for the first), for a convergence plot. */
export function runningMean(samples: ArrayLike<number>): { mean: number[]; se: number[] } {
  const a = Array.from(samples);
  const mean = a.map((_, i) => a.slice(0, i + 1).reduce((s, v) => s + v, 0) / (i + 1));
  const se = mean.map((m, i) => (i === 0 ? 0 : Math.sqrt(a.slice(0, i + 1).reduce((s, x) => s + (x - m) ** 2, 0) / i / (i + 1))));
  return { mean, se };
}

/** A case of eq. (9): widths and the shared singular values ("random": k values in [0.4, 1.2]). */
export interface BalancedCase {
  label: string;
  widths: number[];
  sigmas: "random" | number[];
}

/**
 * eq. (9): a strongly balanced net at zero loss (targets := its own outputs) on d_0 + extraSamples whitened
 * Gaussian inputs; the dense Hessian's eigenvalues, the NTK, and the completed singular bases V (of W_1) and
 * U (of W_L). Draws the singular values (if random), the initialisation, X.
 */
export function balancedZeroLossNet(c: BalancedCase, sigmaX: number, extraSamples: number, gen: Rng) {
  const L = c.widths.length - 1, d0 = c.widths[0], dL = c.widths[L];
  const k = Math.min(...c.widths);
  const sig = c.sigmas === "random" ? Array.from({ length: k }, () => 0.4 + 0.8 * gen.uniform()) : c.sigmas;
  const init = stronglyBalancedInit(c.widths, sig, gen);
  const X = whiten(gen.normalMatrix(d0, d0 + extraSamples), sigmaX);
  const model = deepLinear(c.widths);
  const zeroLoss = mseProblem(model, X, outputs(mseProblem(model, X, new Matrix(dL, X.columns)), init.theta));
  return { L, d0, dL, k, sig, X, balance: balanceDefect(init.weights), measured: descending(hessian(zeroLoss, init.theta)), K: ntkGram(zeroLoss, init.theta), V: completeBasis(init.bases[0]), U: completeBasis(init.bases[L]) };
}

/** The largest residual ||K q_ij - lambda_ij q_ij|| / ||q_ij|| over all pairs i < rows, j < cols of `pair(i, j)`. */
export function worstPairResidual(K: Matrix, rows: number, cols: number, pair: (i: number, j: number) => { q: ArrayLike<number>; lambda: number }): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) { const { q, lambda } = pair(i, j); worst = Math.max(worst, eigenResidual(K, q, lambda)); }
  return worst;
}

/**
 * eq. (10)-(11): a random unbalanced two-layer net (widths in 1..maxWidth, per-layer scales weightStd (0.3 + 1.5 U)),
 * whitened Gaussian inputs, Gaussian targets; the dense GGN's lambda_max and trace, lambda_max of its
 * block-diagonal part (W1-W1 and W2-W2 blocks only), and the relative imbalance. Draws d_0, d_1, d_2, n, sigma_x, W1, W2, X, Y.
 */
export function shallowNetDense(o: { maxWidth: number; extraSamples: number; weightStd: number }, gen: Rng) {
  const d0 = 1 + gen.int(o.maxWidth), d1 = 1 + gen.int(o.maxWidth), d2 = 1 + gen.int(o.maxWidth);
  const n = d0 + 1 + gen.int(o.extraSamples);
  const sigmaX = 0.3 + 2.7 * gen.uniform();
  const W1 = gen.normalMatrix(d1, d0, o.weightStd * (0.3 + 1.5 * gen.uniform()));
  const W2 = gen.normalMatrix(d2, d1, o.weightStd * (0.3 + 1.5 * gen.uniform()));
  const X = whiten(gen.normalMatrix(d0, n), sigmaX);
  const nt = net([d0, d1, d2], [W1, W2], X, gen.normalMatrix(d2, n), sigmaX);
  const G = gaussNewton(nt.problem, nt.theta);
  const eig = eigh(G).values;
  const p1 = d0 * d1;
  const B = G.clone();
  for (let i = 0; i < G.rows; i++) for (let j = 0; j < G.columns; j++) if ((i < p1) !== (j < p1)) B.set(i, j, 0);
  const eigB = eigh(B).values;
  return { dims: `${d0}-${d1}-${d2}`, sigmaX, W1, W2, lmax: eig[eig.length - 1], blockDiag: eigB[eigB.length - 1], trace: G.trace(), imbalance: balanceDefect([W1, W2], true) };
}

/**
 * eq. (15)-(16): a random unbalanced two-layer net (N(0, weightStd^2) and N(0, (1.4 weightStd)^2) layers),
 * d_0 + extraSamples whitened inputs, Gaussian targets. Returns the dense GGN's eigenvalues (descending) and,
 * for every pair (i, j) of an eigenvector v_i of W1^T W1 and u_j of W2 W2^T (null spaces completed),
 * lambda_ij = sigma_x^2 (sigma_i^2(W1) + sigma_j^2(W2)) and the residuals of (16)'s q_ij = u_j (x) X^T v_i / sqrt n
 * in the NTK and of J^T q_ij in the GGN (lambda_ij > 1e-12 lambda_max), over lambda_max. Draws W1, W2, X, Y.
 */
export function shallowGgnNet(widths: number[], o: { extraSamples: number; sigmaX: number; weightStd: number }, gen: Rng) {
  const [d0, d1, d2] = widths;
  const n = d0 + o.extraSamples;
  const W1 = gen.normalMatrix(d1, d0, o.weightStd);
  const W2 = gen.normalMatrix(d2, d1, o.weightStd * 1.4); // different scales: not balanced
  const X = whiten(gen.normalMatrix(d0, n), o.sigmaX);
  const nt = net(widths, [W1, W2], X, gen.normalMatrix(d2, n), o.sigmaX);
  const G = gaussNewton(nt.problem, nt.theta);
  const measured = descending(G);
  const lmax = measured[0];
  const e1 = eigh(W1.transpose().mmul(W1), { vectors: true });
  const e2 = eigh(W2.mmul(W2.transpose()), { vectors: true });
  const V = e1.vectors as Matrix, U = e2.vectors as Matrix;
  const K = ntkGram(nt.problem, nt.theta);
  const J = jacobian(nt.model, nt.theta, X);
  let ntkVecErr = 0, ggnVecErr = 0;
  const grid: number[][] = [];
  for (let i = 0; i < d0; i++) {
    const row: number[] = [];
    for (let j = 0; j < d2; j++) {
      const lam = o.sigmaX ** 2 * (Math.max(e1.values[i], 0) + Math.max(e2.values[j], 0));
      row.push(lam);
      // (16) in lib/curvature's output-major ordering: u_j (x) X^T v_i / sqrt n
      const a = X.transpose().mmul(V.subMatrix(0, d0 - 1, i, i)).div(Math.sqrt(n)).getColumn(0);
      const q = new Float64Array(d2 * n);
      for (let t = 0; t < d2; t++) for (let s = 0; s < n; s++) q[t * n + s] = U.get(t, j) * a[s];
      ntkVecErr = Math.max(ntkVecErr, eigenResidual(K, q, lam) / lmax);
      if (lam > 1e-12 * lmax) ggnVecErr = Math.max(ggnVecErr, eigenResidual(G, J.transpose().mmul(Matrix.columnVector(Array.from(q))).getColumn(0), lam) / lmax);
    }
    grid.push(row);
  }
  return { nt, W1, W2, p: measured.length, measured, ntkVecErr, ggnVecErr, grid };
}

/** Class labels 0..classes-1 of n samples by the class-proportion rule (largest class about alpha). Draws the subset. */
export function labelsByProportion(n: number, alpha: number, classes: number, gen: Rng): { labels: Int32Array; alphaMax: number; Y: Matrix } {
  const pool = Array.from({ length: classes * n }, (_, i) => i % classes);
  const labels = Int32Array.from(subsampleByClass(pool, n, gen, alpha, classes), (i) => pool[i]);
  const counts = new Array(classes).fill(0);
  labels.forEach((c) => counts[c]++);
  return { labels, alphaMax: Math.max(...counts) / n, Y: oneHot(labels, classes) };
}

/**
 * Inputs that can fit one-hot labels exactly: the labels in the first `classes` rows, Gaussian noise in the
 * other d_0 - classes, QR-whitened to sigma_x. Draws the noise.
 */
export function labelledInputs(Y: Matrix, d0: number, sigmaX: number, gen: Rng): Matrix {
  const raw = new Matrix(d0, Y.columns);
  raw.setSubMatrix(Y, 0, 0);
  raw.setSubMatrix(gen.normalMatrix(d0 - Y.rows, Y.columns), Y.rows, 0);
  return whiten(raw, sigmaX);
}

/** The top-k singular values of a matrix, descending, from the dense eigenvalues of W W^T. */
export function layerSingularValues(W: Matrix, k: number): number[] {
  return Array.from(eigh(W.mmul(W.transpose()), { largest: k }).values).reverse().map((v) => Math.sqrt(Math.max(v, 0)));
}

/** lambda_max of the Hessian: dense when p n <= 2e6, else Lanczos (tol 1e-12, start from `gen`). */
export function largestHessianEigenvalue(problem: Problem, theta: Float64Array, n: number, gen: Rng): number {
  if (theta.length * n <= 2e6) return topEigenvalue(hessian(problem, theta));
  return lanczos(hessianOperator(problem, theta), { k: 1, rng: gen, tol: 1e-12 }).values[0];
}

/**
 * ||H_f||_F: exact from the columns H_f e_i when p n <= 2e6, else sqrt of the mean of ||H_f z||^2 over 20 Gaussian
 * probes from `gen` (E ||H_f z||^2 = ||H_f||_F^2; relative accuracy about 1/sqrt(20), ample to tell rounding from zero).
 */
export function functionalHessianNorm(problem: Problem, theta: Float64Array, n: number, gen: Rng): number {
  const op = functionalHessianOperator(problem, theta);
  let acc = 0;
  const probes = theta.length * n <= 2e6 ? theta.length : 20;
  for (let t = 0; t < probes; t++) {
    const z = probes === theta.length ? Float64Array.from({ length: theta.length }, (_, i) => (i === t ? 1 : 0)) : gen.normalArray(theta.length);
    const y = op.matvec(z);
    for (let i = 0; i < y.length; i++) acc += y[i] * y[i];
  }
  return Math.sqrt(probes === theta.length ? acc : acc / probes);
}

/** A balanced net whose end-to-end matrix is `M` (`balancedInit` with A = M) on (X, Y), its loss and its layers. Draws the initialisation. */
export function balancedAt(widths: number[], X: Matrix, Y: Matrix, M: Matrix, gen: Rng): LinearNet & { loss: number } {
  const init = balancedInit(widths, gen, { A: M });
  const nt = net(widths, init.weights, X, Y, NaN);
  return { ...nt, theta: init.theta, loss: loss(nt.problem, init.theta) };
}

/**
 * Figure 1 (b): at each (L, alpha) a balanced zero-loss-in-the-limit net (`balancedInit` with A = Y X^T / n) on 60
 * samples of 4 classes with labels embedded in 7 whitened input rows (widths 7-5-...-5-4); the dense lambda_max
 * and the realised alpha_max. Draws labels, noise, initialisation per point.
 */
export function labelSharpnessSpots(Ls: number[], alphas: number[], gen: Rng): { L: number; alphaMax: number; lmax: number }[] {
  const out: { L: number; alphaMax: number; lmax: number }[] = [];
  const nB = 60, C = 4, dB = 7;
  for (const L of Ls) {
    for (const alpha of alphas) {
      const { Y, alphaMax } = labelsByProportion(nB, alpha, C, gen);
      const X = labelledInputs(Y, dB, 1, gen);
      const widths = [dB, ...Array(L - 1).fill(5), C];
      const init = balancedInit(widths, gen, { A: Y.mmul(X.transpose()).div(nB) });
      out.push({ L, alphaMax, lmax: topEigenvalue(hessian(mseProblem(deepLinear(widths), X, Y), init.theta)) });
    }
  }
  return out;
}

/**
 * Figure 1 (a): a strongly balanced square net (width d, depth L, singular values U[0, 1]) on n whitened Gaussian
 * inputs, targets its own outputs (zero loss); the dense Hessian's eigenvalues, descending. Draws sigmas, init, X.
 */
export function balancedOwnLabels(o: { d: number; n: number; L: number; sigmaX: number }, gen: Rng) {
  const widths = Array(o.L + 1).fill(o.d);
  const sig = Array.from({ length: o.d }, () => gen.uniform());
  const init = stronglyBalancedInit(widths, sig, gen);
  const X = whiten(gen.normalMatrix(o.d, o.n), o.sigmaX);
  const model = deepLinear(widths);
  const Y = outputs(mseProblem(model, X, new Matrix(o.d, o.n)), init.theta);
  const problem = mseProblem(model, X, Y);
  return { sig, Y, loss: loss(problem, init.theta), eigenvalues: descending(hessian(problem, init.theta)) };
}

/** max |g_a - g_b| / max |g_b| of two gradients of the same loss (population vs sample form). */
export function gradientMismatch(a: Problem, b: Problem, theta: Float64Array): number {
  const g1 = gradient(a, theta), g2 = gradient(b, theta);
  let e = 0, m = 0;
  for (let i = 0; i < g1.length; i++) { e = Math.max(e, Math.abs(g1[i] - g2[i])); m = Math.max(m, Math.abs(g2[i])); }
  return e / m;
}
