import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { clusters } from "../../lib/linalg/clusters";
import { kron, pad, unvecCols, unvecRows, vecCols, vecRows } from "../../lib/linalg/kron";
import { denseOperator } from "../../lib/linalg/operator";
import { rng } from "../../lib/random/rng";

describe("clusters", () => {
  it("groups by gap <= relTol * max|v| + absTol, largest cluster value first", () => {
    const c = clusters([0, 3, 1e-13, 1, 3 + 1e-12, -2e-13, 1 + 2e-9], 1e-12);
    expect(c.map((x) => x.multiplicity)).toEqual([2, 1, 1, 3]);
    expect(c[0].value).toBe((3 + (3 + 1e-12)) / 2);
    expect(c[0].min).toBe(3);
    expect(c[0].max).toBe(3 + 1e-12);
    expect(c[3].min).toBe(-2e-13);
    expect(c[3].max).toBe(1e-13);
  });
  it("the threshold is inclusive, and absTol adds to it", () => {
    // gap 0.25 exactly representable: joins at relTol * 1 = 0.25, splits just below
    expect(clusters([1, 0.75], 0.25).length).toBe(1);
    expect(clusters([1, 0.75], 0.2499).length).toBe(2);
    expect(clusters([1, 0.75], 0.2, 0.05).length).toBe(1);
  });
  it("chains: a run of small gaps is one cluster", () => {
    expect(clusters([0, 1, 2, 3], 1 / 3).map((x) => x.multiplicity)).toEqual([4]);
  });
  it("empty input gives no clusters; bad input throws", () => {
    expect(clusters([], 1e-8)).toEqual([]);
    expect(() => clusters([1, NaN], 1e-8)).toThrow(/clusters: values has a non-finite entry NaN at \[1\]/);
    expect(() => clusters([1], -1)).toThrow(/clusters: relTol must be a finite number >= 0/);
  });
});

describe("kron, vec, pad", () => {
  const g = rng(2);
  const A = g.normalMatrix(2, 3);
  const X = g.normalMatrix(3, 4);
  const B = g.normalMatrix(4, 5);
  it("kron entries: (A ⊗ B)[i*m + r][j*n + c] = a_ij b_rc", () => {
    const K = kron(A, B);
    expect([K.rows, K.columns]).toEqual([8, 15]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let r = 0; r < 4; r++) for (let c = 0; c < 5; c++) {
      expect(K.get(i * 4 + r, j * 5 + c)).toBe(A.get(i, j) * B.get(r, c));
    }
  });
  it("vecCols(A X B) = (B^T ⊗ A) vecCols(X) and vecRows(A X B) = (A ⊗ B^T) vecRows(X)", () => {
    const AXB = A.mmul(X).mmul(B);
    const lhsC = vecCols(AXB);
    const rhsC = kron(B.transpose(), A).mmul(Matrix.columnVector(Array.from(vecCols(X)))).getColumn(0);
    const lhsR = vecRows(AXB);
    const rhsR = kron(A, B.transpose()).mmul(Matrix.columnVector(Array.from(vecRows(X)))).getColumn(0);
    for (let i = 0; i < lhsC.length; i++) {
      expect(Math.abs(lhsC[i] - rhsC[i])).toBeLessThan(1e-12);
      expect(Math.abs(lhsR[i] - rhsR[i])).toBeLessThan(1e-12);
    }
  });
  it("vec orderings and inverses", () => {
    const M = new Matrix([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(vecRows(M))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(vecCols(M))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(unvecRows(vecRows(M), 2, 3).to2DArray()).toEqual(M.to2DArray());
    expect(unvecCols(vecCols(M), 2, 3).to2DArray()).toEqual(M.to2DArray());
    expect(() => unvecRows([1, 2, 3], 2, 2)).toThrow("unvecRows: v must have length rows * cols = 4, got 3");
  });
  it("pad places D top-left in zeros", () => {
    const P = pad(new Matrix([[1, 2]]), 2, 3);
    expect(P.to2DArray()).toEqual([[1, 2, 0], [0, 0, 0]]);
    expect(() => pad(new Matrix([[1, 2]]), 2, 1)).toThrow("pad: cols must be >= 2, got 1");
  });
});

describe("denseOperator", () => {
  it("matvec and matmat agree with Matrix products; symmetric flag", () => {
    const A = rng(4).normalMatrix(5, 5);
    const op = denseOperator(A);
    expect(op.size).toBe(5);
    expect(op.symmetric).toBe(false);
    expect(denseOperator(A.clone().add(A.transpose())).symmetric).toBe(true);
    const x = Float64Array.from([1, -2, 0.5, 3, 0]);
    const y = op.matvec(x);
    const ref = A.mmul(Matrix.columnVector(Array.from(x))).getColumn(0);
    for (let i = 0; i < 5; i++) expect(y[i]).toBeCloseTo(ref[i], 12);
    const Y = op.matmat!(Float64Array.from([...x, ...x.map((v) => 2 * v)]), 2);
    for (let i = 0; i < 5; i++) expect(Y[5 + i]).toBeCloseTo(2 * ref[i], 12);
    expect(() => denseOperator(new Matrix(2, 3))).toThrow("denseOperator: A must be square, got 2 x 3");
  });
});
