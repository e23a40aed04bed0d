// The facade against the dense matrices of lib/curvature: block filters pick principal sub-matrices, every
// method agrees with the dense spectrum, traces and the split are exact; named blocks replace theta slicing.
import { describe, expect, it } from "vitest";
import { Matrix, eigh, functionalHessian, gaussNewton, gaussNewtonSplit, hessian, hessianSpectrum, hessianTrace, mlp, mseProblem, rng, selectBlocks, spectralDensity, standardInit, twoLayerRelu } from "../../lib";

function setup() {
  const gen = rng(5);
  const model = mlp([3, 6, 2], { activation: "tanh", bias: true });
  const X = new Matrix(3, 20), Y = new Matrix(2, 20);
  for (let i = 0; i < 20; i++) { for (let r = 0; r < 3; r++) X.set(r, i, gen.normal()); for (let r = 0; r < 2; r++) Y.set(r, i, gen.normal()); }
  const theta = standardInit(model, gen);
  return { model, theta, problem: mseProblem(model, X, Y), gen };
}

function sub(A: Matrix, idx: Int32Array): Matrix {
  const S = new Matrix(idx.length, idx.length);
  idx.forEach((i, a) => idx.forEach((j, b) => S.set(a, b, A.get(i, j))));
  return S;
}

describe("hessianSpectrum", () => {
  const { model, theta, problem } = setup();
  const H = hessian(problem, theta);
  const full = eigh(H).values; // ascending

  it("dense, lanczos and lobpcg give the dense eigh's extreme eigenvalues, with small residuals", () => {
    const scale = Math.max(Math.abs(full[0]), Math.abs(full[full.length - 1]));
    for (const method of ["dense", "lanczos", "lobpcg"] as const) {
      const r = hessianSpectrum(problem, theta, { k: 4, method, rng: rng(1), vectors: true });
      r.values.forEach((v, i) => expect(Math.abs(v - full[full.length - 1 - i])).toBeLessThanOrEqual(1e-8 * scale));
      expect(r.vectors?.rows).toBe(model.numParams);
      expect(Math.max(...r.residualNorms)).toBeLessThanOrEqual(1e-6 * scale);
      expect(r.cost.products).toBeGreaterThan(0);
    }
    const small = hessianSpectrum(problem, theta, { k: 3, which: "smallest" });
    small.values.forEach((v, i) => expect(Math.abs(v - full[i])).toBeLessThanOrEqual(1e-12 * scale));
    const both = hessianSpectrum(problem, theta, { k: 3, which: "both" });
    [full[full.length - 1], full[full.length - 2], full[0]].forEach((v, i) => expect(Math.abs(both.values[i] - v)).toBeLessThanOrEqual(1e-12 * scale));
  });

  it("a block filter (name, PyTorch name, list, predicate) gives the principal sub-matrix's spectrum", () => {
    const sel = selectBlocks(model.blocks, ["W2", "b1"]);
    expect(sel.blocks).toEqual(["b1", "W2"]);
    const expected = eigh(sub(H, sel.indices)).values;
    for (const block of [["W2", "b1"], ["layers.1.weight", "layers.0.bias"], (b: { name: string }) => b.name === "W2" || b.name === "b1"]) {
      const r = hessianSpectrum(problem, theta, { k: expected.length, which: "smallest", block });
      r.values.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-12 * Math.abs(expected[expected.length - 1])));
    }
    const ggn = hessianSpectrum(problem, theta, { k: 2, block: "W1", curvature: "ggn" });
    const ggnExpected = eigh(sub(gaussNewton(problem, theta), selectBlocks(model.blocks, "W1").indices)).values;
    expect(Math.abs(ggn.values[0] - ggnExpected[ggnExpected.length - 1])).toBeLessThanOrEqual(1e-12 * Math.abs(ggnExpected[ggnExpected.length - 1]));
  });

  it("throws naming the argument for an unknown block, a bad k, method or curvature", () => {
    expect(() => hessianSpectrum(problem, theta, { block: "W9" })).toThrow(/^hessianSpectrum: block "W9" is not a block of the model; expected one of W1 \(layers\.0\.weight\), b1/);
    expect(() => hessianSpectrum(problem, theta, { k: 0 })).toThrow(/hessianSpectrum: k must be an integer in 1\.\.38/);
    expect(() => hessianSpectrum(problem, theta, { method: "qr" as never })).toThrow(/method must be "dense", "lanczos" or "lobpcg", got qr/);
    expect(() => hessianSpectrum(problem, theta, { curvature: "fisher" as never })).toThrow(/curvature must be "hessian", "ggn" or "functional", got fisher/);
    expect(() => hessianSpectrum(problem, new Float64Array(3))).toThrow(/theta must have length 38, got 3/);
  });
});

