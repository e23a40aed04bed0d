/**
 * The closed forms of lib/papers/depth-not-data.ts against brute force:
 * - the scalar recursion against full-matrix population gradient descent on balanced deep linear nets;
 * - the predicted spectrum against the eigenvalues of the Gram matrix B^{1/2} A^T A B^{1/2} assembled from
 *   Kronecker products of the actual weight products, and against the dense outer-product Hessian
 *   J^T (I (x) S_xx) J assembled from the layer Jacobians (ml-matrix eigensolver);
 * - the functional-Hessian block bound against the dense functional Hessian.
 * Everything brute-force here is test code, written from the definitions, independent of the module.
 */
import { describe, expect, it } from "vitest";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { rng, Rng } from "../../lib/random/rng";
import {
  clusterCounts,
  excessLoss,
  excessLossContraction,
  functionalHessianBound,
  gapCondition,
  gramSpectrum,
  parameterCount,
  predictClusters,
  scalarRecursion,
  scalarStep,
  splitByCounts,
  usiEigenvalues,
  widen,
} from "../../lib/papers/depth-not-data";
import { haarOrthogonal } from "../../lib/linalg/haar";

// ---------- brute-force helpers (test only) ----------

function diagMatrix(rows: number, cols: number, d: ArrayLike<number>): Matrix {
  const m = Matrix.zeros(rows, cols);
  for (let i = 0; i < Math.min(rows, cols, d.length); i++) m.set(i, i, d[i]);
  return m;
}

function kron(A: Matrix, B: Matrix): Matrix {
  const out = Matrix.zeros(A.rows * B.rows, A.columns * B.columns);
  for (let i = 0; i < A.rows; i++)
    for (let j = 0; j < A.columns; j++) {
      const a = A.get(i, j);
      if (a === 0) continue;
      for (let p = 0; p < B.rows; p++) for (let q = 0; q < B.columns; q++) out.set(i * B.rows + p, j * B.columns + q, a * B.get(p, q));
    }
  return out;
}

function symEigs(A: Matrix): number[] {
  const S = A.add(A.transpose()).mul(0.5);
  return new EigenvalueDecomposition(S, { assumeSymmetric: true }).realEigenvalues.slice().sort((x, y) => y - x);
}

/** Product W_i ... W_j (1-based, i >= j), identity of size d_{j-1} when i < j. */
function prod(W: Matrix[], i: number, j: number, widths: number[]): Matrix {
  let P = Matrix.eye(widths[j - 1]);
  for (let l = j; l <= i; l++) P = W[l - 1].mmul(P);
  return P;
}

interface Setting {
  widths: number[]; // [d0, d1, ..., dL]
  r: number;
  dStar: number;
  U: Matrix; // dL x dL orthogonal
  V: Matrix; // d0 x d0 orthogonal
  Sxx: Matrix;
  Syx: Matrix;
}

function makeSetting(gen: Rng, widths: number[], r: number, dStar: number): Setting {
  const d0 = widths[0];
  const dL = widths[widths.length - 1];
  const U = haarOrthogonal(gen, dL);
  const V = haarOrthogonal(gen, d0);
  const Sxx = V.mmul(diagMatrix(d0, d0, Array.from({ length: dStar }, () => 1))).mmul(V.transpose());
  const Syx = U.mmul(diagMatrix(dL, d0, Array.from({ length: r }, () => 1))).mmul(V.transpose());
  return { widths, r, dStar, U, V, Sxx, Syx };
}

/** Balanced init W_L = P(U D), W_j = P(D), W_1 = P(D V^T) with D = diag(lambdas) (k = lambdas.length). */
function balancedWeights(s: Setting, lambdas: number[]): Matrix[] {
  const L = s.widths.length - 1;
  const W: Matrix[] = [];
  for (let l = 1; l <= L; l++) {
    let Wl = diagMatrix(s.widths[l], s.widths[l - 1], lambdas);
    if (l === L) Wl = s.U.mmul(diagMatrix(s.widths[L], s.widths[L - 1], lambdas));
    if (l === 1) Wl = diagMatrix(s.widths[1], s.widths[0], lambdas).mmul(s.V.transpose());
    if (L === 1) Wl = s.U.mmul(diagMatrix(s.widths[1], s.widths[0], lambdas)).mmul(s.V.transpose());
    W.push(Wl);
  }
  return W;
}

