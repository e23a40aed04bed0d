import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { deepLinear, mlp, Model } from "../../lib/models";
import { mseProblem, populationProblem, gaussNewton, ntkGram, jacobian, hvp, hessian, ggnVectorProduct, functionalHvp, hessianOperator, lossAndGradient, loss, outputs } from "../../lib/curvature";
import { rng, Rng } from "../../lib/random/rng";
import { populationStats } from "../../lib/data/moments";
import { finiteDifferenceErrors, hvpAsymmetry, denseErrors, eigenvaluesDesc, direction, relErr, matRelErr, expectExactCurvature } from "./helpers";

function randomTheta(model: Model, gen: Rng, std = 0.5): Float64Array {
  return gen.normalArray(model.numParams, 0, std);
}

const cases: { label: string; model: Model; n: number }[] = [
  { label: "deep linear 3-4-5-2", model: deepLinear([3, 4, 5, 2]), n: 7 },
  { label: "deep linear with multipliers", model: deepLinear([3, 4, 2], { multipliers: [0.5, 1 / Math.sqrt(4)] }), n: 5 },
  { label: "tanh MLP with bias", model: mlp([3, 5, 4, 2], { activation: "tanh", bias: true }), n: 6 },
  { label: "tanh MLP, tanh on output", model: mlp([2, 4, 3], { activation: "tanh", activateOutput: true }), n: 5 },
  { label: "ReLU MLP with bias", model: mlp([3, 6, 2], { activation: "relu", bias: true }), n: 8 },
];

