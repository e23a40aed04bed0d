/**
 * Small closed-form solvers: the paired roots of a quadratic, the three real roots of a depressed cubic
 * (Viete), and the eigenvalues of a symmetric 3 x 3 matrix. Used by the closed forms of lib/papers.
 */
import { Matrix } from "ml-matrix";

function requireFiniteNumber(fn: string, name: string, a: unknown): number {
  if (typeof a !== "number" || !Number.isFinite(a)) throw new RangeError(`${fn}: ${name} must be a finite number, got ${String(a)}`);
  return a;
}

// ---------------------------------------------------------------------------------------------------------
// Paired roots of a quadratic (used by Theorem 3.1-type pairs of every model)
// ---------------------------------------------------------------------------------------------------------

/**
 * The two roots of lambda^2 - s lambda - q = 0, i.e. s/2 ± sqrt(s^2 + 4q)/2, the shape of every paired
 * outlier formula in the paper (eq. 1, Theorem 3.4, Remark B.2, Remark B.3, eq. 68).
 *
 * Stable for either sign of s: the root of larger magnitude is (s + sign(s) sqrt(disc))/2 (no cancellation)
 * and the other is -q / (that root) (Vieta), so a small root near a fit keeps its relative accuracy.
 *
 * @param s the sum of the two roots (a trace)
 * @param q minus their product
 * @param disc optional s^2 + 4q evaluated by the caller in a cancellation-free form (a sum of squares);
 *   default s^2 + 4q. Must be >= 0 (two real roots).
 * @returns [larger, smaller] (larger >= smaller)
 */
export function pairedRoots(s: number, q: number, disc?: number): [number, number] {
  const fn = "pairedRoots";
  requireFiniteNumber(fn, "s", s);
  requireFiniteNumber(fn, "q", q);
  const d = disc === undefined ? s * s + 4 * q : requireFiniteNumber(fn, "disc", disc);
  if (d < 0) {
    if (d < -1e-12 * (s * s + 4 * Math.abs(q))) throw new RangeError(`${fn}: disc = s^2 + 4q must be >= 0 (real roots), got ${d}`);
  }
  const root = Math.sqrt(Math.max(0, d));
  const big = (s + (s >= 0 ? root : -root)) / 2;
  if (big === 0) return [0, 0];
  const other = -q / big;
  return big >= other ? [big, other] : [other, big];
}

// ---------------------------------------------------------------------------------------------------------
// Cubic roots (Viète, trigonometric form)
// ---------------------------------------------------------------------------------------------------------

/**
 * The three real roots of the depressed cubic t^3 + p t + q = 0 (p <= 0, three real roots) by Viète's
 * trigonometric formula (eqs. 110 and B.5):
 *   t_k = 2 sqrt(-p/3) cos( (1/3) arccos( (3q / (2p)) sqrt(-3/p) ) - 2 pi k / 3 ),  k = 0, 1, 2.
 * The arccos argument is evaluated as -q / (2 m^3), m = sqrt(-p/3) (no division by p), clamped to [-1, 1]
 * against rounding; p = 0 gives the triple root cbrt(-q). A slightly positive p from rounding is treated as 0.
 * @returns [t_0, t_1, t_2] in descending order (t_0 is the largest)
 */
export function depressedCubicRoots(p: number, q: number): [number, number, number] {
  const fn = "depressedCubicRoots";
  requireFiniteNumber(fn, "p", p);
  requireFiniteNumber(fn, "q", q);
  if (p > 0) throw new RangeError(`${fn}: p must be <= 0 for three real roots, got ${p}`);
  const m = Math.sqrt(-p / 3);
  if (m === 0) {
    const t = Math.cbrt(-q) + 0; // + 0 turns -0 into 0
    return [t, t, t];
  }
  const r = Math.min(1, Math.max(-1, -q / (2 * m * m * m)));
  const phi = Math.acos(r) / 3;
  const t0 = 2 * m * Math.cos(phi);
  const t2 = 2 * m * Math.cos(phi - (4 * Math.PI) / 3); // = cos(phi + 2pi/3): smallest
  const t1 = -t0 - t2; // the roots sum to 0
  return [t0, Math.min(t0, Math.max(t1, t2)), t2];
}

/**
 * Eigenvalues of a real symmetric 3 x 3 matrix in closed form (Viète): center = tr/3, N = T - center I,
 * p = -(1/2) tr(N^2) (a sum of squares, no cancellation), q = -det(N), roots center + t_k.
 * Accurate to a few ulps of ||T|| even near a triple root (then N is small and so is every t_k).
 * @returns { values: descending [l0, l1, l2], center, p, q }
 */
export function symmetric3x3Eigenvalues(T: Matrix): { values: [number, number, number]; center: number; p: number; q: number } {
  const fn = "symmetric3x3Eigenvalues";
  if (!(T instanceof Matrix) || T.rows !== 3 || T.columns !== 3) throw new RangeError(`${fn}: T must be a 3 x 3 Matrix`);
  const a = T.to2DArray();
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) requireFiniteNumber(fn, `T[${i}][${j}]`, a[i][j]);
  const center = (a[0][0] + a[1][1] + a[2][2]) / 3;
  const n00 = a[0][0] - center, n11 = a[1][1] - center, n22 = a[2][2] - center;
  const n01 = (a[0][1] + a[1][0]) / 2, n02 = (a[0][2] + a[2][0]) / 2, n12 = (a[1][2] + a[2][1]) / 2;
  const p = -(n00 * n00 + n11 * n11 + n22 * n22 + 2 * (n01 * n01 + n02 * n02 + n12 * n12)) / 2;
  const det = n00 * (n11 * n22 - n12 * n12) - n01 * (n01 * n22 - n12 * n02) + n02 * (n01 * n12 - n11 * n02);
  const q = -det;
  const [t0, t1, t2] = depressedCubicRoots(p, q);
  return { values: [center + t0, center + t1, center + t2], center, p, q };
}
