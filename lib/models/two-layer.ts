/**
 * The two-layer models of Cracking the Hessian (Section 3 and Appendix B), with m hidden units.
 * Vectors are stored as blocks: `w` as a 1 x m row (second layer), `v` and `b` as m x 1 columns (first
 * layer), so the flat ordering is the paper's parameter vector (w, v[, b]) exactly. (Theorem 3.2 states
 * its eigenvectors for the order (v, w); swap the halves to compare.)
 *
 * This second-layer-first order differs from `mlp` (first layer first), which 70 notebooks rely on, so it
 * stays: read and write these parameters by block name (`model.blocks`, `unflattenByName`,
 * `flattenByName`), never by slicing theta by position.
 */
import { Model, defineModel } from "./model";
import { assertPositiveInt } from "../linalg/validate";
import { Var } from "../autodiff/tape";

/**
 * Scalar two-layer linear network of Theorem 3.1: `f(x) = <w, v> x`, `w, v` in R^m, scalar input and
 * output. theta = (w, v), blocks `w` (1 x m), `v` (m x 1).
 */
export function twoLayerScalar(m: number): Model {
  assertPositiveInt("twoLayerScalar: m", m);
  return defineModel({
    name: `twoLayerScalar(m=${m})`,
    inputDim: 1,
    outputDim: 1,
    blocks: [{ name: "w", rows: 1, cols: m, fanIn: m }, { name: "v", rows: m, cols: 1, fanIn: 1 }],
    linearInInput: true,
    graph(tape, [w, v], X) {
      return tape.matmul(tape.matmul(w, v), X); // (w^T v) x
    },
  });
}

/**
 * Two-layer ReLU network of Theorem 3.4: `f(x) = w^T (v x)_+`, scalar input and output.
 * theta = (w, v), blocks `w` (1 x m), `v` (m x 1).
 */
export function twoLayerRelu(m: number): Model {
  assertPositiveInt("twoLayerRelu: m", m);
  return defineModel({
    name: `twoLayerRelu(m=${m})`,
    inputDim: 1,
    outputDim: 1,
    blocks: [{ name: "w", rows: 1, cols: m, fanIn: m }, { name: "v", rows: m, cols: 1, fanIn: 1 }],
    graph(tape, [w, v], X) {
      return tape.matmul(w, tape.relu(tape.matmul(v, X)));
    },
  });
}

/**
 * Two-layer network with a hidden bias, Theorem B.1: `f(x) = w^T act(v x + b)` (act = identity by default;
 * "relu" or "tanh" on request). theta = (w, v, b), blocks `w` (1 x m), `v` (m x 1), `b` (m x 1).
 */
export function twoLayerBias(m: number, options: { activation?: "linear" | "relu" | "tanh" } = {}): Model {
  assertPositiveInt("twoLayerBias: m", m);
  const act = options.activation ?? "linear";
  if (!["linear", "relu", "tanh"].includes(act)) throw new RangeError(`twoLayerBias: activation must be "linear", "relu" or "tanh", got ${String(act)}`);
  return defineModel({
    name: `twoLayerBias(m=${m}${act === "linear" ? "" : ", " + act})`,
    inputDim: 1,
    outputDim: 1,
    blocks: [
      { name: "w", rows: 1, cols: m, fanIn: m },
      { name: "v", rows: m, cols: 1, fanIn: 1 },
      { name: "b", rows: m, cols: 1, fanIn: 1 },
    ],
    graph(tape, [w, v, b], X) {
      let h = tape.addBias(tape.matmul(v, X), b);
      if (act === "relu") h = tape.relu(h);
      else if (act === "tanh") h = tape.tanh(h);
      return tape.matmul(w, h);
    },
  });
}

/**
 * Multi-input two-layer linear network of Corollary B.1 (eq. 111): `f(x) = sum_d <w_d, v_d> x_d`,
 * equivalently `w^T V x` with block-diagonal V. theta = (w_1, v_1, ..., w_D, v_D), blocks `w1` (1 x m),
 * `v1` (m x 1), ... (2 m D parameters).
 */
export function twoLayerMultiInput(m: number, D: number): Model {
  assertPositiveInt("twoLayerMultiInput: m", m);
  assertPositiveInt("twoLayerMultiInput: D", D);
  const blocks = [];
  for (let d = 1; d <= D; d++) blocks.push({ name: `w${d}`, rows: 1, cols: m, fanIn: m }, { name: `v${d}`, rows: m, cols: 1, fanIn: 1 });
  return defineModel({
    name: `twoLayerMultiInput(m=${m}, D=${D})`,
    inputDim: D,
    outputDim: 1,
    blocks,
    linearInInput: true,
    graph(tape, params, X) {
      // alpha_d = <w_d, v_d>; f = alpha^T x with alpha = (alpha_1 .. alpha_D) as a 1 x D row
      const alphas: Var[] = [];
      for (let d = 0; d < D; d++) alphas.push(tape.matmul(params[2 * d], params[2 * d + 1]));
      return tape.matmul(tape.concatCols(alphas), X);
    },
  });
}

/**
 * Multi-output two-layer linear network of Corollary B.2: `f^k(x) = <w_k, v_k> x`, k = 1..K, scalar input,
 * equivalently `W v x` with block-diagonal W. theta = (w_1, v_1, ..., w_K, v_K), blocks `w1` (1 x m),
 * `v1` (m x 1), ... (2 m K parameters).
 */
export function twoLayerMultiOutput(m: number, K: number): Model {
  assertPositiveInt("twoLayerMultiOutput: m", m);
  assertPositiveInt("twoLayerMultiOutput: K", K);
  const blocks = [];
  for (let k = 1; k <= K; k++) blocks.push({ name: `w${k}`, rows: 1, cols: m, fanIn: m }, { name: `v${k}`, rows: m, cols: 1, fanIn: 1 });
  return defineModel({
    name: `twoLayerMultiOutput(m=${m}, K=${K})`,
    inputDim: 1,
    outputDim: K,
    blocks,
    linearInInput: true,
    graph(tape, params, X) {
      const alphas: Var[] = [];
      for (let k = 0; k < K; k++) alphas.push(tape.matmul(params[2 * k], params[2 * k + 1]));
      return tape.matmul(tape.concatRows(alphas), X); // (K x 1) (1 x n)
    },
  });
}
