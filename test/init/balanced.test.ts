import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { balancedInit, usiInit, stronglyBalancedInit, sharedFormInit } from "../../lib/init/index";
import { deepLinear } from "../../lib/models/index";
import { rng } from "../../lib/random/rng";
import { haarOrthogonal } from "../../lib/linalg/haar";

function maxAbsDiff(A: Matrix, B: Matrix): number {
  let m = 0;
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.columns; j++) m = Math.max(m, Math.abs(A.get(i, j) - B.get(i, j)));
  return m;
}

function product(ws: Matrix[]): Matrix {
  let P = ws[0];
  for (let i = 1; i < ws.length; i++) P = ws[i].mmul(P);
  return P;
}

describe("balanced initialisations", () => {
  it("balancedInit: W_{L:1} = A and W_{j+1}^T W_{j+1} = W_j W_j^T (Arora Init. 2.1)", () => {
    const gen = rng(21);
    for (const widths of [[6, 7, 7, 5], [3, 4, 4, 4, 6], [5, 5], [4, 9, 2]]) {
      const A = gen.normalMatrix(widths[widths.length - 1], widths[0]);
      const init = balancedInit(widths, gen, { A });
      const model = deepLinear(widths);
      expect(init.theta.length).toBe(model.numParams);
      const ws = model.unflatten(init.theta);
      expect(maxAbsDiff(product(ws), A)).toBeLessThan(1e-12);
      for (let j = 0; j + 1 < ws.length; j++) {
        expect(maxAbsDiff(ws[j + 1].transpose().mmul(ws[j + 1]), ws[j].mmul(ws[j].transpose()))).toBeLessThan(1e-12);
      }
      expect(maxAbsDiff(init.U.transpose().mmul(init.U), Matrix.eye(init.U.rows))).toBeLessThan(1e-12);
      expect(maxAbsDiff(init.V.transpose().mmul(init.V), Matrix.eye(init.V.rows))).toBeLessThan(1e-12);
    }
  });

  it("balancedInit rejects a hidden width below min(d_0, d_L)", () => {
    expect(() => balancedInit([6, 3, 5], rng(1))).toThrow(/balancedInit: hidden width d_1 = 3 is below min\(d_0, d_L\) = 5/);
    expect(() => balancedInit([6, 7, 5], rng(1), { A: new Matrix(4, 6) })).toThrow(/balancedInit: A must be 5 x 6/);
  });

  it("usiInit: r equal singular values m0^L of the product, the others zero; layers balanced", () => {
    const gen = rng(22);
    const widths = [6, 7, 7, 7, 5];
    const init = usiInit(widths, gen, { m0: 0.8, r: 2 });
    const ws = deepLinear(widths).unflatten(init.theta);
    const P = product(ws);
    const Ur = init.U.subMatrix(0, 4, 0, 1), Vr = init.V.subMatrix(0, 5, 0, 1);
    expect(maxAbsDiff(P, Ur.mmul(Vr.transpose()).mul(0.8 ** 4))).toBeLessThan(1e-13);
    for (let j = 0; j + 1 < ws.length; j++) {
      expect(maxAbsDiff(ws[j + 1].transpose().mmul(ws[j + 1]), ws[j].mmul(ws[j].transpose()))).toBeLessThan(1e-13);
    }
    expect(() => usiInit([6, 1, 5], gen, { m0: 1, r: 2 })).toThrow(/usiInit: hidden width d_1 = 1 is below the rank r = 2/);
    expect(() => usiInit([6, 7, 5], gen, { m0: -1, r: 2 })).toThrow(/usiInit: m0/);
  });

  it("sharedFormInit places P(U D), P(D), P(D V^T)", () => {
    const gen = rng(23);
    const U = haarOrthogonal(gen, 3), V = haarOrthogonal(gen, 4);
    const init = sharedFormInit([4, 5, 5, 3], U, [1.5, 0.5], V);
    const [W1, W2, W3] = deepLinear([4, 5, 5, 3]).unflatten(init.theta);
    expect(W2.get(0, 0)).toBe(1.5);
    expect(W2.get(1, 1)).toBe(0.5);
    expect(W2.get(2, 2)).toBe(0);
    expect(Math.abs(W3.get(1, 0) - U.get(1, 0) * 1.5)).toBeLessThan(1e-15);
    expect(Math.abs(W1.get(1, 2) - 0.5 * V.get(2, 1))).toBeLessThan(1e-15);
  });

  it("stronglyBalancedInit: W_l W_l^T = W_{l+1}^T W_{l+1}, singular values as given", () => {
    const gen = rng(24);
    const widths = [5, 6, 4, 7];
    const s = [2, 1.5, 0.7, 0.1];
    const { weights } = stronglyBalancedInit(widths, s, gen);
    for (let l = 0; l + 1 < weights.length; l++) {
      expect(maxAbsDiff(weights[l].mmul(weights[l].transpose()), weights[l + 1].transpose().mmul(weights[l + 1]))).toBeLessThan(1e-13);
    }
    const G = weights[1].mmul(weights[1].transpose());
    const tr = G.trace();
    expect(Math.abs(tr - s.reduce((a, x) => a + x * x, 0))).toBeLessThan(1e-13);
    expect(() => stronglyBalancedInit(widths, [1, 2], gen)).toThrow(/stronglyBalancedInit: singularValues must have k = min\(widths\) = 4 entries/);
  });
});
