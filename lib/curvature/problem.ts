/**
 * Problems: a model together with a loss and its data, described by the loss value, its gradient with
 * respect to the network output F, and the output Hessian's action (which gives the GGN J^T (d^2l/dF^2) J):
 *
 * - `mseProblem(model, X, Y)`: `l(theta) = 1/(2N) sum_i ||f(x_i) - y_i||^2` with `N = n` (the number of
 *   samples, columns of X) unless `normalizer` says otherwise.
 * - `populationProblem(model, {Sxx, Syx, Syy})`: the population MSE of a model linear in its input
 *   (Depth, Not Data): `L(W) = 1/2 tr(W S_xx W^T) - tr(W S_yx^T) + 1/2 tr(S_yy)` with `W = W_{L:1}`,
 *   evaluated as the network applied to the identity input.
 * - `crossEntropyProblem(model, X, labels)`: softmax cross-entropy over the rows of F (classes / vocabulary),
 *   averaged over the columns (samples / tokens).
 */
import { Matrix } from "ml-matrix";
import { Dual } from "../autodiff/tape";
import { gemm } from "../linalg/matmul";
import { Model, checkInput } from "../models/model";
import { rowMajorOf } from "../linalg/storage";
import { assertFinite } from "../linalg/validate";

/**
 * A loss to differentiate: a `Model` together with its data and a loss l(F) of the network output F,
 * described by what curvature needs: the value, dl/dF and the output Hessian's action (d^2 l / dF^2) dF,
 * which gives the Gauss-Newton part J^T (d^2 l / dF^2) J of the Hessian. Build one with `mseProblem`,
 * `populationProblem` or `crossEntropyProblem`; hand it to lib/curvature (`lossAndGradient`, `hvp`,
 * `hessian`, `hessianOperator`, `gaussNewton`, ...).
 */
export interface Problem {
  readonly model: Model;
  readonly kind: "mse" | "population" | "crossEntropy";
  /** Network input as a row-major `inputDim x cols` array (X for MSE, the identity for population). */
  readonly input: Dual;
  /** True when `input` is the identity (population problems): products with it are skipped. */
  readonly inputIsIdentity?: boolean;
  /** Shape of the network output F. */
  readonly outputRows: number;
  readonly outputCols: number;
  /** Loss value from the output F (row-major). */
  value(F: Float64Array): number;
  /** dl/dF at F. */
  outputGradient(F: Float64Array): Float64Array;
  /** (d^2 l / dF^2) dF at F (constant for the quadratic losses, F-dependent for cross-entropy). */
  outputHessianProduct(dF: Float64Array, F: Float64Array): Float64Array;
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
  const y = rowMajorOf(Y);
  const k = model.outputDim;
  return {
    model,
    kind: "mse",
    input: new Dual(X.rows, n, rowMajorOf(X)),
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
 *
 * Accuracy of the value: the three traces cancel near the minimum, so `loss` is accurate to about
 * eps * (tr(W S_xx W^T) + tr(S_yy)) in absolute terms, not relative to the (small) excess loss. For ratios of
 * losses late in training use the sample loss of whitened data (`mseProblem`), whose residuals do not cancel.
 * Gradients and curvature are unaffected (they do not form the value).
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
  const S = rowMajorOf(Sxx);
  const C = rowMajorOf(Syx);
  const eye = new Float64Array(d0 * d0);
  for (let i = 0; i < d0; i++) eye[i * d0 + i] = 1;
  // Whitened data (S_xx = sigma_x^2 I, Data Dependence App. C) needs no product: W (c I) is c W, exactly
  // the same numbers as the gemm (each entry is one product w c plus zeros) for a d_0-times smaller cost.
  const scalar = scalarIdentity(S, d0);
  const times = (W: Float64Array): Float64Array => {
    const out = new Float64Array(k * d0);
    if (scalar !== null) for (let i = 0; i < out.length; i++) out[i] = W[i] * scalar;
    else gemm(false, false, k, d0, d0, W, S, out, false);
    return out;
  };
  return {
    model,
    kind: "population",
    input: new Dual(d0, d0, eye),
    inputIsIdentity: true,
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

/** c when the row-major d x d matrix S is exactly c I, otherwise null. */
function scalarIdentity(S: Float64Array, d: number): number | null {
  const c = S[0];
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) if (S[i * d + j] !== (i === j ? c : 0)) return null;
  }
  return c;
}

/**
 * Softmax cross-entropy: `l = (1/N) sum_i [log sum_c exp(F_ci) - F_{y_i i}]` over the n columns of
 * F = model(X) (one column per sample or token, one row per class), N = n unless `normalizer`.
 * Output gradient `(softmax(F) - onehot(y)) / N`; output Hessian per column `(diag(p) - p p^T) / N`.
 * `labels` holds n class indices in [0, outputDim).
 */
export function crossEntropyProblem(model: Model, X: Matrix, labels: ArrayLike<number>, options: MseOptions = {}): Problem {
  checkInput("crossEntropyProblem", X, model.inputDim);
  const n = X.columns, C = model.outputDim;
  if (labels.length !== n) throw new RangeError(`crossEntropyProblem: labels must have n = ${n} entries, got ${labels.length}`);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= C) throw new RangeError(`crossEntropyProblem: labels[${i}] must be an integer in [0, ${C}), got ${c}`);
    y[i] = c;
  }
  const N = options.normalizer ?? n;
  if (!(N > 0) || !Number.isFinite(N)) throw new RangeError(`crossEntropyProblem: normalizer must be positive and finite, got ${N}`);
  /** Column-wise softmax of F (C x n, row-major) and the log-sum-exp of each column. */
  const softmax = (F: Float64Array): { P: Float64Array; lse: Float64Array } => {
    const P = new Float64Array(C * n);
    const lse = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let mx = -Infinity;
      for (let c = 0; c < C; c++) mx = Math.max(mx, F[c * n + i]);
      let s = 0;
      for (let c = 0; c < C; c++) { const e = Math.exp(F[c * n + i] - mx); P[c * n + i] = e; s += e; }
      for (let c = 0; c < C; c++) P[c * n + i] /= s;
      lse[i] = mx + Math.log(s);
    }
    return { P, lse };
  };
  return {
    model,
    kind: "crossEntropy",
    input: new Dual(X.rows, n, rowMajorOf(X)),
    outputRows: C,
    outputCols: n,
    value(F) {
      const { lse } = softmax(F);
      let s = 0;
      for (let i = 0; i < n; i++) s += lse[i] - F[y[i] * n + i];
      return s / N;
    },
    outputGradient(F) {
      const { P } = softmax(F);
      for (let i = 0; i < n; i++) P[y[i] * n + i] -= 1;
      for (let k = 0; k < P.length; k++) P[k] /= N;
      return P;
    },
    outputHessianProduct(dF, F) {
      const { P } = softmax(F);
      const out = new Float64Array(C * n);
      for (let i = 0; i < n; i++) {
        let pd = 0;
        for (let c = 0; c < C; c++) pd += P[c * n + i] * dF[c * n + i];
        for (let c = 0; c < C; c++) out[c * n + i] = (P[c * n + i] * (dF[c * n + i] - pd)) / N;
      }
      return out;
    },
  };
}
