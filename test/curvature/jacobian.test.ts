import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { mlp, selfAttention, twoLayerMultiOutput } from "../../lib/models/index";
import { jacobian, jvp, vjp, ntkGram, mseProblem, gaussNewton } from "../../lib/curvature/index";
import { rng } from "../../lib/random/rng";
import { relErr, matRelErr } from "./helpers";

describe("Jacobian, JVP, VJP", () => {
  for (const model of [mlp([3, 4, 2], { activation: "tanh", bias: true }), twoLayerMultiOutput(2, 3), selfAttention({ seqLen: 3, dK: 2, sink: 0.5 })]) {
    it(`${model.name}: row a*n + i of J is output a of sample i; J v = jvp, J^T U = vjp (both construction routes)`, () => {
      const gen = rng(81);
      for (const n of [1, 4]) {
        const X = gen.normalMatrix(model.inputDim, n);
        const theta = gen.normalArray(model.numParams, 0, 0.6);
        const J = jacobian(model, theta, X);
        const k = model.outputDim;
        expect([J.rows, J.columns]).toEqual([k * n, model.numParams]);
        const v = gen.normalArray(model.numParams);
        const Jv = J.mmul(Matrix.columnVector(Array.from(v)));
        const dF = jvp(model, theta, X, v);
        for (let a = 0; a < k; a++) for (let i = 0; i < n; i++) expect(Math.abs(Jv.get(a * n + i, 0) - dF.get(a, i))).toBeLessThan(1e-13 * (1 + Math.abs(dF.get(a, i))));
        const U = gen.normalMatrix(k, n);
        const u = Matrix.rowVector(U.to1DArray()); // row-major vec of U
        const JtU = Float64Array.from(u.mmul(J).getRow(0));
        expect(relErr(vjp(model, theta, X, U), JtU)).toBeLessThan(1e-13);
      }
    });
  }

  it("ntkGram of an MSE problem is (1/n) J J^T; GGN is (1/n) J^T J (multi-output, n samples)", () => {
    const gen = rng(82);
    const model = mlp([2, 3, 3], { activation: "tanh" });
    const X = gen.normalMatrix(2, 5), Y = gen.normalMatrix(3, 5);
    const theta = gen.normalArray(model.numParams);
    const problem = mseProblem(model, X, Y);
    const J = jacobian(model, theta, X);
    expect(matRelErr(ntkGram(problem, theta), J.mmul(J.transpose()).div(5))).toBeLessThan(1e-14);
    expect(matRelErr(gaussNewton(problem, theta), J.transpose().mmul(J).div(5))).toBeLessThan(1e-14);
    expect(() => vjp(model, theta, X, new Matrix(2, 5))).toThrow(/vjp: U must be 3 x 5/);
  });
});
