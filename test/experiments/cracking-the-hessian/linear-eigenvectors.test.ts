import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import {
  bulkResiduals, bulkSpaceRun, dot, eigenspaceGap, eigenvectorAlignment, eigenvectorResidual, frobenius, norm, outlierEigenvectorRun, overshootPoint, subspaceResidual,
} from "../../../lib/experiments/cracking-the-hessian/linear-eigenvectors";
import { scalarLinearSetup } from "../../../lib/experiments/cracking-the-hessian/linear-network";
import { eigh } from "../../../lib/linalg/eigh";
import { hessian } from "../../../lib/curvature";
import { rng } from "../../../lib/random/rng";
import { scalarLinearBulkBasis, scalarLinearOutlierEigenvectors } from "../../../lib/papers/cracking-the-hessian";

const options = { m: 6, n: 50, teacher: 1.5, noise: 0.3, initStd: 0.6 };
const D = Matrix.diag([3, -1, 2]);

describe("vector helpers and residuals", () => {
  it("dot, norm, frobenius", () => {
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
    expect(norm([3, 4])).toBe(5);
    expect(frobenius(new Matrix([[1, 2], [2, 4]]))).toBe(5);
    expect(() => dot([1], [1, 2])).toThrow("dot: a and b must have the same length, got 1 and 2");
  });

  it("eigenvectorResidual: 0 for an eigenvector at any scale, relative to ||z|| max|H| otherwise", () => {
    expect(eigenvectorResidual(D, [0, 5, 0], -1)).toBe(0);
    // H e1 - 2 e1 = e1: residual 1 / (1 * 3)
    expect(eigenvectorResidual(D, [2, 0, 0], 2)).toBeCloseTo(1 / 3, 15);
    expect(() => eigenvectorResidual(D, [1, 0], 1)).toThrow("eigenvectorResidual: z must have length 3 (the size of H), got 2");
  });

  it("subspaceResidual: one eigenvalue for all columns, or one per column", () => {
    const Z = new Matrix([[1, 0], [0, 0], [0, 1]]);
    expect(subspaceResidual(D, Z, [3, 2])).toBe(0);
    expect(subspaceResidual(D, Z, 3)).toBeCloseTo(1 / (Math.SQRT2 * 3), 15);
    expect(() => subspaceResidual(D, Z, [1, 2, 3])).toThrow("subspaceResidual: lambda must hold 2 values (one per column of Z), got 3");
  });

  it("eigenvectorAlignment: the eigen-solver's vector nearest each value, signed like z", () => {
    const a = eigenvectorAlignment(D, [2.9, -1.2], [[-4, 0, 0], [0, 1, 0]]);
    expect(a.gap[0]).toBeLessThan(1e-15);
    expect(a.gap[1]).toBeLessThan(1e-15);
    expect(a.u[0][0]).toBeCloseTo(-1, 15);
    expect(a.u[1][1]).toBeCloseTo(1, 15);
  });
});

describe("Theorems 3.2, 3.3 and Corollary 3.1 on a small network", () => {
  it("bulkResiduals: the proof's reading holds at both signs of deltaX; the literal one only for deltaX > 0", () => {
    const gen = rng(33);
    const lin = scalarLinearSetup(options, gen);
    const thetaB = overshootPoint(lin, gen, { factor: 1.5, noise: 0.05 });
    expect(lin.stats(lin.theta0).deltaX).toBeLessThan(0);
    expect(lin.stats(thetaB).deltaX).toBeGreaterThan(0);
    const A = bulkResiduals(lin, lin.theta0), B = bulkResiduals(lin, thetaB);
    expect(A.proof).toBeLessThan(1e-12);
    expect(B.proof).toBeLessThan(1e-12);
    expect(B.literal).toBeLessThan(1e-12);
    expect(A.literal).toBeGreaterThan(1e-3);
    const E = eigh(A.H, { vectors: true });
    const gp = eigenspaceGap(E, A.Zp, A.stats.deltaX);
    expect(gp.count).toBe(options.m - 1);
    expect(gp.gap).toBeLessThan(1e-10);
    expect(() => eigenspaceGap(eigh(A.H), A.Zp, 0)).toThrow("eigenspaceGap: E must hold eigenvectors");
  });

  it("outlierEigenvectorRun: Theorem 3.2's vectors are eigenvectors along GD", () => {
    const lin = scalarLinearSetup(options, rng(32));
    const { w, v } = lin.weights(lin.theta0);
    const ev = scalarLinearOutlierEigenvectors(w, v, lin.stats(lin.theta0));
    expect(eigenvectorResidual(hessian(lin.problem, lin.theta0), ev.vectors[0], ev.values[0])).toBeLessThan(1e-13);
    const run = outlierEigenvectorRun(lin, { eta: 0.05, steps: 20, every: 10 });
    expect(run.map((r) => r.step)).toEqual([0, 10, 20]);
    for (const r of run) expect(Math.max(r.res1, r.res2 ?? 0)).toBeLessThan(1e-12);
  });

  it("bulkSpaceRun: iterates stay orthogonal to the initial bulk space, which stays an eigenspace", () => {
    const lin = scalarLinearSetup(options, rng(3101));
    const { w, v } = lin.weights(lin.theta0);
    const m = options.m;
    const B0 = new Matrix(2 * m, 2 * m - 2);
    B0.setSubMatrix(scalarLinearBulkBasis(w, v, 1), 0, 0);
    B0.setSubMatrix(scalarLinearBulkBasis(w, v, -1), 0, m - 1);
    const run = bulkSpaceRun(lin, B0, { eta0: 0.2, decay: 200, steps: 30, every: 10 });
    expect(run.records.map((r) => r.step)).toEqual([0, 10, 20, 30]);
    expect(run.innerMax).toBeLessThan(1e-13);
    for (const r of run.records) {
      expect(r.eigRes).toBeLessThan(1e-12);
      expect(r.prodErr).toBeLessThan(1e-12);
    }
    // theta_0 lies along the first plane axis
    expect(run.records[0].plane[0]).toBeCloseTo(norm(lin.theta0), 14);
    expect(Math.abs(run.records[0].plane[1])).toBeLessThan(1e-14);
    expect(() => bulkSpaceRun(lin, new Matrix(2, 2), { eta0: 0.2, decay: 200, steps: 3, every: 1 })).toThrow("bulkSpaceRun: B0 must be a 12 x 10 Matrix");
  });
});
