/**
 * Lanczos with full reorthogonalisation and thick restart (Wu & Simon 2000) for a few extreme eigenpairs of a
 * symmetric LinearOperator.
 */
import { Matrix } from "ml-matrix";
import type { Rng } from "../random/rng";
import { norm2 } from "./blas";
import { symmetricEigen } from "./eigh";
import { applyToRows, combineRows, orthogonalizeAgainst, randomOrthogonal, rowsToMatrix } from "./krylov";
import type { LinearOperator } from "./operator";
import { assertIntInRange, assertIterativeOptions } from "./validate";

/** Options of `lanczos`. */
export interface LanczosOptions {
  /** Number of eigenpairs (1 <= k <= n). */
  k: number;
  /**
   * "largest" (default): the k algebraically largest, returned DESCENDING; "smallest": the k smallest,
   * ASCENDING; "both": ceil(k/2) largest and floor(k/2) smallest (as SciPy's eigsh "BE"), all DESCENDING.
   */
  which?: "largest" | "smallest" | "both";
  /** Seeded generator for the start vector (and for new directions when the Krylov space is invariant). */
  rng: Rng;
  /** Maximum number of matrix-vector products (default 2000). */
  maxIterations?: number;
  /** Converged when every wanted residual ||A x - θ x|| <= tol * max |θ| (default 1e-10). */
  tol?: number;
  /** Also return the Ritz vectors (default false). */
  vectors?: boolean;
  /** Basis size before a thick restart (default min(n, max(2k + 20, 40))). */
  basisSize?: number;
}

/** Result of an iterative eigensolver. */
export interface IterativeEigenResult {
  /** Ritz values, ordered as documented by the solver. */
  values: Float64Array;
  /** Ritz vectors as columns (n x k), column j for values[j], when asked for. */
  vectors?: Matrix;
  /** Iterations: matrix-vector products for lanczos and powerIteration, block iterations for lobpcg. */
  iterations: number;
  /** ||A x_j - θ_j x_j|| for each returned pair. */
  residualNorms: Float64Array;
  /** True when every residual met the tolerance. */
  converged: boolean;
}

/**
 * Extreme eigenpairs of a symmetric operator by Lanczos with full (CGS2) reorthogonalisation and thick
 * restart. When the Krylov space becomes invariant (breakdown, e.g. for an eigenvalue of multiplicity > 1 or a
 * low-rank operator) the iteration continues from a random vector orthogonal to the basis, so further copies
 * of repeated eigenvalues can be found; a single-vector Krylov method may still report a multiple eigenvalue
 * with too few copies if it converges before they appear: use `lobpcg` (a block method) or the dense `eigh`
 * to count multiplicities.
 *
 * @param op symmetric LinearOperator of size n
 * @param options k, which, rng, maxIterations, tol, vectors, basisSize
 * @returns values (see `which`), vectors (if asked), iterations (matvecs), residualNorms (actual residuals
 *   estimated from the Lanczos relation), converged
 */
