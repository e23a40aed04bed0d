/**
 * Closed forms of "Cracking the Hessian" (two-layer linear / ReLU networks, a self-attention layer).
 *
 * Section 3.1, the two-layer scalar linear network f(x) = <w, v> x, w, v in R^m, with the loss
 * l = 1/(2n) sum_i (<w, v> x_i - y_i)^2 and parameters ordered theta = (v, w) as in the paper.
 *
 * Contents, in the paper's vocabulary:
 * - Theorem 3.1: `scalarLinearStats`, `scalarLinearOutliers`, `scalarLinearSpectrum`, `scalarLinearBlockHessian`, `scalarLinearReduction`;
 *   equation (2): `sharpnessDiscriminant`, `sharpnessContributions`; the paired-root helper `pairedRoots`.
 * - Theorems 3.2 / 3.3: `scalarLinearOutlierEigenvectors`, `scalarLinearBulkBasis` (with `orthogonalComplement`).
 * - Theorem 3.4 (ReLU cells): `reluCells`, `reluCellEigenvalues`, `reluSpectrum`.
 * - Theorem 3.5 (self-attention, scalar embedding, optional attention sink and batch): `attentionMoments`,
 *   `attentionStats`, `attentionBlockHessian`, `attentionReducedMatrix`, `attentionCubic`, `attentionOutliers`,
 *   `attentionSpectrum`, `attentionOutlierBounds` (Theorem 3.5 / Remark B.4), `attentionConditionBound`,
 *   `queryKeyOutliers`, `queryKeySpectrum`, `attentionQuadraticAtZeroGamma`; cubic roots by Viète:
 *   `depressedCubicRoots`, `symmetric3x3Eigenvalues`.
 * - Theorem B.1 (bias): `biasStats`, `biasAssumptionGaps`, `biasOutlierPair`, `biasOutlierTriple`, `biasSpectrum`.
 * - Corollaries B.1-B.3: `multiInputStats`, `multiOutputStats`, `decoupledSpectrum`, `multiOutputOutlierEigenvectors`.
 * - Appendix C: `outlierProduct`, `learningPhase`.
 *
 * One file per setting: two-layer-linear.ts (3.1-3.3, eq. 2, B.1-B.3), relu.ts (3.4), attention.ts (3.5, remarks),
 * bias.ts (B.1), dynamics.ts (Appendix C); the quadratic / cubic / 3 x 3 solvers are lib/linalg/small.ts.
 *
 * Parameter orderings: Theorems 3.1-3.3 use (v, w) (lib/models' deepLinear([1, m, 1])); twoLayerScalar,
 * twoLayerRelu, twoLayerBias and the multi-input/-output models use (w, v[, b]) per group; selfAttention uses
 * (w_V, w_K, w_Q). Each function says which it assumes.
 */
export * from "./two-layer-linear";
export * from "./relu";
export * from "./attention";
export * from "./bias";
export * from "./dynamics";
// The small solvers live in lib/linalg/small; re-exported so that existing imports keep working.
export { pairedRoots, depressedCubicRoots, symmetric3x3Eigenvalues } from "../../linalg/small";
