import { describe, expect, it } from "vitest";
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import {
  alignments, bestOverMatrices, buildModel, depthSeries, hessianTrace, orderingMargin, leastSquaresFloor, initNet, knockedOut, pearson, runStudy, sharpness, squaredNorms,
  singularValues, taskProblem, teacherTask, topEigenvalue, trainNet, twoLayerLinearTrace, weightMatrices, NetSpec,
} from "../../lib/experiments/norm-correlation";
import { hessian, hvp, loss, mseProblem } from "../../lib/curvature/index";
import { eigh } from "../../lib/linalg/eigh";
import { denseOperator } from "../../lib/linalg/operator";
import { rng } from "../../lib/random/rng";
import { haarOrthogonal } from "../../lib/linalg/haar";

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe("pearson", () => {
  it("matches a hand-computed case, with the Fisher-z interval", () => {
    // x = 1..4, y = (2, 4, 5, 4): sxy = 3.5, sxx = 5, syy = 4.75, so r = 3.5 / sqrt(23.75).
    const c = pearson([1, 2, 3, 4], [2, 4, 5, 4]);
    const r = 3.5 / Math.sqrt(23.75);
    expect(c.r).toBeCloseTo(r, 14);
    expect(c.lo).toBeCloseTo(Math.tanh(Math.atanh(r) - 1.959963984540054), 12);
    expect(c.hi).toBeCloseTo(Math.tanh(Math.atanh(r) + 1.959963984540054), 12);
    expect(c.N).toBe(4);
  });
  it("is +-1 for exact linear relations and invariant to positive scaling", () => {
    expect(pearson([1, 2, 3, 5], [3, 5, 7, 11]).r).toBeCloseTo(1, 14);
    expect(pearson([1, 2, 3, 5], [-1, -2, -3, -5]).r).toBeCloseTo(-1, 14);
    const x = [0.3, 1.2, -0.7, 2.2, 0.1], y = [1, 0.2, -0.3, 1.5, 0.9];
    expect(pearson(x.map((v) => 7 * v), y).r).toBeCloseTo(pearson(x, y).r, 13);
  });
  it("rejects bad input with a named message", () => {
    expect(() => pearson([1, 2, 3], [1, 2, 3])).toThrow(/pearson: need at least 4/);
    expect(() => pearson([1, 1, 1, 1], [1, 2, 3, 4])).toThrow(/pearson: x is constant/);
    expect(() => pearson([1, 2, NaN, 4], [1, 2, 3, 4])).toThrow(/not finite/);
  });
});

describe("norms and products", () => {
  const gen = rng(7);
  it("singular values and squared norms agree with ml-matrix's SVD and with eigh of the Gram matrix", () => {
    for (const [r, c] of [[5, 3], [3, 5], [6, 6], [1, 7], [7, 1]]) {
      const W = gen.normalMatrix(r, c);
      const ref = new SingularValueDecomposition(W, { autoTranspose: true }).diagonal.slice().sort((a, b) => b - a);
      const s = singularValues(W);
      for (let i = 0; i < s.length; i++) expect(Math.abs(s[i] - ref[i])).toBeLessThan(1e-7 * ref[0]);
      const n = squaredNorms(W);
      expect(relErr(n.spectral2, ref[0] ** 2)).toBeLessThan(1e-12);
      expect(relErr(n.frobenius2, ref.reduce((a, v) => a + v * v, 0))).toBeLessThan(1e-12);
      expect(relErr(n.nuclear2, ref.reduce((a, v) => a + v, 0) ** 2)).toBeLessThan(1e-7);
      const top = eigh(W.transpose().mmul(W)).values;
      expect(relErr(n.spectral2, top[top.length - 1])).toBeLessThan(1e-12);
    }
  });
  it("for a vector all three squared norms are the squared Euclidean norm", () => {
    const v = gen.normalMatrix(9, 1);
    const n = squaredNorms(v);
    expect(relErr(n.spectral2, n.frobenius2)).toBeLessThan(1e-14);
    expect(relErr(n.nuclear2, n.frobenius2)).toBeLessThan(1e-14);
  });
  it("knocked-out products: B = 2 gives the other matrix, B = 3 the products of the rest", () => {
    const W1 = gen.normalMatrix(4, 2), W2 = gen.normalMatrix(4, 4), W3 = gen.normalMatrix(2, 4);
    expect(knockedOut([W1, W3], 1).to2DArray()).toEqual(W3.to2DArray());
    expect(knockedOut([W1, W3], 2).to2DArray()).toEqual(W1.to2DArray());
    const W = [W1, W2, W3];
    const diff = (A: Matrix, B: Matrix) => Math.max(...Matrix.sub(A, B).abs().to1DArray());
    expect(diff(knockedOut(W, 1), W3.mmul(W2))).toBeLessThan(1e-14);
    expect(diff(knockedOut(W, 2), W3.mmul(W1))).toBeLessThan(1e-14);
    expect(diff(knockedOut(W, 3), W2.mmul(W1))).toBeLessThan(1e-14);
    expect(() => knockedOut(W, 4)).toThrow(/knockedOut: b must be in 1..3/);
  });
  it("alignments reduce to |<w, v>| for vectors", () => {
    const v = gen.normalMatrix(6, 1), w = gen.normalMatrix(1, 6);
    const ip = w.mmul(v).get(0, 0);
    const a = alignments(v, w);
    expect(a.frobenius).toBeCloseTo(Math.abs(ip), 13);
    expect(a.spectral).toBeCloseTo(Math.abs(ip), 13);
    expect(a.nuclear).toBeCloseTo(Math.abs(ip), 13);
  });
});

