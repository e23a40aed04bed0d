/**
 * GPT-2-style initialisation for `transformer` (lib/models/transformer.ts).
 */
import { Model } from "../models/model";
import { Rng } from "../random/rng";

/**
 * GPT-2 initialisation (Radford et al. 2019, as in nanoGPT): weight matrices and embeddings N(0, std^2)
 * (std = 0.02), the residual output projections (`Wo`, `mlp.W2`, `mlpA.W2`) N(0, (std / sqrt(2 layers))^2),
 * biases 0, LayerNorm gains 1 and shifts 0. `layers` is read from the block names.
 */
export function transformerInit(model: Model, gen: Rng, options: { std?: number } = {}): Float64Array {
  const std = options.std ?? 0.02;
  if (!(std >= 0 && Number.isFinite(std))) throw new RangeError(`transformerInit: std must be >= 0, got ${std}`);
  if (!model.blocks.some((b) => b.name === "Wout")) throw new RangeError(`transformerInit: model must be a transformer(...), got ${model.name}`);
  const layers = Math.max(1, ...model.blocks.map((b) => Number.parseInt(b.name, 10)).filter((x) => Number.isFinite(x)));
  const theta = new Float64Array(model.numParams);
  for (const b of model.blocks) {
    const last = b.name.split(".").pop() as string;
    let value: (() => number) | number;
    if (last === "g") value = 1;
    else if (last === "b" || /^b\d$/.test(last)) value = 0;
    else if (b.name.endsWith(".Wo") || b.name.endsWith("mlp.W2") || b.name.endsWith("mlpA.W2")) value = () => gen.normal(0, std / Math.sqrt(2 * layers));
    else value = () => gen.normal(0, std);
    for (let i = 0; i < b.size; i++) theta[b.offset + i] = typeof value === "number" ? value : value();
  }
  return theta;
}