describe("MLP and deep linear curvature", () => {
  for (const { label, model, n } of cases) {
    it(`${label}: gradient and HVP match central differences; HVP symmetric; dense consistent`, () => {
      const gen = rng(11);
      const X = gen.normalMatrix(model.inputDim, n);
      const Y = gen.normalMatrix(model.outputDim, n);
      const problem = mseProblem(model, X, Y);
      const theta = randomTheta(model, gen);
      expectExactCurvature(problem, theta, gen);
    });
  }

  it("loss and forward agree with a direct computation (deep linear)", () => {
    const gen = rng(3);
    const model = deepLinear([3, 4, 2]);
    const theta = randomTheta(model, gen);
    const [W1, W2] = model.unflatten(theta);
    const X = gen.normalMatrix(3, 5), Y = gen.normalMatrix(2, 5);
    const F = W2.mmul(W1).mmul(X);
    expect(matRelErr(model.forward(theta, X), F)).toBeLessThan(1e-14);
    const R = Matrix.sub(F, Y);
    const direct = R.to1DArray().reduce((s, r) => s + r * r, 0) / (2 * 5);
    expect(Math.abs(loss(mseProblem(model, X, Y), theta) - direct)).toBeLessThan(1e-14 * direct);
    expect(Array.from(model.flatten(model.unflatten(theta)))).toEqual(Array.from(theta));
  });

  it("deep linear gradient equals the closed form W_{L:l+1}^T (F - Y) X^T P^T / n", () => {
    const gen = rng(5);
    const model = deepLinear([3, 4, 2]);
    const theta = randomTheta(model, gen);
    const [W1, W2] = model.unflatten(theta);
    const X = gen.normalMatrix(3, 6), Y = gen.normalMatrix(2, 6);
    const R = Matrix.sub(W2.mmul(W1).mmul(X), Y);
    const g1 = W2.transpose().mmul(R).mmul(X.transpose()).div(6);
    const g2 = R.mmul(W1.mmul(X).transpose()).div(6);
    const g = lossAndGradient(mseProblem(model, X, Y), theta).gradient;
    expect(relErr(g, model.flatten([g1, g2]))).toBeLessThan(1e-13);
  });

  it("GGN (1/n) J^T J and NTK Gram (1/n) J J^T share their nonzero eigenvalues", () => {
    const gen = rng(7);
    const model = deepLinear([4, 5, 3]);
    const X = gen.normalMatrix(4, 6), Y = gen.normalMatrix(3, 6);
    const problem = mseProblem(model, X, Y);
    const theta = randomTheta(model, gen, 0.7);
    const G = gaussNewton(problem, theta);
    const K = ntkGram(problem, theta);
    const J = jacobian(model, theta, X);
    expect(matRelErr(G, J.transpose().mmul(J).div(6))).toBeLessThan(1e-13);
    const eg = eigenvaluesDesc(G), ek = eigenvaluesDesc(K);
    const top = eg[0];
    const nz = ek.filter((x) => x > 1e-10 * top);
    expect(nz.length).toBeGreaterThan(0);
    for (let i = 0; i < nz.length; i++) expect(Math.abs(eg[i] - nz[i])).toBeLessThan(1e-12 * top);
    expect(Math.abs(eg[nz.length])).toBeLessThan(1e-10 * top);
  });

  it("H = H_o + H_f holds for the vector products and the operator", () => {
    const gen = rng(9);
    const model = mlp([3, 4, 2], { activation: "tanh", bias: true });
    const X = gen.normalMatrix(3, 5), Y = gen.normalMatrix(2, 5);
    const problem = mseProblem(model, X, Y);
    const theta = randomTheta(model, gen);
    const v = direction(gen, model.numParams);
    const a = hvp(problem, theta, v), b = ggnVectorProduct(problem, theta, v), c = functionalHvp(problem, theta, v);
    const s = b.map((x, i) => x + c[i]);
    expect(relErr(s, a)).toBeLessThan(1e-13);
    const op = hessianOperator(problem, theta);
    expect(op.size).toBe(model.numParams);
    expect(relErr(op.matvec(v), a)).toBe(0);
    const two = new Float64Array(2 * model.numParams);
    two.set(v, 0); two.set(direction(gen, model.numParams), model.numParams);
    expect(relErr(op.matmat!(two, 2).subarray(0, model.numParams), a)).toBe(0);
  });

  it("population problem: loss matches the formula; curvature checks pass", () => {
    const gen = rng(13);
    const model = deepLinear([4, 3, 3, 2]);
    const A = gen.normalMatrix(4, 4);
    const Sxx = A.mmul(A.transpose()).div(4);
    const Syx = gen.normalMatrix(2, 4);
    const B = gen.normalMatrix(2, 2);
    const Syy = B.mmul(B.transpose());
    const problem = populationProblem(model, { Sxx, Syx, Syy });
    const theta = randomTheta(model, gen, 0.6);
    const W = outputs(problem, theta);
    const [W1, W2, W3] = model.unflatten(theta);
    expect(matRelErr(W, W3.mmul(W2).mmul(W1))).toBeLessThan(1e-14);
    const direct = 0.5 * W.mmul(Sxx).mmul(W.transpose()).trace() - W.mmul(Syx.transpose()).trace() + 0.5 * Syy.trace();
    expect(Math.abs(loss(problem, theta) - direct)).toBeLessThan(1e-13 * Math.abs(direct));
    const fd = finiteDifferenceErrors(problem, theta, gen);
    expect(fd.grad).toBeLessThan(1e-6);
    expect(fd.hvp).toBeLessThan(1e-6);
    expect(hvpAsymmetry(problem, theta, gen)).toBeLessThan(1e-12);
    const dense = denseErrors(problem, theta, gen);
    expect(dense.split).toBeLessThan(1e-12);
    // population GGN shares nonzero eigenvalues with the Gram matrix B^1/2 J J^T B^1/2
    const eg = eigenvaluesDesc(gaussNewton(problem, theta));
    const ek = eigenvaluesDesc(ntkGram(problem, theta));
    for (let i = 0; i < ek.length; i++) if (ek[i] > 1e-10 * ek[0]) expect(Math.abs(eg[i] - ek[i])).toBeLessThan(1e-12 * ek[0]);
  });

  it("population loss with S_xx = X X^T / n equals the sample MSE up to a constant", () => {
    const gen = rng(17);
    const model = deepLinear([3, 4, 2]);
    const X = gen.normalMatrix(3, 8), Y = gen.normalMatrix(2, 8);
    const Sxx = X.mmul(X.transpose()).div(8), Syx = Y.mmul(X.transpose()).div(8), Syy = Y.mmul(Y.transpose()).div(8);
    const pop = populationProblem(model, { Sxx, Syx, Syy });
    const mse = mseProblem(model, X, Y);
    const theta = randomTheta(model, gen);
    expect(Math.abs(loss(pop, theta) - loss(mse, theta))).toBeLessThan(1e-13);
    const v = direction(gen, model.numParams);
    expect(relErr(hvp(pop, theta, v), hvp(mse, theta, v))).toBeLessThan(1e-12);
  });

  it("population problem with S_xx = c I (whitened data) gives bitwise the numbers of the general product", () => {
    const gen = rng(23);
    const model = deepLinear([5, 4, 3]);
    const Syx = gen.normalMatrix(3, 5);
    const theta = randomTheta(model, gen);
    const v = direction(gen, model.numParams);
    const white = populationProblem(model, { Sxx: Matrix.eye(5).mul(2.5), Syx });
    // the same matrix with one off-diagonal entry at the smallest subnormal takes the general path
    const almost = Matrix.eye(5).mul(2.5);
    almost.set(0, 1, 5e-324);
    almost.set(1, 0, 5e-324);
    const general = populationProblem(model, { Sxx: almost, Syx });
    expect(Array.from(hvp(white, theta, v))).toEqual(Array.from(hvp(general, theta, v)));
    expect(Array.from(lossAndGradient(white, theta).gradient)).toEqual(Array.from(lossAndGradient(general, theta).gradient));
    expect(loss(white, theta)).toBe(loss(general, theta));
  });

  it("populationStats: the second moments of a sample, S_xx and S_yy exactly symmetric; bad input named", () => {
    const gen = rng(19);
    const X = gen.normalMatrix(37, 101), Y = gen.normalMatrix(3, 101); // large enough for the WebAssembly kernel
    const st = populationStats(X, Y);
    expect(matRelErr(st.Sxx, X.mmul(X.transpose()).div(101))).toBeLessThan(1e-14);
    expect(matRelErr(st.Syx, Y.mmul(X.transpose()).div(101))).toBeLessThan(1e-14);
    expect(matRelErr(st.Syy, Y.mmul(Y.transpose()).div(101))).toBeLessThan(1e-14);
    for (let i = 0; i < 37; i++) for (let j = 0; j < i; j++) expect(st.Sxx.get(i, j)).toBe(st.Sxx.get(j, i));
    expect(() => populationStats(X, gen.normalMatrix(3, 100))).toThrow("populationStats: Y must be a Matrix with one column per sample (101), got 3 x 100");
    const bad = X.clone();
    bad.set(2, 5, Infinity);
    expect(() => populationStats(bad, Y)).toThrow(/populationStats: X/);
  });

  it("bad input: clear errors naming function and argument", () => {
    const model = deepLinear([3, 4, 2]);
    const gen = rng(1);
    const X = gen.normalMatrix(3, 5);
    expect(() => mseProblem(model, gen.normalMatrix(2, 5), gen.normalMatrix(2, 5))).toThrow(/mseProblem: X must have 3 rows/);
    expect(() => mseProblem(model, X, gen.normalMatrix(2, 4))).toThrow(/mseProblem: Y must be 2 x 5/);
    const bad = X.clone(); bad.set(0, 0, NaN);
    expect(() => mseProblem(model, bad, gen.normalMatrix(2, 5))).toThrow(/mseProblem: X must be finite/);
    const problem = mseProblem(model, X, gen.normalMatrix(2, 5));
    expect(() => hvp(problem, new Float64Array(3), new Float64Array(3))).toThrow(/hvp: theta must have length 20/);
    expect(() => hvp(problem, new Float64Array(20), new Float64Array(19))).toThrow(/hvp: v must have length 20/);
    expect(() => deepLinear([3])).toThrow(/deepLinear: widths/);
    const big = mseProblem(deepLinear([200, 100, 200]), gen.normalMatrix(200, 2), gen.normalMatrix(200, 2));
    expect(() => hessian(big, new Float64Array(40000))).toThrow(/hessian: the dense result would be 40000 x 40000 \(11.9 GiB\); use hessianOperator/);
    expect(() => populationProblem(mlp([2, 3, 1]), { Sxx: Matrix.eye(2), Syx: new Matrix(1, 2) })).toThrow(/populationProblem: model must be linear/);
  });
});

