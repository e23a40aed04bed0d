/**
 * Cracking the Hessian, single-head self-attention with scalar embedding (Section 3.3, Appendix B.5):
 * Theorem 3.5, Remarks 3.1, B.2-B.4.
 */
import { Matrix } from "ml-matrix";
import { dot, requireVector, norm2, gramDeterminant, requireFiniteNumber, requireStats } from "./helpers";
import { pairedRoots, symmetric3x3Eigenvalues } from "../../linalg/small";

// ---------------------------------------------------------------------------------------------------------
// Theorem 3.5: single-head self-attention with scalar embedding (Section 3.3, Appendix B.5)
// ---------------------------------------------------------------------------------------------------------

/**
 * Attention moments of Definition B.1 for one sequence x (length T) with scalar embedding:
 * A = softmax_rows(c x x^T + sink 1 e_1^T), c = <w_Q, w_K>/sqrt(d_K);
 * m1 = A x, m2_i = sum_j A_ij (x_j - m1_i)^2, m3_i = sum_j A_ij (x_j - m1_i)^3.
 * @param x the sequence
 * @param c the score scale <w_Q, w_K> / sqrt(d_K)
 * @param sink the attention-sink bias added to every query's score on token 0 (default 0)
 */
export function attentionMoments(x: Float64Array, c: number, sink = 0): { A: Float64Array; m1: Float64Array; m2: Float64Array; m3: Float64Array } {
  const fn = "attentionMoments";
  requireVector(fn, "x", x);
  requireFiniteNumber(fn, "c", c);
  requireFiniteNumber(fn, "sink", sink);
  const T = x.length;
  const A = new Float64Array(T * T);
  const m1 = new Float64Array(T), m2 = new Float64Array(T), m3 = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    let mx = -Infinity;
    for (let j = 0; j < T; j++) mx = Math.max(mx, c * x[i] * x[j] + (j === 0 ? sink : 0));
    let s = 0;
    for (let j = 0; j < T; j++) {
      const e = Math.exp(c * x[i] * x[j] + (j === 0 ? sink : 0) - mx);
      A[i * T + j] = e;
      s += e;
    }
    let mean = 0;
    for (let j = 0; j < T; j++) {
      A[i * T + j] /= s;
      mean += A[i * T + j] * x[j];
    }
    let c2 = 0, c3 = 0;
    for (let j = 0; j < T; j++) {
      const d = x[j] - mean;
      c2 += A[i * T + j] * d * d;
      c3 += A[i * T + j] * d * d * d;
    }
    m1[i] = mean;
    m2[i] = c2;
    m3[i] = c3;
  }
  return { A, m1, m2, m3 };
}

/** The scalars and weight statistics Theorem 3.5 depends on. */
export interface AttentionStats {
  /** alpha = ||m1||^2 / N. */
  alpha: number;
  /** beta = (w_V m1 + delta)^T (x ⊙ m2) / (N sqrt(d_K)). */
  beta: number;
  /** gamma = w_V delta^T (x ⊙ m2) / (N sqrt(d_K)): the bulk ±gamma. */
  gamma: number;
  /** zeta = (w_V^2 ||x ⊙ m2||^2 + w_V delta^T (x ⊙ x ⊙ m3)) / (N d_K). */
  zeta: number;
  dK: number;
  /** ||w_K||^2, ||w_Q||^2, <w_K, w_Q>. */
  kk: number;
  qq: number;
  kq: number;
  /** ||w_K + w_Q||^2 and ||w_K - w_Q||^2 (computed from the vectors, for a cancellation-free reduction). */
  sumNorm2: number;
  diffNorm2: number;
  /** ||w_K||^2 ||w_Q||^2 - <w_K, w_Q>^2 >= 0, computed without cancellation. */
  gram: number;
  /** The loss 1/(2N) sum (f - y)^2 and the normalizer N. */
  loss: number;
  normalizer: number;
}

/**
 * Theorem 3.5's scalars for the self-attention layer f(x) = w_V A(x) x (eq. 4; `selfAttention` in
 * lib/models with embed = 1) on a batch of sequences, loss 1/(2N) sum over sequences and tokens of
 * (f - y)^2. With one sequence and N = T this is the paper's setting; a batch sums the same per-token terms.
 * delta = f - y is the residual per token.
 * @param X T x B sequences (one per column), Y the targets (same shape)
 * @param wV the value weight, wK and wQ the key and query vectors (length d_K)
 * @param options sink (attention-sink bias on token 0, default 0), normalizer N (default T B)
 */
