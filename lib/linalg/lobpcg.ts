/**
 * LOBPCG (Knyazev 2001) for the k largest (or smallest) eigenpairs of a symmetric LinearOperator, without
 * preconditioner, in the robust form of Duersch, Shao, Yang and Gu (SIAM J. Sci. Comput. 2018): orthonormal
 * bases by block Gram-Schmidt and SVQB with dropping, soft locking, and A-images of the search directions
 * carried along instead of recomputed.
 */
import { Matrix } from "ml-matrix";
import type { Rng } from "../random/rng";
import { symmetricEigen } from "./eigh";
import { applyToRows, rowsToMatrix } from "./krylov";
import type { IterativeEigenResult } from "./lanczos";
import { gemm } from "./matmul";
import type { LinearOperator } from "./operator";
import { assertIntInRange, assertIterativeOptions } from "./validate";

/** Options of `lobpcg`. */
export interface LobpcgOptions {
  /** Number of eigenpairs (1 <= k <= n). */
  k: number;
  /** Seeded generator for the initial block (the columns `initial` does not provide). */
  rng: Rng;
  /** Maximum number of block iterations (default 500). */
  maxIterations?: number;
  /** Converged when every residual ||A x - θ x|| <= tol * max |θ| (default 1e-8). */
  tol?: number;
  /** Extra block vectors beyond k, which speed up convergence when λ_k ≈ λ_{k+1} (default min(n - k, max(2, ceil(k / 4)))). */
  guard?: number;
  /** "largest" (default) or "smallest". */
  which?: "largest" | "smallest";
  /**
   * Starting vectors (n x j, j <= k + guard), e.g. the eigenvectors of a nearby operator from an earlier call
   * (warm start); the block is completed with random vectors. Need not be orthonormal.
   */
  initial?: Matrix;
}

/** Result of `lobpcg`: the common fields, plus the number of operator applications. */
export interface LobpcgResult extends IterativeEigenResult {
  /** Vectors the operator was applied to (initial block plus one per active residual per iteration). */
  products: number;
}

/**
 * The k largest (or smallest) eigenpairs of a symmetric operator by LOBPCG with guard vectors.
 *
 * Each iteration the Rayleigh-Ritz basis is [X, W, P]: Ritz vectors, residuals of the pairs not yet converged
 * (soft locking: a converged pair stays in X but adds no residual), and the previous search directions. W is
 * orthonormalised against X and P against [X, W] by block classical Gram-Schmidt, each followed by SVQB
 * (an eigen-decomposition of the block's Gram matrix) that drops numerically dependent directions, twice. The
 * operator is applied only to W: the images of X and P are the same linear combinations of earlier images.
 * Being a block method it finds all copies of a repeated eigenvalue inside the block. Block products run in
 * `matmul` (WebAssembly SIMD for large blocks).
 *
 * @returns values DESCENDING for "largest" (ascending for "smallest"), vectors (n x k columns), iterations (block
 *   iterations), residualNorms (||A x_j - θ_j x_j|| from a final fresh product), converged, products
 */
