import { expect } from "vitest";
/** Shared checks for the curvature tests: central differences, symmetry, dense consistency. */
import { Matrix, EigenvalueDecomposition } from "ml-matrix";
import { Problem, loss, gradient, hvp, hessian, gaussNewton, functionalHessian } from "../../lib/curvature";
import { Rng } from "../../lib/random/rng";

export function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

export function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

export function axpy(theta: Float64Array, h: number, v: Float64Array): Float64Array {
  const out = Float64Array.from(theta);
  for (let i = 0; i < out.length; i++) out[i] += h * v[i];
  return out;
}

export function relErr(a: Float64Array, b: Float64Array): number {
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return norm(d) / Math.max(norm(b), 1e-300);
}

/** Unit random direction. */
export function direction(gen: Rng, p: number): Float64Array {
  const v = gen.normalArray(p);
  const s = norm(v);
  for (let i = 0; i < p; i++) v[i] /= s;
  return v;
}

/**
 * Central-difference checks: directional derivative of the loss against <g, v>, and the difference of
 * gradients against H v. Step h relative to the scale of theta. Fourth-order central differences
 * (Richardson) so that truncation error is far below the 1e-6 tolerance.
 */
export function finiteDifferenceErrors(problem: Problem, theta: Float64Array, gen: Rng, hRel = 1e-3): { grad: number; hvp: number } {
  const p = theta.length;
  const v = direction(gen, p);
  const h = hRel * Math.max(1, norm(theta) / Math.sqrt(p));
  const l = (t: number) => loss(problem, axpy(theta, t, v));
  const fdDir = (8 * (l(h) - l(-h)) - (l(2 * h) - l(-2 * h))) / (12 * h);
  const g = gradient(problem, theta);
  const exactDir = dot(g, v);
  const gradErr = Math.abs(fdDir - exactDir) / Math.max(Math.abs(exactDir), 1e-300);
  const gr = (t: number) => gradient(problem, axpy(theta, t, v));
  const gp1 = gr(h), gm1 = gr(-h), gp2 = gr(2 * h), gm2 = gr(-2 * h);
  const fd = new Float64Array(p);
  for (let i = 0; i < p; i++) fd[i] = (8 * (gp1[i] - gm1[i]) - (gp2[i] - gm2[i])) / (12 * h);
  const hv = hvp(problem, theta, v);
  return { grad: gradErr, hvp: relErr(fd, hv) };
}

/** Relative asymmetry |<u, Hv> - <Hu, v>| / (|u| |Hv| + |Hu| |v|). */
export function hvpAsymmetry(problem: Problem, theta: Float64Array, gen: Rng): number {
  const p = theta.length;
  const u = direction(gen, p), v = direction(gen, p);
  const Hu = hvp(problem, theta, u), Hv = hvp(problem, theta, v);
  return Math.abs(dot(u, Hv) - dot(Hu, v)) / (norm(Hv) + norm(Hu));
}

export function maxAbs(A: Matrix): number {
  let m = 0;
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.columns; j++) m = Math.max(m, Math.abs(A.get(i, j)));
  return m;
}

/** max |A - B| / max |B|. */
export function matRelErr(A: Matrix, B: Matrix): number {
  return maxAbs(Matrix.sub(A, B)) / Math.max(maxAbs(B), 1e-300);
}

/** Dense checks: H equals its HVP columns, H_o + H_f = H. */
export function denseErrors(problem: Problem, theta: Float64Array, gen: Rng): { columns: number; split: number; asym: number } {
  const p = theta.length;
  const H = hessian(problem, theta, { symmetrize: false });
  const Ho = gaussNewton(problem, theta);
  const Hf = functionalHessian(problem, theta);
  let columns = 0;
  for (let trial = 0; trial < 3; trial++) {
    const j = gen.int(p);
    const e = new Float64Array(p);
    e[j] = 1;
    const col = hvp(problem, theta, e);
    const Hcol = Float64Array.from(H.getColumn(j));
    columns = Math.max(columns, relErr(Hcol, col) );
  }
  const split = matRelErr(Matrix.add(Ho, Hf), H);
  const asym = matRelErr(H, H.transpose());
  return { columns, split, asym };
}

/** Eigenvalues sorted descending (ml-matrix, symmetric). */
export function eigenvaluesDesc(A: Matrix): number[] {
  const e = new EigenvalueDecomposition(A, { assumeSymmetric: true });
  return Array.from(e.realEigenvalues).sort((a, b) => b - a);
}

/**
 * The exactness battery every model passes: gradient and HVP against central differences (<= 1e-6 relative),
 * <u, Hv> = <Hu, v> (1e-12), the dense Hessian equal to its HVP columns (1e-13), H_o + H_f = H (1e-12) and,
 * unless `checkAsymmetry` is false, a symmetric dense Hessian (1e-12).
 */
export function expectExactCurvature(problem: Problem, theta: Float64Array, gen: Rng, hRel = 1e-3, checkAsymmetry = true): void {
  const fd = finiteDifferenceErrors(problem, theta, gen, hRel);
  expect(fd.grad).toBeLessThan(1e-6);
  expect(fd.hvp).toBeLessThan(1e-6);
  expect(hvpAsymmetry(problem, theta, gen)).toBeLessThan(1e-12);
  const dense = denseErrors(problem, theta, gen);
  expect(dense.columns).toBeLessThan(1e-13);
  expect(dense.split).toBeLessThan(1e-12);
  if (checkAsymmetry) expect(dense.asym).toBeLessThan(1e-12);
}