describe("population problems skip products with the identity input", () => {
  it("deepLinear on a population loss with d_0 = 300: exact, and equal to the sample MSE with the same moments", () => {
    const gen = rng(19);
    const widths = [300, 8, 8, 4];
    const model = deepLinear(widths);
    const A = gen.normalMatrix(300, 20);
    const B = gen.normalMatrix(4, 20);
    const Sxx = A.mmul(A.transpose()).div(20);
    const Syx = B.mmul(A.transpose()).div(20);
    const Syy = B.mmul(B.transpose()).div(20);
    const problem = populationProblem(model, { Sxx, Syx, Syy });
    const sample = mseProblem(model, A, B); // X = A, Y = B: the same S_xx, S_yx, S_yy
    const theta = randomTheta(model, gen, 0.2);
    const [W1, W2, W3] = model.unflatten(theta);
    expect(matRelErr(outputs(problem, theta), W3.mmul(W2).mmul(W1))).toBeLessThan(1e-14);
    expect(Math.abs(loss(problem, theta) - loss(sample, theta))).toBeLessThan(1e-12 * loss(sample, theta));
    const v = direction(gen, model.numParams);
    expect(relErr(hvp(problem, theta, v), hvp(sample, theta, v))).toBeLessThan(1e-11);
    expect(relErr(lossAndGradient(problem, theta).gradient, lossAndGradient(sample, theta).gradient)).toBeLessThan(1e-11);
  });
});
