/**
 * Cracking the Hessian, Section 3.1: the brute force behind the eigenvector notebooks of the two-layer scalar
 * linear network (Theorems 3.2, 3.3, Corollary 3.1): eigen-residuals of closed-form vectors against the exact
 * Hessian, their alignment with the eigen-solver's eigenvectors, and the gradient-descent runs that test them
 * at every recorded iterate. theta = (v, w) as in `scalarLinearSetup`.
 */
import { Matrix } from "ml-matrix";
import { hessian } from "../../curvature/curvature";
import { eigh, EighResult } from "../../linalg/eigh";
import type { Rng } from "../../random/rng";
import { ScalarLinearStats, scalarLinearBulkBasis, scalarLinearOutlierEigenvectors } from "../../papers/cracking-the-hessian/two-layer-linear";
import { ScalarLinearSetup, gdRecords } from "./linear-network";

/** <a, b>, summed in order. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`dot: a and b must have the same length, got ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** ||a||_2, summed in order. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** ||A||_F of a Matrix, summed in row-major order. */
export function frobenius(A: Matrix): number {
  return norm(A.to1DArray());
}

function maxAbsEntry(A: Matrix): number {
  let m = 0;
  for (const a of A.to1DArray()) m = Math.max(m, Math.abs(a));
  return m;
}

function requireSquare(fn: string, H: Matrix, size: number, what: string): void {
  if (!(H instanceof Matrix) || H.rows !== H.columns) throw new TypeError(`${fn}: H must be a square Matrix`);
  if (size !== H.rows) throw new RangeError(`${fn}: ${what} must have length ${H.rows} (the size of H), got ${size}`);
}

/**
 * ||H z - lambda z|| / (||z|| max|H_ij|): how far z (any scale) is from an eigenvector of H with eigenvalue
 * lambda, relative to the size of H.
 * @see Theorem 3.2
 */
export function eigenvectorResidual(H: Matrix, z: ArrayLike<number>, lambda: number): number {
  requireSquare("eigenvectorResidual", H, z.length, "z");
  const Hz = H.mmul(Matrix.columnVector(Array.from(z))).to1DArray();
  return norm(Hz.map((h, i) => h - lambda * z[i])) / (norm(z) * maxAbsEntry(H));
}

/**
 * ||H Z - Z diag(lambda)||_F / (sqrt(k) max|H_ij|) for Z with k orthonormal columns: how far span(Z) is from an
 * eigenspace of H with eigenvalue `lambda` (one number for every column, or one per column).
 * @see Theorem 3.3, Corollary 3.1
 */
export function subspaceResidual(H: Matrix, Z: Matrix, lambda: number | ArrayLike<number>): number {
  const fn = "subspaceResidual";
  requireSquare(fn, H, Z.rows, "the columns of Z");
  let ZL: Matrix;
  if (typeof lambda === "number") ZL = Matrix.mul(Z, lambda);
  else {
    if (lambda.length !== Z.columns) throw new RangeError(`${fn}: lambda must hold ${Z.columns} values (one per column of Z), got ${lambda.length}`);
    ZL = Z.mmul(Matrix.diag(Array.from(lambda)));
  }
  return frobenius(Matrix.sub(H.mmul(Z), ZL)) / (Math.sqrt(Z.columns) * maxAbsEntry(H));
}

/**
 * For each (lambda_k, z_k): the eigen-solver's unit eigenvector u of H whose eigenvalue is nearest lambda_k,
 * `gap` = 1 - |<u, z_k>| / ||z_k|| (0 when z_k is that eigenvector up to scale and sign), and `u` signed like z_k.
 * @see Theorem 3.2
 */
export function eigenvectorAlignment(H: Matrix, values: ArrayLike<number>, vectors: ArrayLike<number>[]): { gap: number[]; u: number[][] } {
  const fn = "eigenvectorAlignment";
  if (values.length !== vectors.length) throw new RangeError(`${fn}: values and vectors must pair up, got ${values.length} and ${vectors.length}`);
  vectors.forEach((z) => requireSquare(fn, H, z.length, "every vector"));
  const E = eigh(H, { vectors: true });
  const V = E.vectors as Matrix;
  const nearest = (l: number) => Array.from(E.values).reduce((b, e, i) => (Math.abs(e - l) < Math.abs(E.values[b] - l) ? i : b), 0);
  const u = Array.from(values, (l) => V.getColumn(nearest(l)));
  return {
    gap: u.map((col, k) => 1 - Math.abs(dot(col, vectors[k])) / norm(vectors[k])),
    u: u.map((col, k) => { const sgn = Math.sign(dot(col, vectors[k])); return col.map((a) => sgn * a); }),
  };
}

