/**
 * The pair eigenvalue both linear-network papers share,
 *
 *   mu_ij = sum_{l=1..L} lambda_i^{2(L-l)} lambda_j^{2(l-1)}
 *
 * (Depth, Not Data: Lemma A.1 / A.9, the eigenvalue of H_o on the pair (u_i, v_j); Data Dependence: eq. (9),
 * the strongly balanced NTK eigenvalue divided by sigma_x^2), with one stabilisation: mu = M^{L-1} G(q, L),
 * M the larger square, q = min/max of the squares, 1 - q formed without cancellation and G by expm1/log1p.
 * A closed form: imports nothing from the code that checks it.
 */

function requireDepth(fn: string, L: number): number {
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`${fn}: L must be an integer >= 1, got ${L}`);
  return L;
}

function requireFinite(fn: string, what: string, x: number): number {
  if (typeof x !== "number" || !Number.isFinite(x)) throw new RangeError(`${fn}: ${what} must be a finite number, got ${x}`);
  return x;
}

/**
 * The geometric sum G(q, L) = sum_{k=0}^{L-1} q^k for q in [0, 1], evaluated without cancellation:
 * with x = 1 - q given directly (so that q close to 1 loses nothing), G = -expm1(L log1p(-x)) / x,
 * which is accurate to a few ulps for every x in (0, 1]; G(1, L) = L.
 *
 * @param oneMinusQ 1 - q, in [0, 1]
 * @param L number of terms, >= 1
 * @returns G, in [1, L]
 */
export function geometricSum(oneMinusQ: number, L: number): number {
  requireDepth("geometricSum", L);
  requireFinite("geometricSum", "oneMinusQ", oneMinusQ);
  if (oneMinusQ < 0 || oneMinusQ > 1) throw new RangeError(`geometricSum: oneMinusQ must be in [0, 1], got ${oneMinusQ}`);
  if (oneMinusQ === 0) return L;
  if (oneMinusQ === 1) return 1;
  return -Math.expm1(L * Math.log1p(-oneMinusQ)) / oneMinusQ;
}

/** Split (lambda_i, lambda_j) into M = max(lambda_i^2, lambda_j^2) (as its root x) and 1 - q, q = min/max. */
function pairParts(fn: string, lambdaI: number, lambdaJ: number): { x: number; oneMinusQ: number } {
  requireFinite(fn, "lambdaI", lambdaI);
  requireFinite(fn, "lambdaJ", lambdaJ);
  const a = Math.abs(lambdaI);
  const b = Math.abs(lambdaJ);
  const x = Math.max(a, b);
  const y = Math.min(a, b);
  if (x === 0) return { x: 0, oneMinusQ: 1 };
  // 1 - y^2/x^2 = (x - y)(x + y) / x^2; x - y is exact when y is close to x (Sterbenz), so nothing cancels.
  const oneMinusQ = Math.min(1, ((x - y) / x) * ((x + y) / x));
  return { x, oneMinusQ };
}

/**
 * The eigenvalue of the outer-product Hessian H_o (equivalently of the Gram matrix
 * B_o^{1/2} A_o^T A_o B_o^{1/2}) on the pair (output direction u_i, input direction v_j):
 *
 *   mu_ij = sum_{l=1..L} lambda_i^{2(L-l)} lambda_j^{2(l-1)}        (Lemma A.9, proof of Theorem 3.5)
 *
 * which equals L lambda^{2(L-1)} when lambda_i = lambda_j and (lambda_i^{2L} - lambda_j^{2L}) /
 * (lambda_i^2 - lambda_j^2) otherwise. Evaluated stably: mu = M^{L-1} G(q, L) with M the larger square and
 * q = min/max of the squares, G by `geometricSum`; no difference quotient, so lambda_i close to lambda_j
 * loses nothing, and no power of the smaller value is formed, so a large L neither overflows nor
 * underflows in an intermediate (the result itself overflows only when mu exceeds the float64 range; use
 * `logMuPair` there). Convention 0^0 = 1: mu(0, 0) = 0 for L >= 2, and mu = 1 for L = 1.
 *
 * @param lambdaI effective singular value on the output side (0 beyond the effective rank)
 * @param lambdaJ effective singular value on the input side (0 beyond the effective rank)
 * @param L depth, integer >= 1
 */
export function muPair(lambdaI: number, lambdaJ: number, L: number): number {
  requireDepth("muPair", L);
  const { x, oneMinusQ } = pairParts("muPair", lambdaI, lambdaJ);
  if (L === 1) return 1;
  if (x === 0) return 0;
  return Math.pow(x, 2 * (L - 1)) * geometricSum(oneMinusQ, L);
}

/**
 * log(mu_ij), finite wherever mu_ij > 0 even when mu_ij itself overflows float64 (large L with lambda > 1)
 * or underflows (large L with lambda < 1). -Infinity when mu_ij = 0.
 */
export function logMuPair(lambdaI: number, lambdaJ: number, L: number): number {
  requireDepth("logMuPair", L);
  const { x, oneMinusQ } = pairParts("logMuPair", lambdaI, lambdaJ);
  if (L === 1) return 0;
  if (x === 0) return -Infinity;
  return 2 * (L - 1) * Math.log(x) + Math.log(geometricSum(oneMinusQ, L));
}

/**
 * One eigenvalue predicted for a pair of directions (i, j), 0-based, of a deep linear network: in Depth,
 * Not Data the pair (output u_i, input v_j) of H_o; in Data Dependence eq. (8)/(15) the pair (right singular
 * vector v_i of W_1, left singular vector u_j of W_L). Each paper's module documents its own pairing.
 */
export interface PairEigenvalue {
  /** The eigenvalue. */
  value: number;
  i: number;
  j: number;
}

/** Number of parameters p = sum_l d_{l-1} d_l of a linear network with widths [d_0, d_1, ..., d_L]. */
export function parameterCount(widths: ArrayLike<number>): number {
  if (widths.length < 2) throw new RangeError(`parameterCount: widths needs at least 2 entries, got ${widths.length}`);
  let p = 0;
  for (let l = 1; l < widths.length; l++) {
    const d = widths[l], prev = widths[l - 1];
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`parameterCount: widths[${l}] must be an integer >= 1, got ${d}`);
    if (l === 1 && (!Number.isInteger(prev) || prev < 1)) throw new RangeError(`parameterCount: widths[0] must be an integer >= 1, got ${prev}`);
    p += d * prev;
  }
  return p;
}
