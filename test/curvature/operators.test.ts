import { describe, expect, it } from "vitest";
import { mlp } from "../../lib/models/index";
import { mseProblem, hessian, gaussNewton, functionalHessian, hessianOperator, ggnOperator, functionalHessianOperator } from "../../lib/curvature/index";
import { lanczos } from "../../lib/linalg/lanczos";
import { rng } from "../../lib/random/rng";
import { eigenvaluesDesc } from "./helpers";

describe("curvature operators with lib/linalg's Lanczos", () => {
  it("top eigenvalues of the H, H_o and H_f operators equal those of the dense matrices", () => {
    const gen = rng(111);
    const model = mlp([4, 6, 3], { activation: "tanh", bias: true });
    const X = gen.normalMatrix(4, 10), Y = gen.normalMatrix(3, 10);
    const problem = mseProblem(model, X, Y);
    const theta = gen.normalArray(model.numParams, 0, 0.7);
    const pairs = [
      [hessianOperator(problem, theta), hessian(problem, theta)],
      [ggnOperator(problem, theta), gaussNewton(problem, theta)],
      [functionalHessianOperator(problem, theta), functionalHessian(problem, theta)],
    ] as const;
    for (const [op, dense] of pairs) {
      const top = lanczos(op, { k: 3, rng: gen.fork("lanczos"), tol: 1e-12 });
      const ev = eigenvaluesDesc(dense);
      for (let i = 0; i < 3; i++) expect(Math.abs(top.values[i] - ev[i])).toBeLessThan(1e-9 * Math.abs(ev[0]));
    }
  });
});

import * as curvature from "../../lib/curvature";

describe("curvature names", () => {
  it("one scheme per matrix: M, MVectorProduct, MOperator (the short names are the same functions)", () => {
    expect(curvature.hessianVectorProduct).toBe(curvature.hvp);
    expect(curvature.gaussNewtonVectorProduct).toBe(curvature.ggnVectorProduct);
    expect(curvature.functionalHessianVectorProduct).toBe(curvature.functionalHvp);
    expect(curvature.gaussNewtonOperator).toBe(curvature.ggnOperator);
    for (const m of ["hessian", "gaussNewton", "functionalHessian"]) {
      for (const suffix of ["", "VectorProduct", "Operator"]) expect(typeof (curvature as Record<string, unknown>)[m + suffix], m + suffix).toBe("function");
    }
  });
});
