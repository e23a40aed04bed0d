// Theorem 3.1 closed forms against an independent brute force: the dense Hessian of the same network from
// lib/curvature's exact second derivatives, eigen-decomposed by ml-matrix (not our own solver).
import { describe, expect, it } from "vitest";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { deepLinear } from "../../lib/models";
import { hessian, mseProblem } from "../../lib/curvature";
import { rng } from "../../lib/random/rng";
import {
  sharpnessDiscriminant,
  scalarLinearStats,
  scalarLinearBlockHessian,
  scalarLinearOutliers,
  scalarLinearReduction,
  scalarLinearSpectrum,
} from "../../lib/papers/cracking-the-hessian";

/** f(x) = <w, v> x is the deep linear network [1, m, 1]: W1 = v (m x 1), W2 = w^T, theta = (v, w). */
function setting(seed: number, m: number, n: number, scale = 1) {
  const g = rng(seed);
  const v = g.normalArray(m, 0, scale / Math.sqrt(m));
  const w = g.normalArray(m, 0, scale / Math.sqrt(m));
  const x = g.normalArray(n, 0, 1.5);
  const y = x.map((xi) => 0.8 * xi + 0.1 * g.normal());
  const theta = new Float64Array(2 * m);
  theta.set(v, 0);
  theta.set(w, m);
  const problem = mseProblem(deepLinear([1, m, 1]), new Matrix([Array.from(x)]), new Matrix([Array.from(y)]));
  return { v, w, x, y, theta, problem };
}

const maxAbs = (M: Matrix) => Math.max(...M.to1DArray().map(Math.abs));