describe("problems, sharpness and trace", () => {
  const gen = rng(11);
  const spec: NetSpec = { activation: "linear", D: 3, K: 3, width: 5, depth: 2, param: "SP" };
  it("the population form of a linear net's loss is the sample MSE (value and HVP)", () => {
    for (const param of ["SP", "NTP", "muP"] as const) {
      const s = { ...spec, param, depth: 3 };
      const model = buildModel(s);
      const task = teacherTask("linear", 3, 3, 50, gen);
      const pop = taskProblem(model, task);
      const mse = mseProblem(model, task.X, task.Y);
      const { theta } = initNet(model, s, gen);
      expect(relErr(loss(pop, theta), loss(mse, theta))).toBeLessThan(1e-12);
      const v = gen.normalArray(model.numParams);
      const a = hvp(pop, theta, v), b = hvp(mse, theta, v);
      let num = 0, den = 0;
      for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
      expect(num / den).toBeLessThan(1e-12);
    }
  });
  it("sharpness by Lanczos equals the top eigenvalue of the dense exact Hessian (linear and ReLU)", () => {
    for (const s of [spec, { ...spec, activation: "relu" as const, depth: 3 }, { ...spec, param: "NTP" as const }]) {
      const model = buildModel(s);
      const task = teacherTask(s.activation, 3, 3, 40, gen);
      const problem = taskProblem(model, task);
      const { theta } = initNet(model, s, gen);
      const dense = eigh(hessian(problem, theta)).values;
      const sh = sharpness(problem, theta, gen);
      expect(relErr(sh.value, dense[dense.length - 1])).toBeLessThan(1e-10);
      expect(sh.residual).toBeLessThan(1e-9);
    }
  });
  it("topEigenvalue finds the largest algebraic eigenvalue even when a negative one is larger in magnitude", () => {
    const Q = haarOrthogonal(gen, 30);
    const d = Array.from({ length: 30 }, (_, i) => (i === 0 ? -50 : i === 1 ? 7 : Math.sin(i)));
    const A = Q.mmul(Matrix.diag(d)).mmul(Q.transpose());
    expect(topEigenvalue(denseOperator(A, { symmetryTolerance: 1e-8 }), gen).value).toBeCloseTo(7, 9);
  });
  it("Hessian trace: p unit-vector HVPs equal the dense trace and the two-layer closed form", () => {
    for (const param of ["SP", "NTP"] as const) {
      const s = { ...spec, param };
      const model = buildModel(s);
      const task = teacherTask("linear", 3, 3, 40, gen);
      const problem = taskProblem(model, task);
      const { theta } = initNet(model, s, gen);
      const H = hessian(problem, theta);
      let tr = 0;
      for (let i = 0; i < H.rows; i++) tr += H.get(i, i);
      expect(relErr(hessianTrace(problem, theta), tr)).toBeLessThan(1e-12);
      const [W1, W2] = weightMatrices(model, theta);
      const c = param === "NTP" ? 1 / Math.sqrt(3 * 5) : 1;
      expect(relErr(twoLayerLinearTrace(W1, W2, task.X, c), tr)).toBeLessThan(1e-12);
    }
  });
});

describe("runStudy options", () => {
  it("closed-form trace agrees with the exact trace on the nets where both are computed; depthSeries has one series per depth", () => {
    const base = { activation: "linear" as const, D: 2, K: 2, width: 4, depth: 2, param: "NTP" as const, nets: 4, n: 32,
      train: { optimizer: "gd" as const, lr0: 0.05, patience: 5, tol: 1e-4, minLr: 1e-4, maxEpochs: 50 } };
    const st = runStudy({ ...base, trace: "closed", exactTraceNets: 2 }, rng(5));
    const both = st.nets.flatMap((r) => [r.init, r.trained]).filter((x) => x.traceExact !== undefined);
    expect(both.length).toBe(4);
    for (const x of both) expect(relErr(x.trace!, x.traceExact!)).toBeLessThan(1e-12);
    expect(() => runStudy({ ...base, activation: "relu", trace: "closed" }, rng(5))).toThrow(/two-layer linear/);
    const deep = [2, 3].map((depth) => runStudy({ ...base, depth }, rng(6)));
    const series = depthSeries(deep, "trained", (x, b) => x.norms[b - 1].spectral2);
    expect(series.map((s) => s.x)).toEqual([[1, 2], [1, 2, 3]]);
    expect(orderingMargin(deep[1], "trained", "spectral2")).toBeCloseTo(
      bestOverMatrices(deep[1], "trained", "spectral2").r - Math.max(bestOverMatrices(deep[1], "trained", "frobenius2").r, bestOverMatrices(deep[1], "trained", "nuclear2").r), 14);
  });
});

