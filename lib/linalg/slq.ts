/**
 * Stochastic Lanczos quadrature (Golub & Meurant; Ubaru, Chen, Saad 2017; as in PyHessian's `density` and
 * curvlinops) for the spectral density of a symmetric operator.
 */
import type { Rng } from "../random/rng";
import { norm2 } from "./blas";
import { symmetricEigen } from "./eigh";
import { applyToRows, orthogonalizeAgainst } from "./krylov";
import type { LinearOperator } from "./operator";
import { assertFiniteArray, assertIntInRange, assertOperator, assertPositive, assertRng } from "./validate";

/**
 * Spectral density by stochastic Lanczos quadrature: for each of `probes` Rademacher start vectors v (unit
 * norm), run `steps` Lanczos steps with full reorthogonalisation, T = U diag(θ) U^T, and take the Gauss
 * quadrature nodes θ_i with weights U[0, i]^2 / probes. Then Σ_i w_i f(θ_i) ≈ (1/n) tr f(A), so the weights sum
 * to 1 and approximate the normalised eigenvalue counting measure (1/n) Σ_j δ(λ - λ_j).
 *
 * A run stops early (fewer nodes) when the Krylov space of its probe is invariant.
 *
 * @param options.probes number of start vectors (>= 1), options.steps Lanczos steps per probe (1..n), rng
 * @returns nodes (Ritz values, pooled over probes), weights (summing to 1), matvecs (products used)
 */
export function slqDensity(op: LinearOperator, options: { probes: number; steps: number; rng: Rng }): { nodes: Float64Array; weights: Float64Array; matvecs: number } {
  const fn = "slqDensity";
  assertOperator(fn, op);
  if (!options || typeof options !== "object") throw new TypeError(`${fn}: options ({ probes, steps, rng }) are required`);
  const n = op.size;
  const probes = assertIntInRange(fn, "options.probes", options.probes, 1, Number.MAX_SAFE_INTEGER);
  const steps = assertIntInRange(fn, "options.steps", options.steps, 1, n);
  assertRng(fn, options.rng);
  const nodes: number[] = [];
  const weights: number[] = [];
  let matvecs = 0;
  for (let p = 0; p < probes; p++) {
    const v = options.rng.rademacherArray(n);
    const nv = norm2(v, n);
    for (let l = 0; l < n; l++) v[l] /= nv;
    const basis = new Float64Array(steps * n);
    basis.set(v, 0);
    const alpha = new Float64Array(steps);
    const beta = new Float64Array(steps);
    let m = 0;
    let normEst = 0;
    for (let j = 0; j < steps; j++) {
      const w = applyToRows(fn, op, basis.subarray(j * n, j * n + n), 1);
      matvecs++;
      const coef = new Float64Array(j + 1);
      const b = orthogonalizeAgainst(w, basis, j + 1, n, coef);
      alpha[j] = coef[j];
      m = j + 1;
      normEst = Math.max(normEst, Math.abs(coef[j]), b);
      if (j + 1 >= steps) break;
      if (!(b > 1e-10 * normEst)) break; // invariant subspace: the quadrature is exact with m nodes
      beta[j] = b;
      for (let l = 0; l < n; l++) w[l] /= b;
      basis.set(w, (j + 1) * n);
    }
    const T = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      T[i * m + i] = alpha[i];
      if (i + 1 < m) {
        T[i * m + i + 1] = beta[i];
        T[(i + 1) * m + i] = beta[i];
      }
    }
    const { values, vt } = symmetricEigen(T, m, true);
    for (let i = 0; i < m; i++) {
      const u0 = vt![i * m];
      nodes.push(values[i]);
      weights.push((u0 * u0) / probes);
    }
  }
  return { nodes: Float64Array.from(nodes), weights: Float64Array.from(weights), matvecs };
}

/**
 * Gaussian broadening of a discrete density: ρ(t) = Σ_i w_i exp(-(t - θ_i)^2 / (2 σ^2)) / (σ sqrt(2π)) at each
 * grid point t (integrates to Σ w_i).
 *
 * @param nodes θ_i, weights w_i (same length), grid points t, sigma > 0
 * @returns ρ on the grid
 */
export function densityOnGrid(nodes: ArrayLike<number>, weights: ArrayLike<number>, grid: ArrayLike<number>, sigma: number): Float64Array {
  const fn = "densityOnGrid";
  assertFiniteArray(fn, "nodes", nodes);
  assertFiniteArray(fn, "weights", weights);
  assertFiniteArray(fn, "grid", grid);
  if (nodes.length !== weights.length) throw new RangeError(`${fn}: nodes and weights must have the same length, got ${nodes.length} and ${weights.length}`);
  assertPositive(fn, "sigma", sigma);
  const out = new Float64Array(grid.length);
  const c = 1 / (sigma * Math.sqrt(2 * Math.PI));
  for (let g = 0; g < grid.length; g++) {
    let s = 0;
    for (let i = 0; i < nodes.length; i++) {
      const z = (grid[g] - nodes[i]) / sigma;
      s += weights[i] * Math.exp(-0.5 * z * z);
    }
    out[g] = c * s;
  }
  return out;
}