export function attentionStats(X: Matrix, Y: Matrix, wV: number, wK: Float64Array, wQ: Float64Array, options: { sink?: number; normalizer?: number } = {}): AttentionStats {
  const fn = "attentionStats";
  if (!(X instanceof Matrix)) throw new TypeError(`${fn}: X must be a Matrix (T x B)`);
  if (!(Y instanceof Matrix) || Y.rows !== X.rows || Y.columns !== X.columns) throw new RangeError(`${fn}: Y must be ${X.rows} x ${X.columns} like X`);
  requireFiniteNumber(fn, "wV", wV);
  requireVector(fn, "wK", wK);
  requireVector(fn, "wQ", wQ, wK.length);
  if (wK.length === 0) throw new RangeError(`${fn}: wK must have length d_K >= 1`);
  const sink = options.sink ?? 0;
  const T = X.rows, B = X.columns;
  const N = options.normalizer ?? T * B;
  if (!(N > 0) || !Number.isFinite(N)) throw new RangeError(`${fn}: options.normalizer must be positive and finite, got ${N}`);
  const dK = wK.length;
  const kq = dot(wK, wQ);
  const c = kq / Math.sqrt(dK);
  let a = 0, b = 0, g = 0, z = 0, l = 0;
  for (let s = 0; s < B; s++) {
    const x = Float64Array.from(X.getColumn(s));
    const y = Y.getColumn(s);
    requireVector(fn, `X[:, ${s}]`, x);
    const { m1, m2, m3 } = attentionMoments(x, c, sink);
    for (let i = 0; i < T; i++) {
      const delta = wV * m1[i] - y[i];
      const xm2 = x[i] * m2[i];
      a += m1[i] * m1[i];
      b += (wV * m1[i] + delta) * xm2;
      g += wV * delta * xm2;
      z += wV * wV * xm2 * xm2 + wV * delta * x[i] * x[i] * m3[i];
      l += delta * delta;
    }
  }
  const sum = new Float64Array(dK), diff = new Float64Array(dK);
  for (let i = 0; i < dK; i++) { sum[i] = wK[i] + wQ[i]; diff[i] = wK[i] - wQ[i]; }
  return {
    alpha: a / N,
    beta: b / (N * Math.sqrt(dK)),
    gamma: g / (N * Math.sqrt(dK)),
    zeta: z / (N * dK),
    dK,
    kk: norm2(wK),
    qq: norm2(wQ),
    kq,
    sumNorm2: norm2(sum),
    diffNorm2: norm2(diff),
    gram: gramDeterminant(wK, wQ),
    loss: l / (2 * N),
    normalizer: N,
  };
}

const ATTENTION_KEYS = ["alpha", "beta", "gamma", "zeta", "dK", "kk", "qq", "kq", "sumNorm2", "diffNorm2", "gram"];

/**
 * The Hessian of Appendix B.5 assembled from alpha, beta, gamma, zeta, in the ordering of lib/models'
 * `selfAttention` (w_V, w_K, w_Q):
 *   [[ alpha,        beta w_Q^T,                 beta w_K^T                ],
 *    [ beta w_Q,     zeta w_Q w_Q^T,             zeta w_Q w_K^T + gamma I  ],
 *    [ beta w_K,     zeta w_K w_Q^T + gamma I,   zeta w_K w_K^T            ]].
 * (The paper prints the same blocks under the column labels (w_V, w_K, w_Q); its blocks belong to the order
 * (w_V, w_Q, w_K), since d score / d w_K is proportional to w_Q. The eigenvalues do not depend on this.)
 * @see Theorem 3.5 (proof, Appendix B.5)
 */