export function lanczos(op: LinearOperator, options: LanczosOptions): IterativeEigenResult {
  const fn = "lanczos";
  const { n, k, tol, maxIterations } = assertIterativeOptions(fn, op, options, { tol: 1e-10, maxIterations: 2000 });
  const which = options.which ?? "largest";
  if (which !== "largest" && which !== "smallest" && which !== "both") throw new RangeError(`${fn}: options.which must be "largest", "smallest" or "both", got ${String(which)}`);
  const m = assertIntInRange(fn, "options.basisSize", options.basisSize ?? Math.min(n, Math.max(2 * k + 20, 40)), Math.min(n, k + 1), n);
  const rng = options.rng;

  const basis = new Float64Array((m + 1) * n);
  const H = new Float64Array((m + 1) * (m + 1)); // projected matrix, leading (j x j) block used
  const ld = m + 1;
  let j = 0; // current basis size
  let iterations = 0;
  const v0 = randomOrthogonal(rng, basis, 0, n)!;
  basis.set(v0, 0);
  let normEst = 0;
  let lastBeta = 0; // coupling of the last basis vector to the next one
  let result: { theta: Float64Array; S: Float64Array; sel: number[]; res: Float64Array } | null = null;

  const wanted = (theta: Float64Array, count: number): number[] => {
    // theta ascending; return indices of the wanted Ritz values in output order
    const idx: number[] = [];
    if (which === "largest") for (let i = count - 1; i >= count - Math.min(k, count); i--) idx.push(i);
    else if (which === "smallest") for (let i = 0; i < Math.min(k, count); i++) idx.push(i);
    else {
      const hi = Math.ceil(k / 2);
      const lo = k - hi;
      const top: number[] = [];
      for (let i = count - 1; i >= Math.max(0, count - hi); i--) top.push(i);
      const bottom: number[] = [];
      for (let i = Math.min(lo, count - top.length) - 1; i >= 0; i--) bottom.push(i);
      idx.push(...top, ...bottom);
    }
    return idx;
  };

  const ritz = (size: number) => {
    const h = new Float64Array(size * size);
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) h[r * size + c] = 0.5 * (H[r * ld + c] + H[c * ld + r]);
    const { values: theta, vt } = symmetricEigen(h, size, true);
    // vt row i = eigenvector i of the projected matrix (coordinates in the basis)
    for (let i = 0; i < size; i++) normEst = Math.max(normEst, Math.abs(theta[i]));
    const sel = wanted(theta, size);
    const res = new Float64Array(sel.length);
    for (let t = 0; t < sel.length; t++) res[t] = Math.abs(lastBeta * vt![sel[t] * size + size - 1]);
    return { theta, S: vt!, sel, res };
  };

  let converged = false;
  while (true) {
    // extend the basis to size m (or until the whole space is spanned)
    while (j < m && iterations < maxIterations) {
      const w = applyToRows(fn, op, basis.subarray(j * n, j * n + n), 1);
      iterations++;
      const coef = new Float64Array(j + 1);
      const beta = orthogonalizeAgainst(w, basis, j + 1, n, coef);
      for (let i = 0; i <= j; i++) {
        H[i * ld + j] = coef[i];
        H[j * ld + i] = coef[i];
      }
      normEst = Math.max(normEst, Math.abs(coef[j]), beta);
      j++;
      if (j >= n) {
        lastBeta = 0;
        break;
      }
      if (beta > 1e-12 * normEst && beta > 0) {
        for (let l = 0; l < n; l++) w[l] /= beta;
        basis.set(w, j * n);
        lastBeta = beta;
      } else {
        // invariant subspace: continue from a random direction, with zero coupling
        const r = randomOrthogonal(rng, basis, j, n);
        if (r === null) {
          lastBeta = 0;
          break;
        }
        basis.set(r, j * n);
        lastBeta = 0;
      }
      if (j < m) {
        H[j * ld + j - 1] = lastBeta;
        H[(j - 1) * ld + j] = lastBeta;
      }
    }
    result = ritz(j);
    let done = result.sel.length === Math.min(k, j);
    for (const r of result.res) if (!(r <= tol * Math.max(normEst, Number.MIN_VALUE))) done = false;
    if (done && result.sel.length === k) {
      converged = true;
      break;
    }
    if (iterations >= maxIterations || j >= n) {
      converged = done && result.sel.length === k;
      break;
    }
    // thick restart: keep the wanted Ritz vectors (plus a few neighbours), then the residual direction
    const { theta, S, sel } = result;
    const keepSet = new Set(sel);
    const extra = Math.min(m - 1 - keepSet.size, Math.max(0, Math.floor((m - keepSet.size) / 2)));
    // add neighbours next to the wanted end(s)
    const order = which === "smallest" ? Array.from({ length: j }, (_, i) => i) : which === "largest" ? Array.from({ length: j }, (_, i) => j - 1 - i) : interleave(j);
    for (const i of order) {
      if (keepSet.size >= sel.length + extra) break;
      keepSet.add(i);
    }
    const keep = Array.from(keepSet);
    const p = keep.length;
    const newBasis = new Float64Array((m + 1) * n);
    combineRows(S, keep, j, basis, n, newBasis);
    // the residual direction (basis vector j) continues the iteration
    newBasis.set(basis.subarray(j * n, j * n + n), p * n);
    basis.set(newBasis);
    H.fill(0);
    for (let t = 0; t < p; t++) {
      H[t * ld + t] = theta[keep[t]];
      const c = lastBeta * S[keep[t] * j + j - 1];
      H[p * ld + t] = c;
      H[t * ld + p] = c;
    }
    j = p;
    // re-orthonormalise the kept block for safety (it is orthonormal up to rounding)
    for (let t = 0; t <= p; t++) {
      const w = basis.subarray(t * n, t * n + n);
      const nr = orthogonalizeAgainst(w, basis, t, n);
      for (let l = 0; l < n; l++) w[l] /= nr;
    }
  }

  const { theta, S, sel } = result!;
  const count = sel.length;
  const values = Float64Array.from(sel, (i) => theta[i]);
  // Ritz vectors and true residual norms
  const size = j;
  const X = new Float64Array(count * n);
  combineRows(S, sel, size, basis, n, X);
  const AX = applyToRows(fn, op, X, count);
  const residualNorms = new Float64Array(count);
  for (let t = 0; t < count; t++) {
    const r = new Float64Array(n);
    for (let x = 0; x < n; x++) r[x] = AX[t * n + x] - values[t] * X[t * n + x];
    residualNorms[t] = norm2(r, n);
  }
  let ok = converged && count === k;
  for (const r of residualNorms) if (!(r <= 10 * tol * Math.max(normEst, Number.MIN_VALUE))) ok = false;
  const out: IterativeEigenResult = { values, iterations, residualNorms, converged: ok };
  if (options.vectors) out.vectors = rowsToMatrix(X, count, n);
  return out;
}

/** Indices 0..j-1 ordered from both ends inwards: j-1, 0, j-2, 1, ... */
function interleave(j: number): number[] {
  const out: number[] = [];
  let lo = 0;
  let hi = j - 1;
  while (lo <= hi) {
    out.push(hi--);
    if (lo <= hi) out.push(lo++);
  }
  return out;
}
