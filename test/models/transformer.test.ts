import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { transformer, mlp } from "../../lib/models/index";
import { crossEntropyProblem, loss, gaussNewton, outputs } from "../../lib/curvature/index";
import { gelu, rsqrt } from "../../lib/autodiff/tape";
import { transformerInit } from "../../lib/init/index";
import { loadTextCorpus, charTokenize, languageModelBatch } from "../../lib/data/index";
import { rng } from "../../lib/random/rng";
import { finiteDifferenceErrors, hvpAsymmetry, denseErrors, eigenvaluesDesc, expectExactCurvature } from "../curvature/helpers";

function oneHotTokens(tokens: number[], vocab: number): Matrix {
  const X = new Matrix(vocab, tokens.length);
  tokens.forEach((t, j) => X.set(t, j, 1));
  return X;
}

describe("scalar functions of the tape", () => {
  it("gelu and rsqrt: first and second derivatives match central differences", () => {
    for (const fn of [gelu, rsqrt]) {
      for (const x of [0.3, 1.7, 2.5]) {
        // fourth-order central differences, relative error
        const h = 1e-4;
        const d = (g: (y: number) => number) => (8 * (g(x + h) - g(x - h)) - (g(x + 2 * h) - g(x - 2 * h))) / (12 * h);
        expect(Math.abs(d(fn.f) - fn.df(x))).toBeLessThan(1e-9 * Math.abs(fn.df(x)));
        expect(Math.abs(d(fn.df) - fn.d2f(x))).toBeLessThan(1e-9 * Math.abs(fn.d2f(x)));
      }
    }
    expect(gelu.f(0)).toBe(0);
    expect(Math.abs(gelu.f(3) - 2.9963627)).toBeLessThan(1e-6); // GPT-2's gelu_new at 3
  });
});

describe("cross-entropy problem", () => {
  it("value, exact gradient/HVP, GGN positive semidefinite", () => {
    const gen = rng(91);
    const model = mlp([3, 5, 4], { activation: "tanh", bias: true });
    const X = gen.normalMatrix(3, 6);
    const labels = [0, 3, 1, 2, 3, 0];
    const problem = crossEntropyProblem(model, X, labels);
    const theta = gen.normalArray(model.numParams, 0, 0.8);
    const F = outputs(problem, theta);
    let direct = 0;
    for (let i = 0; i < 6; i++) {
      const col = F.getColumn(i);
      const mx = Math.max(...col);
      direct += mx + Math.log(col.reduce((s, x) => s + Math.exp(x - mx), 0)) - col[labels[i]];
    }
    expect(Math.abs(loss(problem, theta) - direct / 6)).toBeLessThan(1e-14);
    const fd = finiteDifferenceErrors(problem, theta, gen);
    expect(fd.grad).toBeLessThan(1e-6);
    expect(fd.hvp).toBeLessThan(1e-6);
    expect(hvpAsymmetry(problem, theta, gen)).toBeLessThan(1e-12);
    const dense = denseErrors(problem, theta, gen);
    expect(dense.split).toBeLessThan(1e-12);
    const ev = eigenvaluesDesc(gaussNewton(problem, theta));
    expect(ev[ev.length - 1]).toBeGreaterThan(-1e-14 * ev[0]);
    expect(() => crossEntropyProblem(model, X, [0, 1])).toThrow(/crossEntropyProblem: labels must have n = 6 entries/);
    expect(() => crossEntropyProblem(model, X, [0, 1, 2, 3, 4, 0])).toThrow(/crossEntropyProblem: labels\[4\] must be an integer in \[0, 4\)/);
  });
});

describe("transformer", () => {
  const configs = [
    { label: "2 heads, sink", opts: { vocab: 5, seqLen: 3, dModel: 4, heads: 2, layers: 1, mlpWidth: 6, sink: 0.7 } },
    { label: "no attention, 2 layers", opts: { vocab: 4, seqLen: 3, dModel: 4, layers: 2, mlpWidth: 5, attention: false } },
  ];
  for (const { label, opts } of configs) {
    it(`${label}: exact gradient and HVP (central differences), symmetry, dense H = its columns, split`, () => {
      const gen = rng(92);
      const model = transformer(opts);
      const B = 2;
      const tokens = Array.from({ length: opts.seqLen * B }, () => gen.int(opts.vocab));
      const labels = Array.from({ length: opts.seqLen * B }, () => gen.int(opts.vocab));
      const problem = crossEntropyProblem(model, oneHotTokens(tokens, opts.vocab), labels);
      const theta = transformerInit(model, gen, { std: 0.5 });
      // move LayerNorm parameters off their initial 1 / 0 so every term is exercised
      for (let i = 0; i < theta.length; i++) theta[i] += gen.normal(0, 0.1);
      expectExactCurvature(problem, theta, gen, 1e-3, false);
    });
  }

  it("is causal: changing token t changes no logits before t; sequences do not interact", () => {
    const gen = rng(93);
    const model = transformer({ vocab: 6, seqLen: 4, dModel: 8, heads: 2, layers: 2 });
    const theta = transformerInit(model, gen, { std: 0.3 });
    const a = [1, 2, 3, 4, 5, 0, 1, 2];
    const b = a.slice();
    b[2] = 0; // token 2 of sequence 0
    const Fa = model.forward(theta, oneHotTokens(a, 6)), Fb = model.forward(theta, oneHotTokens(b, 6));
    for (let t = 0; t < 8; t++) {
      let diff = 0;
      for (let r = 0; r < 6; r++) diff = Math.max(diff, Math.abs(Fa.get(r, t) - Fb.get(r, t)));
      if (t < 2 || t >= 4) expect(diff).toBe(0);
      else expect(diff).toBeGreaterThan(1e-6);
    }
    expect(() => model.forward(theta, new Matrix(6, 5))).toThrow(/transformer: X must have a multiple of seqLen = 4 columns/);
    expect(() => transformer({ vocab: 3, seqLen: 2, dModel: 5, heads: 2 })).toThrow(/transformer: heads \(2\) must divide dModel \(5\)/);
  });

  it("character-level batches from the offline corpus: labels are the next characters", () => {
    const text = loadTextCorpus();
    expect(text.length).toBeGreaterThan(100000);
    const { chars, tokens } = charTokenize(text.slice(0, 5000));
    expect(tokens.length).toBe(5000);
    expect(chars.join("").length).toBe(chars.length);
    const { X, labels, starts } = languageModelBatch(tokens, chars.length, 8, 3, rng(94));
    expect([X.rows, X.columns]).toEqual([chars.length, 24]);
    for (let b = 0; b < 3; b++) for (let t = 0; t < 8; t++) {
      expect(X.get(tokens[starts[b] + t], b * 8 + t)).toBe(1);
      expect(labels[b * 8 + t]).toBe(tokens[starts[b] + t + 1]);
    }
    expect(() => loadTextCorpus(["/nonexistent/file.txt"])).toThrow(/loadTextCorpus: file not found: \/nonexistent\/file.txt/);
  });
});
