// Spectral density of a Transformer analogue: a one-layer, two-head decoder on a random token stream,
// softmax cross-entropy, density of H by stochastic Lanczos quadrature against the exact dense spectrum.
//   npx hessian-spectra run examples/transformer-density.ts
import { crossEntropyProblem, hessianTrace, languageModelBatch, rng, spectralDensity, transformer, transformerInit } from "hessian-spectra";

const gen = rng(3);
const vocab = 6, T = 4;
const model = transformer({ vocab, seqLen: T, dModel: 4, heads: 2, layers: 1, mlpWidth: 8 });
const tokens = Int32Array.from({ length: 200 }, () => gen.int(vocab));
const batch = languageModelBatch(tokens, vocab, T, 3, gen);
const problem = crossEntropyProblem(model, batch.X, batch.labels);
const theta = transformerInit(model, gen);

const slq = spectralDensity(problem, theta, { probes: 4, steps: 40, rng: gen.fork("slq") });
const exact = spectralDensity(problem, theta, { method: "dense", sigma: slq.sigma });
console.log(`${model.name}: ${model.numParams} parameters; SLQ used ${slq.cost.products} HVPs (dense: ${exact.cost.products})`);
// Both densities integrate to 1; their first moments are tr(H) / p.
const mean = (nodes: Float64Array, w: Float64Array) => nodes.reduce((s, x, i) => s + x * w[i], 0);
const trace = hessianTrace(problem, theta, { method: "exact" }).estimate;
console.log(`mean eigenvalue: SLQ ${mean(slq.nodes, slq.weights).toPrecision(6)}, dense ${mean(exact.nodes, exact.weights).toPrecision(6)}, tr(H)/p ${(trace / model.numParams).toPrecision(6)}`);
const lo = exact.nodes[0], hi = exact.nodes[exact.nodes.length - 1];
console.log(`dense spectrum in [${lo.toPrecision(6)}, ${hi.toPrecision(6)}]; SLQ extreme nodes [${Math.min(...slq.nodes).toPrecision(6)}, ${Math.max(...slq.nodes).toPrecision(6)}]`);
if (Math.abs(mean(exact.nodes, exact.weights) - trace / model.numParams) > 1e-10 * Math.max(1, Math.abs(trace))) throw new Error("dense density's mean is not tr(H)/p");