export function lobpcg(op: LinearOperator, options: LobpcgOptions): LobpcgResult {
  const fn = "lobpcg";
  const { n, k, tol, maxIterations } = assertIterativeOptions(fn, op, options, { tol: 1e-8, maxIterations: 500 });
  const guard = assertIntInRange(fn, "options.guard", options.guard ?? Math.min(n - k, Math.max(2, Math.ceil(k / 4))), 0, n - k);
  const which = options.which ?? "largest";
  if (which !== "largest" && which !== "smallest") throw new RangeError(`${fn}: options.which must be "largest" or "smallest", got ${String(which)}`);
  const sign = which === "largest" ? 1 : -1;
  const b = k + guard; // block size

  // initial block: the given vectors, then random ones, orthonormalised (dependent columns replaced by new draws)
  let X = initialRows(fn, options.initial, n, b);
  let count = X.length / n;
  for (let attempt = 0; count < b; attempt++) {
    if (attempt === 10) throw new Error(`${fn}: could not build an initial block of ${b} independent vectors`);
    const extra = new Float64Array((b - count) * n);
    for (let t = 0; t < b - count; t++) extra.set(options.rng.normalArray(n), t * n);
    const fresh = orthonormalize(extra, b - count, n, [X], count);
    const grown = new Float64Array((count + fresh.count) * n);
    grown.set(X.subarray(0, count * n));
    grown.set(fresh.Z.subarray(0, fresh.count * n), count * n);
    X = grown;
    count += fresh.count;
  }
  let AX = applyToRows(fn, op, X, b);
  let products = b;
  let { X: Xr, AX: AXr, theta } = rayleighRitz(X, AX, b, n, b, sign);
  X = Xr;
  AX = AXr;
  let P: Float64Array | null = null, AP: Float64Array | null = null;
  let pCount = 0;
  let iterations = 0;
  let residualNorms = new Float64Array(k);
  let converged = false;
  let normEst = 0;
  while (true) {
    const R = new Float64Array(b * n);
    const rn = new Float64Array(b);
    for (let t = 0; t < b; t++) {
      let s = 0;
      for (let l = t * n; l < t * n + n; l++) {
        const r = AX[l] - theta[t] * X[l];
        R[l] = r;
        s += r * r;
      }
      rn[t] = Math.sqrt(s);
      normEst = Math.max(normEst, Math.abs(theta[t]));
    }
    residualNorms = rn.slice(0, k);
    const thresh = tol * Math.max(normEst, Number.MIN_VALUE);
    converged = true;
    for (let t = 0; t < k; t++) if (!(rn[t] <= thresh)) converged = false;
    if (converged || iterations >= maxIterations) break;
    iterations++;
    // W: residuals of the unconverged pairs (guard vectors always active), orthonormal and orthogonal to X
    const active: number[] = [];
    for (let t = 0; t < b; t++) if (rn[t] > thresh || t >= k) active.push(t);
    const Wraw = new Float64Array(active.length * n);
    active.forEach((t, i) => Wraw.set(R.subarray(t * n, t * n + n), i * n));
    const W = orthonormalize(Wraw, active.length, n, [X], b);
    if (W.count === 0 && pCount === 0) break; // the block is invariant
    const AW = applyToRows(fn, op, W.Z, W.count);
    products += W.count;
    // P: previous directions, orthonormal against [X, W], images carried along
    let Pk = { Z: new Float64Array(0), AZ: new Float64Array(0), count: 0 };
    if (P !== null && AP !== null && pCount > 0) {
      const XW = new Float64Array((b + W.count) * n);
      XW.set(X);
      XW.set(W.Z.subarray(0, W.count * n), b * n);
      const AXW = new Float64Array((b + W.count) * n);
      AXW.set(AX);
      AXW.set(AW, b * n);
      Pk = orthonormalize(P, pCount, n, [XW], b + W.count, AP, [AXW]) as typeof Pk;
    }
    const s = b + W.count + Pk.count;
    const S = new Float64Array(s * n);
    const AS = new Float64Array(s * n);
    S.set(X); AS.set(AX);
    S.set(W.Z.subarray(0, W.count * n), b * n); AS.set(AW, b * n);
    S.set(Pk.Z.subarray(0, Pk.count * n), (b + W.count) * n); AS.set(Pk.AZ.subarray(0, Pk.count * n), (b + W.count) * n);
    const rr = rayleighRitz(S, AS, s, n, b, sign);
    // new directions: the parts of the new Ritz vectors outside span(X_old), i.e. their W and P components
    const extra = s - b;
    if (extra > 0) {
      const Yx = new Float64Array(b * extra);
      for (let t = 0; t < b; t++) for (let c = 0; c < extra; c++) Yx[t * extra + c] = rr.Y[t * s + b + c];
      P = new Float64Array(b * n);
      AP = new Float64Array(b * n);
      gemm(false, false, b, n, extra, Yx, S.subarray(b * n), P, false);
      gemm(false, false, b, n, extra, Yx, AS.subarray(b * n), AP, false);
      pCount = b;
    } else {
      P = AP = null;
      pCount = 0;
    }
    X = rr.X;
    AX = rr.AX;
    theta = rr.theta;
  }
  // the images above are carried, not recomputed: report residuals from fresh products, so `converged` is honest
  const Xk = X.subarray(0, k * n);
  const AXk = applyToRows(fn, op, Xk, k);
  products += k;
  converged = true;
  const thresh = tol * Math.max(normEst, Number.MIN_VALUE);
  for (let t = 0; t < k; t++) {
    let s = 0;
    for (let l = t * n; l < t * n + n; l++) {
      const r = AXk[l] - theta[t] * Xk[l];
      s += r * r;
    }
    residualNorms[t] = Math.sqrt(s);
    if (!(residualNorms[t] <= thresh)) converged = false;
  }
  const values = theta.slice(0, k);
  return { values, vectors: rowsToMatrix(X, k, n), iterations, residualNorms, converged, products };
}

/** The columns of `initial` (n x j, finite, j <= b) as rows, orthonormalised; dependent columns are dropped. */
function initialRows(fn: string, initial: Matrix | undefined, n: number, b: number): Float64Array {
  if (initial === undefined) return new Float64Array(0);
  if (!(initial instanceof Matrix)) throw new TypeError(`${fn}: options.initial must be an ml-matrix Matrix (n x j), got ${typeof initial}`);
  if (initial.rows !== n || initial.columns < 1 || initial.columns > b) {
    throw new RangeError(`${fn}: options.initial must be ${n} x j with 1 <= j <= k + guard = ${b}, got ${initial.rows} x ${initial.columns}`);
  }
  const j = initial.columns;
  const rows = new Float64Array(j * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < j; c++) {
      const v = initial.get(i, c);
      if (!Number.isFinite(v)) throw new RangeError(`${fn}: options.initial must be finite, entry (${i}, ${c}) is ${v}`);
      rows[c * n + i] = v;
    }
  }
  const o = orthonormalize(rows, j, n, [], 0);
  return o.Z.subarray(0, o.count * n).slice();
}

