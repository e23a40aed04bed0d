import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { cellSpectrum, cellSpectrumTraces, theorem34Cells, twoLayerWeights } from "../../../lib/experiments/cracking-the-hessian/outliers-by-cell";
import { mseProblem } from "../../../lib/curvature";
import { twoLayerRelu, twoLayerScalar } from "../../../lib/models";
import { standardInit } from "../../../lib/init";
import { rng } from "../../../lib/random/rng";

function setting(seed: number) {
  const g = rng(seed);
  const xs = Float64Array.from(g.normalArray(30));
  const ys = xs.map((x) => Math.abs(x) + 0.1 * g.normal());
  const model = twoLayerRelu(4);
  const problem = mseProblem(model, new Matrix([Array.from(xs)]), new Matrix([Array.from(ys)]));
  return { xs, ys, problem, theta: standardInit(model, g.fork("init")) };
}

describe("cellSpectrum (Cracking the Hessian, Theorem 3.4, Figure 1)", () => {
  it("reads w and v by block name", () => {
    const { problem, theta } = setting(1);
    const { w, v } = twoLayerWeights(problem, theta);
    expect(Array.from(w)).toEqual(Array.from(theta.slice(0, 4)));
    expect(Array.from(v)).toEqual(Array.from(theta.slice(4)));
  });

  it("the dense spectrum is Theorem 3.4's, cell by cell, and the cells decouple", () => {
    const { xs, ys, problem, theta } = setting(2);
    const a = cellSpectrum(problem, theta, xs, ys);
    expect(a.whole).toBeLessThan(1e-10);
    expect(a.perCell[0]).toBeLessThan(1e-10);
    expect(a.perCell[1]).toBeLessThan(1e-10);
    expect(a.cross).toBeLessThan(1e-14);
    expect(a.impurity).toBeLessThan(1e-8);
    expect(a.attributed.filter((c) => c === "+").length).toBe(2 * a.cells[0].units.length);
    const cells = theorem34Cells(problem, theta, xs, ys);
    expect(cells[0].units.length + cells[1].units.length).toBe(4);
    expect(cellSpectrumTraces(a).length).toBeGreaterThan(1);
  });

  it("refuses a model without w and v blocks", () => {
    const model = twoLayerScalar(2);
    const problem = mseProblem({ ...model, unflattenByName: () => ({}) }, new Matrix([[1]]), new Matrix([[1]]));
    expect(() => twoLayerWeights(problem, new Float64Array(4))).toThrow("twoLayerWeights: the model must have blocks w and v");
  });
});
