// The paired-outlier study (Cracking the Hessian, Figures 3 and 10-13): the pair search against an O(p^2)
// brute force, and the D = 1 linear case against Theorem 3.1's closed form.
import { describe, expect, it } from "vitest";
import { useBackend } from "../../lib/linalg/kernels";
import { closestPairSums, hessianEigenvaluesByRange, median, pairedData, pairedModel, pairedSample, pairedStudy, pairedTraces, quantile, twoLayerRankBound } from "../../lib/experiments/paired-outliers";
import { rng } from "../../lib/random/rng";
import { scalarLinearStats, scalarLinearOutliers } from "../../lib/papers/cracking-the-hessian";
import { standardInit } from "../../lib/init";
import { mseProblem } from "../../lib/curvature";

function bruteForce(values: number[], target: number, tol = 1e-12) {
  const scale = Math.max(...values.map(Math.abs));
  const all: Array<[number, number, number]> = [];
  for (let i = 0; i < values.length; i++) for (let j = i + 1; j < values.length; j++) all.push([i, j, Math.abs(values[i] + values[j] - target)]);
  all.sort((a, b) => a[2] - b[2]);
  const [i0, j0] = all[0];
  const pair = (i: number, j: number) => [Math.min(values[i], values[j]), Math.max(values[i], values[j])];
  const [lo0, hi0] = pair(i0, j0);
  const next = all.find(([i, j]) => { const [lo, hi] = pair(i, j); return !(Math.abs(lo - lo0) <= tol * scale && Math.abs(hi - hi0) <= tol * scale); });
  return { bestGap: all[0][2], secondGap: next ? next[2] : Infinity };
}

describe("closestPairSums", () => {
  it("matches the O(p^2) search on random spectra, with and without repeated values", () => {
    const g = rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const p = 2 + g.int(40);
      const values = Array.from({ length: p }, () => (g.uniform() < 0.3 && trial % 2 ? 0.5 : g.normal()));
      const target = g.normal();
      const r = closestPairSums(values, target);
      const b = bruteForce(values, target);
      expect(r.bestGap).toBe(b.bestGap);
      expect(r.secondGap).toBe(b.secondGap);
      expect(Math.abs(values[r.best[0]] + values[r.best[1]] - target)).toBe(r.bestGap);
      expect(r.best[0]).toBeLessThan(r.best[1]);
    }
  });
  it("skips a repeated copy of the best pair", () => {
    const r = closestPairSums([1, 1, 1, 3, 10], 2);
    expect(r.bestGap).toBe(0);
    expect(r.secondGap).toBe(2); // 1 + 3, not another 1 + 1
  });
  it("rejects bad input", () => {
    expect(() => closestPairSums([1], 0)).toThrow(/at least 2/);
    expect(() => closestPairSums([1, NaN], 0)).toThrow(/finite/);
    expect(() => closestPairSums([1, 2], Infinity)).toThrow(/target/);
  });
});

