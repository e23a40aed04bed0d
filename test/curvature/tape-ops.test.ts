import { describe, expect, it } from "vitest";
import { defineModel } from "../../lib/models/index";
import { mseProblem, exp } from "../../lib/curvature/index";
import { rng } from "../../lib/random/rng";
import { expectExactCurvature } from "./helpers";

// A model that exercises every tape operation, including the doubly transposed product.
const model = defineModel({
  name: "tape-ops",
  inputDim: 3,
  outputDim: 2,
  blocks: [
    { name: "A", rows: 3, cols: 2 },
    { name: "B", rows: 4, cols: 3 },
    { name: "c", rows: 2, cols: 1 },
    { name: "D", rows: 2, cols: 2 },
  ],
  graph(tape, [A, B, c, D], X) {
    const n = X.cols;
    const BX = tape.matmul(B, X); // 4 x n
    const T = tape.matmul(A, B, true, true); // (A^T B^T) = 2 x 4
    let H = tape.matmul(T, tape.tanh(BX)); // 2 x n
    H = tape.sub(H, tape.scale(tape.mul(H, H), 0.3));
    H = tape.add(H, tape.broadcastCols(c, n));
    const top = tape.sliceCols(H, 0, 1), rest = n > 1 ? tape.sliceCols(H, 1, n) : null;
    H = rest === null ? top : tape.concatCols([tape.unary(top, exp), rest]);
    const flat = tape.reshape(H, 1, 2 * n);
    const back = tape.reshape(tape.softmaxRows(flat), 2, n);
    const rows = tape.concatRows([tape.sliceCols(tape.matmul(D, back, true, false), 0, n)]);
    return tape.addBias(tape.relu(tape.add(rows, tape.scale(H, 0.5))), c);
  },
});

describe("tape operations", () => {
  it("every operation, incl. A^T B^T, has exact first and second derivatives", () => {
    const gen = rng(101);
    const X = gen.normalMatrix(3, 4), Y = gen.normalMatrix(2, 4);
    const problem = mseProblem(model, X, Y);
    const theta = gen.normalArray(model.numParams, 0, 0.6);
    expectExactCurvature(problem, theta, gen, 1e-4, false);
  });
});
