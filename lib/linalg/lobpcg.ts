/**
 * LOBPCG (Knyazev 2001) for the k largest eigenpairs of a symmetric LinearOperator, without preconditioner.
 */
import type { Rng } from "../random/rng";
import { dot, norm2 } from "./blas";
import { symmetricEigen } from "./eigh";
import { applyToRows, orthogonalizeAgainst, rowsToMatrix } from "./krylov";
import type { IterativeEigenResult } from "./lanczos";
import type { LinearOperator } from "./operator";
import { assertIntInRange, assertIterativeOptions } from "./validate";

/** Options of `lobpcg`. */
export interface LobpcgOptions {
  /** Number of eigenpairs (1 <= k <= n). */
  k: number;
  /** Seeded generator for the initial block. */
  rng: Rng;
  /** Maximum number of block iterations (default 500). */
  maxIterations?: number;
  /** Converged when every residual ||A x - θ x|| <= tol * max |θ| (default 1e-8). */
  tol?: number;
  /** Extra block vectors beyond k, which speed up convergence when λ_k ≈ λ_{k+1} (default min(n - k, max(2, ceil(k / 4)))). */
  guard?: number;
  /** "largest" (default) or "smallest". */
  which?: "largest" | "smallest";
}

/**
 * The k largest (or smallest) eigenpairs of a symmetric operator by LOBPCG, block version with guard vectors.
 * Robust variant: each iteration the basis [X, W, P] (Ritz vectors, residuals, previous search directions) is
 * orthonormalised by CGS2 with dropping of numerically dependent columns, and A is applied to the new columns
 * (up to 2 (k + guard) products per iteration), then Rayleigh-Ritz on the projected matrix. Being a block
 * method it finds all copies of a repeated eigenvalue inside the block.
 *
 * @returns values DESCENDING for "largest" (ascending for "smallest"), vectors (n x k columns), iterations (block
 *   iterations), residualNorms (||A x_j - θ_j x_j||), converged
 */
export function lobpcg(op: LinearOperator, options: LobpcgOptions): IterativeEigenResult {
  const fn = "lobpcg";
  const { n, k, tol, maxIterations } = assertIterativeOptions(fn, op, options, { tol: 1e-8, maxIterations: 500 });
  const guard = assertIntInRange(fn, "options.guard", options.guard ?? Math.min(n - k, Math.max(2, Math.ceil(k / 4))), 0, n - k);
  const which = options.which ?? "largest";
  if (which !== "largest" && which !== "smallest") throw new RangeError(`${fn}: options.which must be "largest" or "smallest", got ${String(which)}`);
  const sign = which === "largest" ? 1 : -1;
  const rng = options.rng;
  const b = k + guard; // block size

  // initial block: random, orthonormalised
  let X = new Float64Array(b * n);
  let cnt = 0;
  for (let t = 0; t < b; t++) {
    const w = rng.normalArray(n);
    const nr = orthogonalizeAgainst(w, X, cnt, n);
    if (nr > 1e-10) {
      for (let l = 0; l < n; l++) X[cnt * n + l] = w[l] / nr;
      cnt++;
    }
  }
  if (cnt < b) throw new Error(`${fn}: could not build an initial block of ${b} independent vectors`);
  let AX = applyToRows(fn, op, X, b);
  let P: Float64Array | null = null;
  let pCount = 0;
  let theta = new Float64Array(b);
  // Rayleigh-Ritz on X alone to start
  ({ X, AX, theta } = rayleighRitz(X, AX, b, n, b, sign));
  let iterations = 0;
  let residualNorms = new Float64Array(k);
  let converged = false;
  let normEst = 0;
  while (true) {
    // residuals
    const R = new Float64Array(b * n);
    const rn = new Float64Array(b);
    for (let t = 0; t < b; t++) {
      for (let l = 0; l < n; l++) R[t * n + l] = AX[t * n + l] - theta[t] * X[t * n + l];
      rn[t] = norm2(R, n, t * n);
      normEst = Math.max(normEst, Math.abs(theta[t]));
    }
    residualNorms = rn.slice(0, k);
    const thresh = tol * Math.max(normEst, Number.MIN_VALUE);
    converged = true;
    for (let t = 0; t < k; t++) if (!(rn[t] <= thresh)) converged = false;
    if (converged || iterations >= maxIterations) break;
    iterations++;
    // basis S = [X, W, P]: X orthonormal; W = active residuals, P = previous directions, orthonormalised
    const cap = b + b + pCount;
    const S = new Float64Array(cap * n);
    const AS = new Float64Array(cap * n);
    S.set(X);
    AS.set(AX);
    let s = b;
    const fresh: number[] = [];
    const addColumn = (w: Float64Array): void => {
      const before = norm2(w, n);
      if (before === 0) return;
      const after = orthogonalizeAgainst(w, S, s, n);
      if (after <= 1e-10 * before) return;
      for (let l = 0; l < n; l++) S[s * n + l] = w[l] / after;
      fresh.push(s);
      s++;
    };
    for (let t = 0; t < b; t++) if (rn[t] > 0.01 * thresh) addColumn(R.slice(t * n, t * n + n));
    if (P !== null) for (let t = 0; t < pCount; t++) addColumn(P.slice(t * n, t * n + n));
    if (fresh.length === 0) break; // nothing new: the block is invariant
    const block = new Float64Array(fresh.length * n);
    fresh.forEach((c, t) => block.set(S.subarray(c * n, c * n + n), t * n));
    const Ablock = applyToRows(fn, op, block, fresh.length);
    fresh.forEach((c, t) => AS.set(Ablock.subarray(t * n, t * n + n), c * n));
    const rr = rayleighRitz(S, AS, s, n, b, sign);
    // new directions: the part of the new Ritz vectors outside span(X_old)
    P = new Float64Array(b * n);
    for (let t = 0; t < b; t++) {
      const y = rr.Y.subarray(t * s, t * s + s);
      for (let c = b; c < s; c++) {
        const coef = y[c];
        if (coef === 0) continue;
        for (let l = 0; l < n; l++) P[t * n + l] += coef * S[c * n + l];
      }
    }
    pCount = b;
    X = rr.X;
    AX = rr.AX;
    theta = rr.theta;
  }
  const values = theta.slice(0, k);
  return { values, vectors: rowsToMatrix(X, k, n), iterations, residualNorms, converged };
}

/**
 * Rayleigh-Ritz on the orthonormal basis S (count rows) with images AS: returns the `b` Ritz pairs at the wanted
 * end (sign = 1: largest first; -1: smallest first), X = Y^T S, AX = Y^T AS, and Y (b x count, row t = coefficients).
 */
function rayleighRitz(S: Float64Array, AS: Float64Array, count: number, n: number, b: number, sign: number) {
  const h = new Float64Array(count * count);
  for (let r = 0; r < count; r++) {
    for (let c = r; c < count; c++) {
      const v = 0.5 * (dot(S, AS, n, r * n, c * n) + dot(S, AS, n, c * n, r * n));
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
  for (let t = 0; t < b; t++) {
    for (let c = 0; c < count; c++) {
      const coef = Y[t * count + c];
      if (coef === 0) continue;
      for (let l = 0; l < n; l++) {
        X[t * n + l] += coef * S[c * n + l];
        AX[t * n + l] += coef * AS[c * n + l];
      }
    }
  }
  return { X, AX, theta, Y };
}
