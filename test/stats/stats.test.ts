import { describe, expect, it } from "vitest";
import { meanAndStandardError, median, pearson, quantile, ranks, spearman } from "../../lib/stats";
import { rng } from "../../lib/random/rng";

describe("stats", () => {
  it("pearson: r of an exact line is 1, of a reversed line -1; interval contains r; Fisher z by hand", () => {
    const x = [1, 2, 3, 4, 5, 6];
    expect(pearson(x, x.map((v) => 3 * v - 1)).r).toBe(1);
    expect(pearson(x, x.map((v) => -v)).r).toBe(-1);
    const gen = rng(4);
    const a = gen.normalArray(50), b = a.map((v) => v + gen.normal());
    const c = pearson(a, b);
    expect(c.lo).toBeLessThan(c.r);
    expect(c.hi).toBeGreaterThan(c.r);
    expect(Math.abs(Math.atanh(c.hi) - Math.atanh(c.r) - 1.959963984540054 / Math.sqrt(47))).toBeLessThan(1e-12);
    expect(() => pearson([1, 2, 3], [1, 2, 3])).toThrow("pearson: need at least 4 pairs, got 3");
    expect(() => pearson([1, 1, 1, 1], [1, 2, 3, 4])).toThrow("pearson: x is constant");
  });

  it("spearman is pearson of the ranks, invariant under monotone maps; ties share the mean rank", () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    const gen = rng(5);
    const x = gen.normalArray(30), y = x.map((v) => v + 0.5 * gen.normal());
    expect(Math.abs(spearman(x, y) - pearson(ranks(x), ranks(y)).r)).toBeLessThan(1e-14);
    expect(spearman(x, Array.from(x, Math.exp))).toBeCloseTo(1, 14);
    expect(() => spearman([1], [1])).toThrow(/spearman: x and y must have equal lengths >= 2/);
  });

  it("median, quantile, mean and standard error against hand-computed values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([0, 10, 20, 30, 40], 0.1)).toBeCloseTo(4, 14);
    expect(quantile([5], 0.7)).toBe(5);
    expect(() => quantile([1], 2)).toThrow("quantile: q must be in [0, 1], got 2");
    expect(() => median([])).toThrow("median: empty list");
    const m = meanAndStandardError([1, 2, 3, 4]);
    expect(m.mean).toBe(2.5);
    expect(Math.abs(m.se - Math.sqrt(5 / 3 / 4))).toBeLessThan(1e-15);
    expect(meanAndStandardError([7])).toEqual({ mean: 7, se: 0, count: 1 });
  });
});
