// Corollary B.2 (Cracking the Hessian): with K outputs, f^k(x) = <w_k, v_k> x, the Hessian decouples into K
// Theorem 3.1 spectra, one per output, each with its own deltaX_k and outliers.
import { Matrix } from "ml-matrix";
import { rng } from "../../lib/random/rng";
import { twoLayerMultiOutput } from "../../lib/models";
import { gradient, hessian } from "../../lib/curvature";
import { mseProblem } from "../../lib/curvature";
import { eigh } from "../../lib/linalg";
import { corollaryB2Stats, decoupledSpectrum, theorem31Outliers } from "../../lib/papers/cracking-the-hessian";
import { Explorable, compareSpectra, int } from "./types";

export const explorable: Explorable = {
  name: "cracking-corollary-B.2",
  notebook: "cracking-the-hessian/corollary-B.2",
  title: "Corollary B.2: multi-dimensional output, decoupled spectrum",
  claim: "With K outputs f^k(x) = ⟨w_k, v_k⟩ x that share no parameter, the Hessian is block diagonal and its spectrum is the union of K Theorem 3.1 spectra: for each output, m − 1 eigenvalues at ±δx̄_k and the pair Λ₁,₂ᵏ.",
  matrix: "Hessian",
  params: [
    { key: "m", label: "width m", min: 1, max: 20, step: 1, value: 8 },
    { key: "K", label: "outputs K", min: 1, max: 5, step: 1, value: 3 },
    { key: "n", label: "samples n", min: 2, max: 500, step: 1, value: 200 },
    { key: "slope", label: "teacher slope of output 1", min: -3, max: 3, step: 0.1, value: 2 },
    { key: "ratio", label: "slope ratio between outputs", min: -1, max: 1, step: 0.05, value: 0.5 },
    { key: "initStd", label: "init scale (std · √m)", min: 0.05, max: 3, step: 0.05, value: 0.3 },
    { key: "steps", label: "GD steps (η = 0.05)", min: 0, max: 400, step: 10, value: 0 },
    { key: "seed", label: "seed", min: 1, max: 200, step: 1, value: 112 },
  ],
  compute(p) {
    const m = int(p, "m"), K = int(p, "K"), n = int(p, "n");
    const gen = rng(int(p, "seed"));
    const x = new Matrix([Array.from(gen.normalArray(n))]);
    const Y = new Matrix(K, n);
    for (let k = 0; k < K; k++) for (let j = 0; j < n; j++) Y.set(k, j, p.slope * p.ratio ** k * x.get(0, j) + 0.2 * gen.normal());
    const problem = mseProblem(twoLayerMultiOutput(m, K), x, Y);
    const theta = gen.normalArray(2 * m * K, 0, p.initStd / Math.sqrt(m));
    for (let t = 0; t < int(p, "steps"); t++) {
      const g = gradient(problem, theta);
      for (let i = 0; i < theta.length; i++) theta[i] -= 0.05 * g[i];
    }
    // twoLayerMultiOutput orders theta by output: (w_1, v_1, w_2, v_2, ...)
    const ws = Array.from({ length: K }, (_, k) => theta.slice(2 * m * k, 2 * m * k + m));
    const vs = Array.from({ length: K }, (_, k) => theta.slice(2 * m * k + m, 2 * m * (k + 1)));
    const stats = corollaryB2Stats(ws, vs, x, Y);
    const computed = Array.from(eigh(hessian(problem, theta)).values);
    const predicted = Array.from(decoupledSpectrum(stats, m));
    return {
      computed, predicted, agreement: compareSpectra("corollary B.2", computed, predicted), tolerance: 1e-10,
      notes: stats.map((s, k) => { const [l1, l2] = theorem31Outliers(s); return `output ${k + 1}: δx̄ = ${s.deltaX.toPrecision(4)}, Λ₁ = ${l1.toPrecision(5)}, Λ₂ = ${l2.toPrecision(5)}`; }),
    };
  },
};
