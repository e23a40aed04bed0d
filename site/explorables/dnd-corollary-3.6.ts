// Corollary 3.6 (Depth, Not Data): under USI, H_o has exactly two distinct nonzero eigenvalues,
// L m_t^{2(L-1)} (r^2 of them) and m_t^{2(L-1)} ((d* + d_L - 2r) r), at every step of gradient descent, with
// m_t from the scalar recursion of Lemma 3.4; the full Hessian stays within ||H_f|| of them (Weyl).
import { eigh } from "../../lib/linalg";
import { gaussNewton, functionalHessian, hessian } from "../../lib/curvature";
import { gradientDescent } from "../../lib/train";
import { clusterCounts, scalarRecursion, usiEigenvalues } from "../../lib/papers/depth-not-data";
import { AssumptionError, Explorable, compareSpectra, int } from "./types";
import { usiParams, usiSetting } from "./dnd-shared";

export const explorable: Explorable = {
  name: "dnd-corollary-3.6",
  notebook: "depth-not-data/corollary-3.6",
  title: "Corollary 3.6: under uniform spectral initialisation the gap is exactly L",
  claim: "A deep linear network trained by gradient descent on whitened, aligned data from USI keeps one effective singular value m_t (Lemma 3.4). Its outer-product Hessian H_o then has r² eigenvalues L m_t^(2(L−1)), (d* + d_L − 2r) r eigenvalues m_t^(2(L−1)) and zeros: the dominant/bulk ratio is exactly L; the full Hessian H stays within ‖H_f‖ of H_o.",
  matrix: "outer-product Hessian H_o (the GGN)",
  params: [
    ...usiParams,
    { key: "m", label: "USI value m₀", min: 0.1, max: 1.5, step: 0.05, value: 0.8 },
    { key: "eta", label: "step size η", min: 0.01, max: 0.3, step: 0.01, value: 0.1 },
    { key: "steps", label: "GD steps t", min: 0, max: 400, step: 10, value: 0 },
    { key: "seed", label: "seed", min: 1, max: 200, step: 1, value: 36 },
  ],
  compute(p) {
    const s = usiSetting(p);
    const steps = int(p, "steps");
    const trained = gradientDescent(s.problem, s.theta, { steps, lr: p.eta });
    if (trained.stopped === "diverged") throw new AssumptionError(`Gradient descent diverged at η = ${p.eta}: Lemma A.3 needs a step size small enough for the depth and m₀.`);
    const mt = scalarRecursion([p.m], { L: s.L, eta: p.eta, steps, r: 1, dStar: 1 })[steps][0];
    const computed = Array.from(eigh(gaussNewton(s.problem, trained.theta)).values);
    const counts = clusterCounts(s.r, s.dStar, s.widths[s.L], computed.length);
    const u = usiEigenvalues(mt, s.L);
    const predicted = [...new Array(counts.zero).fill(0), ...new Array(counts.bulk).fill(u.bulk), ...new Array(counts.dominant).fill(u.dominant)];
    const h = Array.from(eigh(hessian(s.problem, trained.theta)).values);
    const hf = eigh(functionalHessian(s.problem, trained.theta)).values;
    const hfNorm = Math.max(Math.abs(hf[0]), Math.abs(hf[hf.length - 1]));
    const weyl = Math.max(...h.map((e, i) => Math.abs(e - computed[i]))) - hfNorm;
    return {
      computed, predicted, agreement: compareSpectra("corollary 3.6", computed, predicted), tolerance: 1e-10,
      notes: [
        `m_t = ${mt.toPrecision(6)}: dominant L m_t^(2(L−1)) = ${u.dominant.toPrecision(6)} (×${counts.dominant}), bulk m_t^(2(L−1)) = ${u.bulk.toPrecision(6)} (×${counts.bulk}), zero ×${counts.zero}; ratio ${u.ratio}`,
        `full Hessian H: max_k |λ_k(H) − λ_k(H_o)| − ‖H_f‖ = ${weyl.toPrecision(3)} (Weyl: ≤ 0), ‖H_f‖ = ${hfNorm.toPrecision(3)}`,
      ],
    };
  },
};
