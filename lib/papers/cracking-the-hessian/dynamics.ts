/**
 * Cracking the Hessian, learning phases of the scalar linear network (Appendix C).
 */
import { requireStats, SCALAR_KEYS } from "./helpers";
import type { ScalarLinearStats } from "./two-layer-linear";

// ---------------------------------------------------------------------------------------------------------
// Appendix C: learning phases of the scalar linear network
// ---------------------------------------------------------------------------------------------------------

/**
 * Appendix C: -Lambda_1 Lambda_2 = deltaX^2 + 2 sigma_x^2 deltaX <w, v> = (<w,v> sigma_x^2 - yx)(3 <w,v> sigma_x^2 - yx),
 * evaluated in the factored form.
 * @see Appendix C
 */
export function outlierProduct(stats: ScalarLinearStats): number {
  requireStats("outlierProduct", stats, SCALAR_KEYS);
  const a = stats.wv * stats.sigmaX2;
  return (a - stats.yx) * (3 * a - stats.yx);
}

/**
 * Appendix C's phase of learning from <w, v> and thetaStar = yx / sigma_x^2 (for thetaStar > 0 as in the
 * paper; mirrored for thetaStar < 0): "early" when <w,v> <= thetaStar / 3, "late" when
 * thetaStar / 3 < <w,v> <= thetaStar, "divergent" when <w,v> > thetaStar. Early and divergent:
 * Lambda_2 <= 0 and Lambda_1 >= tr(H);
 * late: Lambda_2 >= 0 and Lambda_1 <= tr(H).
 * @see Appendix C
 */
export function learningPhase(stats: ScalarLinearStats): "early" | "late" | "divergent" {
  requireStats("learningPhase", stats, SCALAR_KEYS);
  if (!(stats.sigmaX2 > 0)) throw new RangeError(`learningPhase: stats.sigmaX2 must be > 0, got ${stats.sigmaX2}`);
  const thetaStar = stats.yx / stats.sigmaX2;
  const s = thetaStar >= 0 ? 1 : -1;
  const c = s * stats.wv, t = s * thetaStar;
  if (c <= t / 3) return "early";
  if (c <= t) return "late";
  return "divergent";
}

// Earlier names (by theorem number), kept so that existing imports keep working.
/** @deprecated The earlier name of `outlierProduct` (Appendix C). */
export const appendixCOutlierProduct = outlierProduct;
/** @deprecated The earlier name of `learningPhase` (Appendix C). */
export const appendixCPhase = learningPhase;
