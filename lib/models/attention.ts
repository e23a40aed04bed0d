/**
 * Single-head self-attention layer of Cracking the Hessian (Section 3.3, eq. 4; Figure 9), after
 * Ormaniec et al. (2024):
 *
 *   f(X) = A(X) X W_V,   A(X) = softmax_rows( X W_Q W_K^T X^T / sqrt(d_K) + sink 1 e_1^T )
 *
 * for one sequence X (T tokens x d embedding). With d = 1 this is eq. (4): f(x) = w_V A(x) x with
 * A(x) = softmax(x w_Q^T w_K x^T / sqrt(d_K)). The optional attention sink adds the constant `sink` to the
 * pre-softmax score of the FIRST token for every query (column 0 of the score matrix; Cracking, D.1.6).
 *
 * The sequences are data (constant leaves): the layer is differentiated with respect to its weights only.
 *
 * Data layout: each column of X (`T d x n`) is one sequence, token t's embedding at rows t d .. t d + d - 1
 * (row-major T x d); the output has the same layout (`T d x n`).
 *
 * Loss: Theorem 3.5's `1/(2T) ||f(x) - y||^2` for one sequence is `mseProblem(model, x, y, { normalizer: T })`;
 * for a batch of n sequences, `normalizer: T * n` gives the mean over all tokens.
 *
 * Parameter ordering (the paper's Hessian order w_V, w_K, w_Q): blocks `WV` (d x d), `WK` (d x d_K),
 * `WQ` (d x d_K), row-major. For d = 1: w_V (1 x 1), w_K and w_Q (1 x d_K).
 */
import { Dual, Var } from "../autodiff/tape";
import { Model, defineModel } from "./model";
import { assertPositiveInt } from "../linalg/validate";

export interface SelfAttentionOptions {
  /** Sequence length T. */
  seqLen: number;
  /** Embedding dimension d (1 for eq. 4). Default 1. */
  embed?: number;
  /** Query/key dimension d_K. */
  dK: number;
  /** Bias added to every query's score on the first token (attention sink). Default 0. */
  sink?: number;
}

/** Single-head self-attention, see the module comment for layout and ordering. */
export function selfAttention(options: SelfAttentionOptions): Model {
  const T = options.seqLen, d = options.embed ?? 1, dK = options.dK, sink = options.sink ?? 0;
  assertPositiveInt("selfAttention: seqLen", T);
  assertPositiveInt("selfAttention: embed", d);
  assertPositiveInt("selfAttention: dK", dK);
  if (!Number.isFinite(sink)) throw new RangeError(`selfAttention: sink must be finite, got ${sink}`);
  const sinkMatrix = new Float64Array(T * T);
  for (let i = 0; i < T; i++) sinkMatrix[i * T] = sink;
  return defineModel({
    name: `selfAttention(T=${T}, d=${d}, dK=${dK}${sink !== 0 ? `, sink=${sink}` : ""})`,
    inputDim: T * d,
    outputDim: T * d,
    blocks: [
      { name: "WV", rows: d, cols: d, fanIn: d },
      { name: "WK", rows: d, cols: dK, fanIn: d, fanOut: dK },
      { name: "WQ", rows: d, cols: dK, fanIn: d, fanOut: dK },
    ],
    graph(tape, [WV, WK, WQ], X) {
      const n = X.cols;
      const M = tape.scale(tape.matmul(WQ, WK, false, true), 1 / Math.sqrt(dK)); // W_Q W_K^T / sqrt(d_K)
      const sinkVar = tape.constant(new Dual(T, T, sinkMatrix));
      const outs: Var[] = [];
      for (let i = 0; i < n; i++) {
        const col = new Float64Array(T * d);
        for (let r = 0; r < T * d; r++) col[r] = X.x.v[r * n + i];
        const Xi = tape.constant(new Dual(T, d, col));
        let S = tape.matmul(tape.matmul(Xi, M), Xi, false, true); // T x T
        if (sink !== 0) S = tape.add(S, sinkVar);
        const A = tape.softmaxRows(S);
        const out = tape.matmul(tape.matmul(A, Xi), WV); // T x d
        outs.push(tape.reshape(out, T * d, 1));
      }
      return tape.concatCols(outs);
    },
  });
}
