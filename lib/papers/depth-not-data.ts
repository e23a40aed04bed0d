/**
 * Closed forms of "Depth, Not Data: An Analysis of Hessian Spectral Bifurcation" (Deng, Liao, Ouyang, Pang,
 * Yang, 2026), as restored in `../shared/reference/depth-not-data-math.md`.
 *
 * Setting: a depth-L deep linear network F(x) = W_L ... W_1 x from the balanced initialisation (Init. 2.1),
 * whitened input S_xx = V P(I_{d*}) V^T (Ass. 3.1), aligned target S_yx = U P(I_r) V^T (Ass. 3.2), population
 * loss 1/2 E||F(x) - y||^2, gradient descent with step eta. Every layer keeps the form P(U D_t), P(D_t),
 * P(D_t V^T) (Lemma 3.4), so the whole state is the diagonal D_t = diag(lambda_1, ..., lambda_k), and:
 *
 * - the scalar recursion (Lemma 3.4 / A.2, eqs. 6, 30, 31):
 *   lambda_{t+1} = lambda_t - eta lambda_t^{L-1} (s lambda_t^L - c), s = [S_xx]_ii, c = [P(I_r)]_ii;
 * - the outer-product Hessian H_o has one eigenvalue per pair (output direction u_i, input direction v_j
 *   inside the data support): mu_ij = sum_{l=1..L} lambda_i^{2(L-l)} lambda_j^{2(l-1)} (Lemma A.1 / A.9);
 * - dominant space (i, j <= r): r^2 eigenvalues in [L m_min^{2(L-1)}, L m_max^{2(L-1)}]; bulk space (exactly
 *   one of i, j <= r): (d* + d_L - 2r) r eigenvalues in [m_min^{2(L-1)}, m_max^{2(L-1)}]; the rest zero;
 * - gap condition (Theorem 3.5): (m_max / m_min)^{2(L-1)} < L; under USI (Ass. 3.3) the ratio is exactly L.
 *
 * Indices in this module are 0-based: "i < r" here is the paper's "i <= r".
 * Nothing here trains a network or forms a Hessian: the notebooks compare these numbers with the dense
 * Hessian from `lib/curvature`.
 */
import { Matrix } from "ml-matrix";
import { geometricSum, logMuPair, muPair, parameterCount, PairEigenvalue } from "./mu";

// Shared with Data Dependence (./mu); re-exported for importers of this module.
export { parameterCount };
export type { PairEigenvalue };

// mu_ij lives in ./mu (one evaluation shared with data-dependence's eq. (9)); re-exported for existing imports.
export { geometricSum, logMuPair, muPair };

/** The three parts of the spectrum of H_o. */
export type Cluster = "dominant" | "bulk" | "zero";

/** A closed interval [lo, hi]. */
export type Interval = [number, number];

function requireDepth(fn: string, L: number): number {
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`${fn}: L must be an integer >= 1, got ${L}`);
  return L;
}

function requireFinite(fn: string, what: string, x: number): number {
  if (typeof x !== "number" || !Number.isFinite(x)) throw new RangeError(`${fn}: ${what} must be a finite number, got ${x}`);
  return x;
}

