import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { whiten, orthonormalRows, alignedData, decorrelatedData, gaussianTeacher, sequenceReversal, oneHot, subsampleByClass, wedgeData, standardizeRows } from "../../lib/data/index";
import { rng } from "../../lib/random/rng";
import { haarOrthogonal } from "../../lib/linalg/haar";

function maxAbsDiff(A: Matrix, B: Matrix): number {
  let m = 0;
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.columns; j++) m = Math.max(m, Math.abs(A.get(i, j) - B.get(i, j)));
  return m;
}

describe("synthetic data", () => {
  it("whiten: X X^T / n = sigma_x^2 I to rounding, same row space", () => {
    const gen = rng(31);
    const Xr = gen.normalMatrix(20, 100);
    const X = whiten(Xr, 3);
    expect(maxAbsDiff(X.mmul(X.transpose()).div(100), Matrix.eye(20).mul(9))).toBeLessThan(1e-13);
    // X = T Xr for an invertible T: the residual of projecting Xr's rows on X's rows vanishes
    const P = Xr.mmul(X.transpose()).div(100 * 9).mmul(X);
    expect(maxAbsDiff(P, Xr)).toBeLessThan(1e-12);
    expect(() => whiten(gen.normalMatrix(5, 3))).toThrow(/whiten: X must have at least as many columns/);
    const dep = gen.normalMatrix(3, 10);
    for (let j = 0; j < 10; j++) dep.set(2, j, dep.get(0, j) + dep.get(1, j));
    expect(() => whiten(dep)).toThrow(/whiten: X has rank below its 3 rows \(row 2/);
    const Xc = whiten(dep, 2, { rankDeficient: "complete" });
    expect(maxAbsDiff(Xc.mmul(Xc.transpose()).div(10), Matrix.eye(3).mul(4))).toBeLessThan(1e-13);
    const nan = gen.normalMatrix(2, 4); nan.set(1, 1, Infinity);
    expect(() => whiten(nan)).toThrow(/whiten: X must be finite/);
  });

  it("whiten: CholeskyQR2 path equals Gram-Schmidt QR; ill-conditioned input falls back and stays orthonormal", () => {
    const gen = rng(36);
    const Xr = gen.normalMatrix(70, 300);
    const fast = whiten(Xr, 1);
    const mgs = orthonormalRows(Xr).mul(Math.sqrt(300));
    expect(maxAbsDiff(fast, mgs)).toBeLessThan(1e-12);
    const ill = gen.normalMatrix(4, 50);
    for (let j = 0; j < 50; j++) ill.set(3, j, ill.get(0, j) + 1e-9 * ill.get(3, j));
    const Xi = whiten(ill, 1);
    expect(maxAbsDiff(Xi.mmul(Xi.transpose()).div(50), Matrix.eye(4))).toBeLessThan(1e-12);
  });

  it("alignedData: sample moments equal the population S_xx, S_yx exactly", () => {
    const gen = rng(32);
    const U = haarOrthogonal(gen, 5), V = haarOrthogonal(gen, 6);
    const d = alignedData(U, V, { dStar: 4, r: 2, n: 30 }, gen);
    expect(maxAbsDiff(d.X.mmul(d.X.transpose()).div(30), d.Sxx)).toBeLessThan(1e-13);
    expect(maxAbsDiff(d.Y.mmul(d.X.transpose()).div(30), d.Syx)).toBeLessThan(1e-13);
    expect(maxAbsDiff(d.Y.mmul(d.Y.transpose()).div(30), d.Syy)).toBeLessThan(1e-13);
    // S_yx = U P(I_r) V^T: in the bases it is the padded identity
    const B = U.transpose().mmul(d.Syx).mmul(V);
    const P = new Matrix(5, 6); P.set(0, 0, 1); P.set(1, 1, 1);
    expect(maxAbsDiff(B, P)).toBeLessThan(1e-14);
    expect(() => alignedData(U, V, { dStar: 2, r: 3, n: 30 }, gen)).toThrow(/alignedData: r must be <=/);
  });

  it("decorrelatedData: zero means, unit variances, zero cross-correlations", () => {
    const gen = rng(33);
    const { X, Y } = decorrelatedData(4, 12, gen);
    const Z = new Matrix([...X.to2DArray(), ...Y.to2DArray()]);
    expect(maxAbsDiff(Z.mmul(Z.transpose()).div(12), Matrix.eye(5))).toBeLessThan(1e-13);
    for (let i = 0; i < 5; i++) expect(Math.abs(Z.getRow(i).reduce((a, b) => a + b, 0))).toBeLessThan(1e-12);
  });

  it("teacher, wedge, reversal, one-hot, standardisation", () => {
    const gen = rng(34);
    const t = gaussianTeacher({ inputDim: 3, outputDim: 2, n: 50, noiseStd: 0 }, gen);
    expect(maxAbsDiff(t.Y, t.teacher.mmul(t.X))).toBe(0);
    const r = gaussianTeacher({ inputDim: 3, outputDim: 2, n: 50, noiseStd: 0, kind: "relu" }, gen);
    expect(Math.min(...r.Y.to1DArray())).toBe(0);
    const w = wedgeData(40, gen);
    for (let j = 0; j < 40; j++) expect(w.Y.get(0, j)).toBe(Math.abs(w.X.get(0, j)));
    const s = sequenceReversal(3, 4, gen);
    expect(s.Y.get(0, 2)).toBe(s.X.get(2, 2));
    const Y = oneHot([2, 0, 1], 3);
    expect(Y.to2DArray()).toEqual([[0, 1, 0], [0, 0, 1], [1, 0, 0]]);
    expect(() => oneHot([3], 3)).toThrow(/oneHot: labels\[0\] must be an integer in \[0, 3\)/);
    const Zs = standardizeRows(gen.normalMatrix(2, 30, 5));
    expect(Math.abs(Zs.getRow(0).reduce((a, b) => a + b * b, 0) / 30 - 1)).toBeLessThan(1e-13);
  });

  it("subsampleByClass: class 0 gets the rest, classes 1..9 floor((1 - alpha) n / 9) each", () => {
    const gen = rng(35);
    const labels = Array.from({ length: 4000 }, (_, i) => i % 10);
    const idx = subsampleByClass(labels, 500, gen, 0.4);
    expect(new Set(idx).size).toBe(500);
    const counts = new Array(10).fill(0);
    for (const i of idx) counts[labels[i]]++;
    const per = Math.floor((0.6 * 500) / 9);
    expect(counts.slice(1)).toEqual(new Array(9).fill(per));
    expect(counts[0]).toBe(500 - 9 * per);
    expect(() => subsampleByClass(labels, 500, gen, 0.05)).toThrow(/subsampleByClass: alphaMax/);
  });
});

describe("subsampleByClass errors", () => {
  it("names the short class", () => {
    const labels = Array.from({ length: 2000 }, (_, i) => i % 10);
    expect(() => subsampleByClass(labels, 500, rng(1), 0.4)).toThrow(/subsampleByClass: class 0 has 200 samples, 203 needed/);
  });
});
