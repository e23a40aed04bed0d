/**
 * Statistics the studies report: Pearson's r with its Fisher-z interval, Spearman's rank correlation,
 * median and quantiles, mean and standard error. Plain float64 arithmetic on arrays; nothing here draws.
 */

/** Pearson correlation with a 95% confidence interval (Fisher z: tanh(atanh r +- 1.96 / sqrt(N - 3))). */
export interface Correlation {
  r: number;
  lo: number;
  hi: number;
  N: number;
}

/** Pearson's r of x and y (equal lengths >= 4, neither constant), with its Fisher-z 95% interval. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): Correlation {
  const N = x.length;
  if (y.length !== N) throw new RangeError(`pearson: x and y must have equal lengths, got ${N} and ${y.length}`);
  if (N < 4) throw new RangeError(`pearson: need at least 4 pairs, got ${N}`);
  let mx = 0, my = 0;
  for (let i = 0; i < N; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) throw new RangeError(`pearson: entry ${i} is not finite (x = ${x[i]}, y = ${y[i]})`);
    mx += x[i]; my += y[i];
  }
  mx /= N; my /= N;
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < N; i++) { const a = x[i] - mx, b = y[i] - my; sxx += a * a; syy += b * b; sxy += a * b; }
  if (!(sxx > 0) || !(syy > 0)) throw new RangeError(`pearson: ${!(sxx > 0) ? "x" : "y"} is constant`);
  const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  const z = Math.atanh(Math.max(-1 + 1e-15, Math.min(1 - 1e-15, r)));
  const h = 1.959963984540054 / Math.sqrt(N - 3);
  return { r, lo: Math.tanh(z - h), hi: Math.tanh(z + h), N };
}

/** Ranks 1..n (ties get their mean rank). */
export function ranks(xs: ArrayLike<number>): number[] {
  const n = xs.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => xs[i] - xs[j]);
  const out = new Array<number>(n);
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && xs[idx[e + 1]] === xs[idx[s]]) e++;
    for (let k = s; k <= e; k++) out[idx[k]] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return out;
}

/** Spearman's rank correlation: Pearson's r of the ranks (n >= 2; NaN when either is constant). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length || x.length < 2) throw new RangeError(`spearman: x and y must have equal lengths >= 2, got ${x.length} and ${y.length}`);
  const rx = ranks(x), ry = ranks(y), n = rx.length, mid = (n + 1) / 2;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) { sxy += (rx[i] - mid) * (ry[i] - mid); sxx += (rx[i] - mid) ** 2; syy += (ry[i] - mid) ** 2; }
  return sxy / Math.sqrt(sxx * syy);
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  if (xs.length === 0) throw new RangeError("median: empty list");
  const s = xs.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Empirical q-quantile (linear interpolation), q in [0, 1]. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) throw new RangeError("quantile: empty list");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  const s = xs.slice().sort((a, b) => a - b);
  const pos = q * (s.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Mean and standard error (sample sd / sqrt(count)) of some numbers; se = 0 for a single number. */
export function meanAndStandardError(xs: number[]): { mean: number; se: number; count: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, se: NaN, count: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, se: 0, count: 1 };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(v / n), count: n };
}

/** The standard normal CDF by Abramowitz & Stegun 7.1.26 for erf (absolute error < 1.5e-7): enough for a threshold. */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.SQRT2);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** z with P(|Z| > z) = level for a standard normal Z (bisection on `normalCdf`), level in (0, 1). */
export function twoSidedNormalQuantile(level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`twoSidedNormalQuantile: level must be in (0, 1), got ${level}`);
  let lo = 0, hi = 10;
  for (let i = 0; i < 100; i++) { const mid = (lo + hi) / 2; if (2 * (1 - normalCdf(mid)) > level) lo = mid; else hi = mid; }
  return (lo + hi) / 2;
}
