/**
 * Closed forms of the data-dependence paper against brute force: Jacobians by exact central differences of
 * the network (f is linear in each W_l, so the difference quotient is exact up to rounding), dense GGN / NTK
 * and their eigen-decompositions in float64.
 */
import { describe, expect, it } from "vitest";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { rng, Rng } from "../../lib/random/rng";
import { deepLinear, endToEndLinear } from "../../lib/models";
import { jacobian, mseProblem, ntkGram, populationProblem, loss, gradient, hvp } from "../../lib/curvature";
import { ImageDataset, classProportionSubset } from "../../lib/data";
import {
  balancedEigenvalue,
  balancedEigenvalueNaive,
  balancedEigenvalueSum,
  balancedSolutionSingularValues,
  balancedSpectrum,
  endToEndSolution,
  fullSvd,
  jacobianKron,
  labelProportions,
  labelSharpness,
  labelSharpnessFromY,
  layerDims,
  nonzeroPairCount,
  ntkKron,
  pairEigenvector,
  paramPermutationRowMajor,
  partialProducts,
  shallowLambdaMax,
  shallowLambdaMaxBlockDiagonal,
  shallowSpectrum,
  shallowTopEigenvalues,
  shallowTrace,
  singularValues,
  spectralNormBound,
  spectralNormBoundData,
  traceFormula,
  traceFormulaData,
} from "../../lib/papers/data-dependence";
import { haarOrthogonal } from "../../lib/linalg/haar";

// ----------------------------------------------------------------------------------------------------
// brute-force helpers (independent of the module under test)
// ----------------------------------------------------------------------------------------------------

function forward(W: Matrix[], X: Matrix): Matrix {
  let H = X;
  for (const w of W) H = w.mmul(H);
  return H;
}

/** Jacobian of vec(f(X)) (sample-major) w.r.t. all parameters (column-stacked per layer) by central differences. */
function jacobianFD(W: Matrix[], X: Matrix): Matrix {
  const dims = layerDims(W);
  const n = X.columns, dL = dims[dims.length - 1];
  let p = 0;
  for (let l = 1; l < dims.length; l++) p += dims[l] * dims[l - 1];
  const J = new Matrix(n * dL, p);
  let k = 0;
  for (let l = 0; l < W.length; l++) {
    for (let c = 0; c < W[l].columns; c++) {
      for (let r = 0; r < W[l].rows; r++) {
        const w0 = W[l].get(r, c);
        W[l].set(r, c, w0 + 1);
        const Fp = forward(W, X);
        W[l].set(r, c, w0 - 1);
        const Fm = forward(W, X);
        W[l].set(r, c, w0);
        for (let s = 0; s < n; s++) for (let o = 0; o < dL; o++) J.set(o + s * dL, k, (Fp.get(o, s) - Fm.get(o, s)) / 2);
        k++;
      }
    }
  }
  return J;
}

function symEig(A: Matrix): Float64Array {
  const e = new EigenvalueDecomposition(A, { assumeSymmetric: true });
  return Float64Array.from(e.realEigenvalues).sort((a, b) => b - a);
}

function maxAbs(A: Matrix): number {
  let m = 0;
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.columns; j++) m = Math.max(m, Math.abs(A.get(i, j)));
  return m;
}

function randomNet(g: Rng, dims: number[], std = 0.5): Matrix[] {
  return dims.slice(1).map((d, l) => g.normalMatrix(d, dims[l], std));
}

/** Whitened inputs: (1/n) X X^T = sigmaX^2 I, from the first d0 rows of a Haar orthogonal n x n matrix. */
function whitened(g: Rng, d0: number, n: number, sigmaX: number): Matrix {
  const Q = haarOrthogonal(g, n);
  return Q.subMatrix(0, d0 - 1, 0, n - 1).mul(Math.sqrt(n) * sigmaX);
}

