import { describe, expect, it } from "vitest";
import { haarOrthogonal } from "../../lib/linalg/haar";
import { rng } from "../../lib/random/rng";

describe("haarOrthogonal", () => {
  it("is orthogonal to rounding and deterministic in the seed", () => {
    const q = haarOrthogonal(rng(3), 30);
    const qtq = q.transpose().mmul(q);
    let worst = 0;
    for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) worst = Math.max(worst, Math.abs(qtq.get(i, j) - (i === j ? 1 : 0)));
    expect(worst).toBeLessThan(30 * 2.2e-16 * 10);
    expect(haarOrthogonal(rng(3), 30).to2DArray()).toEqual(q.to2DArray());
  });

  it("has the Haar law's first moments: E Q_11 = 0 and E Q_11^2 = 1/n (a QR without the sign fix has E Q_11 < 0)", () => {
    // For Haar Q, Q_11 is the first coordinate of a uniform unit vector: mean 0, variance 1/n. An
    // unsigned Householder QR gives Q_11 = -|x_1| / |x| (mean about -0.64 for n = 3): far outside 5 se.
    const n = 3, N = 4000, gen = rng(17);
    let s = 0, s2 = 0;
    for (let t = 0; t < N; t++) {
      const v = haarOrthogonal(gen.fork(t), n).get(0, 0);
      s += v; s2 += v * v;
    }
    const se = Math.sqrt(1 / n / N);
    expect(Math.abs(s / N)).toBeLessThan(5 * se);
    // Var(Q_11^2) for a uniform unit vector in R^3 is 4/45: 5 standard errors of the mean of Q_11^2.
    expect(Math.abs(s2 / N - 1 / n)).toBeLessThan(5 * Math.sqrt(4 / 45 / N));
  });

  it("rejects bad arguments by name", () => {
    expect(() => haarOrthogonal(rng(1), 0)).toThrow(/haarOrthogonal: n must be a positive integer/);
    expect(() => haarOrthogonal(rng(1), 2.5)).toThrow(/haarOrthogonal: n/);
    expect(() => haarOrthogonal({} as never, 3)).toThrow(/haarOrthogonal: gen must be an Rng/);
  });
});
