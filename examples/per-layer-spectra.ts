// Per-layer (per-block) spectra: the largest eigenvalues of each weight block's sub-matrix of H and of the
// Gauss-Newton part H_o, selected by block name (PyTorch names work too: "layers.0.weight").
//   npx hessian-spectra run examples/per-layer-spectra.ts
import { Matrix, hessianSpectrum, mlp, mseProblem, rng, standardInit } from "hessian-spectra";

const gen = rng(11);
const n = 40;
const X = new Matrix(5, n), Y = new Matrix(3, n);
for (let i = 0; i < n; i++) {
  for (let r = 0; r < 5; r++) X.set(r, i, gen.normal());
  for (let r = 0; r < 3; r++) Y.set(r, i, gen.normal());
}
const model = mlp([5, 12, 8, 3], { activation: "relu" });
const theta = standardInit(model, gen);
const problem = mseProblem(model, X, Y);
console.log(`blocks of ${model.name}: ${model.blocks.map((b) => `${b.name} ${b.shape.join("x")} (${b.torchName})`).join(", ")}`);
for (const b of model.blocks) {
  const H = hessianSpectrum(problem, theta, { block: b.name, k: 3 });
  const Ho = hessianSpectrum(problem, theta, { block: b.torchName as string, k: 3, curvature: "ggn" });
  console.log(`${b.name.padEnd(3)} H: ${Array.from(H.values, (v) => v.toPrecision(6)).join(" ")}   H_o: ${Array.from(Ho.values, (v) => v.toPrecision(6)).join(" ")}`);
}
// The whole-network sharpness bounds every block's (Cauchy interlacing of a principal sub-matrix).
const top = hessianSpectrum(problem, theta, { k: 1 }).values[0];
const blockTops = model.blocks.map((b) => hessianSpectrum(problem, theta, { block: b.name, k: 1 }).values[0]);
console.log(`lambda_max(H) = ${top.toPrecision(8)} >= every block's lambda_max: ${blockTops.every((t) => t <= top * (1 + 1e-12))}`);
if (!blockTops.every((t) => t <= top * (1 + 1e-12))) throw new Error("interlacing violated");
