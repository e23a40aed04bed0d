/** Test matrices and LAPACK-style accuracy measures for the lib/linalg suites. */
import { Matrix } from "ml-matrix";
import { Rng } from "../../lib/random/rng";
import { matmul, transpose } from "../../lib/linalg/blas";
import { haarOrthogonal } from "../../lib/linalg/haar";

export const EPS = 2.220446049250313e-16;

/** Frobenius norm of a row-major array. */
export function fro(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** Row-major copy of a Matrix. */
export function rm(A: Matrix): Float64Array {
  const out = new Float64Array(A.rows * A.columns);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.columns; j++) out[i * A.columns + j] = A.get(i, j);
  return out;
}

/**
 * LAPACK-style scaled residual ||A Q - Q diag(w)||_F / (n ||A||_F eps) (||A|| replaced by 1 if A = 0) and
 * orthogonality ||Q^T Q - I||_F / (n eps), for Q n x k.
 */
export function eigenChecks(A: Matrix, values: ArrayLike<number>, Q: Matrix): { residual: number; orthogonality: number } {
  const n = A.rows;
  const k = Q.columns;
  // the measures are invariant under scaling A and the values by the same factor: scale to max |a_ij| = 1 so
  // that squared norms neither overflow (|a| ~ 1e200) nor underflow (|a| ~ 1e-200)
  const a = rm(A);
  let amax = 0;
  for (let i = 0; i < a.length; i++) amax = Math.max(amax, Math.abs(a[i]));
  const s = amax > 0 ? amax : 1;
  for (let i = 0; i < a.length; i++) a[i] /= s;
  values = Array.from(values as ArrayLike<number>, (v) => v / s);
  const q = rm(Q);
  const anorm = fro(a) || 1;
  // blas.matmul is checked against a naive triple loop in blas.test.ts
  const aq = matmul(a, q, n, n, k);
  let r2 = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const r = aq[i * k + j] - q[i * k + j] * values[j];
      r2 += r * r;
    }
  }
  const qtq = matmul(transpose(q, n, k), q, k, n, k);
  let o2 = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const o = qtq[i * k + j] - (i === j ? 1 : 0);
      o2 += o * o;
    }
  }
  return { residual: Math.sqrt(r2) / (n * anorm * EPS), orthogonality: Math.sqrt(o2) / (n * EPS) };
}

/** Q diag(w) Q^T for an orthogonal Q (n x n) and values w. */
export function fromSpectrum(Q: Matrix, w: ArrayLike<number>): Matrix {
  const n = Q.rows;
  const q = rm(Q);
  const out = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let l = 0; l < w.length; l++) s += q[i * n + l] * w[l] * q[j * n + l];
      out.set(i, j, s);
      out.set(j, i, s);
    }
  }
  return out;
}

export interface TestMatrix {
  name: string;
  A: Matrix;
  /** exact eigenvalues when known, ascending */
  exact?: Float64Array;
}

/** Symmetric Gaussian matrix (X + X^T)/2. */
export function randomSymmetric(g: Rng, n: number): Matrix {
  const X = g.normalMatrix(n, n);
  const A = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    const s = 0.5 * (X.get(i, j) + X.get(j, i));
    A.set(i, j, s);
    A.set(j, i, s);
  }
  return A;
}

/** Wilkinson matrix W_n^+: tridiagonal, diagonal |(n-1)/2 - i|, off-diagonal 1 (pairs of nearly equal eigenvalues). */
export function wilkinson(n: number): Matrix {
  const A = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    A.set(i, i, Math.abs((n - 1) / 2 - i));
    if (i + 1 < n) {
      A.set(i, i + 1, 1);
      A.set(i + 1, i, 1);
    }
  }
  return A;
}

/** The battery of symmetric test matrices used by the dense solver tests. */
export function battery(g: Rng, sizes: number[]): TestMatrix[] {
  const out: TestMatrix[] = [];
  out.push({ name: "1x1", A: new Matrix([[-3.5]]), exact: Float64Array.of(-3.5) });
  out.push({ name: "2x2", A: new Matrix([[2, 1], [1, 2]]), exact: Float64Array.of(1, 3) });
  out.push({ name: "2x2 diagonal", A: new Matrix([[5, 0], [0, -1]]), exact: Float64Array.of(-1, 5) });
  for (const n of sizes) {
    out.push({ name: `random n=${n}`, A: randomSymmetric(g, n) });
    out.push({ name: `wilkinson n=${n + 1}`, A: wilkinson(n + 1) });
    out.push({ name: `zero n=${n}`, A: Matrix.zeros(n, n), exact: new Float64Array(n) });
    out.push({ name: `identity n=${n}`, A: Matrix.eye(n, n), exact: new Float64Array(n).fill(1) });
    const diag = Float64Array.from({ length: n }, () => g.normal());
    out.push({ name: `diagonal n=${n}`, A: Matrix.diag(Array.from(diag)), exact: diag.slice().sort() });
    const Q = haarOrthogonal(g, n);
    // graded: eigenvalues spread over 1e-12 .. 1
    const graded = Float64Array.from({ length: n }, (_, i) => Math.pow(10, (-12 * i) / Math.max(1, n - 1)));
    out.push({ name: `graded spectrum n=${n}`, A: fromSpectrum(Q, graded), exact: graded.slice().sort() });
    // graded entries: a_ij = g_ij * s_i s_j with s over 1e-6..1 (entries over 1e-12..1)
    const s = Float64Array.from({ length: n }, (_, i) => Math.pow(10, (-6 * i) / Math.max(1, n - 1)));
    const R = randomSymmetric(g, n);
    const Ge = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Ge.set(i, j, R.get(i, j) * s[i] * s[j]);
    out.push({ name: `graded entries n=${n}`, A: Ge });
    // clustered with exact multiplicities: values 2 (x n/4), -1 (x n/4), 0.5 (x rest), one simple value 7
    const cl = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 7 : i <= n / 4 ? 2 : i <= n / 2 ? -1 : 0.5));
    out.push({ name: `clustered n=${n}`, A: fromSpectrum(Q, cl), exact: cl.slice().sort() });
    // rank-deficient PSD, Hessian-like: J^T J with J r x n, r = n/8, large zero space
    const r = Math.max(1, Math.floor(n / 8));
    const J = g.normalMatrix(r, n);
    out.push({ name: `PSD rank ${r} n=${n}`, A: J.transpose().mmul(J) });
  }
  return out;
}
