import { describe, expect, it } from "vitest";
import { mseProblem } from "../../lib/curvature/index";
import { rng } from "../../lib/random/rng";
import { expectExactCurvature } from "./helpers";
import { everyOpModel as model } from "./every-op-model";

describe("tape operations", () => {
  it("every operation, incl. A^T B^T, has exact first and second derivatives", () => {
    const gen = rng(101);
    const X = gen.normalMatrix(3, 4), Y = gen.normalMatrix(2, 4);
    const problem = mseProblem(model, X, Y);
    const theta = gen.normalArray(model.numParams, 0, 0.6);
    expectExactCurvature(problem, theta, gen, 1e-4, false);
  });
});
