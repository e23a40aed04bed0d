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
