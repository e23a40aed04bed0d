/**
 * Stochastic trace estimation: Hutchinson (1989) and Hutch++ (Meyer, Musco, Musco, Woodruff 2021).
 */
import type { Rng } from "../random/rng";
import { dot } from "./blas";
import { applyToRows, orthogonalizeAgainst } from "./krylov";
import type { LinearOperator } from "./operator";
import { assertIntInRange, assertOperator, assertRng } from "./validate";

/** Options of `hutchinson`. */
export interface HutchinsonOptions {
  /** Number of probe vectors (>= 2, so that the standard error is defined). */
  probes: number;
  /** Seeded generator for the probes. */
  rng: Rng;
  /** Probe distribution: "rademacher" (default; entries ±1) or "gaussian" (entries N(0, 1)). */
  distribution?: "rademacher" | "gaussian";
}

/**
 * Hutchinson's estimator tr(A) ≈ (1/m) Σ_i z_i^T A z_i with independent probes z_i (E[z z^T] = I, so each
 * sample is unbiased). Var(z^T A z) = 2 Σ_{i≠j} a_ij^2 (Rademacher) or 2 ||A||_F^2 (Gaussian), for symmetric A.
 *
 * @returns estimate (sample mean), standardError (sample standard deviation / sqrt(m)), samples (z_i^T A z_i)
 */
export function hutchinson(op: LinearOperator, options: HutchinsonOptions): { estimate: number; standardError: number; samples: Float64Array } {
  const fn = "hutchinson";
  assertOperator(fn, op, false);
  if (!options || typeof options !== "object") throw new TypeError(`${fn}: options ({ probes, rng }) are required`);
  const m = assertIntInRange(fn, "options.probes", options.probes, 2, Number.MAX_SAFE_INTEGER);
  assertRng(fn, options.rng);
  const dist = options.distribution ?? "rademacher";
  if (dist !== "rademacher" && dist !== "gaussian") throw new RangeError(`${fn}: options.distribution must be "rademacher" or "gaussian", got ${String(dist)}`);
  const n = op.size;
  const samples = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const z = dist === "rademacher" ? options.rng.rademacherArray(n) : options.rng.normalArray(n);
    const Az = applyToRows(fn, op, z, 1);
    samples[i] = dot(z, Az, n);
  }
  let mean = 0;
  for (let i = 0; i < m; i++) mean += samples[i];
  mean /= m;
  let ss = 0;
  for (let i = 0; i < m; i++) ss += (samples[i] - mean) * (samples[i] - mean);
  const sd = Math.sqrt(ss / (m - 1));
  return { estimate: mean, standardError: sd / Math.sqrt(m), samples };
}

/**
 * Hutch++: with s = floor(matvecs / 3), Q = orth(A S) for an n x s Rademacher S, then
 * tr(A) ≈ tr(Q^T A Q) + (1/s) Σ_i g_i^T (I - QQ^T) A (I - QQ^T) g_i for s further Rademacher probes g_i. Exact
 * for operators of rank <= s; variance O(1/matvecs^2) instead of Hutchinson's O(1/matvecs) for fast-decaying
 * spectra. Uses 3 s matrix-vector products.
 *
 * @param options.matvecs budget of matrix-vector products (>= 3)
 * @returns estimate, and matvecs actually used (3 s)
 */
export function hutchpp(op: LinearOperator, options: { matvecs: number; rng: Rng }): { estimate: number; matvecs: number } {
  const fn = "hutchpp";
  assertOperator(fn, op, false);
  if (!options || typeof options !== "object") throw new TypeError(`${fn}: options ({ matvecs, rng }) are required`);
  const budget = assertIntInRange(fn, "options.matvecs", options.matvecs, 3, Number.MAX_SAFE_INTEGER);
  assertRng(fn, options.rng);
  const n = op.size;
  const s = Math.floor(budget / 3);
  const rng = options.rng;
  const S = new Float64Array(s * n);
  for (let i = 0; i < s; i++) S.set(rng.rademacherArray(n), i * n);
  const AS = applyToRows(fn, op, S, s);
  // orthonormal basis of range(A S), dropping dependent columns
  const Q = new Float64Array(s * n);
  let q = 0;
  for (let i = 0; i < s; i++) {
    const w = AS.slice(i * n, i * n + n);
    let before = 0;
    for (let l = 0; l < n; l++) before = Math.max(before, Math.abs(w[l]));
    if (before === 0) continue;
    const nr = orthogonalizeAgainst(w, Q, q, n);
    if (nr <= 1e-12 * Math.sqrt(n) * before) continue;
    for (let l = 0; l < n; l++) Q[q * n + l] = w[l] / nr;
    q++;
  }
  const AQ = applyToRows(fn, op, Q, q);
  let t1 = 0;
  for (let i = 0; i < q; i++) t1 += dot(Q, AQ, n, i * n, i * n);
  const G = new Float64Array(s * n);
  for (let i = 0; i < s; i++) {
    const g = rng.rademacherArray(n);
    orthogonalizeAgainst(g, Q, q, n);
    G.set(g, i * n);
  }
  const AG = applyToRows(fn, op, G, s);
  let t2 = 0;
  for (let i = 0; i < s; i++) t2 += dot(G, AG, n, i * n, i * n);
  return { estimate: t1 + t2 / s, matvecs: s + q + s };
}
