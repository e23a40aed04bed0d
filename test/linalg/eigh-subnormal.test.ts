// eigh regression: a Householder column whose entries are subnormal made 1 / (alpha - beta) overflow to
// Infinity, and NaN eigenvalues followed (seen on a 125 x 125 PSD H_o of the depth-not-data notebooks).
import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { eigh } from "../../lib/linalg/eigh";

describe("eigh with subnormal off-diagonal entries", () => {
  for (const n of [8, 80]) {
    for (const method of ["ql", "dc"] as const) {
      it(`n = ${n}, ${method}: finite eigenvalues, equal to the diagonal to rounding`, () => {
        const A = Matrix.diag(Array.from({ length: n }, (_, i) => i + 1));
        for (const [i, j, x] of [[0, 2, 1e-310], [0, 3, -3e-311], [5, 7, 2e-309]] as const) {
          A.set(i, j, x);
          A.set(j, i, x);
        }
        const r = eigh(A, { vectors: true, method });
        for (let i = 0; i < n; i++) expect(Math.abs(r.values[i] - (i + 1))).toBeLessThan(4 * n * 2.2e-16 * n);
        const R = Matrix.sub(A.mmul(r.vectors!), r.vectors!.mmul(Matrix.diag(Array.from(r.values))));
        expect(R.norm("frobenius") / (n * n * 2.2e-16)).toBeLessThan(10);
      });
    }
  }
});
