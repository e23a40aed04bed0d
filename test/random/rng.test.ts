import { describe, expect, it } from "vitest";
import { rng } from "../../lib/random/rng";

describe("rng", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    expect(Array.from(rng(7).normalArray(5))).toEqual(Array.from(rng(7).normalArray(5)));
    expect(rng(7).uniform()).not.toBe(rng(8).uniform());
  });

  it("uniform lies in [0, 1) with mean 1/2 within 5 standard errors", () => {
    const n = 200_000;
    const u = rng(1).uniformArray(n);
    let sum = 0, outside = 0;
    for (const x of u) {
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
    }
    expect(outside).toBe(0);
    const se = Math.sqrt(1 / 12 / n);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * se);
  });

  it("normal has mean 0 and variance 1 within 5 standard errors", () => {
    const n = 200_000;
    const z = rng(2).normalArray(n);
    let s = 0, s2 = 0;
    for (const x of z) { s += x; s2 += x * x; }
    expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    // Var(z^2) = 2 for a standard normal.
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });


  it("permutation is a permutation; rademacher is +-1; fork is stable and independent", () => {
    const p = Array.from(rng(4).permutation(50)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Set(rng(5).rademacherArray(100))).toEqual(new Set([1, -1]));
    expect(rng(6).fork("data").uniform()).toBe(rng(6).fork("data").uniform());
    expect(rng(6).fork("data").uniform()).not.toBe(rng(6).fork("init").uniform());
  });

  it("bad input names the argument", () => {
    expect(() => rng(-1)).toThrow(/rng: seed must be an integer/);
    expect(() => rng(1.5)).toThrow(/seed/);
    expect(() => rng(1).int(0)).toThrow(/rng.int: n must be a positive integer/);
    expect(() => rng(1).normalMatrix(-2, 3)).toThrow(/normalMatrix rows/);
  });
});
