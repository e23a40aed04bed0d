/**
 * A small decoder-only Transformer (GPT-2 style, pre-LayerNorm) for the "Transformer analogue" of
 * Cracking the Hessian's GPT-2 studies (figures 5, 6, 23-25), small enough for exact float64 Hessian-vector
 * products on a CPU. Every operation is a tape operation, so gradients, HVPs and the GGN are exact.
 *
 *   H_0 = E X + [P, P, ..., P]                         (token + position embeddings)
 *   H   = H + Attn(LN_1(H))   (or + MLP'(LN_1(H)) when attention is off: the "no attention" variant)
 *   H   = H + MLP(LN_2(H))                              (per layer)
 *   F   = W_out LN_f(H)                                  (logits, vocab x N)
 *
 * Attention: causal, `heads` heads of size d/heads, scores Q_h^T K_h / sqrt(d_h) with an optional
 * attention-sink bias added to every query's score on the FIRST token (Cracking D.1.6); MLP:
 * W_2 gelu(W_1 x + b_1) + b_2 (GELU, tanh form); LayerNorm over the d features of each column, eps 1e-5.
 *
 * Data layout: X is the one-hot token matrix, vocab x (T B): column b T + t is token t of sequence b.
 * Parameter ordering (block names): `E` (d x vocab), `P` (d x T); per layer l = 1..layers:
 * `l.ln1.g`, `l.ln1.b` (d x 1); attention per head h: `l.h.Wq`, `l.h.Wk`, `l.h.Wv` (d_h x d), then `l.Wo`
 * (d x d) — or, without attention, `l.mlpA.W1` (m x d), `l.mlpA.b1` (m x 1), `l.mlpA.W2` (d x m),
 * `l.mlpA.b2` (d x 1); then `l.ln2.g`, `l.ln2.b`, `l.mlp.W1`, `l.mlp.b1`, `l.mlp.W2`, `l.mlp.b2`; finally
 * `lnf.g`, `lnf.b` (d x 1) and `Wout` (vocab x d). Use `transformerInit` (lib/init) for GPT-2-style values.
 */
import { Dual, Tape, Var, gelu, rsqrt } from "../autodiff/tape";
import { BlockSpec, Model, defineModel } from "./model";
import { assertPositiveInt } from "../linalg/validate";

export interface TransformerOptions {
  /** Vocabulary size (rows of the one-hot input and of the logits). */
  vocab: number;
  /** Sequence length T. */
  seqLen: number;
  /** Model width d. */
  dModel: number;
  /** Number of heads (must divide d). Default 1. */
  heads?: number;
  /** Number of blocks. Default 1. */
  layers?: number;
  /** Hidden width of the MLPs. Default 4 d. */
  mlpWidth?: number;
  /** Attention sublayers (true) or MLP sublayers in their place (false). Default true. */
  attention?: boolean;
  /** Attention-sink bias on the first token's pre-softmax scores. Default 0. */
  sink?: number;
}

const NEG = -1e30; // causal mask: exp(NEG - max) is exactly 0 in float64
const LN_EPS = 1e-5;

