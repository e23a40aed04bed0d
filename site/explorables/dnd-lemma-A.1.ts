// Lemma A.1 (Depth, Not Data): the outer-product Hessian at a USI point has the values L m^{2(L-1)} and
// m^{2(L-1)} with multiplicities r^2 and (d* + d_L - 2r) r, and a zero space of the remaining dimension.
import { eigh } from "../../lib/linalg";
import { clusters } from "../../lib/linalg";
import { gaussNewton } from "../../lib/curvature";
import { clusterCounts, usiEigenvalues } from "../../lib/papers/depth-not-data";
import { Explorable, compareSpectra } from "./types";
import { usiParams, usiSetting } from "./dnd-shared";

export const explorable: Explorable = {
  name: "dnd-lemma-A.1",
  notebook: "depth-not-data/lemma-A.1",
  title: "Lemma A.1: the outer-product Hessian under uniform spectral initialisation",
  claim: "At a USI point (every layer with r singular values m, aligned with whitened data of rank d*), H_o = A_oᵀA_o has exactly the eigenvalues L m^(2(L−1)) with multiplicity r², m^(2(L−1)) with multiplicity (d* + d_L − 2r) r, and 0 on the rest of the p parameters.",
  matrix: "outer-product Hessian H_o (the GGN)",
  params: [...usiParams, { key: "m", label: "USI value m", min: 0.1, max: 1.6, step: 0.05, value: 1.0 }, { key: "seed", label: "seed", min: 1, max: 200, step: 1, value: 41 }],
  compute(p) {
    const s = usiSetting(p);
    const computed = Array.from(eigh(gaussNewton(s.problem, s.theta)).values);
    const counts = clusterCounts(s.r, s.dStar, s.widths[s.L], computed.length);
    const u = usiEigenvalues(p.m, s.L);
    const predicted = [...new Array(counts.zero).fill(0), ...new Array(counts.bulk).fill(u.bulk), ...new Array(counts.dominant).fill(u.dominant)];
    // multiplicities counted in the computed spectrum, as the notebook does (clusters within 1e-8 lambda_max)
    const top = Math.max(...computed.map(Math.abs));
    const cl = clusters(computed, 1e-8, 1e-8 * top);
    return {
      computed, predicted, agreement: compareSpectra("lemma A.1", computed, predicted), tolerance: 1e-10,
      notes: [
        `predicted: ${u.dominant.toPrecision(6)} ×${counts.dominant}, ${u.bulk.toPrecision(6)} ×${counts.bulk}, 0 ×${counts.zero} (p = ${computed.length})`,
        `counted: ${cl.map((c) => `${c.value.toPrecision(6)} ×${c.multiplicity}`).join(", ")}`,
      ],
    };
  },
};