/** Strongly balanced chain per App. C with shared singular values s (length k). */
function stronglyBalanced(g: Rng, dims: number[], s: number[]): Matrix[] {
  const k = s.length;
  const S = Matrix.diag(s);
  let V = haarOrthogonal(g, dims[0]).subMatrix(0, dims[0] - 1, 0, k - 1);
  const W: Matrix[] = [];
  for (let l = 1; l < dims.length; l++) {
    const U = haarOrthogonal(g, dims[l]).subMatrix(0, dims[l] - 1, 0, k - 1);
    W.push(U.mmul(S).mmul(V.transpose()));
    V = U;
  }
  return W;
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// ----------------------------------------------------------------------------------------------------

describe("eq. (4)-(5): Jacobian and NTK in Kronecker form", () => {
  it("jacobianKron equals the finite-difference Jacobian; ntkKron equals (1/n) J J^T", () => {
    const g = rng(1);
    for (const dims of [[3, 4, 2], [4, 3, 5, 2], [2, 6, 1, 3, 3]]) {
      const W = randomNet(g, dims);
      const X = g.normalMatrix(dims[0], 7);
      const Jfd = jacobianFD(W, X);
      expect(maxAbs(Matrix.sub(jacobianKron(W, X), Jfd))).toBeLessThan(1e-12);
      const K = Jfd.mmul(Jfd.transpose()).div(X.columns);
      expect(maxAbs(Matrix.sub(ntkKron(W, X), K)) / maxAbs(K)).toBeLessThan(1e-13);
    }
  });

  it("GGN and NTK share their nonzero eigenvalues", () => {
    const g = rng(2);
    const dims = [4, 3, 5, 2];
    const W = randomNet(g, dims);
    const X = g.normalMatrix(4, 6);
    const J = jacobianFD(W, X);
    const G = J.transpose().mmul(J).div(6);
    const eg = symEig(G), ek = symEig(ntkKron(W, X));
    const r = Math.min(eg.length, ek.length);
    for (let i = 0; i < r; i++) expect(Math.abs(eg[i] - ek[i])).toBeLessThan(1e-12 * eg[0]);
  });

  it("row-major ordering matches lib/curvature's Jacobian and NTK Gram (lib/models parameter order)", () => {
    const g = rng(11);
    const dims = [4, 3, 5, 2];
    const W = randomNet(g, dims);
    const X = g.normalMatrix(4, 6);
    const Y = g.normalMatrix(2, 6);
    const model = deepLinear(dims);
    const theta = model.flatten(W);
    const J = jacobian(model, theta, X);
    expect(maxAbs(Matrix.sub(jacobianKron(W, X, { ordering: "row-major" }), J))).toBeLessThan(1e-12);
    const K = ntkGram(mseProblem(model, X, Y), theta);
    expect(maxAbs(Matrix.sub(ntkKron(W, X, { ordering: "row-major" }), K)) / maxAbs(K)).toBeLessThan(1e-13);
    // the column-stacked Jacobian is the same up to the documented permutations
    const Jc = jacobianKron(W, X);
    const perm = paramPermutationRowMajor(dims);
    const n = 6, dL = 2;
    let worst = 0;
    for (let a = 0; a < dL; a++) for (let s = 0; s < n; s++) for (let k = 0; k < perm.length; k++) {
      worst = Math.max(worst, Math.abs(Jc.get(a + s * dL, k) - J.get(a * n + s, perm[k])));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it("paramPermutationRowMajor maps W_l[r][c] to offset + r d_{l-1} + c", () => {
    const perm = paramPermutationRowMajor([2, 3, 1]);
    // layer 1 (3 x 2): column-stacked k = r + 3c -> row-major r*2 + c
    expect(Array.from(perm.subarray(0, 6))).toEqual([0, 2, 4, 1, 3, 5]);
    expect(Array.from(perm.subarray(6))).toEqual([6, 7, 8]);
  });

  it("throws with the function and argument named", () => {
    expect(() => ntkKron([new Matrix(3, 2), new Matrix(2, 4)], new Matrix(2, 5))).toThrow(/ntkKron: W_2 must have 3 columns/);
    expect(() => ntkKron([new Matrix(3, 2)], new Matrix(4, 5))).toThrow(/ntkKron: X must have d_0 = 2 rows/);
  });
});

describe("eq. (6)-(7): spectral-norm bound and trace", () => {
  it("(6) bounds lambda_max on whitened data and (7) is the exact trace", () => {
    const g = rng(3);
    for (let t = 0; t < 20; t++) {
      const dims = [3 + g.int(3), 2 + g.int(4), 2 + g.int(4), 1 + g.int(3)];
      const n = dims[0] + 2 + g.int(4);
      const sx = 0.5 + 2 * g.uniform();
      const W = randomNet(g, dims, 0.3 + g.uniform());
      const X = whitened(g, dims[0], n, sx);
      const K = ntkKron(W, X);
      const lmax = symEig(K)[0];
      expect(lmax).toBeLessThanOrEqual(spectralNormBound(W, sx) * (1 + 1e-12));
      expect(relErr(spectralNormBoundData(W, X), spectralNormBound(W, sx))).toBeLessThan(1e-12);
      expect(relErr(traceFormula(W, sx), K.trace())).toBeLessThan(1e-12);
      expect(relErr(traceFormulaData(W, X), K.trace())).toBeLessThan(1e-12);
    }
  });

  it("data-general forms hold for raw inputs", () => {
    const g = rng(4);
    const W = randomNet(g, [4, 5, 3]);
    const X = g.normalMatrix(4, 9, 2);
    const K = ntkKron(W, X);
    expect(relErr(traceFormulaData(W, X), K.trace())).toBeLessThan(1e-12);
    expect(symEig(K)[0]).toBeLessThanOrEqual(spectralNormBoundData(W, X) * (1 + 1e-12));
  });

  it("partialProducts: P_1 = I, S_L = I, P_l W_l... product", () => {
    const g = rng(5);
    const W = randomNet(g, [3, 4, 2, 5]);
    const { P, S } = partialProducts(W);
    const full = W[2].mmul(W[1]).mmul(W[0]);
    for (let l = 0; l < 3; l++) expect(maxAbs(Matrix.sub(S[l].mmul(W[l]).mmul(P[l]), full))).toBeLessThan(1e-13);
  });
});

describe("eq. (8)-(9): strongly balanced spectrum", () => {
  it("stable (9b) equals the sum (9a), including near-coincident and zero singular values", () => {
    for (const L of [1, 2, 3, 5, 8, 20]) {
      for (const [a, b] of [[0.7, 0.3], [1.3, 1.3], [1, 1 + 1e-12], [0.9, 0.9 * (1 - 1e-9)], [2, 0], [0, 0], [0, 0.5], [1e-3, 5]]) {
        const ref = balancedEigenvalueSum(a, b, L);
        const got = balancedEigenvalue(a, b, L);
        if (ref === 0) expect(got).toBe(0);
        else expect(relErr(got, ref)).toBeLessThan(1e-13);
        expect(relErr(balancedEigenvalue(b, a, L), got) || 0).toBeLessThan(1e-15);
      }
    }
  });

  it("the printed difference quotient loses digits near coincidence; the stable form does not", () => {
    const a = 0.7316, b = 0.7316 * (1 + 3e-13), L = 5;
    const ref = balancedEigenvalueSum(a, b, L);
    expect(relErr(balancedEigenvalueNaive(a, b, L), ref)).toBeGreaterThan(1e-8);
    expect(relErr(balancedEigenvalue(a, b, L), ref)).toBeLessThan(1e-14);
  });

  it("no overflow at large depth when the result is finite", () => {
    const v = balancedEigenvalue(1.01, 1.0099999, 20000);
    expect(Number.isFinite(v)).toBe(true);
    expect(relErr(v, balancedEigenvalueSum(1.01, 1.0099999, 20000))).toBeLessThan(1e-10);
  });

  it("(9) gives every NTK eigenvalue of a strongly balanced net, bottleneck widths included", () => {
    const g = rng(6);
    for (const [dims, s] of [
      [[4, 4, 4, 4], [1.2, 0.9, 0.5, 0.2]],
      [[5, 3, 4, 2], [1.1, 0.6]],
      [[6, 2, 5, 4], [0.8, 0.8000001]],
      [[3, 5, 5, 5, 3], [1.5, 1.0, 0.3]],
    ] as Array<[number[], number[]]>) {
      const L = dims.length - 1, sx = 1.7, n = dims[0] + 3;
      const W = stronglyBalanced(g, dims, s);
      const X = whitened(g, dims[0], n, sx);
      const K = ntkKron(W, X);
      const ek = symEig(K);
      const pred = balancedSpectrum(s, L, sx, dims[0], dims[L]).map((e) => e.value);
      const all = new Float64Array(ek.length);
      all.set(pred);
      for (let i = 0; i < ek.length; i++) expect(Math.abs(ek[i] - all[i])).toBeLessThan(1e-11 * ek[0]);
      // nonzero count k (d0 + dL - k), not (min d)^2
      const nz = ek.filter((e) => e > 1e-10 * ek[0]).length;
      expect(nz).toBe(nonzeroPairCount(s.length, dims[0], dims[L]));
    }
  });

  it("q_ij = (X^T v_i / sqrt n) (x) u_j are eigenvectors of (8)", () => {
    const g = rng(7);
    const dims = [5, 3, 4, 2];
    const s = [1.1, 0.6];
    const W = stronglyBalanced(g, dims, s);
    const X = whitened(g, 5, 8, 1.3);
    const K = ntkKron(W, X);
    const V = fullSvd(W[0]).V, U = fullSvd(W[2]).U;
    const s1 = fullSvd(W[0]).s;
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 2; j++) {
        const q = pairEigenvector(X, V.getColumn(i), U.getColumn(j));
        const Kq = K.mmul(Matrix.columnVector(Array.from(q))).getColumn(0);
        const lam = 1.3 ** 2 * balancedEigenvalue(i < 3 ? s1[i] : 0, [1.1, 0.6][j], 3);
        let res = 0;
        for (let t = 0; t < q.length; t++) res = Math.max(res, Math.abs(Kq[t] - lam * q[t]));
        expect(res).toBeLessThan(1e-12 * 10);
      }
    }
  });
});

describe("eq. (10), (11), (15), (16): shallow networks, no balance", () => {
  it("lambda_max, trace, full spectrum and eigenvectors vs dense NTK and GGN", () => {
    const g = rng(8);
    for (const dims of [[4, 6, 3], [5, 2, 4], [3, 3, 3], [6, 4, 1]]) {
      const sx = 0.5 + g.uniform() * 2;
      const n = dims[0] + 4;
      const W = randomNet(g, dims, 0.7);
      const X = whitened(g, dims[0], n, sx);
      const K = ntkKron(W, X);
      const ek = symEig(K);
      expect(relErr(ek[0], shallowLambdaMax(W[0], W[1], sx))).toBeLessThan(1e-12);
      expect(shallowLambdaMaxBlockDiagonal(W[0], W[1], sx)).toBeLessThan(ek[0] * (1 - 1e-3));
      expect(relErr(K.trace(), shallowTrace(W[0], W[1], sx))).toBeLessThan(1e-12);
      const pred = shallowSpectrum(W[0], W[1], sx).map((e) => e.value);
      for (let i = 0; i < ek.length; i++) expect(Math.abs(ek[i] - (i < pred.length ? pred[i] : 0))).toBeLessThan(1e-12 * ek[0]);
      const top = shallowTopEigenvalues(W[0], W[1], sx, Math.min(5, pred.length));
      for (let i = 0; i < top.length; i++) expect(relErr(top[i], pred[i])).toBeLessThan(1e-14);
      // GGN (p x p) shares the nonzero part
      const J = jacobianKron(W, X);
      const eg = symEig(J.transpose().mmul(J).div(n));
      for (let i = 0; i < Math.min(eg.length, pred.length); i++) expect(Math.abs(eg[i] - pred[i])).toBeLessThan(1e-12 * ek[0]);
      // eigenvectors (16)
      const { V, s: s1 } = fullSvd(W[0]);
      const { U, s: s2 } = fullSvd(W[1]);
      for (let i = 0; i < dims[0]; i++) {
        for (let j = 0; j < dims[2]; j++) {
          const q = pairEigenvector(X, V.getColumn(i), U.getColumn(j));
          const lam = sx * sx * ((i < s1.length ? s1[i] : 0) ** 2 + (j < s2.length ? s2[j] : 0) ** 2);
          const Kq = K.mmul(Matrix.columnVector(Array.from(q))).getColumn(0);
          let res = 0, nq = 0;
          for (let t = 0; t < q.length; t++) {
            res = Math.max(res, Math.abs(Kq[t] - lam * q[t]));
            nq += q[t] * q[t];
          }
          expect(Math.abs(Math.sqrt(nq) - sx)).toBeLessThan(1e-12);
          expect(res).toBeLessThan(1e-12 * ek[0]);
        }
      }
    }
  });
});

describe("eq. (12)-(14): labels and sharpness", () => {
  it("constructed balanced zero-loss solution: singular values (13) and lambda_max (14) for several n", () => {
    const g = rng(9);
    const C = 3, d0 = 6, L = 3, width = 4, sx = 1;
    for (const n of [12, 30, 60]) {
      // one-hot labels with an unbalanced class split; features contain the label indicators, so zero loss
      // is attainable with whitened X (row(Y) inside row(X)).
      const counts = [Math.floor(n / 2), Math.floor(n / 3)];
      counts.push(n - counts[0] - counts[1]);
      const Y = new Matrix(C, n);
      let s0 = 0;
      for (let c = 0; c < C; c++) for (let t = 0; t < counts[c]; t++) Y.set(c, s0++, 1);
      const raw = Matrix.zeros(d0, n);
      raw.setSubMatrix(Y, 0, 0);
      raw.setSubMatrix(g.normalMatrix(d0 - C, n), C, 0);
      // QR-orthogonalise the rows (Gram-Schmidt) and scale
      const Xr = raw.clone();
      for (let i = 0; i < d0; i++) {
        for (let pass = 0; pass < 2; pass++) {
          for (let k = 0; k < i; k++) {
            const d = Xr.getRowVector(i).dot(Xr.getRowVector(k));
            for (let t = 0; t < n; t++) Xr.set(i, t, Xr.get(i, t) - d * Xr.get(k, t));
          }
        }
        const nr = Xr.getRowVector(i).norm();
        for (let t = 0; t < n; t++) Xr.set(i, t, Xr.get(i, t) / nr);
      }
      const X = Xr.mul(Math.sqrt(n) * sx);
      const M = endToEndSolution(X, Y, sx);
      expect(maxAbs(Matrix.sub(M.mmul(X), Y))).toBeLessThan(1e-12); // zero loss
      const svd = fullSvd(M);
      const k = C;
      const root = Array.from(svd.s.subarray(0, k)).map((v) => Math.pow(v, 1 / L));
      const pred = balancedSolutionSingularValues(Y, sx, L);
      for (let i = 0; i < k; i++) expect(relErr(root[i], pred[i])).toBeLessThan(1e-12);
      // balanced factorisation M = W3 W2 W1
      const R = haarOrthogonal(g, width).subMatrix(0, width - 1, 0, k - 1);
      const R2 = haarOrthogonal(g, width).subMatrix(0, width - 1, 0, k - 1);
      const D = Matrix.diag(root);
      const W1 = R.mmul(D).mmul(svd.V.subMatrix(0, d0 - 1, 0, k - 1).transpose());
      const W2 = R2.mmul(D).mmul(R.transpose());
      const W3 = svd.U.subMatrix(0, C - 1, 0, k - 1).mmul(D).mmul(R2.transpose());
      const W = [W1, W2, W3];
      expect(maxAbs(Matrix.sub(forward(W, X), Y))).toBeLessThan(1e-12);
      const lmax = symEig(ntkKron(W, X))[0];
      const alpha = labelProportions(Y);
      expect(relErr(alpha[0], counts[0] / n)).toBeLessThan(1e-12);
      expect(relErr(lmax, labelSharpness(alpha[0], L, sx))).toBeLessThan(1e-10);
      expect(relErr(lmax, labelSharpnessFromY(Y, L, sx))).toBeLessThan(1e-10);
    }
  });

  it("(14) is independent of n and rejects bad alpha", () => {
    expect(labelSharpness(0.5, 4, 1)).toBeCloseTo(4 * Math.pow(0.5, 0.75), 14);
    expect(() => labelSharpness(0, 4, 1)).toThrow(/labelSharpness: alphaMax/);
  });
});

describe("helpers", () => {
  it("singularValues of an exactly rank-one product (through a width-1 layer)", () => {
    // P_5 = W_4 W_3 W_2 W_1 (rank one) of the net 6-5-4-1-9-5 on which lib/linalg's svd reported non-convergence (eq-6, paper scale)
    const A = new Matrix([[-0.023763910144179338,-0.024920403200630287,-0.042126172952741216,0.02776467915096908,0.001990145419269092,-0.005510150675344577],[-0.005357392125615403,-0.00561811465639289,-0.009497024096205287,0.006259334955871032,0.0004486630917779883,-0.0012422214046401783],[0.007971979805193869,0.008359943706544175,0.014131891511617003,-0.00931410109474038,-0.0006676257819337999,0.0018484672615285763],[-0.04551527649984856,-0.0477303202748484,-0.08068471889480262,0.053177993049913524,0.0038117472454391793,-0.010553651735868265],[0.01763502902507937,0.018493254312672066,0.03126153390708169,-0.02060397130475115,-0.0014768727881903547,0.004089043701255674],[0.017197937158935386,0.0180348909594218,0.030486703189506033,-0.0200932929126281,-0.0014402678536518652,0.003987694974265522],[0.032315636574267115,0.033888307447292036,0.05728577860907908,-0.03775613001396631,-0.0027063229792086644,0.007493044099794424],[-0.020471934033583786,-0.02146821997383174,-0.036290502217165406,0.02391848296823659,0.0017144537869957844,-0.004746838397231993],[0.02812413059403667,0.029492817883013393,0.049855515458598114,-0.03285896376504532,-0.0023552988263742117,0.006521157345150445]]);
    const s = singularValues(A);
    expect(s.length).toBe(6);
    expect(relErr(s[0], A.norm("frobenius"))).toBeLessThan(1e-12);
    for (let i = 1; i < 6; i++) expect(s[i]).toBeLessThan(1e-7 * s[0]); // sqrt of rounding-level Gram eigenvalues
  });

  it("fullSvd returns square orthogonal U, V reproducing A, also rank-deficient and wide", () => {
    const g = rng(10);
    for (const A of [g.normalMatrix(4, 6), g.normalMatrix(6, 4), g.normalMatrix(5, 2).mmul(g.normalMatrix(2, 5))]) {
      const { U, s, V } = fullSvd(A);
      expect(maxAbs(Matrix.sub(U.transpose().mmul(U), Matrix.eye(A.rows)))).toBeLessThan(1e-12);
      expect(maxAbs(Matrix.sub(V.transpose().mmul(V), Matrix.eye(A.columns)))).toBeLessThan(1e-12);
      const Sg = new Matrix(A.rows, A.columns);
      for (let i = 0; i < s.length; i++) Sg.set(i, i, s[i]);
      expect(maxAbs(Matrix.sub(U.mmul(Sg).mmul(V.transpose()), A))).toBeLessThan(1e-12);
      const sv = singularValues(A);
      for (let i = 0; i < s.length; i++) expect(Math.abs(sv[i] - s[i])).toBeLessThan(1e-12);
    }
  });
});

describe("App. C helpers", () => {
  it("endToEndLinear + populationProblem equals deepLinear on the sample MSE (loss, gradient, HVP)", () => {
    const g = rng(12);
    const widths = [6, 5, 4, 3];
    const n = 15;
    const X = g.normalMatrix(6, n), Y = g.normalMatrix(3, n);
    const stats = { Sxx: X.mmul(X.transpose()).div(n), Syx: Y.mmul(X.transpose()).div(n), Syy: Y.mmul(Y.transpose()).div(n) };
    const sample = mseProblem(deepLinear(widths), X, Y);
    const pop = populationProblem(endToEndLinear(widths), stats);
    const theta = g.normalArray(deepLinear(widths).numParams, 0, 0.5);
    const v = g.normalArray(theta.length);
    expect(relErr(loss(pop, theta), loss(sample, theta))).toBeLessThan(1e-12);
    const ga = gradient(pop, theta), gb = gradient(sample, theta);
    const ha = hvp(pop, theta, v), hb = hvp(sample, theta, v);
    let eg = 0, eh = 0, ng = 0, nh = 0;
    for (let i = 0; i < theta.length; i++) {
      eg = Math.max(eg, Math.abs(ga[i] - gb[i])); ng = Math.max(ng, Math.abs(gb[i]));
      eh = Math.max(eh, Math.abs(ha[i] - hb[i])); nh = Math.max(nh, Math.abs(hb[i]));
    }
    expect(eg / ng).toBeLessThan(1e-12);
    expect(eh / nh).toBeLessThan(1e-12);
  });

  it("classProportionSubset: class rule, constant pixels dropped, whitened, moments", () => {
    const g = rng(13);
    const count = 400, dim = 9;
    const images = new Uint8Array(count * dim);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      labels[i] = i % 10;
      for (let j = 0; j < dim; j++) images[i * dim + j] = j === 4 ? 7 : g.int(256); // pixel 4 constant
    }
    const ds: ImageDataset = { name: "fake", count, dim, shape: [3, 3], images, labels, classes: 10 };
    const sub = classProportionSubset(ds, 100, g, { alphaMax: 0.37, sigmaX: 2 });
    expect(sub.dropped).toBe(1);
    expect(sub.X.rows).toBe(8);
    expect(sub.alphaMax).toBeCloseTo(1 - 9 * Math.floor((0.63 * 100) / 9) / 100, 12);
    expect(maxAbs(Matrix.sub(sub.Sxx, Matrix.eye(8).mul(4)))).toBeLessThan(1e-12);
    expect(maxAbs(Matrix.sub(sub.Syx, sub.Y.mmul(sub.X.transpose()).div(100)))).toBeLessThan(1e-14);
    const raw = classProportionSubset(ds, 100, g, { sigmaX: null });
    expect(raw.X.rows).toBe(8);
    expect(raw.X.get(0, 0)).toBeGreaterThanOrEqual(0);
    expect(raw.X.get(0, 0)).toBeLessThanOrEqual(1);
  });
});
