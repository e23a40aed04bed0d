import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { eigh } from "../../lib/linalg/eigh";
import { denseOperator } from "../../lib/linalg/operator";
import { densityOnGrid, slqDensity } from "../../lib/linalg/slq";
import { hutchinson, hutchpp } from "../../lib/linalg/trace";
import { rng } from "../../lib/random/rng";
import { randomSymmetric, rm } from "./helpers";

const n = 60;
const A = randomSymmetric(rng(41), n).add(Matrix.eye(n).mul(3));
const a = rm(A);
let trace = 0;
let offDiag2 = 0;
let fro2 = 0;
for (let i = 0; i < n; i++) {
  trace += a[i * n + i];
  for (let j = 0; j < n; j++) {
    fro2 += a[i * n + j] ** 2;
    if (i !== j) offDiag2 += a[i * n + j] ** 2;
  }
}

/** Empirical fourth central moment. */
function moments(x: Float64Array): { mean: number; var: number; m4: number } {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let v2 = 0, v4 = 0;
  for (const v of x) {
    v2 += (v - mean) ** 2;
    v4 += (v - mean) ** 4;
  }
  return { mean, var: v2 / (x.length - 1), m4: v4 / x.length };
}

describe("hutchinson", () => {
  for (const [distribution, exactVar] of [["rademacher", 2 * offDiag2], ["gaussian", 2 * fro2]] as const) {
    it(`${distribution}: unbiased within 4 standard errors derived from the exact variance`, () => {
      const m = 4000;
      const res = hutchinson(denseOperator(A), { probes: m, rng: rng(5), distribution });
      expect(res.samples.length).toBe(m);
      // Var(z^T A z) is known in closed form; the mean of m samples has sd sqrt(Var / m).
      expect(Math.abs(res.estimate - trace)).toBeLessThanOrEqual(4 * Math.sqrt(exactVar / m));
      // the reported standard error estimates sqrt(Var / m): the sample variance has sd ~ sqrt((m4 - s^4) / m)
      const { var: s2, m4 } = moments(res.samples);
      expect(res.standardError).toBeCloseTo(Math.sqrt(s2 / m), 12);
      expect(Math.abs(s2 - exactVar)).toBeLessThanOrEqual(4 * Math.sqrt((m4 - s2 * s2) / m));
    });
  }
  it("rademacher is exact for a diagonal operator (zero variance)", () => {
    const D = Matrix.diag([1, -2, 3.5, 4]);
    const res = hutchinson(denseOperator(D), { probes: 3, rng: rng(1) });
    expect(res.estimate).toBe(6.5);
    expect(res.standardError).toBe(0);
  });
  it("bad input", () => {
    expect(() => hutchinson(denseOperator(A), { probes: 1, rng: rng(1) })).toThrow("hutchinson: options.probes must be >= 2, got 1");
    expect(() => hutchinson(denseOperator(A), { probes: 5, rng: rng(1), distribution: "x" as never })).toThrow(/hutchinson: options.distribution/);
  });
});

describe("hutchpp", () => {
  it("exact (to rounding) for an operator of rank <= matvecs / 3", () => {
    const J = rng(2).normalMatrix(5, n);
    const low = J.transpose().mmul(J);
    const exact = eigh(low).values.reduce((s, v) => s + v, 0);
    const res = hutchpp(denseOperator(low), { matvecs: 18, rng: rng(3) });
    expect(Math.abs(res.estimate - exact)).toBeLessThan(1e-10 * exact);
    expect(res.matvecs).toBeLessThanOrEqual(18);
  });
  it("unbiased: the mean of 400 independent runs is within 4 standard errors (of the runs) of the trace", () => {
    const runs = 400;
    const est = new Float64Array(runs);
    const g = rng(4);
    for (let r = 0; r < runs; r++) est[r] = hutchpp(denseOperator(A), { matvecs: 9, rng: g }).estimate;
    const { mean, var: v } = moments(est);
    expect(Math.abs(mean - trace)).toBeLessThanOrEqual(4 * Math.sqrt(v / runs));
  });
  it("bad input", () => expect(() => hutchpp(denseOperator(A), { matvecs: 2, rng: rng(1) })).toThrow("hutchpp: options.matvecs must be >= 3, got 2"));
});

describe("slqDensity", () => {
  it("weights sum to 1 and reproduce the quadratic forms v^T A^p v exactly for p < 2 steps", () => {
    const probes = 3, steps = 8;
    const res = slqDensity(denseOperator(A), { probes, steps, rng: rng(6) });
    let wsum = 0;
    for (const w of res.weights) wsum += w;
    expect(Math.abs(wsum - 1)).toBeLessThan(1e-12);
    // independent computation: the same probes (one rademacherArray(n) per probe from the same seed)
    const g = rng(6);
    const moment = new Float64Array(2 * steps);
    for (let p = 0; p < probes; p++) {
      let v = g.rademacherArray(n).map((x) => x / Math.sqrt(n));
      const v0 = v.slice();
      for (let q = 0; q < 2 * steps; q++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += v0[i] * v[i];
        moment[q] += s / probes;
        const next = new Float64Array(n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[i] += a[i * n + j] * v[j];
        v = next;
      }
    }
    const scale = Math.max(...Array.from(eigh(A).values, Math.abs));
    for (let q = 0; q < 2 * steps; q++) {
      let s = 0;
      for (let i = 0; i < res.nodes.length; i++) s += res.weights[i] * res.nodes[i] ** q;
      expect(Math.abs(s - moment[q]), `moment ${q}`).toBeLessThanOrEqual(1e-10 * scale ** q);
    }
  });
  it("with steps = n the nodes of each probe are the exact eigenvalues", () => {
    const B = Matrix.diag([1, 2, 3, 4, 5]);
    const res = slqDensity(denseOperator(B), { probes: 2, steps: 5, rng: rng(7) });
    expect(res.nodes.length).toBe(10);
    expect(res.matvecs).toBe(10);
    const sorted = Array.from(res.nodes).sort((x, y) => x - y);
    for (let i = 0; i < 10; i++) expect(Math.abs(sorted[i] - (Math.floor(i / 2) + 1))).toBeLessThan(1e-12);
    // weights of each node: mean over probes of v_i^2 = 1/5 for Rademacher probes
    for (const w of res.weights) expect(Math.abs(w - 0.1)).toBeLessThan(1e-12);
  });
  it("densityOnGrid integrates to the total weight", () => {
    const grid = Float64Array.from({ length: 2001 }, (_, i) => -10 + i * 0.01);
    const rho = densityOnGrid([0, 1, 2], [0.2, 0.3, 0.5], grid, 0.3);
    let integral = 0;
    for (let i = 1; i < grid.length; i++) integral += 0.5 * (rho[i] + rho[i - 1]) * 0.01;
    expect(Math.abs(integral - 1)).toBeLessThan(1e-9);
    expect(() => densityOnGrid([0], [1, 2], grid, 1)).toThrow("densityOnGrid: nodes and weights must have the same length, got 1 and 2");
    expect(() => densityOnGrid([0], [1], grid, 0)).toThrow(/densityOnGrid: sigma must be a finite number > 0/);
  });
});
