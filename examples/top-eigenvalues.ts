// Top-10 Hessian eigenvalues of a trained MLP: train a tanh MLP on a noisy teacher by gradient descent,
// then compare Lanczos (matrix-free, exact HVPs) with the dense float64 spectrum.
//   npx hessian-spectra run examples/top-eigenvalues.ts
import { Matrix, gradientDescent, hessianSpectrum, mlp, mseProblem, rng, standardInit } from "hessian-spectra";

const gen = rng(7);
const n = 60;
const X = new Matrix(4, n), Y = new Matrix(2, n); // one sample per column
for (let i = 0; i < n; i++) {
  for (let r = 0; r < 4; r++) X.set(r, i, gen.normal());
  Y.set(0, i, Math.sin(X.get(0, i)) + 0.1 * gen.normal());
  Y.set(1, i, X.get(1, i) * X.get(2, i) + 0.1 * gen.normal());
}
const model = mlp([4, 16, 2], { activation: "tanh", bias: true });
const problem = mseProblem(model, X, Y);
const trained = gradientDescent(problem, standardInit(model, gen), { steps: 300, lr: 0.05 });
console.log(`loss ${trained.losses[0].toFixed(4)} -> ${trained.losses[trained.losses.length - 1].toFixed(4)} after 300 steps`);

const iterative = hessianSpectrum(problem, trained.theta, { k: 10, method: "lanczos", rng: gen.fork("lanczos") });
const dense = hessianSpectrum(problem, trained.theta, { k: 10, method: "dense" });
let worst = 0;
iterative.values.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - dense.values[i]) / Math.abs(dense.values[0])); });
console.log(`top-10 of H (${model.numParams} parameters), Lanczos with ${iterative.cost.products} HVPs:`);
console.log(Array.from(iterative.values, (v) => v.toPrecision(8)).join("  "));
console.log(`max |Lanczos - dense| / lambda_max = ${worst.toExponential(2)}`);
if (!(worst <= 1e-8)) throw new Error(`Lanczos and dense top-10 disagree: ${worst}`);
