// Data-Dependence eqs. (15)-(16): for a two-layer linear network on whitened data, balanced or not, every
// nonzero eigenvalue of the Gauss-Newton matrix is sigma_x^2 (sigma_i^2(W1) + sigma_j^2(W2)).
import { rng } from "../../lib/random/rng";
import { deepLinear } from "../../lib/models";
import { gaussNewton } from "../../lib/curvature";
import { mseProblem } from "../../lib/curvature";
import { whiten } from "../../lib/data/synthetic";
import { eigh } from "../../lib/linalg";
import { shallowSpectrum } from "../../lib/papers/data-dependence";
import { AssumptionError, Explorable, compareSpectra, int, padAscending } from "./types";

export const explorable: Explorable = {
  name: "dd-eq-15-16",
  notebook: "data-dependence/equation-15-16",
  title: "Eqs. (15)-(16): the whole spectrum of a shallow linear network",
  claim: "For f(x) = W₂W₁x on whitened inputs (X Xᵀ/n = σ_x² I), with no balance assumed, the Gauss-Newton matrix's nonzero eigenvalues are σ_x² (σ_i²(W₁) + σ_j²(W₂)) for i ≤ d₀, j ≤ d₂ (singular values padded with zeros), with eigenvectors built from the singular vectors (16).",
  matrix: "GGN (1/n) JᵀJ",
  params: [
    { key: "d0", label: "input width d₀", min: 1, max: 10, step: 1, value: 5 },
    { key: "d1", label: "hidden width d₁", min: 1, max: 10, step: 1, value: 6 },
    { key: "d2", label: "output width d₂", min: 1, max: 10, step: 1, value: 4 },
    { key: "sigmaX", label: "input scale σ_x", min: 0.1, max: 3, step: 0.05, value: 1.3 },
    { key: "std1", label: "W₁ entry std", min: 0.05, max: 2, step: 0.05, value: 0.7 },
    { key: "std2", label: "W₂ entry std (unbalance)", min: 0.05, max: 2, step: 0.05, value: 1.0 },
    { key: "extra", label: "samples beyond d₀ (n − d₀)", min: 0, max: 20, step: 1, value: 3 },
    { key: "seed", label: "seed", min: 1, max: 200, step: 1, value: 15 },
  ],
  compute(p) {
    const d0 = int(p, "d0"), d1 = int(p, "d1"), d2 = int(p, "d2"), n = d0 + int(p, "extra");
    if (n < d0) throw new AssumptionError(`whitened inputs (X Xᵀ/n = σ_x² I) need n ≥ d₀, got n = ${n} < d₀ = ${d0}.`);
    const gen = rng(int(p, "seed"));
    const W1 = gen.normalMatrix(d1, d0, p.std1), W2 = gen.normalMatrix(d2, d1, p.std2);
    const X = whiten(gen.normalMatrix(d0, n), p.sigmaX);
    const model = deepLinear([d0, d1, d2]);
    const theta = model.flatten([W1, W2]);
    const computed = Array.from(eigh(gaussNewton(mseProblem(model, X, gen.normalMatrix(d2, n)), theta)).values);
    const pairs = shallowSpectrum(W1, W2, p.sigmaX).map((e) => e.value);
    const predicted = padAscending(pairs, computed.length);
    return {
      computed, predicted, agreement: compareSpectra("eqs. (15)-(16)", computed, predicted), tolerance: 1e-10,
      notes: [`${pairs.length} pairs (i, j) for ${computed.length} parameters; λ_max = ${Math.max(...computed).toPrecision(6)} = σ_x²(σ₁²(W₁) + σ₁²(W₂)) → ${Math.max(...pairs).toPrecision(6)}`],
    };
  },
};