/** One full-matrix population GD step: grad_{W_l} = W_{L:l+1}^T (W_{L:1} S_xx - S_yx) W_{l-1:1}^T. */
function gdStep(s: Setting, W: Matrix[], eta: number): Matrix[] {
  const L = W.length;
  const Delta = prod(W, L, 1, s.widths).mmul(s.Sxx).sub(s.Syx);
  return W.map((Wl, idx) => {
    const l = idx + 1;
    const g = prod(W, L, l + 1, s.widths).transpose().mmul(Delta).mmul(prod(W, l - 1, 1, s.widths).transpose());
    return Wl.clone().sub(g.mul(eta));
  });
}

/** Dense Jacobian of vec_r(W_{L:1}) (dL*d0) w.r.t. all parameters (row-major vec of each W_l, layers in order). */
function productJacobian(s: Setting, W: Matrix[]): Matrix {
  const L = W.length;
  const dL = s.widths[L];
  const d0 = s.widths[0];
  const blocks: Matrix[] = [];
  for (let l = 1; l <= L; l++) blocks.push(kron(prod(W, L, l + 1, s.widths), prod(W, l - 1, 1, s.widths).transpose()));
  const p = blocks.reduce((a, b) => a + b.columns, 0);
  const J = Matrix.zeros(dL * d0, p);
  let off = 0;
  for (const B of blocks) {
    J.setSubMatrix(B, 0, off);
    off += B.columns;
  }
  return J;
}

/** H_o = J^T (I_dL (x) S_xx) J for the population loss (d vec_r(W x) = (I (x) x^T) vec_r(W)). */
function denseHo(s: Setting, W: Matrix[]): Matrix {
  const J = productJacobian(s, W);
  const B = kron(Matrix.eye(s.widths[W.length]), s.Sxx);
  return J.transpose().mmul(B).mmul(J);
}

/** Dense functional Hessian of the population loss: bilinear form tr(G E' M E) for each pair of layers l < l'. */
function denseHf(s: Setting, W: Matrix[]): Matrix {
  const L = W.length;
  const w = s.widths;
  const offsets: number[] = [0];
  for (let l = 1; l <= L; l++) offsets.push(offsets[l - 1] + w[l] * w[l - 1]);
  const H = Matrix.zeros(offsets[L], offsets[L]);
  const Delta = prod(W, L, 1, w).mmul(s.Sxx).sub(s.Syx); // E[delta x^T]
  for (let l = 1; l <= L; l++)
    for (let lp = l + 1; lp <= L; lp++) {
      const G = prod(W, l - 1, 1, w).mmul(Delta.transpose()).mmul(prod(W, L, lp + 1, w)); // d_{l-1} x d_{l'}
      const M = prod(W, lp - 1, l + 1, w); // d_{l'-1} x d_l
      // d/dE_l[a,b] d/dE_{l'}[c,e] tr(G E' M E) = G[b,c] M[e,a]
      for (let a = 0; a < w[l]; a++)
        for (let b = 0; b < w[l - 1]; b++)
          for (let c = 0; c < w[lp]; c++)
            for (let e = 0; e < w[lp - 1]; e++) {
              const v = G.get(b, c) * M.get(e, a);
              const i1 = offsets[l - 1] + a * w[l - 1] + b;
              const i2 = offsets[lp - 1] + c * w[lp - 1] + e;
              H.set(i1, i2, v);
              H.set(i2, i1, v);
            }
    }
  return H;
}

/** Population loss 1/2 tr(W S W^T) - tr(W S_yx^T) + 1/2 tr(S_yy), S_yy = S_yx S_xx S_yx^T (Y = S_yx X). */
function populationLoss(s: Setting, W: Matrix[]): number {
  const P = prod(W, W.length, 1, s.widths);
  const Syy = s.Syx.mmul(s.Sxx).mmul(s.Syx.transpose());
  return 0.5 * P.mmul(s.Sxx).mmul(P.transpose()).trace() - P.mmul(s.Syx.transpose()).trace() + 0.5 * Syy.trace();
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-300): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return e;
}

// ---------- tests ----------

