/**
 * Power iteration with deflation (as PyHessian's top-k eigenvalues).
 */
import type { Rng } from "../random/rng";
import { dot, norm2 } from "./blas";
import { orthogonalizeAgainst, rowsToMatrix } from "./krylov";
import type { IterativeEigenResult } from "./lanczos";
import type { LinearOperator } from "./operator";
import { assertIterativeOptions, checkedMatvec } from "./validate";

/** Options of `powerIteration`. */
export interface PowerOptions {
  /** Number of eigenpairs (1 <= k <= n). */
  k: number;
  /** Seeded generator for the start vectors. */
  rng: Rng;
  /** Maximum number of matrix-vector products per eigenpair (default 1000). */
  maxIterations?: number;
  /** An eigenpair is accepted when ||A x - θ x|| <= tol * |θ| (default 1e-8). */
  tol?: number;
}

/**
 * The k eigenvalues of largest MAGNITUDE by power iteration with deflation: eigenpair j is found by power
 * iteration on (I - V V^T) A (I - V V^T), V the pairs found before (projection deflation, re-applied every
 * step). Convergence is linear in |λ_{j+1} / λ_j|: slow for close eigenvalues, and two eigenvalues of equal
 * magnitude and opposite sign do not converge; prefer `lanczos` or `lobpcg`, this is here to reproduce
 * PyHessian-style computations.
 *
 * @returns values in the order found (decreasing |λ|; for a PSD operator, DESCENDING), vectors (n x k),
 *   iterations (total matvecs), residualNorms, converged (all k pairs met the tolerance)
 */
export function powerIteration(op: LinearOperator, options: PowerOptions): IterativeEigenResult {
  const fn = "powerIteration";
  const { n, k, tol, maxIterations } = assertIterativeOptions(fn, op, options, { tol: 1e-8, maxIterations: 1000 });
  const rng = options.rng;
  const V = new Float64Array(k * n);
  const values = new Float64Array(k);
  const residualNorms = new Float64Array(k);
  let iterations = 0;
  let converged = true;
  for (let j = 0; j < k; j++) {
    let x = rng.normalArray(n);
    let nx = orthogonalizeAgainst(x, V, j, n);
    for (let l = 0; l < n; l++) x[l] /= nx;
    let theta = 0;
    let res = Infinity;
    for (let it = 0; it < maxIterations; it++) {
      const y = checkedMatvec(fn, op, x);
      iterations++;
      orthogonalizeAgainst(y, V, j, n);
      theta = dot(x, y, n);
      const r = new Float64Array(n);
      for (let l = 0; l < n; l++) r[l] = y[l] - theta * x[l];
      res = norm2(r, n);
      const ny = norm2(y, n);
      if (res <= tol * Math.abs(theta) || ny === 0) break;
      for (let l = 0; l < n; l++) x[l] = y[l] / ny;
      nx = orthogonalizeAgainst(x, V, j, n);
      for (let l = 0; l < n; l++) x[l] /= nx;
    }
    if (!(res <= tol * Math.abs(theta))) converged = false;
    values[j] = theta;
    residualNorms[j] = res;
    V.set(x, j * n);
  }
  return { values, vectors: rowsToMatrix(V, k, n), iterations, residualNorms, converged };
}
