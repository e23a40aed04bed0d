import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { twoLayerScalar, twoLayerRelu, twoLayerBias, twoLayerMultiInput, twoLayerMultiOutput, selfAttention, Model } from "../../lib/models/index";
import { mseProblem, hessian, loss } from "../../lib/curvature/index";
import { rng } from "../../lib/random/rng";
import { eigenvaluesDesc, expectExactCurvature } from "../curvature/helpers";

const cases: { label: string; model: Model; n: number; normalizer?: number }[] = [
  { label: "twoLayerScalar", model: twoLayerScalar(5), n: 7 },
  { label: "twoLayerRelu", model: twoLayerRelu(6), n: 9 },
  { label: "twoLayerBias", model: twoLayerBias(4), n: 6 },
  { label: "twoLayerBias tanh", model: twoLayerBias(4, { activation: "tanh" }), n: 6 },
  { label: "twoLayerMultiInput", model: twoLayerMultiInput(3, 4), n: 8 },
  { label: "twoLayerMultiOutput", model: twoLayerMultiOutput(3, 3), n: 5 },
  { label: "selfAttention d=1", model: selfAttention({ seqLen: 4, dK: 3 }), n: 3, normalizer: 12 },
  { label: "selfAttention d=1 with sink", model: selfAttention({ seqLen: 4, dK: 3, sink: 2 }), n: 2 },
  { label: "selfAttention d=3", model: selfAttention({ seqLen: 3, embed: 3, dK: 4, sink: 1 }), n: 2 },
];

