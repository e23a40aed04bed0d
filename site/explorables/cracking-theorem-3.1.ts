// Theorem 3.1 (Cracking the Hessian): the two-layer scalar linear network f(x) = <w, v> x has m - 1
// eigenvalues at each of ±deltaX and the two outliers Lambda_{1,2} of (1), at every point of training.
import { Matrix } from "ml-matrix";
import { rng } from "../../lib/random/rng";
import { deepLinear } from "../../lib/models";
import { gradient, hessian } from "../../lib/curvature";
import { mseProblem } from "../../lib/curvature";
import { eigh } from "../../lib/linalg";
import { scalarLinearStats, theorem31Outliers, theorem31Spectrum } from "../../lib/papers/cracking-the-hessian";
import { Explorable, compareSpectra, int } from "./types";

export const explorable: Explorable = {
  name: "cracking-theorem-3.1",
  notebook: "cracking-the-hessian/theorem-3.1",
  title: "Theorem 3.1: the spectrum of a two-layer scalar linear network",
  claim: "For f(x) = ⟨w, v⟩ x with w, v ∈ ℝ^m and the mean squared error, the Hessian has m − 1 eigenvalues at +δx̄, m − 1 at −δx̄ (δx̄ = ⟨w,v⟩σ² − ȳx̄) and two outliers Λ₁,₂ = (s ± √(s² + 4q))/2 with s = σ²(‖w‖² + ‖v‖²), q = δx̄² + 2σ²δx̄⟨w,v⟩ — at every point, trained or not.",
  matrix: "Hessian",
  params: [
    { key: "m", label: "width m", min: 1, max: 60, step: 1, value: 20 },
    { key: "n", label: "samples n", min: 2, max: 500, step: 1, value: 200 },
    { key: "teacher", label: "teacher slope", min: -3, max: 3, step: 0.1, value: 1.5 },
    { key: "noise", label: "label noise", min: 0, max: 2, step: 0.05, value: 0.3 },
    { key: "initStd", label: "init scale (std · √m)", min: 0.05, max: 3, step: 0.05, value: 0.6 },
    { key: "steps", label: "GD steps (η = 0.05)", min: 0, max: 300, step: 10, value: 0 },
    { key: "seed", label: "seed", min: 1, max: 200, step: 1, value: 31 },
  ],
  compute(p) {
    const m = int(p, "m"), n = int(p, "n");
    const gen = rng(int(p, "seed"));
    const x = gen.normalArray(n);
    const y = x.map((xi) => p.teacher * xi + p.noise * gen.normal());
    const problem = mseProblem(deepLinear([1, m, 1]), new Matrix([Array.from(x)]), new Matrix([Array.from(y)]));
    const theta = gen.normalArray(2 * m, 0, p.initStd / Math.sqrt(m));
    for (let t = 0; t < int(p, "steps"); t++) {
      const g = gradient(problem, theta);
      for (let i = 0; i < theta.length; i++) theta[i] -= 0.05 * g[i];
    }
    // deepLinear([1, m, 1]) orders theta = (v, w), as Theorem 3.1 does
    const stats = scalarLinearStats(theta.slice(m), theta.slice(0, m), x, y);
    const computed = Array.from(eigh(hessian(problem, theta)).values);
    const predicted = Array.from(theorem31Spectrum(stats, m));
    const [l1, l2] = theorem31Outliers(stats);
    return {
      computed, predicted, agreement: compareSpectra("theorem 3.1", computed, predicted), tolerance: 1e-10,
      notes: [`δx̄ = ${stats.deltaX.toPrecision(6)} (bulk ±δx̄, ${m - 1} each)`, `Λ₁ = ${l1.toPrecision(6)}, Λ₂ = ${l2.toPrecision(6)}`],
    };
  },
};