describe("scalar recursion vs full-matrix GD (Lemma 3.4)", () => {
  const configs = [
    { widths: [5, 6, 4], r: 2, dStar: 3, lambdas: [0.7, 0.9, 0.5, 0.6] },
    { widths: [6, 7, 7, 5], r: 2, dStar: 6, lambdas: [0.8, 0.6, 0.4, 0.3, 0.5] },
    { widths: [4, 5, 6, 5, 3], r: 1, dStar: 2, lambdas: [0.9, 0.7, 0.8] },
    { widths: [5, 5, 5, 5, 5, 6], r: 3, dStar: 4, lambdas: [0.85, 0.95, 0.9, 0.7, 0.6] },
  ];
  for (const cfg of configs) {
    it(`L = ${cfg.widths.length - 1}, widths ${cfg.widths.join("-")}, r = ${cfg.r}, d* = ${cfg.dStar}`, () => {
      const gen = rng(100 + cfg.widths.length);
      const s = makeSetting(gen, cfg.widths, cfg.r, cfg.dStar);
      const L = cfg.widths.length - 1;
      const eta = 0.2;
      const steps = 60;
      let W = balancedWeights(s, cfg.lambdas);
      const traj = scalarRecursion(cfg.lambdas, { L, eta, steps, r: cfg.r, dStar: cfg.dStar });
      let worst = 0;
      for (let t = 1; t <= steps; t++) {
        W = gdStep(s, W, eta);
        const pred = balancedWeights(s, Array.from(traj[t]));
        for (let l = 0; l < L; l++) {
          const diff = W[l].clone().sub(pred[l]).norm();
          worst = Math.max(worst, diff / Math.max(pred[l].norm(), 1e-300));
        }
        // excess loss closed form vs brute force
        expect(Math.abs(populationLoss(s, W) - excessLoss(traj[t], L, cfg.r, cfg.dStar))).toBeLessThan(1e-12);
      }
      expect(worst).toBeLessThan(1e-12);
      // values beyond d* never move
      for (let i = cfg.dStar; i < cfg.lambdas.length; i++) expect(traj[steps][i]).toBe(cfg.lambdas[i]);
    });
  }

  it("limits (Lemma A.3): lambda -> 1 for i < r, decreasing towards 0 for r <= i < d*", () => {
    const traj = scalarRecursion([0.3, 1.2, 0.5], { L: 3, eta: 0.1, steps: 4000, r: 2, dStar: 3 });
    const last = traj[traj.length - 1];
    expect(Math.abs(last[0] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(last[1] - 1)).toBeLessThan(1e-12);
    expect(last[2]).toBeLessThan(0.5);
    for (let t = 1; t < traj.length; t++) expect(traj[t][2]).toBeLessThanOrEqual(traj[t - 1][2]);
    expect(scalarStep(1, 4, 0.1)).toBe(1);
    expect(scalarStep(0.5, 2, 0.1, 1, 0)).toBeCloseTo(0.5 - 0.1 * 0.125, 15);
  });
});

describe("predicted spectrum vs Gram matrix and dense H_o", () => {
  const configs = [
    { widths: [6, 7, 7, 5], r: 2, dStar: 6, lambdas: [1, 1] }, // the reference's independent check, m = 1
    { widths: [6, 7, 7, 7, 5], r: 2, dStar: 6, lambdas: [0.8, 0.8] }, // USI
    { widths: [5, 6, 6, 4], r: 3, dStar: 4, lambdas: [0.9, 0.95, 1.0] }, // non-uniform
    { widths: [4, 5, 3], r: 2, dStar: 3, lambdas: [0.7, 0.7 * (1 + 1e-9)] }, // near-coincident
    { widths: [5, 5, 5, 5, 5, 4], r: 1, dStar: 5, lambdas: [1.1] },
  ];
  for (const cfg of configs) {
    const L = cfg.widths.length - 1;
    it(`L = ${L}, widths ${cfg.widths.join("-")}, r = ${cfg.r}, d* = ${cfg.dStar}, lambdas ${cfg.lambdas.join(",")}`, () => {
      const gen = rng(7 + L);
      const s = makeSetting(gen, cfg.widths, cfg.r, cfg.dStar);
      const W = balancedWeights(s, cfg.lambdas);
      const dL = cfg.widths[L];
      const d0 = cfg.widths[0];
      const p = parameterCount(cfg.widths);
      const pred = gramSpectrum(cfg.lambdas, { L, r: cfg.r, dStar: cfg.dStar, dOut: dL });
      const counts = clusterCounts(cfg.r, cfg.dStar, dL, p);
      expect(pred.filter((q) => q.cluster === "dominant").length).toBe(counts.dominant);
      expect(pred.filter((q) => q.cluster === "bulk").length).toBe(counts.bulk);
      // Gram matrix from Kronecker products of the actual weight products
      let G = Matrix.zeros(dL * d0, dL * d0);
      for (let l = 1; l <= L; l++) {
        const A = prod(W, L, l + 1, s.widths);
        const B = prod(W, l - 1, 1, s.widths);
        G = G.add(kron(A.mmul(A.transpose()), s.Sxx.mmul(B.transpose()).mmul(B).mmul(s.Sxx)));
      }
      const gramEigs = symEigs(G);
      const predValues = pred.map((q) => q.value);
      const scaleRef = predValues[0];
      for (let i = 0; i < predValues.length; i++) expect(Math.abs(gramEigs[i] - predValues[i])).toBeLessThan(1e-12 * scaleRef);
      // dense H_o: the same nonzero eigenvalues, and p - (nonzero) zeros
      const hoEigs = symEigs(denseHo(s, W));
      const nonzero = counts.dominant + counts.bulk;
      for (let i = 0; i < nonzero; i++) expect(Math.abs(hoEigs[i] - predValues[i])).toBeLessThan(1e-11 * scaleRef);
      for (let i = nonzero; i < p; i++) expect(Math.abs(hoEigs[i])).toBeLessThan(1e-11 * scaleRef);
      // Theorem 3.5 intervals
      const pc = predictClusters(cfg.lambdas, { L, dStar: cfg.dStar, dOut: dL, p });
      for (const q of pred) {
        if (q.cluster === "dominant") {
          expect(q.value).toBeGreaterThanOrEqual(pc.dominant[0] * (1 - 1e-14));
          expect(q.value).toBeLessThanOrEqual(pc.dominant[1] * (1 + 1e-14));
        } else if (q.cluster === "bulk") {
          expect(q.value).toBeGreaterThanOrEqual(pc.bulk[0] * (1 - 1e-14));
          expect(q.value).toBeLessThanOrEqual(pc.bulk[1] * (1 + 1e-14));
        } else expect(q.value).toBe(0);
      }
    });
  }

  it("reference check at the solution: L (r^2 times), 1 ((d*+dL-2r) r times), H_f = 0", () => {
    for (const L of [2, 3, 4, 5]) {
      const widths = [6, ...Array.from({ length: L - 1 }, () => 7), 5];
      const s = makeSetting(rng(L), widths, 2, 6);
      const W = balancedWeights(s, [1, 1]);
      const Hf = denseHf(s, W);
      expect(Hf.norm()).toBeLessThan(1e-13);
      const eigs = symEigs(denseHo(s, W).add(Hf));
      for (let i = 0; i < 4; i++) expect(eigs[i]).toBeCloseTo(L, 10);
      for (let i = 4; i < 18; i++) expect(eigs[i]).toBeCloseTo(1, 10);
      expect(Math.abs(eigs[18])).toBeLessThan(1e-10);
    }
  });

  it("USI values, gap condition, widen, split", () => {
    const u = usiEigenvalues(0.9, 4);
    expect(u.dominant / u.bulk).toBeCloseTo(4, 14);
    expect(u.bulk).toBeCloseTo(Math.pow(0.9, 6), 15);
    expect(gapCondition(0.9, 0.95, 3).holds).toBe(true); // (0.95/0.9)^4 = 1.24 < 3
    expect(gapCondition(0.5, 1, 3).holds).toBe(false); // 2^4 = 16 > 3
    expect(gapCondition(1, 1.01, 10000).lhs).toBeGreaterThan(1e80);
    expect(gapCondition(1, 1.01, 10000).holds).toBe(false);
    expect(widen([1, 2], 0.5)).toEqual([0.5, 2.5]);
    const sp = splitByCounts([0.1, 3, 1, 3.1, 0, 1.2], { dominant: 2, bulk: 2 });
    expect(sp.dominantMean).toBeCloseTo(3.05, 14);
    expect(sp.bulkMean).toBeCloseTo(1.1, 14);
    expect(() => clusterCounts(3, 2, 5, 100)).toThrow(/clusterCounts: r/);
  });
});

describe("functional Hessian bound (Lemmas A.5, A.6)", () => {
  it("dense ||H_f|| <= block bound <= crude bound, and <= C sqrt(excess loss)", () => {
    const cases = [
      { widths: [5, 6, 4], r: 2, dStar: 4, lambdas: [0.7, 0.9, 0.2, 0] },
      { widths: [6, 7, 7, 5], r: 2, dStar: 5, lambdas: [0.8, 0.6, 0.3, 0, 0] },
      { widths: [4, 5, 5, 5, 3], r: 2, dStar: 3, lambdas: [1.05, 0.9, 0.4] },
    ];
    for (const cfg of cases) {
      const L = cfg.widths.length - 1;
      const s = makeSetting(rng(31 + L), cfg.widths, cfg.r, cfg.dStar);
      const W = balancedWeights(s, cfg.lambdas);
      const normHf = symEigs(denseHf(s, W)).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const b = functionalHessianBound(cfg.lambdas, { L, r: cfg.r, dStar: cfg.dStar });
      expect(normHf).toBeLessThanOrEqual(b.blockBound * (1 + 1e-12));
      expect(b.blockBound).toBeLessThanOrEqual(b.crudeBound * (1 + 1e-12) + 1e-300);
      const ex = excessLoss(cfg.lambdas, L, cfg.r, cfg.dStar);
      expect(b.deltaNorm).toBeLessThanOrEqual(Math.sqrt(2 * ex) * (1 + 1e-12));
      expect(normHf).toBeLessThanOrEqual(b.constantC * Math.sqrt(ex) * (1 + 1e-12));
      // L = 2: H_f = [[0, B], [B^T, 0]] has norm ||B||, the block bound counts B twice: exactly sqrt(2) ||B||
      if (L === 2) expect(Math.abs(normHf * Math.SQRT2 - b.blockBound) / b.blockBound).toBeLessThan(1e-12);
    }
  });

  it("excess loss contraction bound holds along a run that approaches 1 from below", () => {
    const L = 3;
    const eta = 0.1;
    const traj = scalarRecursion([0.6, 0.8], { L, eta, steps: 300, r: 2, dStar: 2 });
    let alpha = Infinity;
    for (const row of traj) alpha = Math.min(alpha, row[0], row[1]);
    const rho = excessLossContraction(alpha, L, eta);
    for (let t = 1; t < traj.length; t++) {
      const e0 = excessLoss(traj[t - 1], L, 2, 2);
      const e1 = excessLoss(traj[t], L, 2, 2);
      if (e0 > 1e-24) expect(e1).toBeLessThanOrEqual(rho * e0 * (1 + 1e-9) + 1e-300);
    }
    expect(maxRelErr([1], [1])).toBe(0);
  });
});

describe("closed forms vs lib/curvature's dense Hessians (population loss)", () => {
  it("H_o, H_f and H of lib/curvature match the test's brute force and the predicted spectrum", async () => {
    const { deepLinear } = await import("../../lib/models");
    const { populationProblem, hessian, gaussNewton, functionalHessian } = await import("../../lib/curvature");
    const widths = [6, 7, 7, 5];
    const L = 3;
    const s = makeSetting(rng(77), widths, 2, 5);
    const lambdas = [0.85, 0.8];
    const W = balancedWeights(s, lambdas);
    const model = deepLinear(widths);
    const theta = model.flatten(W);
    const problem = populationProblem(model, { Sxx: s.Sxx, Syx: s.Syx, Syy: s.Syx.mmul(s.Sxx).mmul(s.Syx.transpose()) });
    const Ho = gaussNewton(problem, theta);
    const Hf = functionalHessian(problem, theta);
    const H = hessian(problem, theta);
    expect(Ho.clone().sub(denseHo(s, W)).abs().max()).toBeLessThan(1e-12);
    expect(Hf.clone().sub(denseHf(s, W)).abs().max()).toBeLessThan(1e-12);
    expect(H.clone().sub(Ho).sub(Hf).abs().max()).toBeLessThan(1e-12);
    const pred = gramSpectrum(lambdas, { L, r: 2, dStar: 5, dOut: 5 }).map((q) => q.value);
    const eigs = symEigs(Ho);
    for (let i = 0; i < pred.length; i++) expect(Math.abs(eigs[i] - pred[i])).toBeLessThan(1e-12);
  });
});

describe("readSharedStructure", () => {
  it("reads D back from the shared form and reports off-diagonal mass when the form is broken", async () => {
    const { readSharedStructure } = await import("../../lib/papers/depth-not-data");
    const widths = [5, 6, 6, 4];
    const s = makeSetting(rng(90), widths, 2, 4);
    const lambdas = [0.9, 0.7, 0.4, 0.2];
    const W = balancedWeights(s, lambdas);
    const read = readSharedStructure(s.U, s.V, W, 4);
    expect(read.offDiagonal).toBeLessThan(1e-14);
    for (const d of read.diagonals) for (let i = 0; i < 4; i++) expect(Math.abs(d[i] - lambdas[i])).toBeLessThan(1e-14);
    W[1].set(0, 1, 0.3);
    expect(readSharedStructure(s.U, s.V, W, 4).offDiagonal).toBeCloseTo(0.3, 12);
  });
});
