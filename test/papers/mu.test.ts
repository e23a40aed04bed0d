/**
 * mu_ij = sum_l lambda_i^{2(L-l)} lambda_j^{2(l-1)} (lib/papers/mu.ts), the pair eigenvalue of both linear-network
 * papers, tested once: against exact rational arithmetic (BigInt) and against the literal sum.
 */
import { describe, expect, it } from "vitest";
import { rng } from "../../lib/random/rng";
import { geometricSum, logMuPair, muPair } from "../../lib/papers/mu";
import { muPairBySum, muPairDifferenceQuotient } from "../../lib/papers/depth-not-data";
import { balancedEigenvalue } from "../../lib/papers/data-dependence";

/** Exact mu for dyadic lambda_i = a / 2^k, lambda_j = b / 2^k, rounded once to float64. */
function muExactDyadic(a: bigint, b: bigint, k: number, L: number): number {
  let num = 0n;
  for (let l = 1; l <= L; l++) num += a ** BigInt(2 * (L - l)) * b ** BigInt(2 * (l - 1));
  const shift = 2 * k * (L - 1);
  // num / 2^shift, rounded: scale into the float range by dropping low bits with rounding
  const bits = num.toString(2).length;
  const keep = 64;
  if (bits > keep) {
    const drop = bits - keep;
    const q = num >> BigInt(drop);
    return Number(q) * Math.pow(2, drop - shift);
  }
  return Number(num) * Math.pow(2, -shift);
}

describe("muPair", () => {
  it("matches exact rational arithmetic, including lambda_i within 1 ulp of lambda_j", () => {
    const k = 52;
    const one = 1n << BigInt(k);
    const cases: Array<[bigint, bigint, number]> = [
      [one, one, 5],
      [one, one + 1n, 7],
      [one + 1n, one, 3],
      [(one * 9n) / 10n, (one * 9n) / 10n + 3n, 12],
      [(one * 11n) / 10n, (one * 11n) / 10n - 1000n, 40],
      [one / 2n, one / 3n, 6],
      [one, 0n, 4],
      [0n, one / 7n, 9],
      [(one * 3n) / 4n, (one * 3n) / 4n + (one >> 30n), 25],
    ];
    for (const [a, b, L] of cases) {
      const li = Number(a) / Math.pow(2, k);
      const lj = Number(b) / Math.pow(2, k);
      const exact = muExactDyadic(a, b, k, L);
      expect(Math.abs(muPair(li, lj, L) - exact) / exact).toBeLessThan(1e-14);
    }
  });

  it("the difference quotient loses digits near coincidence; muPair does not", () => {
    const li = 0.9;
    const lj = 0.9 * (1 + 1e-12);
    const L = 6;
    const ref = muPairBySum(li, lj, L);
    expect(Math.abs(muPair(li, lj, L) - ref) / ref).toBeLessThan(1e-14);
    expect(Math.abs(muPairDifferenceQuotient(li, lj, L) - ref) / ref).toBeGreaterThan(1e-8);
  });

  it("agrees with the literal sum on random inputs and depths 1..12", () => {
    const gen = rng(11);
    for (let t = 0; t < 500; t++) {
      const L = 1 + gen.int(12);
      const li = gen.uniform(0, 1.5);
      const lj = gen.uniform() < 0.2 ? li : gen.uniform(0, 1.5);
      const a = muPair(li, lj, L);
      const b = muPairBySum(li, lj, L);
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-14 * Math.max(b, 1e-300) * L);
    }
  });

  it("special cases: L = 1, zeros, equal values, symmetry", () => {
    expect(muPair(0.3, 0.7, 1)).toBe(1);
    expect(muPair(0, 0, 3)).toBe(0);
    expect(muPair(0.8, 0, 4)).toBeCloseTo(Math.pow(0.8, 6), 15);
    expect(muPair(0.8, 0.8, 4)).toBeCloseTo(4 * Math.pow(0.8, 6), 15);
    expect(muPair(0.4, 0.9, 5)).toBe(muPair(0.9, 0.4, 5));
    expect(() => muPair(1, 1, 0)).toThrow(/muPair: L/);
    expect(() => muPair(NaN, 1, 2)).toThrow(/muPair: lambdaI/);
  });

  it("large L: no overflow in intermediates; log form finite where the value is not", () => {
    // lambda slightly above 1 with L = 2000: lambda^{2L} ~ e^{40}, fine; lambda = 1.5, L = 1000: overflows
    const L = 1000;
    const v = muPair(1.01, 1.0099999, L);
    expect(Number.isFinite(v)).toBe(true);
    expect(Math.abs(Math.log(v) - logMuPair(1.01, 1.0099999, L))).toBeLessThan(1e-12);
    expect(muPair(1.5, 1e-200, L)).toBe(Infinity); // the true value exceeds float64; no NaN
    expect(Number.isFinite(logMuPair(1.5, 1e-200, L))).toBe(true);
    expect(logMuPair(1.5, 1e-200, L)).toBeCloseTo(2 * (L - 1) * Math.log(1.5), 9);
    // the literal sum makes Infinity * 0 = NaN here; muPair gives the honest Infinity
    expect(Number.isNaN(muPairBySum(1e200, 1e-200, 3))).toBe(true);
    expect(muPair(1e200, 1e-200, 3)).toBe(Infinity);
    expect(Number.isFinite(muPair(0.5, 0.49, 5000))).toBe(true);
    expect(muPair(0.5, 0.49, 5000)).toBeGreaterThanOrEqual(0);
  });

  it("geometricSum is accurate near q = 1", () => {
    const x = 1e-13;
    const L = 50;
    let ref = 0;
    for (let k = 0; k < L; k++) ref += Math.pow(1 - x, k);
    expect(Math.abs(geometricSum(x, L) - ref) / ref).toBeLessThan(1e-13);
    expect(geometricSum(0, 7)).toBe(7);
    expect(geometricSum(1, 7)).toBe(1);
  });
});

describe("one mu_ij for both papers", () => {
  it("data-dependence's eq. (9) value is mu_ij of the singular values, after its own argument checks", () => {
    for (const [a, b, L] of [[0.7, 0.3, 5], [1, 1 + 1e-12, 20], [2, 0, 3], [0, 0, 1]]) expect(balancedEigenvalue(a, b, L)).toBe(muPair(a, b, L));
    expect(() => balancedEigenvalue(-1, 0.5, 3)).toThrow(/balancedEigenvalue: si must be a finite non-negative number/);
  });
});