describe("hessianTrace, spectralDensity, gaussNewtonSplit", () => {
  const { model, theta, problem } = setup();
  const H = hessian(problem, theta);
  let tr = 0;
  for (let i = 0; i < H.rows; i++) tr += H.get(i, i);

  it("the exact trace is the dense diagonal's sum; Hutch++ with p products is exact too; Hutchinson within 5 standard errors", () => {
    expect(Math.abs(hessianTrace(problem, theta, { method: "exact" }).estimate - tr)).toBeLessThanOrEqual(1e-12 * Math.abs(tr));
    const hpp = hessianTrace(problem, theta, { method: "hutchpp", matvecs: 3 * model.numParams, rng: rng(2) });
    expect(Math.abs(hpp.estimate - tr)).toBeLessThanOrEqual(1e-9 * Math.abs(tr));
    const h = hessianTrace(problem, theta, { probes: 400, rng: rng(3) });
    expect(Math.abs(h.estimate - tr)).toBeLessThanOrEqual(5 * (h.standardError as number));
  });

  it("the dense density's weights are 1/p at the eigenvalues; SLQ's first moment is the trace / p within its spread", () => {
    const d = spectralDensity(problem, theta, { method: "dense" });
    const values = eigh(H).values;
    d.nodes.forEach((x, i) => expect(Math.abs(x - values[i])).toBeLessThanOrEqual(1e-12 * Math.abs(values[values.length - 1])));
    const dx = d.grid[1] - d.grid[0];
    expect(Math.abs(d.density.reduce((s, x) => s + x, 0) * dx - 1)).toBeLessThanOrEqual(1e-3);
    const slq = spectralDensity(problem, theta, { probes: 8, steps: model.numParams, rng: rng(4) });
    expect(Math.abs(slq.weights.reduce((s, w) => s + w, 0) - 1)).toBeLessThanOrEqual(1e-12);
    // with steps = p every probe's quadrature is exact, so the whole spectrum's end points are nodes
    expect(Math.abs(Math.max(...slq.nodes) - values[values.length - 1])).toBeLessThanOrEqual(1e-8 * Math.abs(values[values.length - 1]));
  });

  it("split: H, H_o, H_f spectra of the dense matrices, and H = H_o + H_f", () => {
    const r = gaussNewtonSplit(problem, theta, { k: 3, block: "W1" });
    const idx = selectBlocks(model.blocks, "W1").indices;
    for (const [res, M] of [[r.hessian, H], [r.ggn, gaussNewton(problem, theta)], [r.functional, functionalHessian(problem, theta)]] as const) {
      const e = eigh(sub(M, idx)).values;
      res.values.forEach((v, i) => expect(Math.abs(v - e[e.length - 1 - i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e[e.length - 1]))));
    }
    expect(r.splitResidual as number).toBeLessThanOrEqual(1e-12 * Math.max(...Array.from(r.hessian.values, Math.abs)));
  });
});

describe("named blocks (one parameter order for callers)", () => {
  it("flattenByName / unflattenByName round trip, and the two-layer model's order is read by name", () => {
    const model = twoLayerRelu(3);
    expect(model.blocks.map((b) => [b.name, b.shape])).toEqual([["w", [1, 3]], ["v", [3, 1]]]);
    const theta = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const named = model.unflattenByName(theta);
    expect(named.v.to1DArray()).toEqual([4, 5, 6]);
    expect(Array.from(model.flattenByName({ v: named.v, w: named.w }))).toEqual(Array.from(theta));
    expect(() => model.flattenByName({ w: named.w })).toThrow(/flattenByName: ws must name exactly the blocks w, v; missing v/);
    expect(() => model.flattenByName({ w: named.w, v: named.v, u: named.v })).toThrow(/unknown u/);
  });
});
