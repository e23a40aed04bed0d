import { describe, expect, it } from "vitest";
import { deepLinear, mlp, transformer } from "../../lib/models/index";
import { mseProblem, populationProblem, gradient, crossEntropyProblem, loss } from "../../lib/curvature/index";
import { gradientDescent, sgd, halvingSchedule, divideBy10Schedule, recorder, trainStochastic } from "../../lib/train/index";
import { usiInit, transformerInit } from "../../lib/init/index";
import { alignedData, charTokenize, languageModelBatch } from "../../lib/data/index";
import { rng } from "../../lib/random/rng";
import { populationStats } from "../../lib/data/moments";

describe("training", () => {
  it("gradientDescent performs theta - lr grad exactly and records", () => {
    const gen = rng(41);
    const model = mlp([2, 3, 1], { activation: "tanh", bias: true });
    const X = gen.normalMatrix(2, 6), Y = gen.normalMatrix(1, 6);
    const problem = mseProblem(model, X, Y);
    const theta0 = gen.normalArray(model.numParams);
    const rec = recorder({ every: 1, weights: true });
    const run = gradientDescent(problem, theta0, { lr: 0.1, steps: 3, onStep: rec.onStep });
    expect(run.losses.length).toBe(4);
    expect(rec.records.length).toBe(4);
    let t = Float64Array.from(theta0);
    for (let s = 0; s < 3; s++) {
      const g = gradient(problem, t);
      t = t.map((x, i) => x - 0.1 * g[i]);
      expect(Array.from(rec.records[s + 1].theta!)).toEqual(Array.from(t));
    }
    expect(Array.from(run.theta)).toEqual(Array.from(t));
    expect(theta0[0]).not.toBe(run.theta[0]);
  });

  it("GD on the population loss from USI converges to the aligned solution (loss -> 0 on the rank-r target)", () => {
    const gen = rng(42);
    const widths = [6, 7, 7, 5];
    const init = usiInit(widths, gen, { m0: 0.7, r: 2 });
    const data = alignedData(init.U, init.V, { dStar: 6, r: 2, n: 10 }, gen);
    const problem = populationProblem(deepLinear(widths), data);
    const run = gradientDescent(problem, init.theta, { lr: 0.2, steps: 400 });
    expect(run.losses[run.losses.length - 1]).toBeLessThan(1e-12);
    expect(run.stopped).toBe("steps");
  });

  it("halving schedule halves after a stalled window; divide-by-10 stops below minLr", () => {
    const h = halvingSchedule(1, { window: 3, tol: 1e-3 });
    expect([h.next(10), h.next(5), h.next(4), h.next(3), h.next(3), h.next(3), h.next(3)]).toEqual([1, 1, 1, 1, 1, 1, 0.5]);
    const d = divideBy10Schedule(1e-3, { patience: 2, minLr: 1e-5 });
    const seq = [d.next(1), d.next(1), d.next(1), d.next(1), d.next(1), d.next(1)];
    expect(seq.slice(0, 5)).toEqual([1e-3, 1e-3, 1e-4, 1e-4, 1e-5]);
    expect(seq[5]).toBe(1e-5);
    expect(Number.isNaN(d.next(1))).toBe(true);
    expect(Number.isNaN(d.next(1))).toBe(true);
  });

  it("sgd with momentum and mini-batches reduces the loss on a linear teacher", () => {
    const gen = rng(43);
    const model = deepLinear([3, 4, 2]);
    const X = gen.normalMatrix(3, 64);
    const W = gen.normalMatrix(2, 3);
    const Y = W.mmul(X);
    const run = sgd(model, X, Y, gen.normalArray(model.numParams, 0, 0.5), { epochs: 60, batchSize: 16, lr: 0.05, momentum: 0.9 }, gen);
    expect(run.losses[run.losses.length - 1]).toBeLessThan(1e-3 * run.losses[0]);
    expect(() => sgd(model, X, Y, new Float64Array(20), { epochs: 1, batchSize: 0, lr: 0.1 }, gen)).toThrow(/sgd: batchSize must be a positive integer/);
  });

  it("sgd with epochLoss in population form follows the same trajectory; a loss of another problem is refused by name", () => {
    const gen = rng(46);
    const model = deepLinear([4, 5, 3]);
    const X = gen.normalMatrix(4, 50), Y = gen.normalMatrix(3, 4).mmul(X).add(gen.normalMatrix(3, 50).mul(0.1));
    const theta0 = gen.normalArray(model.numParams, 0, 0.5);
    const opts = { epochs: 25, batchSize: 8, lr: 0.05 };
    const plain = sgd(model, X, Y, theta0, opts, rng(7));
    const pop = sgd(model, X, Y, theta0, { ...opts, epochLoss: populationProblem(model, populationStats(X, Y)) }, rng(7));
    // A constant rate: the epoch loss only records, so the weights are the same numbers and the losses agree to rounding.
    expect(Array.from(pop.theta)).toEqual(Array.from(plain.theta));
    expect(pop.losses.length).toBe(plain.losses.length);
    pop.losses.forEach((l, i) => expect(Math.abs(l - plain.losses[i])).toBeLessThanOrEqual(1e-12 * plain.losses[0]));
    // With the divide-by-10 schedule the loss decides the rate; the two runs still agree.
    const sched = () => divideBy10Schedule(0.05, { patience: 3, tol: 1e-3 });
    const a = sgd(model, X, Y, theta0, { ...opts, lr: sched() }, rng(8));
    const b = sgd(model, X, Y, theta0, { ...opts, lr: sched(), epochLoss: populationProblem(model, populationStats(X, Y)) }, rng(8));
    expect(b.lrs).toEqual(a.lrs);
    const other = deepLinear([4, 6, 3]);
    expect(() => sgd(model, X, Y, theta0, { ...opts, epochLoss: mseProblem(other, X, Y) }, rng(7))).toThrow(/sgd: epochLoss must be a problem of the trained model/);
    expect(() => sgd(model, X, Y, theta0, { ...opts, epochLoss: mseProblem(model, X, Y.clone().mul(2)) }, rng(7))).toThrow(/sgd: epochLoss must be the sample MSE/);
  });

  it("GD with the halving schedule halves (exactly by 2) once the loss plateaus at a nonzero minimum", () => {
    const gen = rng(44);
    const model = deepLinear([3, 3, 2]);
    const X = gen.normalMatrix(3, 10), Y = gen.normalMatrix(2, 10);
    const run = gradientDescent(mseProblem(model, X, Y), gen.normalArray(model.numParams, 0, 0.5), { lr: halvingSchedule(0.1, { window: 20 }), steps: 400 });
    const distinct = [...new Set(run.lrs)];
    expect(distinct.length).toBeGreaterThan(1);
    for (let i = 1; i < distinct.length; i++) expect(distinct[i]).toBe(distinct[i - 1] / 2);
    expect(run.losses[run.losses.length - 1]).toBeLessThan(run.losses[0]);
  });

  it("trainStochastic: AdamW lowers a character-level transformer's loss; SGD matches a hand-written step", () => {
    const gen = rng(45);
    const { chars, tokens } = charTokenize("the quick brown fox jumps over the lazy dog. ".repeat(20));
    const model = transformer({ vocab: chars.length, seqLen: 8, dModel: 8, heads: 2, layers: 1 });
    const theta0 = transformerInit(model, gen);
    const batches = Array.from({ length: 4 }, () => languageModelBatch(tokens, chars.length, 8, 4, gen));
    const batch = (step: number) => crossEntropyProblem(model, batches[step % 4].X, batches[step % 4].labels);
    const before = batches.reduce((s, b, i) => s + loss(batch(i), theta0), 0);
    const run = trainStochastic(theta0, { steps: 60, batch, lr: 0.01, optimizer: "adam" });
    const after = batches.reduce((s, b, i) => s + loss(batch(i), run.theta), 0);
    expect(after).toBeLessThan(0.8 * before);
    const one = trainStochastic(theta0, { steps: 1, batch, lr: 0.1, optimizer: "sgd" });
    const g = gradient(batch(0), theta0);
    expect(Array.from(one.theta)).toEqual(Array.from(theta0, (x, i) => x - 0.1 * g[i]));
  });

  it("a run whose weights overflow stops as diverged (no throw from the next loss evaluation)", () => {
    const gen = rng(45);
    const model = mlp([3, 5, 2], { activation: "tanh", bias: true });
    const X = gen.normalMatrix(3, 40), Y = gen.normalMatrix(2, 40);
    const theta0 = gen.normalArray(model.numParams);
    // One GD step with this rate turns theta into +-Infinity while the loss it started from was finite.
    const gd = gradientDescent(mseProblem(model, X, Y), theta0, { lr: 1e308, steps: 5 });
    expect(gd.stopped).toBe("diverged");
    expect(gd.losses.length).toBe(2);
    expect(Number.isNaN(gd.losses[1])).toBe(true);
    // Inside an SGD epoch the overflow happens between mini-batches, before any full-data loss sees it.
    const run = sgd(model, X, Y, theta0, { epochs: 3, batchSize: 4, lr: 1e308 }, gen);
    expect(run.stopped).toBe("diverged");
    expect(Number.isNaN(run.losses[run.losses.length - 1])).toBe(true);
    const st = trainStochastic(theta0, { steps: 4, batch: () => mseProblem(model, X, Y), lr: 1e308 });
    expect(st.stopped).toBe("diverged");
  });
});
