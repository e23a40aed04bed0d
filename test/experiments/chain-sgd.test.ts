import { describe, expect, it } from "vitest";
import { chainSgd } from "../../lib/experiments/chain-sgd";
import { buildModel, chainOf, initNet, taskProblem, teacherTask, trainNet, NetSpec } from "../../lib/experiments/norm-correlation";
import { mseProblem } from "../../lib/curvature/index";
import { divideBy10Schedule, sgd } from "../../lib/train/index";
import { rng } from "../../lib/random/rng";

// chainSgd is lib/train's sgd (no momentum) with the chain's forward and backward pass written out: the same
// shuffles, batches and schedule, so the same iterates up to the rounding of reordered products.
const maxRel = (a: Float64Array | number[], b: Float64Array | number[]) => {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return d / s;
};

function setup(spec: NetSpec, n: number, seed: number) {
  const model = buildModel(spec);
  const task = teacherTask(spec.activation, spec.D, spec.K, n, rng(seed));
  const problem = taskProblem(model, task);
  return { model, task, problem, ...initNet(model, spec, rng(seed + 1)) };
}

describe("chainSgd", () => {
  const specs: NetSpec[] = [
    { activation: "linear", D: 4, K: 4, width: 9, depth: 2, param: "NTP" },
    { activation: "linear", D: 3, K: 2, width: 6, depth: 4, param: "muP", mup: "spectral" },
    { activation: "relu", D: 2, K: 3, width: 8, depth: 3, param: "SP" },
    { activation: "relu", D: 5, K: 5, width: 7, depth: 2, param: "NTP" },
  ];
  for (const spec of specs) {
    it(`follows sgd's iterates: ${spec.activation}, depth ${spec.depth}, ${spec.param} (n = 300, batches of 128: the last one smaller)`, () => {
      const { model, task, problem, theta, lrScale } = setup(spec, 300, 11);
      const options = () => ({ epochs: 40, batchSize: 128, lr: divideBy10Schedule(0.02, { patience: 3, tol: 1e-3, minLr: 1e-5 }), lrScale, epochLoss: problem });
      const a = sgd(model, task.X, task.Y, theta, options(), rng(3));
      const b = chainSgd(chainOf(spec), model, task.X, task.Y, theta, options(), rng(3));
      expect(b.stopped).toBe(a.stopped);
      expect(b.lrs).toEqual(a.lrs);
      expect(b.losses.length).toBe(a.losses.length);
      expect(maxRel(b.losses, a.losses)).toBeLessThan(1e-12);
      expect(maxRel(b.theta, a.theta)).toBeLessThan(1e-12);
      expect(b.losses.at(-1)!).toBeLessThan(b.losses[0]);
    });
  }

  it("takes a batch larger than the sample as full-batch, like sgd (its buffers hold one batch)", () => {
    const spec = specs[2];
    const { model, task, problem, theta, lrScale } = setup(spec, 50, 13);
    const options = () => ({ epochs: 20, batchSize: 500, lr: divideBy10Schedule(0.05), lrScale, epochLoss: problem });
    const a = sgd(model, task.X, task.Y, theta, options(), rng(4));
    const b = chainSgd(chainOf(spec), model, task.X, task.Y, theta, options(), rng(4));
    expect(b.losses.length).toBe(a.losses.length);
    expect(maxRel(b.theta, a.theta)).toBeLessThan(1e-12);
  });

  it("stops as diverged, like sgd, when the weights overflow inside an epoch", () => {
    const spec = specs[0];
    const { model, task, problem, theta, lrScale } = setup(spec, 200, 5);
    const options = () => ({ epochs: 10, batchSize: 32, lr: divideBy10Schedule(1e4), lrScale, epochLoss: problem });
    const a = sgd(model, task.X, task.Y, theta, options(), rng(1));
    const b = chainSgd(chainOf(spec), model, task.X, task.Y, theta, options(), rng(1));
    expect(a.stopped).toBe("diverged");
    expect(b.stopped).toBe("diverged");
    expect(b.losses.length).toBe(a.losses.length);
    expect(Number.isNaN(b.losses.at(-1))).toBe(true);
  });

  it("gives trainNet the same outcome as the generic loop, restarts included", () => {
    const spec = specs[3];
    const { model, task, problem, theta, lrScale } = setup(spec, 256, 21);
    // lr 1e4 overflows the weights within the first epoch; the restart at 1e4 / 1e5 trains.
    const train = { optimizer: "sgd" as const, batchSize: 32, lr0: 1e4, patience: 5, tol: 1e-4, minLr: 1e-4, maxEpochs: 15, restarts: 2, restartFactor: 1e5 };
    const a = trainNet(model, problem, task, theta, lrScale, train, rng(2));
    const b = trainNet(model, problem, task, theta, lrScale, train, rng(2), chainOf(spec));
    expect(b.lr0).toBe(a.lr0);
    expect(b.lr0).toBeCloseTo(0.1, 15);
    expect(b.loss).toBeLessThan(b.loss0);
    expect(b.epochs).toBe(a.epochs);
    expect(b.stopped).toBe(a.stopped);
    expect(Math.abs(b.loss - a.loss) / a.loss).toBeLessThan(1e-12);
  });

  it("refuses a chain that is not the model's, an epoch loss of other data, and bad options, by name", () => {
    const spec = specs[0];
    const { model, task, problem, theta, lrScale } = setup(spec, 64, 7);
    const run = (net = chainOf(spec), o: Partial<Parameters<typeof chainSgd>[5]> = {}) =>
      chainSgd(net, model, task.X, task.Y, theta, { epochs: 2, batchSize: 16, lr: divideBy10Schedule(0.01), lrScale, epochLoss: problem, ...o }, rng(1));
    expect(() => run({ ...chainOf(spec), widths: [4, 8, 4] })).toThrow(/chainSgd: net \(widths 4-8-4, 64 parameters\) does not describe the model/);
    // NTP multipliers dropped: the shapes agree, the function does not.
    expect(() => run({ ...chainOf(spec), multipliers: [1, 1] })).toThrow(/chainSgd: epochLoss must be the sample MSE of this chain on \(X, Y\)/);
    expect(() => run({ ...chainOf(spec), relu: true })).toThrow(/chainSgd: epochLoss must be the sample MSE/);
    const other = teacherTask("linear", 4, 4, 64, rng(99));
    expect(() => run(undefined, { epochLoss: mseProblem(model, other.X, other.Y) })).toThrow(/chainSgd: epochLoss must be the sample MSE/);
    // the check runs in slices of the batch size: a last slice smaller than the rest is checked too
    expect(() => run(undefined, { batchSize: 60, epochLoss: mseProblem(model, other.X, other.Y) })).toThrow(/chainSgd: epochLoss must be the sample MSE/);
    expect(() => run({ ...chainOf(spec), multipliers: [0.5] })).toThrow(/chainSgd: net.multipliers must hold 2 finite non-zero numbers/);
    expect(() => run(undefined, { batchSize: 0 })).toThrow(/chainSgd: batchSize must be a positive integer, got 0/);
    expect(() => run(undefined, { epochs: -1 })).toThrow(/chainSgd: epochs must be a non-negative integer, got -1/);
    expect(() => run(undefined, { lrScale: new Float64Array(3) })).toThrow(/chainSgd: lrScale must have length 72, got 3/);
  });
});
