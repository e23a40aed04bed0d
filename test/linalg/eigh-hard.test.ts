// Hard cases for the divide-and-conquer path: near-deflation cluster spacings, glued Wilkinson matrices,
// extreme scalings, rank one, arrowhead; LAPACK-style scaled residual and orthogonality below 10.
import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { eigh } from "../../lib/linalg/eigh";
import { rng } from "../../lib/random/rng";
import { eigenChecks, fromSpectrum } from "./helpers";
import { haarOrthogonal } from "../../lib/linalg/haar";

const LIMIT = 10;
const g = rng(77);
const n = 160;
const Q = haarOrthogonal(g, n);
const cases: [string, Matrix][] = [];
for (const sp of [1e-15, 1e-13, 1e-11, 1e-9, 1e-7]) cases.push([`cluster 1 + i * ${sp}`, fromSpectrum(Q, Float64Array.from({ length: n }, (_, i) => 1 + i * sp))]);
cases.push(["two interleaved clusters with 1e-12 spread", fromSpectrum(Q, Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) + (i % 7) * 1e-12))]);
function glued(delta: number): Matrix {
  const m = 21, blocks = 8, N = m * blocks;
  const A = new Matrix(N, N);
  for (let b = 0; b < blocks; b++) for (let i = 0; i < m; i++) {
    const r = b * m + i;
    A.set(r, r, Math.abs(10 - i));
    if (i + 1 < m) { A.set(r, r + 1, 1); A.set(r + 1, r, 1); }
  }
  for (let b = 0; b + 1 < blocks; b++) { const r = b * m + m - 1; A.set(r, r + 1, delta); A.set(r + 1, r, delta); }
  return A;
}
for (const dl of [1e-14, 1e-10, 1e-6]) cases.push([`glued Wilkinson W21+ x 8, delta ${dl}`, glued(dl)]);
const lap = new Matrix(n, n);
for (let i = 0; i < n; i++) { lap.set(i, i, 2); if (i + 1 < n) { lap.set(i, i + 1, -1); lap.set(i + 1, i, -1); } }
cases.push(["1-2-1 Laplacian", lap]);
cases.push(["diagonal with repeats (rho = 0 at merges)", Matrix.diag(Array.from({ length: n }, (_, i) => Math.floor(i / 10)))]);
const X = g.normalMatrix(n, n);
const S = X.add(X.transpose());
cases.push(["random * 1e-200", S.clone().mul(1e-200)]);
cases.push(["random * 1e200", S.clone().mul(1e200)]);
cases.push(["geometric spectrum 1e-300 .. 1", fromSpectrum(Q, Float64Array.from({ length: n }, (_, i) => Math.pow(10, (-300 * i) / (n - 1))))]);
cases.push(["all ones (rank 1)", new Matrix(n, n).fill(1)]);
const arrow = Matrix.diag(Array.from({ length: n }, (_, i) => i));
for (let i = 1; i < n; i++) { arrow.set(0, i, 1); arrow.set(i, 0, 1); }
cases.push(["arrowhead", arrow]);

describe("eigh (divide and conquer) on hard matrices", () => {
  for (const [name, A] of cases) {
    it(name, () => {
      const { values, vectors } = eigh(A, { vectors: true, method: "dc" });
      const { residual, orthogonality } = eigenChecks(A, values, vectors!);
      expect(residual).toBeLessThan(LIMIT);
      expect(orthogonality).toBeLessThan(LIMIT);
    });
  }
  it("all ones: eigenvalues n (once) and 0 (n - 1 times, within 10 n eps n)", () => {
    const { values } = eigh(new Matrix(n, n).fill(1));
    expect(Math.abs(values[n - 1] - n)).toBeLessThan(10 * n * 2.220446049250313e-16 * n);
    for (let i = 0; i < n - 1; i++) expect(Math.abs(values[i])).toBeLessThan(10 * n * 2.220446049250313e-16 * n);
  });
});
