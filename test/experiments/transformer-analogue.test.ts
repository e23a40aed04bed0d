// The Transformer analogue of Cracking the Hessian's GPT-2 studies (Figures 5, 6, 23-25): corpus, matched
// model sizes, residual norms, top eigenvalues against dense eigh, the attention re-evaluation against the
// model's forward pass, and the seed statistics.
import { describe, expect, it } from "vitest";
import {
  analogueCorpus, analogueModel, analogueSweep, attentionOnFirstToken, binnedCurve, checkpointSteps, compareCurves, corpusProblem,
  curveByStep, geometricEdges, lossAndResidual, matchedMlpWidth, meanAndStandardError, ranks, sinkSpectra, spearman, topCurvature,
  AnalogueRecord,
} from "../../lib/experiments/transformer-analogue";
import { crossEntropyProblem, gaussNewton, hessian, outputs } from "../../lib/curvature";
import { languageModelBatch } from "../../lib/data";
import { transformerInit } from "../../lib/init";
import { eigh } from "../../lib/linalg/eigh";
import { rng } from "../../lib/random/rng";

const TEXT = "The GNU General Public License is a free, copyleft license for software and other kinds of works.\n\n" +
  "  Copyright (C) 2007 Free Software Foundation, Inc. Everyone is permitted to copy and distribute verbatim copies.";
const corpus = analogueCorpus(TEXT);
const tiny = { seqLen: 4, dModel: 4, heads: 2, layers: 1, mlpWidth: 6 };