describe("Cracking the Hessian, Theorem 3.1", () => {
  it("the block form (10) is the Hessian of the network", () => {
    for (const seed of [1, 2, 3]) {
      const { v, w, x, y, theta, problem } = setting(seed, 7, 40);
      const dense = hessian(problem, theta);
      const block = scalarLinearBlockHessian(w, v, scalarLinearStats(w, v, x, y));
      expect(maxAbs(Matrix.sub(dense, block))).toBeLessThan(1e-13 * maxAbs(dense));
    }
  });

  it("the spectrum (bulk +-deltaX, outliers (1)) matches the dense eigenvalues to 1e-10 relative", () => {
    for (const [seed, m] of [[4, 5], [5, 12], [6, 30]]) {
      const { v, w, x, y, theta, problem } = setting(seed, m, 60, 2);
      const dense = hessian(problem, theta);
      const eig = new EigenvalueDecomposition(dense).realEigenvalues.sort((a, b) => a - b);
      const predicted = scalarLinearSpectrum(scalarLinearStats(w, v, x, y), m);
      const scale = Math.max(...eig.map(Math.abs));
      const worst = Math.max(...eig.map((e, i) => Math.abs(e - predicted[i])));
      expect(worst / scale).toBeLessThan(1e-10);
    }
  });

  it("the sum-of-squares discriminant (2) equals the one of (1)", () => {
    const g = rng(7);
    for (let t = 0; t < 200; t++) {
      const m = 1 + g.int(10);
      const w = g.normalArray(m), v = g.normalArray(m), x = g.normalArray(20), y = g.normalArray(20);
      const s = scalarLinearStats(w, v, x, y);
      const sum = s.sigmaX2 * (s.ww + s.vv);
      const eq1 = sum * sum + 4 * (s.deltaX * s.deltaX + 2 * s.sigmaX2 * s.deltaX * s.wv);
      expect(Math.abs(sharpnessDiscriminant(s) - eq1)).toBeLessThan(1e-12 * Math.max(1, eq1));
    }
  });

  it("the small outlier stays accurate near a fit, where the textbook root formula cancels", () => {
    // <w, v> sigma_x^2 = yx (1 + 1e-9): deltaX is ~1e-9 of yx, so q is tiny against s^2.
    const m = 4;
    const w = new Float64Array([1, 0.5, -0.25, 2]);
    const v = new Float64Array([0.3, 1, 0.7, 0.2]);
    const x = new Float64Array([1, -2, 0.5, 1.5]);
    const wv = 0.3 + 0.5 - 0.175 + 0.4;
    const sigmaX2 = (1 + 4 + 0.25 + 2.25) / 4;
    const y = x.map((xi) => (wv * (1 - 1e-9)) * xi);
    const s = scalarLinearStats(w, v, x, y);
    const [l1, l2] = scalarLinearOutliers(s);
    const sum = s.sigmaX2 * (s.ww + s.vv);
    const q = s.deltaX * s.deltaX + 2 * s.sigmaX2 * s.deltaX * s.wv;
    const residual = (l: number) => Math.abs(l * l - sum * l - q) / Math.abs(q); // the quadratic, relative to its constant
    expect(residual(l2)).toBeLessThan(1e-12);
    expect(residual(l1) * Math.abs(q)).toBeLessThan(1e-14 * sum * sum);
    const naive = sum / 2 - Math.sqrt(sum * sum + 4 * q) / 2;
    expect(residual(naive)).toBeGreaterThan(1e-9); // the check above can fail: the naive root does
    expect(sigmaX2).toBeCloseTo(s.sigmaX2, 15);
  });

  it("the proof's determinant identity: det(sigma^2 z z^T - nu I) = (-nu)^(m-1) (sigma^2 |z|^2 - nu)", () => {
    const { v, w, x, y } = setting(8, 6, 30);
    const s = scalarLinearStats(w, v, x, y);
    for (const lambda of [-1.3, 0.2, 0.9, 2.5]) {
      const r = scalarLinearReduction(lambda, w, v, s);
      const M = Matrix.mul(new Matrix([Array.from(r.z)]).transpose().mmul(new Matrix([Array.from(r.z)])), s.sigmaX2);
      for (let i = 0; i < 6; i++) M.set(i, i, M.get(i, i) - r.nu);
      const eig = new EigenvalueDecomposition(M).realEigenvalues;
      const det = eig.reduce((a, b) => a * b, 1);
      expect(Math.abs(det - r.determinant)).toBeLessThan(1e-10 * Math.abs(det));
    }
    // ... and the outlier factor vanishes at the closed-form outliers.
    for (const l of scalarLinearOutliers(s)) {
      const r = scalarLinearReduction(l, w, v, s);
      expect(Math.abs(r.outlierFactor)).toBeLessThan(1e-12 * (s.sigmaX2 * r.z.reduce((a, b) => a + b * b, 0) + Math.abs(r.nu)));
    }
  });

  it("bad input names the argument", () => {
    expect(() => scalarLinearStats(new Float64Array([1]), new Float64Array([1, 2]), new Float64Array([1]), new Float64Array([1]))).toThrow(
      /scalarLinearStats: v must have length 1, got 2/,
    );
    expect(() => scalarLinearStats(new Float64Array([NaN]), new Float64Array([1]), new Float64Array([1]), new Float64Array([1]))).toThrow(
      /w\[0\] is not finite/,
    );
    expect(() => scalarLinearSpectrum(scalarLinearStats(new Float64Array([1]), new Float64Array([1]), new Float64Array([1]), new Float64Array([1])), 0)).toThrow(/m must be a positive integer/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The rest of the paper's closed forms, each against the dense Hessian of the lib/models model.
// ---------------------------------------------------------------------------------------------------------
import {
  outlierProduct, learningPhase, attentionStats, biasStats, multiInputStats, multiOutputStats,
  multiOutputOutlierEigenvectors, decoupledSpectrum, sharpnessContributions, orthogonalComplement,
  reluCells, queryKeySpectrum, attentionQuadraticAtZeroGamma, attentionConditionBound,
  scalarLinearOutlierEigenvectors, scalarLinearBulkBasis, reluSpectrum, attentionBlockHessian, attentionOutlierBounds,
  attentionCubic, attentionOutliers, attentionSpectrum, biasOutlierPair, biasSpectrum, biasOutlierTriple,
} from "../../lib/papers/cracking-the-hessian";
import { selfAttention, twoLayerBias, twoLayerMultiInput, twoLayerMultiOutput, twoLayerRelu } from "../../lib/models";
import { decorrelatedData } from "../../lib/data";

const sortedEig = (H: Matrix) => new EigenvalueDecomposition(H).realEigenvalues.sort((a, b) => a - b);
function spectrumError(H: Matrix, predicted: Float64Array): number {
  const eig = sortedEig(H);
  const scale = Math.max(...eig.map(Math.abs));
  return Math.max(...eig.map((e, i) => Math.abs(e - predicted[i]))) / scale;
}
function residual(H: Matrix, z: Float64Array, lambda: number): number {
  const Hz = H.mmul(Matrix.columnVector(Array.from(z))).to1DArray();
  const nz = Math.hypot(...z);
  return Math.hypot(...Hz.map((h, i) => h - lambda * z[i])) / (nz * maxAbs(H));
}

describe("Cracking the Hessian, helpers", () => {
  it("orthogonalComplement is orthonormal and orthogonal to u", () => {
    const u = rng(3).normalArray(9);
    const Q = orthogonalComplement(u);
    const G = Q.transpose().mmul(Q);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) expect(Math.abs(G.get(i, j) - (i === j ? 1 : 0))).toBeLessThan(1e-14);
    const uq = new Matrix([Array.from(u)]).mmul(Q);
    expect(maxAbs(uq)).toBeLessThan(1e-14 * Math.hypot(...u));
  });
});

describe("Cracking the Hessian, Theorems 3.2 / 3.3 and equation (2)", () => {
  it("outlier eigenvectors (Theorem 3.2) and bulk bases (Theorem 3.3, sign relative to deltaX)", () => {
    for (const seed of [21, 22]) {
      const { v, w, x, y, theta, problem } = setting(seed, 8, 50, 2);
      const H = hessian(problem, theta);
      const s = scalarLinearStats(w, v, x, y);
      const { values, vectors } = scalarLinearOutlierEigenvectors(w, v, s);
      for (let i = 0; i < 2; i++) expect(residual(H, vectors[i], values[i])).toBeLessThan(1e-13);
      for (const sign of [1, -1] as const) {
        const Z = scalarLinearBulkBasis(w, v, sign);
        expect(Z.columns).toBe(7);
        for (let j = 0; j < Z.columns; j++) expect(residual(H, Float64Array.from(Z.getColumn(j)), sign * s.deltaX)).toBeLessThan(1e-13);
      }
    }
  });

  it("equation (2) contributions sum to the sharpness of (1)", () => {
    const { v, w, x, y } = setting(23, 6, 40);
    const s = scalarLinearStats(w, v, x, y);
    const c = sharpnessContributions(s);
    expect(Math.abs(c.lambdaMax - scalarLinearOutliers(s)[0])).toBeLessThan(1e-14 * c.lambdaMax);
    expect(Math.abs(c.discriminant - sharpnessDiscriminant(s))).toBeLessThan(1e-14 * c.discriminant);
  });
});

describe("Cracking the Hessian, Theorem 3.4 (ReLU cells)", () => {
  it("cell-wise spectrum matches the dense Hessian of twoLayerRelu", () => {
    const g = rng(34);
    for (const m of [6, 11]) {
      const x = g.normalArray(80), y = x.map((xi) => (xi > 0 ? 1.2 : -0.4) * xi + 0.1 * g.normal());
      const w = g.normalArray(m), v = g.normalArray(m);
      const theta = new Float64Array(2 * m);
      theta.set(w, 0);
      theta.set(v, m);
      const H = hessian(mseProblem(twoLayerRelu(m), new Matrix([Array.from(x)]), new Matrix([Array.from(y)])), theta);
      expect(spectrumError(H, reluSpectrum(reluCells(w, v, x, y)))).toBeLessThan(1e-12);
    }
    expect(() => reluCells(new Float64Array([1]), new Float64Array([0]), new Float64Array([1]), new Float64Array([1]))).toThrow(/v\[0\] = 0 is a kink/);
  });
});

describe("Cracking the Hessian, Theorem 3.5 (self-attention)", () => {
  function attention(seed: number, T: number, dK: number, B: number, sink = 0) {
    const g = rng(seed);
    const X = g.normalMatrix(T, B), Y = g.normalMatrix(T, B);
    const wV = 0.9, wK = g.normalArray(dK, 0, 0.8), wQ = g.normalArray(dK, 0, 0.8);
    const theta = new Float64Array(1 + 2 * dK);
    theta[0] = wV;
    theta.set(wK, 1);
    theta.set(wQ, 1 + dK);
    const H = hessian(mseProblem(selfAttention({ seqLen: T, dK, sink }), X, Y, { normalizer: T * B }), theta);
    return { X, Y, wV, wK, wQ, H, stats: attentionStats(X, Y, wV, wK, wQ, { sink }) };
  }

  it("block Hessian and spectrum (±gamma and the cubic's roots) vs dense, with and without sink", () => {
    for (const [seed, T, dK, B, sink] of [[1, 5, 4, 1, 0], [2, 7, 6, 3, 0], [3, 6, 5, 2, 2.5]]) {
      const { wK, wQ, H, stats } = attention(seed, T, dK, B, sink);
      expect(maxAbs(Matrix.sub(H, attentionBlockHessian(wK, wQ, stats)))).toBeLessThan(1e-13 * maxAbs(H));
      expect(spectrumError(H, attentionSpectrum(stats))).toBeLessThan(1e-12);
      const b = attentionOutlierBounds(stats);
      for (const l of attentionOutliers(stats)) {
        expect(l).toBeGreaterThanOrEqual(b.lower - 1e-12);
        expect(l).toBeLessThanOrEqual(b.upper + 1e-12);
      }
      const top = attentionOutliers(stats)[0];
      expect(top).toBeGreaterThanOrEqual(b.lambdaMaxLower - 1e-12);
      const c = attentionCubic(stats);
      for (const l of attentionOutliers(stats)) {
        expect(Math.abs(-(l ** 3) + c.a2 * l * l + c.a1 * l + c.a0)).toBeLessThan(1e-12 * Math.max(1, Math.abs(l) ** 3));
      }
      expect(Math.abs(c.q - c.qExpanded)).toBeLessThan(1e-12 * Math.max(1, c.a2 ** 3));
      expect(attentionConditionBound(stats)).toBeGreaterThan(0);
    }
  });

  it("Remark B.2: the query-key block alone", () => {
    const { H, stats } = attention(4, 6, 5, 2);
    const d = stats.dK;
    const QK = H.subMatrix(1, 2 * d, 1, 2 * d);
    expect(spectrumError(QK, queryKeySpectrum(stats))).toBeLessThan(1e-12);
  });

  it("Remark B.3: with gamma = 0 the cubic's roots are 0 and the quadratic's", () => {
    const { stats } = attention(5, 6, 5, 1);
    const s0 = { ...stats, gamma: 0 };
    const roots = attentionOutliers(s0);
    const [q1, q2] = attentionQuadraticAtZeroGamma(s0);
    const expected = [q1, q2, 0].sort((a, b) => b - a);
    for (let i = 0; i < 3; i++) expect(Math.abs(roots[i] - expected[i])).toBeLessThan(1e-14 * Math.abs(q1) * 10);
  });
});

describe("Cracking the Hessian, Appendix B.3 / B.4 and C", () => {
  it("Theorem B.1 under its assumptions: pair, triple, bulk, zeros vs dense", () => {
    const g = rng(51);
    for (const m of [4, 7]) {
      const { X, Y } = decorrelatedData(1, 40, g);
      const w = g.normalArray(m), v = g.normalArray(m), b = g.normalArray(m);
      const vb = v.reduce((a, vi, i) => a + vi * b[i], 0), vv = v.reduce((a, vi) => a + vi * vi, 0);
      for (let i = 0; i < m; i++) b[i] -= (vb / vv) * v[i];
      const bn = Math.sqrt(b.reduce((a, bi) => a + bi * bi, 0));
      for (let i = 0; i < m; i++) b[i] *= Math.sqrt(vv) / bn;
      const theta = new Float64Array(3 * m);
      theta.set(w, 0);
      theta.set(v, m);
      theta.set(b, 2 * m);
      const H = hessian(mseProblem(twoLayerBias(m), X, Y), theta);
      const s = biasStats(w, v, b, Float64Array.from(X.getRow(0)), Float64Array.from(Y.getRow(0)));
      expect(spectrumError(H, biasSpectrum(s, m))).toBeLessThan(1e-12);
      expect(biasOutlierPair(s)[0]).toBeGreaterThan(biasOutlierTriple(s).values[2]);
    }
  });

  it("Corollaries B.1 / B.2 / B.3: decoupled spectra and the outlier eigenvectors (119)", () => {
    const g = rng(52);
    const m = 5, D = 3, n = 60;
    const { X: X0 } = decorrelatedData(D, n, g);
    const X = X0.clone();
    for (let d = 0; d < D; d++) for (let j = 0; j < n; j++) X.set(d, j, X.get(d, j) * (d + 1));
    const Y = new Matrix([Array.from({ length: n }, (_, j) => 0.5 * X.get(0, j) - X.get(2, j) + 0.2 * g.normal())]);
    const ws = [0, 1, 2].map(() => g.normalArray(m)), vs = [0, 1, 2].map(() => g.normalArray(m));
    const theta = new Float64Array(2 * m * D);
    for (let d = 0; d < D; d++) { theta.set(ws[d], 2 * m * d); theta.set(vs[d], 2 * m * d + m); }
    const H1 = hessian(mseProblem(twoLayerMultiInput(m, D), X, Y), theta);
    expect(spectrumError(H1, decoupledSpectrum(multiInputStats(ws, vs, X, Y), m))).toBeLessThan(1e-12);

    const x = new Matrix([Array.from(g.normalArray(n))]);
    const YK = g.normalMatrix(D, n);
    const H2 = hessian(mseProblem(twoLayerMultiOutput(m, D), x, YK), theta);
    const groups = multiOutputStats(ws, vs, x, YK);
    expect(spectrumError(H2, decoupledSpectrum(groups, m))).toBeLessThan(1e-12);
    for (let k = 0; k < D; k++) {
      const { values, vectors } = multiOutputOutlierEigenvectors(ws, vs, groups, k);
      for (let i = 0; i < 2; i++) expect(residual(H2, vectors[i], values[i])).toBeLessThan(1e-13);
    }
  });

  it("Appendix C: the product form and the phase inequalities", () => {
    const { v, w, x, y } = setting(61, 6, 40);
    const s = scalarLinearStats(w, v, x, y);
    const [l1, l2] = scalarLinearOutliers(s);
    expect(Math.abs(outlierProduct(s) + l1 * l2)).toBeLessThan(1e-13 * l1 * l1);
    const phase = learningPhase(s);
    const tr = s.sigmaX2 * (s.ww + s.vv);
    if (phase === "late") expect(l2).toBeGreaterThanOrEqual(0);
    else expect(l1).toBeGreaterThanOrEqual(tr);
  });
});

describe("Cracking the Hessian, bad input names the argument", () => {
  it("throws clear errors", () => {
    const one = new Float64Array([1]);
    expect(() => scalarLinearOutlierEigenvectors(one, new Float64Array([1, 2]), scalarLinearStats(one, one, one, one))).toThrow(/scalarLinearOutlierEigenvectors: v must have length 1/);
    expect(() => scalarLinearBulkBasis(one, one, 2 as unknown as 1)).toThrow(/sign must be 1 or -1/);
    expect(() => orthogonalComplement(new Float64Array([0, 0]))).toThrow(/orthogonalComplement: u must be nonzero/);
    expect(() => attentionStats(new Matrix(3, 1), new Matrix(2, 1), 1, one, one)).toThrow(/attentionStats: Y must be 3 x 1/);
    expect(() => attentionStats(new Matrix(3, 1), new Matrix(3, 1), NaN, one, one)).toThrow(/attentionStats: wV must be a finite number/);
    expect(() => biasStats(one, one, new Float64Array(2), one, one)).toThrow(/biasStats: b must have length 1/);
    expect(() => biasSpectrum(biasStats(one, one, one, one, one), 1)).toThrow(/m must be an integer >= 2/);
    expect(() => multiOutputOutlierEigenvectors([one], [one], [scalarLinearStats(one, one, one, one)], 1)).toThrow(/k must be an integer in \[0, 0\]/);
    expect(() => sharpnessContributions({ sigmaX2: NaN } as never)).toThrow(/sharpnessContributions: stats.sigmaX2 must be a finite number/);
    expect(() => learningPhase({ ...scalarLinearStats(one, one, one, one), sigmaX2: 0 })).toThrow(/sigmaX2 must be > 0/);
  });
});
