/**
 * Cracking the Hessian, the linear network with a hidden bias f(x) = w^T (v x + b) (Appendix B.3): Theorem B.1.
 */
import { dot, requireVector } from "./helpers";
import { pairedRoots, depressedCubicRoots } from "../../linalg/small";

// ---------------------------------------------------------------------------------------------------------
// Theorem B.1: linear network with a hidden bias, f(x) = w^T (v x + b)  (Appendix B.3)
// ---------------------------------------------------------------------------------------------------------

/** Statistics of the bias network (Appendix B.3). */
export interface BiasStats {
  /** sigma_x^2 = mean x^2, mean x, mean y, yx = mean y x. */
  sigmaX2: number;
  meanX: number;
  meanY: number;
  yx: number;
  /** deltaX = mean(delta x), deltaBar = mean(delta), delta_i = w^T (v x_i + b) - y_i. */
  deltaX: number;
  deltaBar: number;
  /** ||w||^2, ||v||^2, ||b||^2, <v, b>, <w, v>, <w, b>. */
  ww: number;
  vv: number;
  bb: number;
  vb: number;
  wv: number;
  wb: number;
}

/** The statistics of Theorem B.1 at (w, v, b) on scalar data (x_i, y_i). */
export function biasStats(w: Float64Array, v: Float64Array, b: Float64Array, x: Float64Array, y: Float64Array): BiasStats {
  const fn = "biasStats";
  requireVector(fn, "w", w);
  requireVector(fn, "v", v, w.length);
  requireVector(fn, "b", b, w.length);
  requireVector(fn, "x", x);
  requireVector(fn, "y", y, x.length);
  if (x.length === 0) throw new RangeError(`${fn}: x must hold at least one sample`);
  const n = x.length;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) { sx += x[i]; sy += y[i]; }
  const sigmaX2 = dot(x, x) / n, meanX = sx / n, meanY = sy / n, yx = dot(x, y) / n;
  const wv = dot(w, v), wb = dot(w, b);
  return {
    sigmaX2, meanX, meanY, yx,
    deltaX: wv * sigmaX2 + wb * meanX - yx,
    deltaBar: wv * meanX + wb - meanY,
    ww: dot(w, w), vv: dot(v, v), bb: dot(b, b), vb: dot(v, b), wv, wb,
  };
}

/**
 * How far a point is from Theorem B.1's assumptions (each 0 when they hold): |<v,b>|/(||v|| ||b||),
 * |  ||v||^2 - ||b||^2 | / (||v||^2 + ||b||^2), |sigma_x^2 - 1|, |mean x|, |mean y|, |yx|.
 * @see Theorem B.1
 */
export function biasAssumptionGaps(s: BiasStats): { orthogonality: number; equalNorms: number; unitVariance: number; meanX: number; meanY: number; yx: number } {
  return {
    orthogonality: Math.abs(s.vb) / Math.sqrt(s.vv * s.bb),
    equalNorms: Math.abs(s.vv - s.bb) / (s.vv + s.bb),
    unitVariance: Math.abs(s.sigmaX2 - 1),
    meanX: Math.abs(s.meanX),
    meanY: Math.abs(s.meanY),
    yx: Math.abs(s.yx),
  };
}

/**
 * Theorem B.1, the pair (68): (||v||^2 + ||w||^2)/2 ± sqrt((||v||^2 + ||w||^2)^2 + 12 (deltaX^2 + deltaBar^2))/2.
 * @see Theorem B.1, eq. (68)
 */
export function biasOutlierPair(s: BiasStats): [number, number] {
  const S = s.vv + s.ww, R = s.deltaX ** 2 + s.deltaBar ** 2;
  return pairedRoots(S, 3 * R, S * S + 12 * R);
}

/**
 * Theorem B.1, the triple: the roots of lambda^3 - S lambda^2 - R lambda + R ||w||^2 (S = ||v||^2 + ||w||^2,
 * R = deltaX^2 + deltaBar^2) by Viète with p (107) and q (109): lambda_k = t_k + S/3. p = -R - S^2/3 has no
 * cancellation; the root of smallest magnitude is taken from the product of the roots, -R ||w||^2.
 * @returns { values: descending, p, q }
 * @see Theorem B.1
 */
export function biasOutlierTriple(s: BiasStats): { values: [number, number, number]; p: number; q: number } {
  const S = s.vv + s.ww, R = s.deltaX ** 2 + s.deltaBar ** 2;
  const p = -R - (S * S) / 3;
  const q = (-2 / 27) * S ** 3 - (s.vv * R) / 3 + (2 / 3) * s.ww * R;
  const t = depressedCubicRoots(p, q);
  const l = t.map((ti) => ti + S / 3);
  // smallest |root| from the product of the other two (no cancellation in t + S/3)
  const order = [0, 1, 2].sort((i, j) => Math.abs(l[i]) - Math.abs(l[j]));
  const prodOthers = l[order[1]] * l[order[2]];
  if (prodOthers !== 0) l[order[0]] = (-R * s.ww) / prodOthers;
  l.sort((a, b) => b - a);
  return { values: [l[0], l[1], l[2]], p, q };
}

/**
 * Theorem B.1's full spectrum (3m eigenvalues), ascending: the pair (68), the triple, bulk
 * ±sqrt(deltaX^2 + deltaBar^2) and zeros. The paper leaves the multiplicities unstated; counting eigenvalues
 * (A ⊗ I_m plus a rank-2 term in (85)) and the dense Hessian give m - 2 at each of ±sqrt(...) and m - 1 zeros
 * (see the theorem-B.1 notebook). Needs m >= 2.
 * @see Theorem B.1
 */
export function biasSpectrum(s: BiasStats, m: number): Float64Array {
  if (!Number.isInteger(m) || m < 2) throw new RangeError(`biasSpectrum: m must be an integer >= 2, got ${m}`);
  const r = Math.sqrt(s.deltaX ** 2 + s.deltaBar ** 2);
  const out: number[] = [...biasOutlierPair(s), ...biasOutlierTriple(s).values];
  for (let i = 0; i < m - 2; i++) out.push(r, -r);
  for (let i = 0; i < m - 1; i++) out.push(0);
  return Float64Array.from(out).sort();
}

// Earlier names (by theorem number), kept so that existing imports keep working.
/** @deprecated The earlier name of `biasAssumptionGaps` (Theorem B.1). */
export const theoremB1AssumptionGaps = biasAssumptionGaps;
/** @deprecated The earlier name of `biasOutlierPair` (Theorem B.1). */
export const theoremB1Pair = biasOutlierPair;
/** @deprecated The earlier name of `biasOutlierTriple` (Theorem B.1). */
export const theoremB1Triple = biasOutlierTriple;
/** @deprecated The earlier name of `biasSpectrum` (Theorem B.1). */
export const theoremB1Spectrum = biasSpectrum;
