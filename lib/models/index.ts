/**
 * The papers' models. Every model documents its flat parameter ordering; see `model.ts` for the `Model`
 * interface.
 *
 * - `deepLinear(widths)`, `mlp(widths, {activation, bias, activateOutput, multipliers})`
 * - Cracking the Hessian, two-layer: `twoLayerScalar(m)`, `twoLayerRelu(m)`, `twoLayerBias(m)`,
 *   `twoLayerMultiInput(m, D)`, `twoLayerMultiOutput(m, K)`
 * - Cracking the Hessian, attention: `selfAttention({seqLen, embed, dK, sink})`
 * - Transformer analogue of the GPT-2 studies: `transformer({vocab, seqLen, dModel, heads, layers, mlpWidth,
 *   attention, sink})` (causal, pre-LayerNorm; pair with `crossEntropyProblem`)
 * - your own: `defineModel({name, inputDim, outputDim, blocks, graph})` with tape operations
 */
export * from "./model";
export * from "./mlp";
export * from "./two-layer";
export * from "./attention";
export * from "./transformer";
export * from "./end-to-end";
