import { describe, expect, it } from "vitest";
import { deepLinear } from "../../lib/models/index";
import { populationProblem, mseProblem, hessian, gaussNewton, functionalHessian, gradient } from "../../lib/curvature/index";
import { usiInit } from "../../lib/init/index";
import { alignedData } from "../../lib/data/index";
import { rng } from "../../lib/random/rng";
import { eigenvaluesDesc, maxAbs } from "./helpers";

describe("Depth, Not Data: the spectrum at the solution (restored counts)", () => {
  for (const L of [2, 3, 4, 5]) {
    it(`L = ${L}: r^2 = 4 eigenvalues L, (d*+d_L-2r) r = 14 eigenvalues 1, then zeros`, () => {
      const gen = rng(100 + L);
      const widths = [6, ...new Array(L - 1).fill(7), 5];
      const init = usiInit(widths, gen, { m0: 1, r: 2 });
      const data = alignedData(init.U, init.V, { dStar: 6, r: 2, n: 12 }, gen);
      const model = deepLinear(widths);
      for (const problem of [populationProblem(model, data), mseProblem(model, data.X, data.Y)]) {
        const g = gradient(problem, init.theta);
        expect(Math.max(...Array.from(g, Math.abs))).toBeLessThan(1e-13);
        const H = hessian(problem, init.theta);
        expect(maxAbs(functionalHessian(problem, init.theta))).toBeLessThan(1e-13);
        expect(maxAbs(gaussNewton(problem, init.theta).sub(H))).toBeLessThan(1e-13);
        const ev = eigenvaluesDesc(H);
        for (let i = 0; i < 4; i++) expect(Math.abs(ev[i] - L)).toBeLessThan(1e-10);
        for (let i = 4; i < 18; i++) expect(Math.abs(ev[i] - 1)).toBeLessThan(1e-10);
        for (let i = 18; i < ev.length; i++) expect(Math.abs(ev[i])).toBeLessThan(1e-10);
      }
    });
  }
});
