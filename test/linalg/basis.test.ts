import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { completeBasis, orthonormalColumns } from "../../lib/linalg/basis";
import { rng } from "../../lib/random/rng";

/** max |Q^T Q - I|. */
function orthogonalityError(Q: Matrix): number {
  const G = Q.transpose().mmul(Q);
  let worst = 0;
  for (let i = 0; i < G.rows; i++) for (let j = 0; j < G.columns; j++) worst = Math.max(worst, Math.abs(G.get(i, j) - (i === j ? 1 : 0)));
  return worst;
}

describe("basis", () => {
  it("orthonormalColumns spans the same columns and replaces a dependent one", () => {
    const gen = rng(7);
    const A = gen.normalMatrix(6, 3);
    const Q = orthonormalColumns(A);
    expect(orthogonalityError(Q)).toBeLessThan(1e-14);
    // the projection of A onto span(Q) is A itself
    const residual = A.clone().sub(Q.mmul(Q.transpose().mmul(A)));
    expect(residual.norm("frobenius") / A.norm("frobenius")).toBeLessThan(1e-14);
    const dependent = A.clone();
    for (let i = 0; i < 6; i++) dependent.set(i, 2, 2 * A.get(i, 0) - A.get(i, 1));
    expect(orthogonalityError(orthonormalColumns(dependent))).toBeLessThan(1e-14);
  });

  it("completeBasis keeps the given columns and returns a square orthogonal matrix", () => {
    const Q = orthonormalColumns(rng(8).normalMatrix(5, 2));
    const full = completeBasis(Q);
    expect([full.rows, full.columns]).toEqual([5, 5]);
    expect(orthogonalityError(full)).toBeLessThan(1e-14);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 2; j++) expect(full.get(i, j)).toBe(Q.get(i, j));
  });

  it("bad input names the function and argument", () => {
    expect(() => orthonormalColumns(new Matrix(2, 3))).toThrow("orthonormalColumns: A must have at most as many columns as rows, got 2 x 3");
    expect(() => completeBasis(new Matrix(2, 3))).toThrow("completeBasis: Q must have at most as many columns as rows, got 2 x 3");
    expect(() => completeBasis([[1]] as unknown as Matrix)).toThrow(/completeBasis: Q must be an ml-matrix Matrix/);
  });
});

import { choleskyQr2, orthonormalRows } from "../../lib/linalg/orthonormal-rows";

describe("orthonormal rows", () => {
  it("CholeskyQR2 and Gram-Schmidt give the same row-space basis (positive-diagonal R), Q Q^T = I", () => {
    const X = rng(12).normalMatrix(4, 50);
    const fast = choleskyQr2(X);
    expect(fast).not.toBeNull();
    const slow = orthonormalRows(X);
    const G = slow.mmul(slow.transpose());
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(Math.abs(G.get(i, j) - (i === j ? 1 : 0))).toBeLessThan(1e-14);
    const diff = Matrix.sub(fast as Matrix, slow).to1DArray().map(Math.abs);
    expect(Math.max(...diff)).toBeLessThan(1e-13);
  });

  it("rank deficiency: CholeskyQR2 declines, Gram-Schmidt throws by name or completes", () => {
    const X = rng(13).normalMatrix(3, 20);
    for (let j = 0; j < 20; j++) X.set(2, j, X.get(0, j) + X.get(1, j));
    expect(choleskyQr2(X)).toBeNull();
    expect(() => orthonormalRows(X, "whiten")).toThrow(/whiten: X has rank below its 3 rows/);
    const Q = orthonormalRows(X, "whiten", "complete");
    const G = Q.mmul(Q.transpose());
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(G.get(i, j) - (i === j ? 1 : 0))).toBeLessThan(1e-14);
  });
});
