// Data-Dependence eq. (9): at a strongly balanced zero-loss point of a deep linear network on whitened data,
// the Hessian's nonzero eigenvalues are sigma_x^2 (s_i^{2L} - s_j^{2L}) / (s_i^2 - s_j^2) over pairs (i, j).
import { Matrix } from "ml-matrix";
import { rng } from "../../lib/random/rng";
import { deepLinear } from "../../lib/models";
import { hessian, outputs } from "../../lib/curvature";
import { mseProblem } from "../../lib/curvature";
import { whiten } from "../../lib/data/synthetic";
import { stronglyBalancedInit } from "../../lib/init";
import { eigh } from "../../lib/linalg";
import { balancedSpectrum } from "../../lib/papers/data-dependence";
import { AssumptionError, Explorable, compareSpectra, int, padAscending } from "./types";

export const explorable: Explorable = {
  name: "dd-eq-9",
  notebook: "data-dependence/equation-9",
  title: "Eq. (9): the spectrum of a strongly balanced deep linear network",
  claim: "For a strongly balanced network (W_l W_lᵀ = W_{l+1}ᵀ W_{l+1}) with shared singular values s_i, at zero loss on whitened inputs (X Xᵀ/n = σ_x² I), the Hessian's nonzero eigenvalues are σ_x² Σ_{k=0}^{L−1} s_i^{2k} s_j^{2(L−1−k)} (9a/9b), one per pair (i, j) of input and output directions.",
  matrix: "Hessian",
  params: [
    { key: "L", label: "depth L", min: 1, max: 6, step: 1, value: 3 },
    { key: "d0", label: "input width d₀", min: 1, max: 7, step: 1, value: 5 },
    { key: "width", label: "hidden width", min: 1, max: 7, step: 1, value: 5 },
    { key: "dL", label: "output width d_L", min: 1, max: 7, step: 1, value: 4 },
    { key: "sigmaX", label: "input scale σ_x", min: 0.1, max: 3, step: 0.05, value: 1.5 },
    { key: "sMax", label: "largest singular value s₁", min: 0.05, max: 1.5, step: 0.05, value: 1.2 },
    { key: "sMin", label: "smallest singular value s_k", min: 0.05, max: 1.5, step: 0.05, value: 0.4 },
    { key: "seed", label: "seed", min: 1, max: 200, step: 1, value: 9 },
  ],
  compute(p) {
    const L = int(p, "L"), d0 = int(p, "d0"), dL = int(p, "dL");
    if (p.sMin > p.sMax) throw new AssumptionError(`the singular values are ordered s₁ ≥ … ≥ s_k, but s_k = ${p.sMin} > s₁ = ${p.sMax}.`);
    const widths = [d0, ...new Array(L - 1).fill(int(p, "width")), dL];
    const k = Math.min(...widths);
    // k shared singular values from s_1 down to s_k; equal ends exercise the stable coincident form
    const sig = Array.from({ length: k }, (_, i) => (k === 1 ? p.sMax : p.sMax + ((p.sMin - p.sMax) * i) / (k - 1)));
    const gen = rng(int(p, "seed"));
    const W = stronglyBalancedInit(widths, sig, gen);
    const n = d0 + 5;
    const X = whiten(gen.normalMatrix(d0, n), p.sigmaX);
    const model = deepLinear(widths);
    // targets equal to the network's own outputs: the zero-loss point the claim is about
    const problem = mseProblem(model, X, outputs(mseProblem(model, X, new Matrix(dL, n)), W.theta));
    const computed = Array.from(eigh(hessian(problem, W.theta)).values);
    const pairs = balancedSpectrum(sig, L, p.sigmaX, d0, dL).map((e) => e.value);
    const predicted = padAscending(pairs, computed.length);
    return {
      computed, predicted, agreement: compareSpectra("eq. (9)", computed, predicted), tolerance: 1e-10,
      notes: [`k = ${k} shared singular values ${sig.map((s) => s.toFixed(3)).join(", ")}; ${pairs.filter((v) => v > 0).length} nonzero pairs of ${computed.length} eigenvalues`, `λ_max = ${Math.max(...computed).toPrecision(6)}, (9) gives ${Math.max(...pairs).toPrecision(6)}`],
    };
  },
};