/** Decoder-only Transformer; see the module comment for the layout and the parameter ordering. */
export function transformer(options: TransformerOptions): Model {
  const V = options.vocab, T = options.seqLen, d = options.dModel;
  const heads = options.heads ?? 1, layers = options.layers ?? 1;
  const m = options.mlpWidth ?? 4 * d;
  const useAttention = options.attention ?? true;
  const sink = options.sink ?? 0;
  assertPositiveInt("transformer: vocab", V);
  assertPositiveInt("transformer: seqLen", T);
  assertPositiveInt("transformer: dModel", d);
  assertPositiveInt("transformer: heads", heads);
  assertPositiveInt("transformer: layers", layers);
  assertPositiveInt("transformer: mlpWidth", m);
  if (d % heads !== 0) throw new RangeError(`transformer: heads (${heads}) must divide dModel (${d})`);
  if (!Number.isFinite(sink)) throw new RangeError(`transformer: sink must be finite, got ${sink}`);
  const dh = d / heads;

  const blocks: BlockSpec[] = [
    { name: "E", rows: d, cols: V, fanIn: 1 },
    { name: "P", rows: d, cols: T, fanIn: 1 },
  ];
  const ln = (prefix: string) => blocks.push({ name: `${prefix}.g`, rows: d, cols: 1, fanIn: 1 }, { name: `${prefix}.b`, rows: d, cols: 1, fanIn: 1 });
  const mlpBlocks = (prefix: string) => blocks.push(
    { name: `${prefix}.W1`, rows: m, cols: d },
    { name: `${prefix}.b1`, rows: m, cols: 1, fanIn: d },
    { name: `${prefix}.W2`, rows: d, cols: m },
    { name: `${prefix}.b2`, rows: d, cols: 1, fanIn: m },
  );
  for (let l = 1; l <= layers; l++) {
    ln(`${l}.ln1`);
    if (useAttention) {
      for (let h = 1; h <= heads; h++) {
        blocks.push({ name: `${l}.${h}.Wq`, rows: dh, cols: d }, { name: `${l}.${h}.Wk`, rows: dh, cols: d }, { name: `${l}.${h}.Wv`, rows: dh, cols: d });
      }
      blocks.push({ name: `${l}.Wo`, rows: d, cols: d });
    } else {
      mlpBlocks(`${l}.mlpA`);
    }
    ln(`${l}.ln2`);
    mlpBlocks(`${l}.mlp`);
  }
  ln("lnf");
  blocks.push({ name: "Wout", rows: V, cols: d });

  // constants shared by every forward pass
  const meanOp = new Float64Array(d * d).fill(1 / d);
  const mask = new Float64Array(T * T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) mask[i * T + j] = j > i ? NEG : j === 0 ? sink : 0;
  const epsCol = new Float64Array(d).fill(LN_EPS);

  return defineModel({
    name: `transformer(vocab=${V}, T=${T}, d=${d}, heads=${heads}, layers=${layers}, mlp=${m}${useAttention ? "" : ", no attention"}${sink !== 0 ? `, sink=${sink}` : ""})`,
    inputDim: V,
    outputDim: V,
    blocks,
    graph(tape: Tape, params: Var[], X: Var): Var {
      const N = X.cols;
      if (N % T !== 0) throw new RangeError(`transformer: X must have a multiple of seqLen = ${T} columns, got ${N}`);
      const B = N / T;
      let k = 0;
      const next = () => params[k++];
      const M = tape.constant(new Dual(d, d, meanOp));
      const Mask = tape.constant(new Dual(T, T, mask));
      const Eps = tape.constant(new Dual(d, 1, epsCol));
      const layerNorm = (x: Var, g: Var, b: Var): Var => {
        const xc = tape.sub(x, tape.matmul(M, x));
        const variance = tape.matmul(M, tape.mul(xc, xc));
        const y = tape.mul(xc, tape.unary(tape.addBias(variance, Eps), rsqrt));
        return tape.addBias(tape.mul(y, tape.broadcastCols(g, N)), b);
      };
      const mlpApply = (x: Var, W1: Var, b1: Var, W2: Var, b2: Var): Var =>
        tape.addBias(tape.matmul(W2, tape.unary(tape.addBias(tape.matmul(W1, x), b1), gelu)), b2);

      const E = next(), P = next();
      let H = tape.add(tape.matmul(E, X), B === 1 ? P : tape.concatCols(new Array(B).fill(P)));
      for (let l = 1; l <= layers; l++) {
        const g1 = next(), b1 = next();
        const x = layerNorm(H, g1, b1);
        let update: Var;
        if (useAttention) {
          const headOuts: Var[] = [];
          for (let h = 0; h < heads; h++) {
            const Q = tape.matmul(next(), x), K = tape.matmul(next(), x), Vh = tape.matmul(next(), x);
            const seqOuts: Var[] = [];
            for (let s = 0; s < B; s++) {
              const q = B === 1 ? Q : tape.sliceCols(Q, s * T, (s + 1) * T);
              const kk = B === 1 ? K : tape.sliceCols(K, s * T, (s + 1) * T);
              const v = B === 1 ? Vh : tape.sliceCols(Vh, s * T, (s + 1) * T);
              const S = tape.add(tape.scale(tape.matmul(q, kk, true, false), 1 / Math.sqrt(dh)), Mask); // queries x keys
              const A = tape.softmaxRows(S);
              seqOuts.push(tape.matmul(v, A, false, true)); // dh x T
            }
            headOuts.push(B === 1 ? seqOuts[0] : tape.concatCols(seqOuts));
          }
          const Wo = next();
          update = tape.matmul(Wo, heads === 1 ? headOuts[0] : tape.concatRows(headOuts));
        } else {
          update = mlpApply(x, next(), next(), next(), next());
        }
        H = tape.add(H, update);
        const g2 = next(), b2 = next();
        H = tape.add(H, mlpApply(layerNorm(H, g2, b2), next(), next(), next(), next()));
      }
      const gf = next(), bf = next();
      return tape.matmul(next(), layerNorm(H, gf, bf));
    },
  });
}
