/**
 * The end-to-end form of a deep linear network (Data Dependence, App. C): the model's output is the product
 * W_L ... W_1 itself, for the population loss on whitened data.
 */
import { Model, defineModel } from "./model";

/**
 * A deep linear network in end-to-end form: the output is the matrix W_L ... W_1 itself (d_L x d_0), multiplied
 * from the left (W_L W_{L-1} first), and the input is ignored. With `populationProblem` this is the population
 * loss of `deepLinear(widths)` (same parameter blocks and ordering) without multiplying W_1 by the d_0 x d_0
 * identity input: for d_0 = 784 and width 64 that product is most of the cost of a gradient.
 * @param widths [d_0, ..., d_L]
 */
export function endToEndLinear(widths: number[]): Model {
  const bad = (message: string): never => { throw new RangeError(`endToEndLinear: ${message}`); };
  if (!Array.isArray(widths) || widths.length < 2) bad(`widths must list at least d_0 and d_L, got ${JSON.stringify(widths)}`);
  widths.forEach((w, i) => { if (!(Number.isInteger(w) && w >= 1)) bad(`widths[${i}] must be a positive integer, got ${w}`); });
  const L = widths.length - 1;
  const blocks = [];
  for (let l = 1; l <= L; l++) blocks.push({ name: `W${l}`, rows: widths[l], cols: widths[l - 1] });
  return defineModel({
    name: `endToEndLinear(${widths.join("-")})`,
    inputDim: widths[0],
    outputDim: widths[L],
    blocks,
    linearInInput: true,
    graph(tape, params) {
      let h = params[L - 1];
      for (let l = L - 2; l >= 0; l--) h = tape.matmul(h, params[l]);
      return h;
    },
  });
}
