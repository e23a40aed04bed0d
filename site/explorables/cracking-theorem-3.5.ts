// Theorem 3.5 (Cracking the Hessian): a single self-attention layer with scalar embedding has d_K - 1
// eigenvalues at each of ±gamma and three outliers, the roots of the cubic (B.5).
import { rng } from "../../lib/random/rng";
import { selfAttention } from "../../lib/models";
import { hessian } from "../../lib/curvature";
import { mseProblem } from "../../lib/curvature";
import { eigh } from "../../lib/linalg";
import { attentionStats, theorem35Outliers, theorem35Spectrum } from "../../lib/papers/cracking-the-hessian";
import { Explorable, compareSpectra, int } from "./types";

export const explorable: Explorable = {
  name: "cracking-theorem-3.5",
  notebook: "cracking-the-hessian/theorem-3.5",
  title: "Theorem 3.5: the spectrum of a single self-attention layer",
  claim: "For f(X) = w_V softmax(X w_Q w_Kᵀ Xᵀ/√d_K) X on one sequence of T scalar tokens, the Hessian in (w_V, w_K, w_Q) has d_K − 1 eigenvalues at +γ, d_K − 1 at −γ, and three outliers: the roots of a cubic in the attention moments (α, β, γ, ζ).",
  matrix: "Hessian",
  params: [
    { key: "T", label: "sequence length T", min: 2, max: 30, step: 1, value: 10 },
    { key: "dK", label: "query/key size d_K", min: 1, max: 60, step: 1, value: 30 },
    { key: "wV", label: "value weight w_V", min: -3, max: 3, step: 0.05, value: 1.2 },
    { key: "qkStd", label: "query/key std", min: 0.05, max: 2, step: 0.05, value: 0.8 },
    { key: "sink", label: "attention-sink bias on token 1", min: -3, max: 3, step: 0.1, value: 0 },
    { key: "seed", label: "seed", min: 1, max: 200, step: 1, value: 35 },
  ],
  compute(p) {
    const T = int(p, "T"), dK = int(p, "dK");
    const gen = rng(int(p, "seed"));
    const X = gen.normalMatrix(T, 1), Y = gen.normalMatrix(T, 1);
    const wK = gen.normalArray(dK, 0, p.qkStd), wQ = gen.normalArray(dK, 0, p.qkStd);
    const theta = new Float64Array(1 + 2 * dK);
    theta[0] = p.wV;
    theta.set(wK, 1);
    theta.set(wQ, 1 + dK);
    const problem = mseProblem(selfAttention({ seqLen: T, dK, sink: p.sink }), X, Y, { normalizer: T });
    const stats = attentionStats(X, Y, p.wV, wK, wQ, { sink: p.sink });
    const computed = Array.from(eigh(hessian(problem, theta)).values);
    const predicted = Array.from(theorem35Spectrum(stats));
    return {
      computed, predicted, agreement: compareSpectra("theorem 3.5", computed, predicted), tolerance: 1e-9,
      notes: [`γ = ${stats.gamma.toPrecision(6)} (bulk ±γ, ${dK - 1} each)`, `outliers ${theorem35Outliers(stats).map((l) => l.toPrecision(6)).join(", ")}`],
    };
  },
};
