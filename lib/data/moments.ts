/**
 * Second moments of a data set (one sample per column): the statistics the population loss of a linear
 * network is written in (Depth, Not Data, Section 2; Data Dependence, App. C).
 */
import { Matrix } from "ml-matrix";
import { gemm } from "../linalg/matmul";
import { rowMajorOf } from "../linalg/storage";
import { assertFinite } from "../linalg/validate";
import { checkInput } from "../models/model";
import type { PopulationStats } from "../curvature/problem";

/**
 * The second moments of a sample (inputs X, d_0 x n, and targets Y, d_L x n, one column per sample):
 * S_xx = X X^T / n, S_yx = Y X^T / n, S_yy = Y Y^T / n, computed with the matmul kernel (a 784 x 5000 image
 * subset takes a fraction of a second; ml-matrix's mmul took 8 s) and with S_xx, S_yy exactly symmetric.
 */
export function populationStats(X: Matrix, Y: Matrix): Required<PopulationStats> {
  if (!(X instanceof Matrix)) throw new TypeError(`populationStats: X must be a Matrix (d_0 x n, one column per sample), got ${typeof X}`);
  checkInput("populationStats", X, X.rows);
  if (!(Y instanceof Matrix) || Y.columns !== X.columns) {
    throw new RangeError(`populationStats: Y must be a Matrix with one column per sample (${X.columns}), got ${Y instanceof Matrix ? `${Y.rows} x ${Y.columns}` : typeof Y}`);
  }
  assertFinite("populationStats: Y", Y);
  const n = X.columns, d = X.rows, k = Y.rows;
  const x = rowMajorOf(X), y = rowMajorOf(Y);
  const moment = (a: Float64Array, ra: number, b: Float64Array, rb: number, symmetric: boolean): Matrix => {
    const c = new Float64Array(ra * rb);
    gemm(false, true, ra, rb, n, a, b, c, false);
    const M = new Matrix(ra, rb);
    for (let i = 0; i < ra; i++) for (let j = 0; j < rb; j++) M.set(i, j, (symmetric && j < i ? c[j * rb + i] : c[i * rb + j]) / n);
    return M;
  };
  return { Sxx: moment(x, d, x, d, true), Syx: moment(y, k, x, d, false), Syy: moment(y, k, y, k, true) };
}