export function attentionBlockHessian(wK: Float64Array, wQ: Float64Array, stats: AttentionStats): Matrix {
  const fn = "attentionBlockHessian";
  requireVector(fn, "wK", wK);
  requireVector(fn, "wQ", wQ, wK.length);
  requireStats(fn, stats, ATTENTION_KEYS);
  const d = wK.length;
  const { alpha, beta, gamma, zeta } = stats;
  const H = new Matrix(2 * d + 1, 2 * d + 1);
  H.set(0, 0, alpha);
  for (let i = 0; i < d; i++) {
    H.set(0, 1 + i, beta * wQ[i]); H.set(1 + i, 0, beta * wQ[i]);
    H.set(0, 1 + d + i, beta * wK[i]); H.set(1 + d + i, 0, beta * wK[i]);
    for (let j = 0; j < d; j++) {
      H.set(1 + i, 1 + j, zeta * wQ[i] * wQ[j]);
      H.set(1 + d + i, 1 + d + j, zeta * wK[i] * wK[j]);
      const off = zeta * wQ[i] * wK[j] + (i === j ? gamma : 0);
      H.set(1 + i, 1 + d + j, off);
      H.set(1 + d + j, 1 + i, off);
    }
  }
  return H;
}

/**
 * The Hessian restricted to its outlier subspace span{e_V, (0, w_K + w_Q, w_K + w_Q), (0, w_K - w_Q, w_Q - w_K)}
 * (orthonormal basis), a symmetric 3 x 3 matrix with s± = ||w_K ± w_Q||:
 *   [[ alpha,            beta s+/sqrt2,          beta s-/sqrt2        ],
 *    [ beta s+/sqrt2,    zeta s+^2/2 + gamma,    zeta s+ s-/2         ],
 *    [ beta s-/sqrt2,    zeta s+ s-/2,           zeta s-^2/2 - gamma  ]].
 * Its characteristic polynomial is the paper's cubic (B.5); its eigenvalues are the three outliers.
 * @see Theorem 3.5 (proof, Appendix B.5)
 */
export function attentionReducedMatrix(stats: AttentionStats): Matrix {
  requireStats("attentionReducedMatrix", stats, ATTENTION_KEYS);
  const { alpha, beta, gamma, zeta } = stats;
  const sp = Math.sqrt(stats.sumNorm2), sm = Math.sqrt(stats.diffNorm2);
  const r = Math.SQRT1_2;
  return new Matrix([
    [alpha, beta * sp * r, beta * sm * r],
    [beta * sp * r, (zeta * stats.sumNorm2) / 2 + gamma, (zeta * sp * sm) / 2],
    [beta * sm * r, (zeta * sp * sm) / 2, (zeta * stats.diffNorm2) / 2 - gamma],
  ]);
}

/** The cubic of Appendix B.5 and its depressed form. */
export interface Theorem35Cubic {
  /** -lambda^3 + a2 lambda^2 + a1 lambda + a0 = 0 with a2 = alpha + zeta S (= tr H), S = ||w_K||^2 + ||w_Q||^2, */
  a2: number;
  /** a1 = (beta^2 - alpha zeta) S + 2 gamma zeta <w_K, w_Q> + gamma^2, */
  a1: number;
  /** a0 = 2 gamma (beta^2 - alpha zeta) <w_K, w_Q> - alpha gamma^2. */
  a0: number;
  /** Depressed form t^3 + p t + q, lambda = t + a2/3, evaluated stably (p as a sum of squares, q = -det). */
  p: number;
  q: number;
  /** q from the expanded coefficients, -(2 a2^3 + 9 a2 a1 + 27 a0)/27 (correct, but may cancel). */
  qExpanded: number;
  /** q exactly as printed in B.5 (a bracket is missing there: 9 a2 multiplies only (beta^2 - alpha zeta) S). */
  qAsPrinted: number;
}

/**
 * The coefficients of Appendix B.5's cubic, with p, q (see `Theorem35Cubic`).
 * @see Theorem 3.5, Appendix B.5
 */