/**
 * Orthonormalise the `q` rows of Z (q x n) against the first `count` rows of bases[0] (orthonormal) and among
 * themselves: block classical Gram-Schmidt then SVQB, twice. Directions whose share of a row falls below 1e-10
 * are dropped. When images AZ (and the bases' images) are given, the same combinations are applied to them.
 * Returns the surviving rows (first `count` rows of Z) and images.
 */
function orthonormalize(Z: Float64Array, q: number, n: number, bases: Float64Array[], count: number, AZ?: Float64Array, abases?: Float64Array[]) {
  let z = Z.slice(0, q * n), az = AZ ? AZ.slice(0, q * n) : undefined;
  let rows = q;
  for (let pass = 0; pass < 2 && rows > 0; pass++) {
    if (count > 0) {
      // z -= (z B^T) B
      const C = new Float64Array(rows * count);
      gemm(false, true, rows, count, n, z, bases[0].subarray(0, count * n), C, false);
      for (let i = 0; i < C.length; i++) C[i] = -C[i];
      gemm(false, false, rows, n, count, C, bases[0].subarray(0, count * n), z, true);
      if (az && abases) gemm(false, false, rows, n, count, C, abases[0].subarray(0, count * n), az, true);
    }
    const M = svqb(z, rows, n);
    const r = M.length / rows;
    const z2 = new Float64Array(r * n);
    gemm(false, false, r, n, rows, M, z, z2, false);
    if (az) {
      const az2 = new Float64Array(r * n);
      gemm(false, false, r, n, rows, M, az, az2, false);
      az = az2;
    }
    z = z2;
    rows = r;
  }
  return { Z: z, AZ: az ?? new Float64Array(0), count: rows };
}

/**
 * SVQB (Stathopoulos and Wu 2002): for q rows Z, the r x q matrix M with M Z orthonormal, from the eigen-
 * decomposition of the scaled Gram matrix D^{-1/2} Z Z^T D^{-1/2}; eigenvalues below 1e-20 of the largest
 * (directions of relative size below 1e-10) are dropped, as are zero rows.
 */
function svqb(Z: Float64Array, q: number, n: number): Float64Array {
  const G = new Float64Array(q * q);
  gemm(false, true, q, q, n, Z, Z, G, false);
  const d = new Float64Array(q);
  for (let i = 0; i < q; i++) d[i] = G[i * q + i] > 0 ? 1 / Math.sqrt(G[i * q + i]) : 0;
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) G[i * q + j] = 0.5 * (G[i * q + j] + G[j * q + i]) * d[i] * d[j];
  const { values, vt } = symmetricEigen(G, q, true);
  const top = values[q - 1];
  const keep: number[] = [];
  for (let i = q - 1; i >= 0; i--) if (values[i] > 1e-20 * top && values[i] > 0) keep.push(i);
  const M = new Float64Array(keep.length * q);
  keep.forEach((e, r) => {
    const s = 1 / Math.sqrt(values[e]);
    for (let c = 0; c < q; c++) M[r * q + c] = vt![e * q + c] * s * d[c];
  });
  return M;
}

/**
 * Rayleigh-Ritz on the orthonormal basis S (count rows) with images AS: the `b` Ritz pairs at the wanted end
 * (sign = 1: largest first; -1: smallest first), X = Y S, AX = Y AS, and Y (b x count, row t = coefficients).
 */
function rayleighRitz(S: Float64Array, AS: Float64Array, count: number, n: number, b: number, sign: number) {
  const h = new Float64Array(count * count);
  gemm(false, true, count, count, n, S, AS, h, false);
  for (let r = 0; r < count; r++) {
    for (let c = r + 1; c < count; c++) {
      const v = 0.5 * (h[r * count + c] + h[c * count + r]);
      h[r * count + c] = v;
      h[c * count + r] = v;
    }
  }
  const { values, vt } = symmetricEigen(h, count, true);
  const theta = new Float64Array(b);
  const Y = new Float64Array(b * count);
  for (let t = 0; t < b; t++) {
    const idx = sign > 0 ? count - 1 - t : t;
    theta[t] = values[idx];
    Y.set(vt!.subarray(idx * count, idx * count + count), t * count);
  }
  const X = new Float64Array(b * n);
  const AX = new Float64Array(b * n);
  gemm(false, false, b, n, count, Y, S, X, false);
  gemm(false, false, b, n, count, Y, AS, AX, false);
  return { X, AX, theta, Y };
}