/** One recorded iterate of `outlierEigenvectorRun`. */
export interface OutlierEigenvectorRecord {
  step: number;
  deltaX: number;
  /** `eigenvectorResidual` of z_1 and of z_2 (Theorem 3.2); res2 is null at an exact fit (|deltaX| <= 1e-12 Lambda_1). */
  res1: number;
  res2: number | null;
}

/**
 * Gradient descent (step eta) from theta_0, testing Theorem 3.2's outlier vectors against the exact Hessian at
 * every `every`-th iterate. At an exact fit (deltaX = 0) Lambda_2 = 0 joins the zero bulk, z_2 = 0 and its
 * eigenvector is not unique: that residual is not computed (null).
 * @see Theorem 3.2
 */
export function outlierEigenvectorRun(setup: ScalarLinearSetup, options: { eta: number; steps: number; every: number }): OutlierEigenvectorRecord[] {
  return gdRecords(setup.problem, setup.theta0, { lr: options.eta, steps: options.steps, every: options.every }, (s) => {
    const { w, v } = setup.weights(s.theta);
    const st = setup.stats(s.theta);
    const ev = scalarLinearOutlierEigenvectors(w, v, st);
    const H = hessian(setup.problem, s.theta);
    const res2 = Math.abs(st.deltaX) > 1e-12 * ev.values[0] ? eigenvectorResidual(H, ev.vectors[1], ev.values[1]) : null;
    return { step: s.step, deltaX: st.deltaX, res1: eigenvectorResidual(H, ev.vectors[0], ev.values[0]), res2 };
  });
}

/**
 * A point past the least-squares slope (the divergent phase of Appendix C, deltaX > 0): w ~ N(0, 1/m) per entry,
 * v = factor theta* w / ||w||^2 + noise N(0, 1) per entry, theta* = <x, y> / <x, x>. Draws w (m normals), then the
 * m noise terms, from `gen`. Returns theta = (v, w).
 * @see Theorem 3.3
 */
export function overshootPoint(setup: ScalarLinearSetup, gen: Rng, options: { factor: number; noise: number } = { factor: 1.5, noise: 0.05 }): Float64Array {
  const m = setup.m;
  const w = gen.normalArray(m, 0, 1 / Math.sqrt(m));
  const thetaStar = setup.x.reduce((s, xi, i) => s + xi * setup.y[i], 0) / setup.x.reduce((s, xi) => s + xi * xi, 0);
  const ww = w.reduce((s, a) => s + a * a, 0);
  const v = w.map((a) => (options.factor * thetaStar * a) / ww + options.noise * gen.normal());
  return setup.pack(w, v);
}

/** Theorem 3.3's bulk bases at one point and their residuals under the two readings of its sign (`bulkResiduals`). */
export interface BulkResiduals {
  stats: ScalarLinearStats;
  /** The exact Hessian at the point. */
  H: Matrix;
  /** Orthonormal bases (2m x (m-1)) {(zhat; s zhat)/sqrt2 : zhat ⟂ w + s v} for s = +1 and s = -1. */
  Zp: Matrix;
  Zm: Matrix;
  /** The proof's reading: eigenvalues +deltaX on Zp, -deltaX on Zm (worst `subspaceResidual` of the two). */
  proof: number;
  /** The statement's literal reading, s = sgn(lambda_bulk): +|deltaX| on Zp, -|deltaX| on Zm. */
  literal: number;
}

/**
 * Theorem 3.3 at theta: the bulk bases of `scalarLinearBulkBasis` against the exact Hessian, with the proof's
 * reading of the sign (relative to deltaX) and the statement's literal one (sgn(lambda_bulk)).
 * @see Theorem 3.3
 */
export function bulkResiduals(setup: ScalarLinearSetup, theta: Float64Array): BulkResiduals {
  const { w, v } = setup.weights(theta);
  const stats = setup.stats(theta);
  const H = hessian(setup.problem, theta);
  const Zp = scalarLinearBulkBasis(w, v, 1), Zm = scalarLinearBulkBasis(w, v, -1);
  return {
    stats, H, Zp, Zm,
    proof: Math.max(subspaceResidual(H, Zp, stats.deltaX), subspaceResidual(H, Zm, -stats.deltaX)),
    literal: Math.max(subspaceResidual(H, Zp, Math.abs(stats.deltaX)), subspaceResidual(H, Zm, -Math.abs(stats.deltaX))),
  };
}

/**
 * The eigen-solver's eigenspace of `lambda` (the eigenvectors whose eigenvalues lie within 1e-8 max|lambda_i| of
 * it) against span(Z), Z with orthonormal columns: its dimension `count` and the projector distance
 * ||U U^T - Z Z^T||_F.
 * @param E `eigh(H, { vectors: true })`
 * @see Theorem 3.3
 */
