/**
 * Fully connected networks: deep linear networks and MLPs.
 *
 * Parameter ordering (flat theta): layer by layer, `W_1, [b_1], W_2, [b_2], ..., W_L, [b_L]`; `W_l` is
 * `d_l x d_{l-1}` row-major, `b_l` is `d_l x 1`. Block names `W1`, `b1`, ... Each block also carries the
 * PyTorch `state_dict` key of the same tensor in a `torch.nn.ModuleList` of `nn.Linear` called `layers`:
 * `W_l` is `layers.{l-1}.weight` (PyTorch's `out x in` is our `d_l x d_{l-1}`, the same row-major bytes),
 * `b_l` is `layers.{l-1}.bias`.
 */
import { Tape, Var } from "../autodiff/tape";
import { BlockSpec, Model, defineModel } from "./model";
import { assertPositiveInt } from "../linalg/validate";

/** Options shared by `deepLinear` and `mlp`. */
export interface LayerOptions {
  /**
   * Per-layer output multipliers `c_l` (length L): layer l computes `c_l W_l h_{l-1}` (NTP uses
   * `1/sqrt(fan-in)`). Default all 1.
   */
  multipliers?: number[];
}

export interface MlpOptions extends LayerOptions {
  /** Non-linearity after every hidden layer. Default "tanh". */
  activation?: "tanh" | "relu" | "linear";
  /** Biases on every layer. Default false. */
  bias?: boolean;
  /** Apply the non-linearity after the last layer as well (Depth, Not Data, Figure 3). Default false. */
  activateOutput?: boolean;
}

function checkWidths(where: string, widths: number[]): void {
  if (!Array.isArray(widths) || widths.length < 2) {
    throw new RangeError(`${where}: widths must list at least d_0 and d_L, got ${JSON.stringify(widths)}`);
  }
  widths.forEach((w, i) => assertPositiveInt(`${where}: widths[${i}]`, w));
}

function checkMultipliers(where: string, multipliers: number[] | undefined, L: number): number[] {
  if (multipliers === undefined) return new Array(L).fill(1);
  if (multipliers.length !== L) throw new RangeError(`${where}: multipliers must have length ${L}, got ${multipliers.length}`);
  multipliers.forEach((c, i) => { if (!Number.isFinite(c)) throw new RangeError(`${where}: multipliers[${i}] must be finite, got ${c}`); });
  return multipliers.slice();
}

/**
 * Deep linear network `F(x) = W_L ... W_1 x` (times the multipliers, if any), `widths = [d_0, ..., d_L]`,
 * `W_j` is `d_j x d_{j-1}`. Blocks `W1 .. WL` in that order.
 */
export function deepLinear(widths: number[], options: LayerOptions = {}): Model {
  return mlp(widths, { ...options, activation: "linear", bias: false, activateOutput: false }, "deepLinear");
}

/**
 * Multilayer perceptron `h_l = act(c_l W_l h_{l-1} + b_l)` for hidden layers, output layer without the
 * non-linearity unless `activateOutput`. Blocks `W1, [b1], ..., WL, [bL]`.
 */
export function mlp(widths: number[], options: MlpOptions = {}, label = "mlp"): Model {
  checkWidths(label, widths);
  const L = widths.length - 1;
  const activation = options.activation ?? "tanh";
  if (!["tanh", "relu", "linear"].includes(activation)) {
    throw new RangeError(`${label}: activation must be "tanh", "relu" or "linear", got ${String(activation)}`);
  }
  const bias = options.bias ?? false;
  const activateOutput = options.activateOutput ?? false;
  const mult = checkMultipliers(label, options.multipliers, L);
  const blocks: BlockSpec[] = [];
  for (let l = 1; l <= L; l++) {
    blocks.push({ name: `W${l}`, rows: widths[l], cols: widths[l - 1], torchName: `layers.${l - 1}.weight` });
    if (bias) blocks.push({ name: `b${l}`, rows: widths[l], cols: 1, fanIn: widths[l - 1], fanOut: widths[l], torchName: `layers.${l - 1}.bias` });
  }
  const act = (tape: Tape, h: Var): Var =>
    activation === "tanh" ? tape.tanh(h) : activation === "relu" ? tape.relu(h) : h;
  const desc = label === "deepLinear" ? `deepLinear(${widths.join("-")})` : `mlp(${widths.join("-")}, ${activation}${bias ? ", bias" : ""})`;
  return defineModel({
    name: desc,
    inputDim: widths[0],
    outputDim: widths[L],
    blocks,
    linearInInput: activation === "linear" && !bias,
    graph(tape, params, X) {
      let h = X;
      let k = 0;
      for (let l = 1; l <= L; l++) {
        h = tape.matmul(params[k++], h);
        if (mult[l - 1] !== 1) h = tape.scale(h, mult[l - 1]);
        if (bias) h = tape.addBias(h, params[k++]);
        if (l < L || activateOutput) h = act(tape, h);
      }
      return h;
    },
  });
}