describe("corpus and models", () => {
  it("maps the text to lower case, single spaces, a-z . , and #", () => {
    expect(corpus.chars.every((c) => /^[a-z .,#]$/.test(c))).toBe(true);
    expect(corpus.vocab).toBe(corpus.chars.length);
    const back = Array.from(corpus.tokens, (t) => corpus.chars[t]).join("");
    expect(back.startsWith("the gnu general public license is a free, copyleft license")).toBe(true);
    expect(back).toContain("works. copyright #c# #### free");
    expect(() => analogueCorpus("a")).toThrow(/analogueCorpus: text must hold at least 2 characters/);
  });

  it("the attention-free model's width matches the parameter count as closely as any width can", () => {
    for (const arch of [tiny, { seqLen: 8, dModel: 8, heads: 2, layers: 2 }]) {
      const m = matchedMlpWidth(corpus.vocab, arch);
      const pA = analogueModel(corpus.vocab, arch, true).numParams;
      const p = (w: number) => analogueModel(corpus.vocab, { ...arch, mlpWidth: w }, false).numParams;
      // p is linear in the width with slope 2 layers (2 d + 1): the best width is within half a slope
      expect(Math.abs(analogueModel(corpus.vocab, arch, false).numParams - pA)).toBeLessThanOrEqual(arch.layers * (2 * arch.dModel + 1));
      expect(Math.abs(p(m) - pA)).toBeLessThanOrEqual(Math.min(Math.abs(p(m - 1) - pA), Math.abs(p(m + 1) - pA)));
    }
    expect(() => analogueModel(corpus.vocab, tiny, false, 1)).toThrow(/analogueModel: a sink needs attention/);
  });
});

describe("measurements", () => {
  const gen = rng(501);
  const model = analogueModel(corpus.vocab, tiny, true, 0.5);
  const theta = transformerInit(model, gen, { std: 0.4 });
  const problem = corpusProblem(model, corpus, tiny.seqLen, 2, gen);

  it("loss and mean residual norm from the logits directly", () => {
    const { X, labels } = languageModelBatch(corpus.tokens, corpus.vocab, tiny.seqLen, 3, rng(9));
    const pr = crossEntropyProblem(model, X, labels);
    const F = outputs(pr, theta);
    const n = F.columns;
    let lossSum = 0, resSum = 0;
    for (let i = 0; i < n; i++) {
      const col = F.getColumn(i);
      const mx = Math.max(...col);
      const z = col.reduce((s, v) => s + Math.exp(v - mx), 0);
      lossSum += mx + Math.log(z) - col[labels[i]];
      resSum += Math.sqrt(col.reduce((s, v, c) => s + (Math.exp(v - mx) / z - (c === labels[i] ? 1 : 0)) ** 2, 0));
    }
    const r = lossAndResidual(pr, theta);
    expect(Math.abs(r.loss - lossSum / n)).toBeLessThan(1e-13);
    expect(Math.abs(r.residual - resSum / n)).toBeLessThan(1e-13);
  });

  it("top Hessian and GGN eigenvalues by Lanczos equal dense eigh's", () => {
    const top = topCurvature(problem, theta, gen, { tol: 1e-10, basisSize: 40 });
    const h = eigh(hessian(problem, theta)).values, g = eigh(gaussNewton(problem, theta)).values;
    const lh = h[h.length - 1], lg = g[g.length - 1];
    expect(top.converged).toBe(true);
    expect(Math.abs(top.hessian - lh)).toBeLessThan(1e-9 * Math.abs(lh));
    expect(Math.abs(top.ggn - lg)).toBeLessThan(1e-9 * Math.abs(lg));
    expect(Math.abs(top.relErr - Math.abs(lh - lg) / Math.abs(lh))).toBeLessThan(1e-8);
  });

  it("the attention re-evaluation reproduces the model's logits; a huge sink puts all attention on token 1", () => {
    const { X } = languageModelBatch(corpus.tokens, corpus.vocab, tiny.seqLen, 3, rng(8));
    for (const sink of [0, 0.5, 3]) {
      const m = analogueModel(corpus.vocab, tiny, true, sink);
      const a = attentionOnFirstToken(corpus.vocab, tiny, sink, theta, X);
      const F = m.forward(theta, X);
      let worst = 0, scale = 0;
      for (let i = 0; i < F.rows; i++) for (let j = 0; j < F.columns; j++) { worst = Math.max(worst, Math.abs(F.get(i, j) - a.logits.get(i, j))); scale = Math.max(scale, Math.abs(F.get(i, j))); }
      expect(worst).toBeLessThan(1e-12 * scale);
      expect(a.perHead.length).toBe(1);
      expect(a.perHead[0].length).toBe(2);
    }
    const weak = attentionOnFirstToken(corpus.vocab, tiny, 0, theta, X).mean;
    const strong = attentionOnFirstToken(corpus.vocab, tiny, 40, theta, X).mean;
    expect(strong).toBeGreaterThan(1 - 1e-12);
    expect(weak).toBeLessThan(0.9);
  });
});

describe("training sweep and statistics", () => {
  it("a tiny sweep records every checkpoint for both models with the same samples; training lowers the loss", () => {
    const training = { steps: 30, batch: 2, lr: 3e-2, evalSequences: 2, checkpoints: checkpointSteps(30, 4), lanczos: { tol: 1e-8 } };
    const sweep = analogueSweep(corpus, tiny, training, 2, rng(502));
    expect(sweep.attention.length).toBe(2);
    for (const run of [...sweep.attention, ...sweep.noAttention]) {
      expect(run.records.map((r) => r.step)).toEqual(training.checkpoints);
      expect(run.records.every((r) => r.converged && r.relErr >= 0 && Number.isFinite(r.relErr))).toBe(true);
      expect(run.trainLosses.length).toBe(30);
    }
    // same windows: the losses at initialisation are close (both near log(vocab) at GPT-2 init)
    for (let s = 0; s < 2; s++) {
      expect(Math.abs(sweep.attention[s].records[0].loss - Math.log(corpus.vocab))).toBeLessThan(0.05);
      expect(Math.abs(sweep.noAttention[s].records[0].loss - Math.log(corpus.vocab))).toBeLessThan(0.05);
      const tl = sweep.attention[s].trainLosses;
      expect(tl.slice(-5).reduce((a, b) => a + b, 0) / 5).toBeLessThan(tl[0]);
    }
    const c = curveByStep(sweep.attention.map((r) => r.records), (r) => r.loss);
    expect(c.x).toEqual(training.checkpoints);
    expect(c.seeds.every((s) => s === 2)).toBe(true);
  });

  it("sink spectra: Lanczos top values match dense eigh, SLQ weights sum to one", () => {
    const gen = rng(503);
    const model = analogueModel(corpus.vocab, tiny, true);
    const theta = transformerInit(model, gen, { std: 0.3 });
    const { X, labels } = languageModelBatch(corpus.tokens, corpus.vocab, tiny.seqLen, 2, gen);
    const spectra = sinkSpectra(corpus.vocab, tiny, theta, X, labels, [0, 2], gen, { k: 3, probes: 1, steps: 10 });
    for (const s of spectra) {
      const dense = eigh(hessian(crossEntropyProblem(analogueModel(corpus.vocab, tiny, true, s.sink), X, labels), theta)).values;
      for (let i = 0; i < 3; i++) expect(Math.abs(s.top[i] - dense[dense.length - 1 - i])).toBeLessThan(1e-7 * dense[dense.length - 1]);
      expect(Math.abs(s.slq.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    }
    expect(spectra[1].attentionFirst).toBeGreaterThan(spectra[0].attentionFirst);
  });

  it("checkpoints, binning, ordering, ranks", () => {
    expect(checkpointSteps(200, 8)).toEqual([0, 5, 9, 17, 32, 58, 108, 200]);
    expect(checkpointSteps(3, 2)).toEqual([0, 3]);
    const ms = meanAndStandardError([1, 2, 3]);
    expect(ms.mean).toBe(2);
    expect(Math.abs(ms.se - 1 / Math.sqrt(3))).toBeLessThan(1e-15);
    expect(meanAndStandardError([5]).se).toBe(0);
    const rec = (x: number, y: number) => ({ step: 0, loss: x, residual: x, relErr: y, hessian: 1, ggn: 1, matvecs: 0, converged: true }) as AnalogueRecord;
    const edges = geometricEdges(1, 8, 3); // [1, 2, 4, 8]
    expect(edges.map((e) => Math.round(e * 1e12) / 1e12)).toEqual([1, 2, 4, 8]);
    const a = binnedCurve([[rec(1, 1), rec(1.5, 3), rec(3, 5)], [rec(1.2, 4), rec(8, 7)]], (r) => r.residual, (r) => r.relErr, edges);
    expect(a.mean[0]).toBe(3); // seed 0: mean(1, 3) = 2, seed 1: 4
    expect(a.seeds).toEqual([2, 1, 1]);
    expect(a.mean[2]).toBe(7); // the last bin includes its right edge
    const b = binnedCurve([[rec(1.1, 2.5), rec(5, 8)]], (r) => r.residual, (r) => r.relErr, edges);
    const o = compareCurves(a, b);
    expect(o).toEqual({ matched: 2, aLarger: 1, fraction: 0.5, indices: [0, 2] });
    expect(compareCurves(a, b, 2).matched).toBe(0);
    expect(ranks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
    expect(spearman([1, 2, 3, 4, 5], [2, 4, 8, 16, 100])).toBeCloseTo(1, 14);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 14);
  });
});