export function eigenspaceGap(E: EighResult, Z: Matrix, lambda: number): { count: number; gap: number } {
  if (E.vectors === null) throw new TypeError("eigenspaceGap: E must hold eigenvectors (eigh(H, { vectors: true }))");
  const idx = Array.from(E.values.keys()).filter((i) => Math.abs(E.values[i] - lambda) <= 1e-8 * Math.abs(E.values[E.values.length - 1]));
  const U = E.vectors.subMatrixColumn(idx);
  return { count: idx.length, gap: frobenius(Matrix.sub(U.mmul(U.transpose()), Z.mmul(Z.transpose()))) };
}

/** One recorded iterate of `bulkSpaceRun`. */
export interface BulkSpaceRecord {
  step: number;
  loss: number;
  deltaX: number;
  /** ||B0^T theta_t||_inf / ||theta_t||. */
  inner: number;
  /** `subspaceResidual(H_t, B0, [deltaX_t x (m-1), -deltaX_t x (m-1)])`: is B0 still an eigenbasis of the current Hessian? */
  eigRes: number;
  /** The proof's product formula: worst of ||(w_t ± v_t) - prod_i(1 ∓ eta_i deltaX_i)(w_0 ± v_0)|| / ||w_t ± v_t||. */
  prodErr: number;
  /** theta_t in the orthonormal basis (theta_0/||theta_0||, the rest of (w_0; v_0)) of the outlier plane at t = 0. */
  plane: [number, number];
}

/**
 * Corollary 3.1: gradient descent with eta_t = eta0 / (1 + t / decay) from theta_0, watched from a fixed basis
 * B0 (2m x (2m-2), the bulk eigenvectors of Theorem 3.3 at theta_0, +deltaX block first). `innerMax` is the
 * largest `inner` over every iterate; the records, at every `every`-th step, add the current Hessian's residual
 * on B0, the product formula for w_t ± v_t and the loss.
 * @see Corollary 3.1
 */
export function bulkSpaceRun(setup: ScalarLinearSetup, B0: Matrix, options: { eta0: number; decay: number; steps: number; every: number }): { innerMax: number; records: BulkSpaceRecord[] } {
  const fn = "bulkSpaceRun";
  const m = setup.m;
  if (!(B0 instanceof Matrix) || B0.rows !== 2 * m || B0.columns !== 2 * m - 2) throw new RangeError(`${fn}: B0 must be a ${2 * m} x ${2 * m - 2} Matrix (the bulk basis at theta_0)`);
  const every = options.every;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`${fn}: options.every must be a positive integer, got ${every}`);
  const theta0 = setup.theta0;
  const wv0 = setup.weights(theta0);
  const sum0 = Array.from(wv0.w, (a, i) => a + wv0.v[i]);
  const dif0 = Array.from(wv0.w, (a, i) => a - wv0.v[i]);
  // an orthonormal basis of the outlier plane at t = 0, for the trajectory plot
  const e1 = Array.from(theta0, (a) => a / norm(theta0));
  const swap0 = Float64Array.from([...wv0.w, ...wv0.v]);
  const proj = swap0.reduce((s, a, i) => s + a * e1[i], 0);
  const e2raw = Array.from(swap0, (a, i) => a - proj * e1[i]);
  const e2 = e2raw.map((a) => a / norm(e2raw));
  let fPlus = 1, fMinus = 1; // prod (1 -/+ eta_i deltaX_i)
  let innerMax = 0;
  const records: BulkSpaceRecord[] = [];
  gdRecords(setup.problem, theta0, { lr: (t) => options.eta0 / (1 + t / options.decay), steps: options.steps }, (s) => {
    const theta = s.theta;
    const bt = B0.transpose().mmul(Matrix.columnVector(Array.from(theta))).to1DArray();
    const inner = Math.max(...bt.map(Math.abs)) / norm(theta);
    innerMax = Math.max(innerMax, inner);
    const { w, v } = setup.weights(theta);
    const st = setup.stats(theta);
    if (s.step % every === 0) {
      const H = hessian(setup.problem, theta);
      const sumT = Array.from(w, (a, i) => a + v[i]), difT = Array.from(w, (a, i) => a - v[i]);
      records.push({
        step: s.step, loss: s.loss, deltaX: st.deltaX, inner,
        eigRes: subspaceResidual(H, B0, [...Array(m - 1).fill(st.deltaX), ...Array(m - 1).fill(-st.deltaX)]),
        prodErr: Math.max(norm(sumT.map((a, i) => a - fPlus * sum0[i])) / norm(sumT), norm(difT.map((a, i) => a - fMinus * dif0[i])) / norm(difT)),
        plane: [dot(theta, e1), dot(theta, e2)],
      });
    }
    fPlus *= 1 - s.lr * st.deltaX;
    fMinus *= 1 + s.lr * st.deltaX;
  });
  return { innerMax, records };
}