export function attentionCubic(stats: AttentionStats): Theorem35Cubic {
  requireStats("attentionCubic", stats, ATTENTION_KEYS);
  const { alpha, beta, gamma, zeta, kq } = stats;
  const S = stats.kk + stats.qq;
  const a2 = alpha + zeta * S;
  const a1 = (beta * beta - alpha * zeta) * S + 2 * gamma * zeta * kq + gamma * gamma;
  const a0 = 2 * gamma * (beta * beta - alpha * zeta) * kq - alpha * gamma * gamma;
  const { p, q } = symmetric3x3Eigenvalues(attentionReducedMatrix(stats));
  const qExpanded = -(2 * a2 ** 3 + 9 * a2 * a1 + 27 * a0) / 27;
  const qAsPrinted = -(2 * a2 ** 3 + 9 * a2 * (beta * beta - alpha * zeta) * S + 2 * gamma * zeta * kq + gamma * gamma + 27 * a0) / 27;
  return { a2, a1, a0, p, q, qExpanded, qAsPrinted };
}

/**
 * Theorem 3.5's three outliers by Viète's formula, evaluated stably (the reduced symmetric 3 x 3 matrix:
 * p is a sum of squares, q a determinant of the centred matrix; accurate when p is near 0).
 * @returns descending [lambda_0, lambda_1, lambda_2]
 * @see Theorem 3.5
 */
export function attentionOutliers(stats: AttentionStats): [number, number, number] {
  return symmetric3x3Eigenvalues(attentionReducedMatrix(stats)).values;
}

/**
 * Theorem 3.5's full spectrum, ascending: d_K - 1 eigenvalues at each of ±gamma and the three outliers.
 * @see Theorem 3.5
 */
export function attentionSpectrum(stats: AttentionStats): Float64Array {
  const out = new Float64Array(2 * stats.dK + 1);
  for (let i = 0; i < stats.dK - 1; i++) {
    out[2 * i] = stats.gamma;
    out[2 * i + 1] = -stats.gamma;
  }
  out.set(attentionOutliers(stats), 2 * stats.dK - 2);
  return out.sort();
}

/**
 * The bounds of Theorem 3.5 and Remark B.4: with center = (alpha + zeta (||w_K||^2 + ||w_Q||^2)) / 3 = tr(H)/3
 * and xi = 2 sqrt(-p/3) = (2/3) sqrt(3 gamma^2 + 6 zeta gamma <w_K, w_Q> + 3 (beta^2 - alpha zeta) S + (alpha + zeta S)^2),
 * every outlier lies in [center - xi, center + xi] and the largest in [center + xi/2, center + xi].
 * xi is evaluated from the stable p. `xiAsPrinted` is the statement's formula with unsquared norms
 * (zeta ||w_K|| + zeta ||w_Q|| + alpha)^2 (NaN when its radicand is negative; `radicandAsPrinted` tells).
 * @see Theorem 3.5, Remark B.4
 */
export function attentionOutlierBounds(stats: AttentionStats): { center: number; xi: number; lower: number; upper: number; lambdaMaxLower: number; lambdaMaxUpper: number; xiAsPrinted: number; radicandAsPrinted: number } {
  const cubic = attentionCubic(stats);
  const center = cubic.a2 / 3;
  const xi = 2 * Math.sqrt(-cubic.p / 3);
  const { alpha, beta, gamma, zeta, kq } = stats;
  const S = stats.kk + stats.qq;
  const lin = zeta * Math.sqrt(stats.kk) + zeta * Math.sqrt(stats.qq) + alpha;
  const radicandAsPrinted = 3 * gamma * gamma + 6 * zeta * gamma * kq + 3 * (beta * beta - alpha * zeta) * S + lin * lin;
  const xiAsPrinted = radicandAsPrinted >= 0 ? (2 / 3) * Math.sqrt(radicandAsPrinted) : NaN;
  return { center, xi, lower: center - xi, upper: center + xi, lambdaMaxLower: center + xi / 2, lambdaMaxUpper: center + xi, xiAsPrinted, radicandAsPrinted };
}

/**
 * Remark 3.1: the lower bound on the condition number kappa = |lambda|_max / |lambda|_min,
 *   (2 (alpha + zeta (||w_K||^2 + ||w_Q||^2)) + 3 xi) / (6 |gamma|).
 * It rests on |lambda|_min <= |gamma| (needs d_K >= 2 so that ±gamma are eigenvalues). Infinity when gamma = 0.
 * @see Remark 3.1
 */
export function attentionConditionBound(stats: AttentionStats): number {
  const b = attentionOutlierBounds(stats);
  return (2 * 3 * b.center + 3 * b.xi) / (6 * Math.abs(stats.gamma));
}

