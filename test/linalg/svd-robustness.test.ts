// svd regressions: one-sided Jacobi must terminate on ordinary matrices (rotations stagnating at ~1.1 eps made
// it throw on a 16 x 8 weight product in the norm-correlation notebooks), and must keep its accuracy for
// matrices scaled near the ends of the float64 range (squared column norms underflowed at 1e-160).
import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { svd } from "../../lib/linalg/svd";
import { rng } from "../../lib/random/rng";

const EPS = 2.220446049250313e-16;

function worst(A: Matrix): { residual: number; orthU: number; orthV: number } {
  const { U, s, V } = svd(A);
  const R = Matrix.sub(A, U.mmul(Matrix.diag(Array.from(s))).mmul(V.transpose()));
  const dim = Math.max(A.rows, A.columns);
  const orth = (Q: Matrix) => Matrix.sub(Q.transpose().mmul(Q), Matrix.eye(Q.columns)).norm("frobenius") / (dim * EPS);
  return { residual: R.norm("frobenius") / (dim * Math.max(A.norm("frobenius"), Number.MIN_VALUE) * EPS), orthU: orth(U), orthV: orth(V) };
}

describe("svd robustness", () => {
  it("terminates with LAPACK-style accuracy on 300 random matrices of weight-product shapes", () => {
    const g = rng(15);
    let max = 0;
    for (let t = 0; t < 300; t++) {
      const [m, n] = [[16, 8], [8, 8], [30, 12], [12, 30], [5, 3]][t % 5];
      const A = t % 3 === 0 ? g.normalMatrix(m, 4).mmul(g.normalMatrix(4, n)) : g.normalMatrix(m, n);
      const w = worst(A);
      max = Math.max(max, w.residual, w.orthU, w.orthV);
    }
    expect(max).toBeLessThan(10);
  });

  it("keeps relative accuracy for matrices scaled by 1e-160 and 1e+160", () => {
    const g = rng(16);
    const C = g.normalMatrix(8, 3).mmul(g.normalMatrix(3, 8));
    const s = svd(C).s;
    for (const f of [1e-160, 1e160]) {
      const sf = svd(Matrix.mul(C, f)).s;
      for (let i = 0; i < 3; i++) expect(Math.abs(sf[i] / f - s[i])).toBeLessThan(1e-13 * s[0]);
      for (let i = 3; i < 8; i++) expect(sf[i] / f).toBeLessThan(8 * EPS * s[0]);
    }
  });
});