function requireCount(fn: string, what: string, n: number, min = 0): number {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${fn}: ${what} must be an integer >= ${min}, got ${n}`);
  return n;
}

/**
 * mu_ij by the literal sum over layers, term by term (Math.pow each time). An independent reference for
 * moderate L; it can produce Infinity * 0 = NaN at large L, which is why `muPair` exists.
 */
export function muPairBySum(lambdaI: number, lambdaJ: number, L: number): number {
  requireDepth("muPairBySum", L);
  requireFinite("muPairBySum", "lambdaI", lambdaI);
  requireFinite("muPairBySum", "lambdaJ", lambdaJ);
  let sum = 0;
  for (let l = 1; l <= L; l++) sum += Math.pow(lambdaI, 2 * (L - l)) * Math.pow(lambdaJ, 2 * (l - 1));
  return sum;
}

/**
 * mu_ij by the difference quotient (lambda_i^{2L} - lambda_j^{2L}) / (lambda_i^2 - lambda_j^2), switching to
 * L lambda^{2(L-1)} only on exact equality. Kept to show, in a notebook, why it must not be used: when
 * lambda_i is close to lambda_j the subtraction cancels and the relative error grows like eps / |lambda_i - lambda_j|.
 */
export function muPairDifferenceQuotient(lambdaI: number, lambdaJ: number, L: number): number {
  requireDepth("muPairDifferenceQuotient", L);
  const a = lambdaI * lambdaI;
  const b = lambdaJ * lambdaJ;
  if (a === b) return L * Math.pow(a, L - 1);
  return (Math.pow(a, L) - Math.pow(b, L)) / (a - b);
}

/**
 * One gradient-descent step of one effective singular value (Lemma 3.4, eq. 6; Lemma A.2, eqs. 30-31):
 *
 *   lambda_{t+1} = lambda_t - eta lambda_t^{L-1} (s lambda_t^L - c)
 *
 * @param lambda current value lambda_{i,t}
 * @param L depth >= 1
 * @param eta step size
 * @param s [S_xx]_ii in the V basis: 1 inside the data support (i < d*), 0 outside
 * @param c [P(I_r)]_ii: 1 inside the target's rank (i < r), 0 outside
 */
export function scalarStep(lambda: number, L: number, eta: number, s = 1, c = 1): number {
  requireDepth("scalarStep", L);
  requireFinite("scalarStep", "lambda", lambda);
  requireFinite("scalarStep", "eta", eta);
  const p = Math.pow(lambda, L - 1);
  return lambda - eta * p * (s * p * lambda - c);
}

/** The coefficients s_i = [S_xx]_ii and c_i = [P(I_r)]_ii of the recursion for k effective values. */
export function alignedCoefficients(k: number, r: number, dStar: number): { s: Float64Array; c: Float64Array } {
  requireCount("alignedCoefficients", "k", k, 1);
  requireCount("alignedCoefficients", "r", r);
  requireCount("alignedCoefficients", "dStar", dStar);
  if (r > dStar) throw new RangeError(`alignedCoefficients: r must be <= dStar, got r = ${r}, dStar = ${dStar}`);
  const s = new Float64Array(k);
  const c = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    s[i] = i < dStar ? 1 : 0;
    c[i] = i < r ? 1 : 0;
  }
  return { s, c };
}

/**
 * Run the scalar recursion of Lemma 3.4 for every effective value at once.
 *
 * @param lambda0 initial values lambda_{i,0} (the L-th roots of the singular values of A in Init. 2.1)
 * @param options L (depth), eta (step), steps, r (target rank), dStar (data rank)
 * @returns trajectory[t][i] = lambda_{i,t}, t = 0..steps (steps + 1 rows)
 */
export function scalarRecursion(
  lambda0: ArrayLike<number>,
  options: { L: number; eta: number; steps: number; r: number; dStar: number },
): Float64Array[] {
  const { L, eta, steps, r, dStar } = options;
  requireDepth("scalarRecursion", L);
  requireCount("scalarRecursion", "steps", steps);
  requireFinite("scalarRecursion", "eta", eta);
  const k = lambda0.length;
  const { s, c } = alignedCoefficients(k, r, dStar);
  const out: Float64Array[] = [Float64Array.from(lambda0)];
  for (let t = 0; t < steps; t++) {
    const prev = out[t];
    const next = new Float64Array(k);
    for (let i = 0; i < k; i++) next[i] = scalarStep(prev[i], L, eta, s[i], c[i]);
    out.push(next);
  }
  return out;
}

/**
 * The population excess loss in terms of the effective values (proof of Lemma A.7), for the aligned target
 * Y = S_yx X (so the minimum is 0):
 *   L(W) - L* = 1/2 sum_{i<r} (lambda_i^L - 1)^2 + 1/2 sum_{r<=i<d*} lambda_i^{2L}.
 */
export function excessLoss(lambdas: ArrayLike<number>, L: number, r: number, dStar: number): number {
  requireDepth("excessLoss", L);
  let e = 0;
  for (let i = 0; i < Math.min(lambdas.length, dStar); i++) {
    const g = Math.pow(lambdas[i], L);
    e += i < r ? 0.5 * (g - 1) * (g - 1) : 0.5 * g * g;
  }
  return e;
}

/** One eigenvalue of H_o predicted for the pair (output u_i, input v_j) (0-based), with its cluster. */
export interface ClusteredPairEigenvalue extends PairEigenvalue {
  cluster: Cluster;
}

/**
 * Every eigenvalue of the Gram matrix B_o^{1/2} A_o^T A_o B_o^{1/2} restricted to the data support, one per
 * pair (output direction i < d_L, input direction j < d*): mu(lambda_i, lambda_j) with lambda = 0 beyond
 * `lambdas.length` (Lemma A.9). These are all the nonzero eigenvalues of H_o (and some zeros).
 * Cluster by index: dominant when i < r and j < r, bulk when exactly one is < r, zero otherwise (zero only
 * when lambda vanishes beyond r, as it does when A has rank r).
 *
 * @param lambdas effective values lambda_1..lambda_k of D_t
 * @param options L, r (target rank), dStar (data rank), dOut (= d_L)
 * @returns dOut * dStar pairs, sorted by value descending
 */
export function gramSpectrum(
  lambdas: ArrayLike<number>,
  options: { L: number; r: number; dStar: number; dOut: number },
): ClusteredPairEigenvalue[] {
  const { L, r, dStar, dOut } = options;
  requireDepth("gramSpectrum", L);
  requireCount("gramSpectrum", "r", r);
  requireCount("gramSpectrum", "dStar", dStar, 1);
  requireCount("gramSpectrum", "dOut", dOut, 1);
  if (r > Math.min(dStar, dOut)) throw new RangeError(`gramSpectrum: r must be <= min(dStar, dOut), got r = ${r}`);
  const lam = (i: number) => (i < lambdas.length ? lambdas[i] : 0);
  const out: ClusteredPairEigenvalue[] = [];
  for (let i = 0; i < dOut; i++) {
    for (let j = 0; j < dStar; j++) {
      const inside = (i < r ? 1 : 0) + (j < r ? 1 : 0);
      const cluster: Cluster = inside === 2 ? "dominant" : inside === 1 ? "bulk" : "zero";
      out.push({ i, j, value: muPair(lam(i), lam(j), L), cluster });
    }
  }
  return out.sort((p, q) => q.value - p.value);
}


/** The cluster sizes of Theorem 3.5: r^2 dominant, (d* + d_L - 2r) r bulk, p - both zero. */
export function clusterCounts(r: number, dStar: number, dOut: number, p: number): { dominant: number; bulk: number; zero: number } {
  requireCount("clusterCounts", "r", r);
  requireCount("clusterCounts", "dStar", dStar);
  requireCount("clusterCounts", "dOut", dOut);
  requireCount("clusterCounts", "p", p);
  if (r > Math.min(dStar, dOut)) throw new RangeError(`clusterCounts: r must be <= min(dStar, dOut), got r = ${r}`);
  const dominant = r * r;
  const bulk = (dStar + dOut - 2 * r) * r;
  if (dominant + bulk > p) throw new RangeError(`clusterCounts: p = ${p} is smaller than the ${dominant + bulk} nonzero eigenvalues`);
  return { dominant, bulk, zero: p - dominant - bulk };
}

/**
 * The gap condition of Theorem 3.5: (m_max / m_min)^{2(L-1)} < L, evaluated in logs (no overflow at large L).
 * @returns holds, lhs = (m_max/m_min)^{2(L-1)} (may be Infinity), rhs = L, and the log-margin log L - log lhs
 */
export function gapCondition(mMin: number, mMax: number, L: number): { holds: boolean; lhs: number; rhs: number; logMargin: number } {
  requireDepth("gapCondition", L);
  requireFinite("gapCondition", "mMin", mMin);
  requireFinite("gapCondition", "mMax", mMax);
  if (!(mMin > 0) || mMax < mMin) throw new RangeError(`gapCondition: need 0 < mMin <= mMax, got mMin = ${mMin}, mMax = ${mMax}`);
  const logLhs = 2 * (L - 1) * Math.log(mMax / mMin);
  const logMargin = Math.log(L) - logLhs;
  return { holds: logMargin > 0, lhs: Math.exp(logLhs), rhs: L, logMargin };
}

/** What Theorem 3.5 predicts from the first r effective values at one time t. */
export interface ClusterPrediction {
  counts: { dominant: number; bulk: number; zero: number };
  /** [L m_min^{2(L-1)}, L m_max^{2(L-1)}] (eq. 7) */
  dominant: Interval;
  /** [m_min^{2(L-1)}, m_max^{2(L-1)}] (eq. 8) */
  bulk: Interval;
  mMin: number;
  mMax: number;
  gap: { holds: boolean; lhs: number; rhs: number; logMargin: number };
}

/**
 * Theorem 3.5 / Lemma A.9 at one time: counts, the dominant and bulk intervals of H_o, the gap condition.
 *
 * @param m the first r effective values lambda_{1..r, t} (all > 0)
 * @param options L, dStar, dOut, p (number of parameters)
 */
export function predictClusters(m: ArrayLike<number>, options: { L: number; dStar: number; dOut: number; p: number }): ClusterPrediction {
  const { L, dStar, dOut, p } = options;
  requireDepth("predictClusters", L);
  const r = m.length;
  if (r < 1) throw new RangeError("predictClusters: m must hold the r >= 1 leading effective values");
  let mMin = Infinity;
  let mMax = -Infinity;
  for (let i = 0; i < r; i++) {
    requireFinite("predictClusters", `m[${i}]`, m[i]);
    mMin = Math.min(mMin, Math.abs(m[i]));
    mMax = Math.max(mMax, Math.abs(m[i]));
  }
  const lo = Math.pow(mMin, 2 * (L - 1));
  const hi = Math.pow(mMax, 2 * (L - 1));
  return {
    counts: clusterCounts(r, dStar, dOut, p),
    dominant: [L * lo, L * hi],
    bulk: [lo, hi],
    mMin,
    mMax,
    gap: gapCondition(mMin, mMax, L),
  };
}

/** Widen an interval by h on both sides (Weyl: eigenvalues of H = H_o + H_f move by at most ||H_f||). */
export function widen(interval: Interval, h: number): Interval {
  requireFinite("widen", "h", h);
  if (h < 0) throw new RangeError(`widen: h must be >= 0, got ${h}`);
  return [interval[0] - h, interval[1] + h];
}

/**
 * Corollary 3.6 / Lemma A.1 under USI (every one of the first r values equals m): the two nonzero
 * eigenvalues of H_o, dominant L m^{2(L-1)} and bulk m^{2(L-1)}, and their ratio, exactly L.
 */
export function usiEigenvalues(m: number, L: number): { dominant: number; bulk: number; ratio: number } {
  requireDepth("usiEigenvalues", L);
  requireFinite("usiEigenvalues", "m", m);
  const bulk = Math.pow(m * m, L - 1);
  return { dominant: L * bulk, bulk, ratio: L };
}

/**
 * A computable instance of Lemma A.6 in the aligned setting: the block-norm bound (Lemma A.5) on the
 * functional Hessian of the population loss,
 *
 *   ||H_f||_2 <= sqrt( sum_{l != l'} ||B_{l l'}||_2^2 ),   ||B_{l l'}||_2 = ||W_{l-1:1} Delta^T W_{L:l'+1}||_2 ||W_{l'-1:l+1}||_2
 *
 * for l < l' (and symmetrically), with Delta = E[delta x^T] = U diag(s_i lambda_i^L - c_i) V^T. In the shared
 * structure every factor is diagonal, so each block norm is a max over i of products of powers of lambda_i.
 * Also returns the cruder sqrt(L(L-1)) max(lambda)^{L-2} ||Delta||_2 and ||Delta||_2 <= sqrt(2 (L - L*)),
 * which gives ||H_f|| <= C sqrt(L - L*) with C = sqrt(2 L (L-1)) max(lambda)^{L-2}.
 *
 * @param lambdas effective values lambda_1..lambda_k
 * @param options L, r, dStar
 * @returns blockBound, crudeBound, deltaNorm (||Delta||_2), constantC
 */
export function functionalHessianBound(
  lambdas: ArrayLike<number>,
  options: { L: number; r: number; dStar: number },
): { blockBound: number; crudeBound: number; deltaNorm: number; constantC: number } {
  const { L, r, dStar } = options;
  requireDepth("functionalHessianBound", L);
  const k = lambdas.length;
  const { s, c } = alignedCoefficients(Math.max(k, 1), r, dStar);
  const delta = new Float64Array(k);
  let deltaNorm = 0;
  let lamMax = 0;
  for (let i = 0; i < k; i++) {
    delta[i] = s[i] * Math.pow(lambdas[i], L) - c[i];
    deltaNorm = Math.max(deltaNorm, Math.abs(delta[i]));
    lamMax = Math.max(lamMax, Math.abs(lambdas[i]));
  }
  // Outside the k effective directions Delta has the entries -c_i (none here: r <= k), and every product of
  // weights vanishes there except for the empty product (identity), which only enters when l' = l + 1.
  let sumSq = 0;
  for (let l = 1; l <= L; l++) {
    for (let lp = l + 1; lp <= L; lp++) {
      // G = W_{l-1:1} Delta^T W_{L:l'+1}: diagonal entries lambda^{l-1} delta lambda^{L-l'}
      let g = 0;
      for (let i = 0; i < k; i++) g = Math.max(g, Math.pow(Math.abs(lambdas[i]), l - 1 + L - lp) * Math.abs(delta[i]));
      // M = W_{l'-1:l+1}: identity when l' = l + 1 (empty product), else diagonal lambda^{l'-l-1}
      const mNorm = lp === l + 1 ? 1 : Math.pow(lamMax, lp - l - 1);
      sumSq += 2 * (g * mNorm) * (g * mNorm);
    }
  }
  const blockBound = Math.sqrt(sumSq);
  const crudeBound = L < 2 ? 0 : Math.sqrt(L * (L - 1)) * Math.pow(Math.max(lamMax, 1e-300), L - 2) * deltaNorm;
  const constantC = L < 2 ? 0 : Math.sqrt(2 * L * (L - 1)) * Math.pow(Math.max(lamMax, 1e-300), L - 2);
  return { blockBound, crudeBound, deltaNorm, constantC };
}

/** Means of the measured clusters when a descending spectrum is cut by the predicted counts. */
export interface MeasuredSplit {
  dominant: Float64Array;
  bulk: Float64Array;
  zero: Float64Array;
  dominantMean: number;
  bulkMean: number;
  ratio: number;
}

/**
 * Cut a measured spectrum (any order) by the counts of Theorem 3.5: the largest `counts.dominant` values are
 * the dominant cluster, the next `counts.bulk` the bulk, the rest the zero space. Nothing is assumed about
 * whether the cut falls in a gap: the notebooks check that separately.
 */
export function splitByCounts(values: ArrayLike<number>, counts: { dominant: number; bulk: number }): MeasuredSplit {
  const sorted = Float64Array.from(values).sort().reverse();
  if (counts.dominant + counts.bulk > sorted.length) {
    throw new RangeError(`splitByCounts: ${sorted.length} values cannot hold ${counts.dominant} + ${counts.bulk}`);
  }
  const dominant = sorted.slice(0, counts.dominant);
  const bulk = sorted.slice(counts.dominant, counts.dominant + counts.bulk);
  const zero = sorted.slice(counts.dominant + counts.bulk);
  const mean = (a: Float64Array) => (a.length === 0 ? NaN : a.reduce((x, y) => x + y, 0) / a.length);
  const dominantMean = mean(dominant);
  const bulkMean = mean(bulk);
  return { dominant, bulk, zero, dominantMean, bulkMean, ratio: dominantMean / bulkMean };
}

/**
 * Per-step contraction factor of the excess loss near the end of training that follows from the recursion
 * (a reconstruction of Lemma A.7, whose displayed rate the text lost): for lambda_i in [alpha, 1],
 *   1 - lambda_{t+1}^L <= (1 - eta L alpha^{2(L-1)}) (1 - lambda_t^L)   (convexity of lambda -> lambda^L),
 * so the excess loss contracts by at least rho = (1 - eta L alpha^{2(L-1)})^2 per step.
 *
 * @param alpha the uniform lower bound of Lemma A.4 on the first r effective values
 */
export function excessLossContraction(alpha: number, L: number, eta: number): number {
  requireDepth("excessLossContraction", L);
  requireFinite("excessLossContraction", "alpha", alpha);
  requireFinite("excessLossContraction", "eta", eta);
  const f = 1 - eta * L * Math.pow(alpha, 2 * (L - 1));
  return f * f;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the shared structure of Lemma 3.4 off trained weights (the weights themselves are built by
// `lib/init` `sharedFormInit` / `usiInit`, the data by `lib/data` `alignedData`).
// ---------------------------------------------------------------------------------------------------------

/**
 * Read the effective values back from trained weights, in the fixed bases: lambda_i = [P^T(U^T W_L)]_ii etc.
 * Returns, per layer, the diagonal of the layer in the (U, identity, V) bases and the largest off-diagonal
 * entry there (0 when the layer has exactly the shared form P(U D), P(D), P(D V^T)).
 */
export function readSharedStructure(U: Matrix, V: Matrix, W: Matrix[], k: number): { diagonals: Float64Array[]; offDiagonal: number } {
  const L = W.length;
  requireDepth("readSharedStructure", L);
  const diagonals: Float64Array[] = [];
  let offDiagonal = 0;
  W.forEach((Wl, idx) => {
    let M = Wl;
    if (idx === L - 1) M = U.transpose().mmul(M);
    if (idx === 0) M = M.mmul(V);
    const d = new Float64Array(k);
    for (let i = 0; i < M.rows; i++)
      for (let j = 0; j < M.columns; j++) {
        if (i === j && i < k) d[i] = M.get(i, j);
        else offDiagonal = Math.max(offDiagonal, Math.abs(M.get(i, j)));
      }
    diagonals.push(d);
  });
  return { diagonals, offDiagonal };
}
