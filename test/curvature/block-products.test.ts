import { describe, expect, it } from "vitest";
import { mlp, deepLinear, selfAttention, transformer, twoLayerBias, Model } from "../../lib/models/index";
import {
  mseProblem, crossEntropyProblem, populationProblem, hvp, functionalHvp, hvpBlock, functionalHvpBlock, hessian,
  functionalHessian, hessianOperator, functionalHessianOperator, Problem,
} from "../../lib/curvature/index";
import { populationStats } from "../../lib/data/moments";
import { transformerInit } from "../../lib/init/index";
import { Matrix } from "ml-matrix";
import { rng, Rng } from "../../lib/random/rng";
import { relErr } from "./helpers";
import { everyOpModel as everyOp } from "./every-op-model";

function oneHot(tokens: number[], vocab: number): Matrix {
  const X = new Matrix(vocab, tokens.length);
  tokens.forEach((t, j) => X.set(t, j, 1));
  return X;
}

function mse(model: Model, n: number, gen: Rng): Problem {
  return mseProblem(model, gen.normalMatrix(model.inputDim, n), gen.normalMatrix(model.outputDim, n));
}

const cases: { label: string; make: (gen: Rng) => { problem: Problem; theta: Float64Array } }[] = [
  { label: "every tape operation", make: (g) => ({ problem: mse(everyOp, 4, g), theta: g.normalArray(everyOp.numParams, 0, 0.6) }) },
  { label: "tanh MLP with biases", make: (g) => { const m = mlp([3, 5, 4, 2]); return { problem: mse(m, 6, g), theta: g.normalArray(m.numParams, 0, 0.5) }; } },
  { label: "ReLU two-layer with bias", make: (g) => { const m = twoLayerBias(4, { activation: "relu" }); return { problem: mse(m, 5, g), theta: g.normalArray(m.numParams, 0, 0.8) }; } },
  {
    label: "deep linear, population loss (identity input)",
    make: (g) => {
      const m = deepLinear([3, 4, 4, 2]);
      const X = g.normalMatrix(3, 20), Y = g.normalMatrix(2, 20);
      return { problem: populationProblem(m, populationStats(X, Y)), theta: g.normalArray(m.numParams, 0, 0.5) };
    },
  },
  { label: "self-attention with sink", make: (g) => { const m = selfAttention({ seqLen: 3, embed: 3, dK: 4, sink: 1 }); return { problem: mse(m, 2, g), theta: g.normalArray(m.numParams, 0, 0.5) }; } },
  {
    label: "transformer (GELU, normalisation), cross-entropy",
    make: (g) => {
      const m = transformer({ vocab: 5, seqLen: 4, dModel: 4, heads: 2, layers: 1 });
      const tokens = [1, 2, 3, 4, 0, 1, 2, 3];
      return { problem: crossEntropyProblem(m, oneHot(tokens, 5), [2, 3, 4, 0, 1, 2, 3, 4]), theta: transformerInit(m, g, { std: 0.3 }) };
    },
  },
];

describe("block products: k directions in one pass", () => {
  it.each(cases)("$label: every column of hvpBlock / functionalHvpBlock equals the single product", ({ make }) => {
    const gen = rng(4242);
    const { problem, theta } = make(gen);
    const p = problem.model.numParams, k = 5;
    const V = gen.normalArray(p * k);
    const HV = hvpBlock(problem, theta, V, k), FV = functionalHvpBlock(problem, theta, V, k);
    for (let j = 0; j < k; j++) {
      const v = V.slice(j * p, (j + 1) * p);
      // rounding only: the block pass does the same operations, some as one stacked product
      expect(relErr(HV.slice(j * p, (j + 1) * p), hvp(problem, theta, v))).toBeLessThan(1e-12);
      expect(relErr(FV.slice(j * p, (j + 1) * p), functionalHvp(problem, theta, v))).toBeLessThan(1e-12);
    }
    // one direction: the block product is the single product
    expect(relErr(hvpBlock(problem, theta, V.subarray(0, p), 1), hvp(problem, theta, V.slice(0, p)))).toBe(0);
  });

  it("dense builders and operators' matmat agree with column-by-column single products", () => {
    const gen = rng(77);
    const model = mlp([4, 6, 3]);
    const problem = mse(model, 7, gen);
    const theta = gen.normalArray(model.numParams, 0, 0.5);
    const p = model.numParams;
    const H = hessian(problem, theta, { symmetrize: false }), Hf = functionalHessian(problem, theta, { symmetrize: false });
    const e = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      e.fill(0);
      e[j] = 1;
      expect(relErr(Float64Array.from(H.getColumn(j)), hvp(problem, theta, e))).toBeLessThan(1e-12);
      expect(relErr(Float64Array.from(Hf.getColumn(j)), functionalHvp(problem, theta, e))).toBeLessThan(1e-12);
    }
    const k = 3, V = gen.normalArray(p * k);
    const a = hessianOperator(problem, theta).matmat!(V, k), b = functionalHessianOperator(problem, theta).matmat!(V, k);
    for (let j = 0; j < k; j++) {
      const v = V.slice(j * p, (j + 1) * p);
      expect(relErr(a.slice(j * p, (j + 1) * p), hvp(problem, theta, v))).toBeLessThan(1e-12);
      expect(relErr(b.slice(j * p, (j + 1) * p), functionalHvp(problem, theta, v))).toBeLessThan(1e-12);
    }
  });

  it("bad blocks are named errors", () => {
    const gen = rng(5);
    const model = mlp([2, 3, 1]);
    const problem = mse(model, 3, gen);
    const theta = gen.normalArray(model.numParams);
    const p = model.numParams;
    expect(() => hvpBlock(problem, theta, new Float64Array(p * 2), 0)).toThrow(/hvpBlock: k must be a positive integer/);
    expect(() => hvpBlock(problem, theta, new Float64Array(p * 2 - 1), 2)).toThrow(new RegExp(`hvpBlock: V must have length ${p} \\* 2`));
    const V = new Float64Array(p * 2);
    V[p + 1] = NaN;
    expect(() => functionalHvpBlock(problem, theta, V, 2)).toThrow(/functionalHvpBlock: V must be finite, entry \d+ \(direction 1\) is NaN/);
  });
});
