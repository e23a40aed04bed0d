/**
 * Problems: a model together with a loss and its data. Every loss here is quadratic in the network
 * output, so the loss is determined by its value, its output gradient and its (constant) output Hessian:
 *
 * - `mseProblem(model, X, Y)`: `l(theta) = 1/(2N) sum_i ||f(x_i) - y_i||^2` with `N = n` (the number of
 *   samples, columns of X) unless `normalizer` says otherwise.
 * - `populationProblem(model, {Sxx, Syx, Syy})`: the population MSE of a model linear in its input
 *   (Depth, Not Data): `L(W) = 1/2 tr(W S_xx W^T) - tr(W S_yx^T) + 1/2 tr(S_yy)` with `W = W_{L:1}`,
 *   evaluated as the network applied to the identity input.
 */
import { Matrix } from "ml-matrix";
import { Dual } from "./autodiff";
import { gemm } from "./kernels";
import { Model, assertFinite, checkInput, matrixToArray } from "../models/model";

export interface Problem {
  readonly model: Model;
  readonly kind: "mse" | "population";
  /** Network input as a row-major `inputDim x cols` array (X for MSE, the identity for population). */
  readonly input: Dual;
  /** Shape of the network output F. */
  readonly outputRows: number;
  readonly outputCols: number;
  /** Loss value from the output F (row-major). */
  value(F: Float64Array): number;
  /** dl/dF at F. */
  outputGradient(F: Float64Array): Float64Array;
  /** (d^2 l / dF^2) dF (independent of F: every loss here is quadratic). */
  outputHessianProduct(dF: Float64Array): Float64Array;
}

/** Options of `mseProblem`. */
export interface MseOptions {
  /** N in 1/(2N): default the number of samples n. Use n * outputDim for a mean over all entries. */
  normalizer?: number;
}

/**
 * Mean squared error over a sample: `1/(2N) sum_i ||f(x_i) - y_i||^2`, X `inputDim x n`, Y
 * `outputDim x n` (one sample per column), N = n unless `options.normalizer`.
 */
export function mseProblem(model: Model, X: Matrix, Y: Matrix, options: MseOptions = {}): Problem {
  checkInput("mseProblem", X, model.inputDim);
  if (Y.rows !== model.outputDim || Y.columns !== X.columns) {
    throw new RangeError(`mseProblem: Y must be ${model.outputDim} x ${X.columns} (outputDim x n), got ${Y.rows} x ${Y.columns}`);
  }
  assertFinite("mseProblem: Y", Y);
  const n = X.columns;
  const N = options.normalizer ?? n;
  if (!(N > 0) || !Number.isFinite(N)) throw new RangeError(`mseProblem: normalizer must be positive and finite, got ${N}`);
  const y = matrixToArray(Y);
  const k = model.outputDim;
  return {
    model,
    kind: "mse",
    input: new Dual(X.rows, n, matrixToArray(X)),
    outputRows: k,
    outputCols: n,
    value(F) {
      let s = 0;
      for (let i = 0; i < F.length; i++) { const d = F[i] - y[i]; s += d * d; }
      return s / (2 * N);
    },
    outputGradient(F) {
      const g = new Float64Array(F.length);
      for (let i = 0; i < F.length; i++) g[i] = (F[i] - y[i]) / N;
      return g;
    },
    outputHessianProduct(dF) {
      const g = new Float64Array(dF.length);
      for (let i = 0; i < dF.length; i++) g[i] = dF[i] / N;
      return g;
    },
  };
}

/** Second moments of the data for the population loss. */
export interface PopulationStats {
  /** E[x x^T], d_0 x d_0, symmetric. */
  Sxx: Matrix;
  /** E[y x^T], d_L x d_0. */
  Syx: Matrix;
  /** E[y y^T], d_L x d_L (only its trace enters; default 0). */
  Syy?: Matrix;
}

/**
 * Population MSE of a model linear in its input (Depth, Not Data, Section 2):
 * `L(W) = 1/2 tr(W S_xx W^T) - tr(W S_yx^T) + 1/2 tr(S_yy)`, `W = F(I)` the end-to-end matrix.
 * Output gradient `W S_xx - S_yx`, output Hessian `dW -> dW S_xx` (so `H_o = A_o (I (x) S_xx) A_o^T`).
 */
export function populationProblem(model: Model, stats: PopulationStats): Problem {
  if (!model.linearInInput) throw new RangeError(`populationProblem: model must be linear in its input (a deep linear network), got ${model.name}`);
  const d0 = model.inputDim, k = model.outputDim;
  const { Sxx, Syx } = stats;
  if (Sxx.rows !== d0 || Sxx.columns !== d0) throw new RangeError(`populationProblem: Sxx must be ${d0} x ${d0}, got ${Sxx.rows} x ${Sxx.columns}`);
  if (Syx.rows !== k || Syx.columns !== d0) throw new RangeError(`populationProblem: Syx must be ${k} x ${d0}, got ${Syx.rows} x ${Syx.columns}`);
  assertFinite("populationProblem: Sxx", Sxx);
  assertFinite("populationProblem: Syx", Syx);
  for (let i = 0; i < d0; i++) for (let j = 0; j < i; j++) {
    const a = Sxx.get(i, j), b = Sxx.get(j, i);
    if (Math.abs(a - b) > 1e-12 * (Math.abs(a) + Math.abs(b) + 1)) throw new RangeError(`populationProblem: Sxx must be symmetric, (${i}, ${j}) = ${a} but (${j}, ${i}) = ${b}`);
  }
  let trSyy = 0;
  if (stats.Syy !== undefined) {
    const Syy = stats.Syy;
    if (Syy.rows !== k || Syy.columns !== k) throw new RangeError(`populationProblem: Syy must be ${k} x ${k}, got ${Syy.rows} x ${Syy.columns}`);
    assertFinite("populationProblem: Syy", Syy);
    for (let i = 0; i < k; i++) trSyy += Syy.get(i, i);
  }
  const S = matrixToArray(Sxx);
  const C = matrixToArray(Syx);
  const eye = new Float64Array(d0 * d0);
  for (let i = 0; i < d0; i++) eye[i * d0 + i] = 1;
  const times = (W: Float64Array): Float64Array => {
    const out = new Float64Array(k * d0);
    gemm(false, false, k, d0, d0, W, S, out, false);
    return out;
  };
  return {
    model,
    kind: "population",
    input: new Dual(d0, d0, eye),
    outputRows: k,
    outputCols: d0,
    value(W) {
      const WS = times(W);
      let quad = 0, lin = 0;
      for (let i = 0; i < W.length; i++) { quad += WS[i] * W[i]; lin += W[i] * C[i]; }
      return 0.5 * quad - lin + 0.5 * trSyy;
    },
    outputGradient(W) {
      const g = times(W);
      for (let i = 0; i < g.length; i++) g[i] -= C[i];
      return g;
    },
    outputHessianProduct(dW) {
      return times(dW);
    },
  };
}