describe("training and a small study", () => {
  // A two-layer linear SP net (D = K = 2, width 8) on 256 teacher samples, drawn from rng(seed) in this order.
  const smallNet = (seed: number) => {
    const gen = rng(seed);
    const s: NetSpec = { activation: "linear", D: 2, K: 2, width: 8, depth: 2, param: "SP" };
    const model = buildModel(s);
    const task = teacherTask("linear", 2, 2, 256, gen);
    const problem = taskProblem(model, task);
    return { gen, s, model, task, problem, ...initNet(model, s, gen) };
  };

  it("trainNet reaches the noise floor of a linear teacher and runStudy is deterministic", () => {
    const { gen, s, model, task, problem, theta, lrScale } = smallNet(3);
    const out = trainNet(model, problem, task, theta, lrScale, { optimizer: "gd", lr0: 0.05, patience: 10, tol: 1e-6, minLr: 1e-5, maxEpochs: 20000 }, gen);
    // Least-squares floor: the loss of the best linear map W = Syx Sxx^-1.
    const X = task.X, Y = task.Y, n = X.columns;
    const Sxx = X.mmul(X.transpose()).div(n), Syx = Y.mmul(X.transpose()).div(n);
    const Wls = Syx.mmul(new SingularValueDecomposition(Sxx).inverse());
    const R = Matrix.sub(Wls.mmul(X), Y);
    const floor = R.to1DArray().reduce((a, v) => a + v * v, 0) / (2 * n);
    expect(relErr(leastSquaresFloor(task), floor)).toBeLessThan(1e-10);
    expect(out.loss).toBeGreaterThanOrEqual(floor * (1 - 1e-12));
    expect(out.loss).toBeLessThan(floor * 1.001);
    // The paper-scale path: mini-batch SGD with the divide-by-10 schedule also lowers the loss.
    const viaSgd = trainNet(model, problem, task, theta, lrScale, { optimizer: "sgd", batchSize: 128, lr0: 0.01, patience: 5, tol: 1e-4, minLr: 1e-4, maxEpochs: 30 }, gen);
    expect(viaSgd.loss).toBeLessThan(viaSgd.loss0);
    expect(viaSgd.epochs).toBeLessThanOrEqual(30);
    const cfg = { ...s, nets: 5, n: 64, train: { optimizer: "gd" as const, lr0: 0.05, patience: 5, tol: 1e-4, minLr: 1e-4, maxEpochs: 200 } };
    const a = runStudy(cfg, rng(9)), b = runStudy(cfg, rng(9));
    expect(a.nets.map((r) => r.trained.sharpness)).toEqual(b.nets.map((r) => r.trained.sharpness));
    expect(a.nets[0].trained.loss).toBeLessThan(a.nets[0].init.loss);
    // A study keeps the stats, not the trained weights (stored tasks stay small).
    expect(Object.keys(a.nets[0].train).sort()).toEqual(["epochs", "loss", "loss0", "lr0", "stopped"]);
  });

  it("trainNet restarts a mini-batch run whose weights overflow inside an epoch, and names a run that always diverges", () => {
    const { gen, model, task, problem, theta, lrScale } = smallNet(31);
    const train = { optimizer: "sgd" as const, batchSize: 32, patience: 5, tol: 1e-4, minLr: 1e-4, maxEpochs: 20 };
    // lr 1e3 overflows the weights within the first epoch's mini-batches; the restart at 1e3 / 1e4 trains.
    const out = trainNet(model, problem, task, theta, lrScale, { ...train, lr0: 1e3, restarts: 1, restartFactor: 1e4 }, gen);
    expect(out.lr0).toBe(0.1);
    expect(out.stopped).not.toBe("diverged");
    expect(out.loss).toBeLessThan(out.loss0);
    expect(() => trainNet(model, problem, task, theta, lrScale, { ...train, lr0: 1e3, restarts: 1, restartFactor: 2 }, gen))
      .toThrow(/trainNet: training diverged at every base rate tried, 1000 down to 500 \(2 attempts/);
  });
});