describe("pairedSample", () => {
  it("D = 1, two-layer linear: the best pair is Theorem 3.1's outliers, summing to tr(H) exactly", () => {
    const g = rng(11);
    const config = { layers: 2, activation: "linear" as const, width: 6, D: 1, n: 30, init: "standard" as const, data: "standardized" as const };
    const s = pairedSample(config, g.fork("a"));
    const scale = Math.max(...Array.from(s.eigenvalues, Math.abs));
    expect(s.pairs.bestGap).toBeLessThan(1e-12 * scale);
    expect(Math.abs(s.trace - s.traceFromEigenvalues)).toBeLessThan(1e-12 * scale * s.eigenvalues.length);
    // rebuild the same draw and compare with the closed form: deepLinear([1, m, 1]) has W1 = v, W2 = w^T
    const g2 = g.fork("a");
    const { X, Y } = pairedData(config, g2);
    const th = standardInit(pairedModel(config), g2);
    const v = th.slice(0, 6), w = th.slice(6);
    const [L1, L2] = scalarLinearOutliers(scalarLinearStats(w, v, Float64Array.from(X.getRow(0)), Float64Array.from(Y.getRow(0))));
    const [i, j] = s.pairs.best;
    expect(Math.abs(s.eigenvalues[j] - L1)).toBeLessThan(1e-10 * scale);
    expect(Math.abs(s.eigenvalues[i] - L2)).toBeLessThan(1e-10 * scale);
  });
  it("orthogonal init + decorrelated data, D = 3: an exact pair, far ahead of the runner-up", () => {
    const s = pairedSample({ layers: 2, activation: "linear", width: 5, D: 3, n: 20, init: "orthogonal", data: "decorrelated" }, rng(5));
    expect(s.pairs.bestGap).toBeLessThan(1e-12 * Math.abs(s.target));
    expect(s.pairs.secondGap).toBeGreaterThan(1e-6 * Math.abs(s.target));
  });
  it("study is deterministic and independent of the grid", () => {
    const base = { layers: 2, activation: "relu" as const, width: 4, n: 12, init: "standard" as const, data: "standardized" as const };
    // Bitwise comparison in this thread on the wasm kernels: OpenBLAS's LAPACK path was seen (once, in CI)
    // to differ in the last bit between two runs of the same model (0.01217768128654484 vs
    // 0.012177681286545061), an open defect of the native backend, not of the forking tested here.
    const prev = useBackend("wasm");
    let a: ReturnType<typeof pairedStudy>, b: ReturnType<typeof pairedStudy>;
    try {
      a = pairedStudy(base, [1, 2], 2, rng(3), { workers: 1 });
      b = pairedStudy(base, [2], 2, rng(3), { workers: 1 });
    } finally {
      useBackend(prev);
    }
    expect(b[0].best).toEqual(a[1].best);
    expect(a[0].ratio.every((r) => r >= 1)).toBe(true);
  });
  it("rejects bad configurations", () => {
    expect(() => pairedModel({ layers: 1, activation: "linear", width: 3, D: 1, n: 5, init: "standard", data: "standardized" })).toThrow(/layers/);
    expect(() => pairedStudy({ layers: 2, activation: "linear", width: 3, n: 5, init: "standard", data: "standardized" }, [0], 1, rng(1))).toThrow(/D/);
  });
});

describe("median / quantile", () => {
  it("small cases", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(() => median([])).toThrow();
  });
});

describe("pairedTraces", () => {
  it("three series (best, runner-up, mean) per configuration, finite on a log axis even for a zero gap", () => {
    const pts = pairedStudy({ layers: 2, activation: "linear", width: 3, n: 8, init: "orthogonal", data: "decorrelated" }, [1, 2], 3, rng(2));
    pts[0].best[0] = 0;
    const traces = pairedTraces(pts, "m = 3", "red");
    expect(traces).toHaveLength(3);
    for (const t of traces) {
      expect(t.x).toEqual([1, 2]);
      expect((t.y as number[]).every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    }
  });
});

describe("range method", () => {
  for (const activation of ["linear", "relu"] as const) {
    it(`two-layer ${activation}: the spectrum through the range equals the dense spectrum (k < p)`, () => {
      const config = { layers: 2, activation, width: 6, D: 8, n: 10, init: "standard" as const, data: "standardized" as const };
      const dense = pairedSample(config, rng(21), "dense");
      const range = pairedSample(config, rng(21), "range");
      expect(dense.eigenvalues.length).toBe(54);
      expect(twoLayerRankBound(10, 6) + 10).toBeLessThan(54);
      const scale = Math.max(...Array.from(dense.eigenvalues, Math.abs));
      let worst = 0;
      for (let i = 0; i < 54; i++) worst = Math.max(worst, Math.abs(dense.eigenvalues[i] - range.eigenvalues[i]));
      expect(worst).toBeLessThan(1e-10 * scale);
      expect(Math.abs(dense.trace - range.trace)).toBeLessThan(1e-10 * scale);
      expect(Math.abs(dense.pairs.bestGap - range.pairs.bestGap)).toBeLessThan(1e-9 * scale);
    });
  }
  it("rejects a deeper network and a bad rank bound", () => {
    expect(() => pairedSample({ layers: 4, activation: "linear", width: 3, D: 2, n: 6, init: "standard", data: "standardized" }, rng(1), "range")).toThrow(/two-layer/);
    const config = { layers: 2, activation: "linear" as const, width: 3, D: 2, n: 6, init: "standard" as const, data: "standardized" as const };
    const { X, Y } = pairedData(config, rng(1));
    expect(() => hessianEigenvaluesByRange(mseProblem(pairedModel(config), X, Y), new Float64Array(9), 0, rng(1))).toThrow(/rankBound/);
  });
});