describe("Cracking the Hessian models: exact curvature", () => {
  for (const { label, model, n, normalizer } of cases) {
    it(`${label}: gradient/HVP vs central differences, symmetry, dense H, split`, () => {
      const gen = rng(51);
      const X = gen.normalMatrix(model.inputDim, n);
      const Y = gen.normalMatrix(model.outputDim, n);
      const problem = mseProblem(model, X, Y, { normalizer });
      const theta = gen.normalArray(model.numParams, 0, 0.7);
      expectExactCurvature(problem, theta, gen, 1e-4);
    });
  }

  it("twoLayerScalar: Theorem 3.1 spectrum (independent check of the parameterisation)", () => {
    const gen = rng(52);
    const m = 6, n = 20;
    const model = twoLayerScalar(m);
    const X = gen.normalMatrix(1, n), Y = gen.normalMatrix(1, n);
    const theta = gen.normalArray(2 * m, 0, 0.5);
    const w = theta.subarray(0, m), v = theta.subarray(m);
    const wv = w.reduce((s, x, i) => s + x * v[i], 0);
    const ww = w.reduce((s, x) => s + x * x, 0), vv = v.reduce((s, x) => s + x * x, 0);
    let s2 = 0, dx = 0;
    for (let i = 0; i < n; i++) { const x = X.get(0, i); s2 += x * x / n; dx += (wv * x - Y.get(0, i)) * x / n; }
    const a = s2 * ww + s2 * vv;
    const root = Math.sqrt(a * a + 4 * (dx * dx + 2 * s2 * dx * wv));
    const expected = [0.5 * a + 0.5 * root, 0.5 * a - 0.5 * root, ...new Array(m - 1).fill(dx), ...new Array(m - 1).fill(-dx)].sort((p, q) => q - p);
    const ev = eigenvaluesDesc(hessian(mseProblem(model, X, Y), theta));
    for (let i = 0; i < 2 * m; i++) expect(Math.abs(ev[i] - expected[i])).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected[0])));
  });

  it("selfAttention d=1 forward equals w_V softmax(x w_Q^T w_K x^T / sqrt(d_K) + sink) x", () => {
    const gen = rng(53);
    const T = 5, dK = 3, sink = 1.5;
    const model = selfAttention({ seqLen: T, dK, sink });
    const theta = gen.normalArray(model.numParams);
    const X = gen.normalMatrix(T, 2);
    const F = model.forward(theta, X);
    const wV = theta[0], wK = theta.subarray(1, 1 + dK), wQ = theta.subarray(1 + dK);
    const qk = wQ.reduce((s, x, i) => s + x * wK[i], 0) / Math.sqrt(dK);
    for (let c = 0; c < 2; c++) {
      const x = X.getColumn(c);
      for (let i = 0; i < T; i++) {
        const sc = x.map((xj, j) => x[i] * qk * xj + (j === 0 ? sink : 0));
        const mx = Math.max(...sc);
        const e = sc.map((s) => Math.exp(s - mx));
        const z = e.reduce((p, q) => p + q, 0);
        const f = wV * e.reduce((s, ej, j) => s + (ej / z) * x[j], 0);
        expect(Math.abs(F.get(i, c) - f)).toBeLessThan(1e-14 * Math.max(1, Math.abs(f)));
      }
    }
  });

  it("multi-input model equals sum_d <w_d, v_d> x_d; multi-output equals <w_k, v_k> x", () => {
    const gen = rng(54);
    const mi = twoLayerMultiInput(2, 3);
    const t = gen.normalArray(mi.numParams);
    const X = gen.normalMatrix(3, 4);
    const F = mi.forward(t, X);
    const alpha = [0, 1, 2].map((d) => t[4 * d] * t[4 * d + 2] + t[4 * d + 1] * t[4 * d + 3]);
    for (let j = 0; j < 4; j++) expect(Math.abs(F.get(0, j) - alpha.reduce((s, a, d) => s + a * X.get(d, j), 0))).toBeLessThan(1e-14);
    const mo = twoLayerMultiOutput(2, 2);
    const u = gen.normalArray(mo.numParams);
    const x = gen.normalMatrix(1, 3);
    const G = mo.forward(u, x);
    expect(Math.abs(G.get(1, 2) - (u[4] * u[6] + u[5] * u[7]) * x.get(0, 2))).toBeLessThan(1e-14);
    expect(loss(mseProblem(mo, x, new Matrix(2, 3)), u)).toBeGreaterThan(0);
  });

  it("selfAttention d=1: Theorem 3.5 bulk, d_K - 1 pairs of eigenvalues +-gamma (independent check of the parameterisation)", () => {
    const gen = rng(55);
    const T = 5, dK = 4;
    const model = selfAttention({ seqLen: T, dK });
    const x = gen.normalMatrix(T, 1), y = gen.normalMatrix(T, 1);
    const theta = gen.normalArray(model.numParams, 0, 0.8);
    const problem = mseProblem(model, x, y, { normalizer: T });
    const wV = theta[0], wK = theta.subarray(1, 1 + dK), wQ = theta.subarray(1 + dK);
    const qk = wQ.reduce((s, q, i) => s + q * wK[i], 0) / Math.sqrt(dK);
    const xs = x.getColumn(0), f = model.forward(theta, x).getColumn(0);
    let gamma = 0;
    for (let i = 0; i < T; i++) {
      const sc = xs.map((xj) => xs[i] * qk * xj);
      const mx = Math.max(...sc);
      const e = sc.map((s) => Math.exp(s - mx));
      const z = e.reduce((a, b) => a + b, 0);
      const A = e.map((v) => v / z);
      const m1 = A.reduce((s, a, j) => s + a * xs[j], 0);
      const m2 = A.reduce((s, a, j) => s + a * (xs[j] - m1) ** 2, 0);
      gamma += (f[i] - y.get(i, 0)) * xs[i] * m2;
    }
    gamma *= wV / (T * Math.sqrt(dK));
    const ev = eigenvaluesDesc(hessian(problem, theta));
    const near = (target: number) => ev.filter((e) => Math.abs(e - target) < 1e-10 * Math.max(1, Math.abs(ev[0]))).length;
    expect(Math.abs(gamma)).toBeGreaterThan(1e-3);
    expect(near(gamma)).toBe(dK - 1);
    expect(near(-gamma)).toBe(dK - 1);
  });
});