/**
 * Remark B.2: the query-key block of the Hessian alone has the two-layer-linear form (zeta for sigma_x^2,
 * gamma for deltaX): bulk ±gamma (d_K - 1 each) and the pair Lambda_{1,2} = roots of
 * lambda^2 - zeta S lambda - (gamma^2 + 2 zeta gamma <w_K, w_Q>), discriminant as a sum of squares
 * zeta^2 (||w_K||^2 - ||w_Q||^2)^2 + 4 zeta^2 (||w_K||^2 ||w_Q||^2 - <w_K,w_Q>^2) + 4 (gamma + zeta <w_K,w_Q>)^2.
 * @see Remark B.2
 */
export function queryKeyOutliers(stats: AttentionStats): [number, number] {
  requireStats("queryKeyOutliers", stats, ATTENTION_KEYS);
  const { zeta, gamma, kk, qq, kq, gram } = stats;
  const d = kk - qq;
  const disc = zeta * zeta * d * d + 4 * zeta * zeta * gram + 4 * (gamma + zeta * kq) ** 2;
  return pairedRoots(zeta * (kk + qq), gamma * gamma + 2 * zeta * gamma * kq, disc);
}

/**
 * Remark B.2's spectrum of the 2 d_K x 2 d_K query-key block, ascending.
 * @see Remark B.2
 */
export function queryKeySpectrum(stats: AttentionStats): Float64Array {
  const out = new Float64Array(2 * stats.dK);
  for (let i = 0; i < stats.dK - 1; i++) {
    out[2 * i] = stats.gamma;
    out[2 * i + 1] = -stats.gamma;
  }
  out.set(queryKeyOutliers(stats), 2 * stats.dK - 2);
  return out.sort();
}

/**
 * Remark B.3: at gamma = 0 the cubic is -lambda (lambda^2 - (alpha + zeta S) lambda - (beta^2 - alpha zeta) S):
 * one root 0 and the pair (alpha + zeta S)/2 ± sqrt((alpha + zeta S)^2 + 4 (beta^2 - alpha zeta) S)/2, the
 * discriminant evaluated as (alpha - zeta S)^2 + 4 beta^2 S (a sum of squares). Meaningful when gamma = 0.
 * @see Remark B.3
 */
export function attentionQuadraticAtZeroGamma(stats: AttentionStats): [number, number] {
  requireStats("attentionQuadraticAtZeroGamma", stats, ATTENTION_KEYS);
  const { alpha, beta, zeta } = stats;
  const S = stats.kk + stats.qq;
  return pairedRoots(alpha + zeta * S, (beta * beta - alpha * zeta) * S, (alpha - zeta * S) ** 2 + 4 * beta * beta * S);
}

// Earlier names (by theorem number), kept so that existing imports keep working.
/** @deprecated The earlier name of `attentionBlockHessian` (Theorem 3.5). */
export const theorem35BlockHessian = attentionBlockHessian;
/** @deprecated The earlier name of `attentionReducedMatrix` (Theorem 3.5). */
export const theorem35Reduced = attentionReducedMatrix;
/** @deprecated The earlier name of `attentionCubic` (Theorem 3.5). */
export const theorem35Cubic = attentionCubic;
/** @deprecated The earlier name of `attentionOutliers` (Theorem 3.5). */
export const theorem35Outliers = attentionOutliers;
/** @deprecated The earlier name of `attentionSpectrum` (Theorem 3.5). */
export const theorem35Spectrum = attentionSpectrum;
/** @deprecated The earlier name of `attentionOutlierBounds` (Theorem 3.5). */
export const theorem35Bounds = attentionOutlierBounds;
/** @deprecated The earlier name of `attentionConditionBound` (Remark 3.1). */
export const remark31ConditionBound = attentionConditionBound;
/** @deprecated The earlier name of `queryKeyOutliers` (Remark B.2). */
export const remarkB2QueryKeyOutliers = queryKeyOutliers;
/** @deprecated The earlier name of `queryKeySpectrum` (Remark B.2). */
export const remarkB2QueryKeySpectrum = queryKeySpectrum;
/** @deprecated The earlier name of `attentionQuadraticAtZeroGamma` (Remark B.3). */
export const remarkB3Quadratic = attentionQuadraticAtZeroGamma;
