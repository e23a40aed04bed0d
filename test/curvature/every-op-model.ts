/**
 * A model that exercises every tape operation, including the doubly transposed product and concatenations of
 * several parts: the tape-rule tests (exact derivatives, block products) share it. Input 3 x 4 (n = 4 columns).
 */
import { defineModel } from "../../lib/models/index";
import { exp } from "../../lib/curvature/index";

export const everyOpModel = defineModel({
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
    const BX = tape.matmul(B, X);
    const T = tape.matmul(A, B, true, true);
    let H = tape.matmul(T, tape.tanh(BX));
    H = tape.sub(H, tape.scale(tape.mul(H, H), 0.3));
    H = tape.add(H, tape.broadcastCols(c, n));
    const top = tape.sliceCols(H, 0, 1), rest = tape.sliceCols(H, 1, n);
    H = tape.concatCols([tape.unary(top, exp), rest]);
    const flat = tape.reshape(H, 1, 2 * n);
    const back = tape.reshape(tape.softmaxRows(flat), 2, n);
    const rows = tape.concatRows([tape.sliceCols(tape.matmul(D, back, true, false), 0, 2), tape.sliceCols(back, 2, n)]);
    const wide = tape.concatCols([tape.sliceCols(rows, 0, 1), tape.sliceCols(rows, 1, 2)]); // 4 x 2
    return tape.addBias(tape.relu(tape.add(tape.reshape(wide, 2, n), tape.scale(H, 0.5))), c);
  },
});
