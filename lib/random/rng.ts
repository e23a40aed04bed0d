/**
 * The one seeded random generator. Every random draw in the library and the notebooks goes through an
 * `Rng`, so a notebook gives the same numbers on every run and on every machine.
 *
 * Generator: xoshiro128** (32-bit state words, period 2^128 - 1), seeded through splitmix32.
 * Doubles take 53 random bits from two outputs, so `uniform()` is a full-precision float64 in [0, 1).
 */
import { Matrix } from "ml-matrix";

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Hash a fork label into 32 bits (FNV-1a), so `fork("data")` is stable across runs. */
function hashLabel(label: string | number): number {
  const text = String(label);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The project's seeded generator (xoshiro128**): uniform, normal, Rademacher and integer draws, Gaussian
 * matrices and arrays, shuffles, and `fork(label)` for an independent stream per
 * purpose (Haar-orthogonal matrices are a QR: `haarOrthogonal` in lib/linalg/haar). Create it with `rng(seed)`; functions that draw take it as an argument (nothing calls Math.random).
 * @example const gen = rng(20240601); const X = gen.normalMatrix(3, 100);
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Box-Muller yields normals in pairs; the second is kept for the next call. */
  private spareNormal: number | null = null;
  /** The seed this generator was created from (for display). */
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`rng: seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    this.seed = seed;
    const next = splitmix32(seed);
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is absorbing
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return result;
  }

  /** Uniform float64 in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    const u = (a * 67108864 + b) / 9007199254740992;
    return lo + (hi - lo) * u;
  }

  /** Normal draw with the given mean and standard deviation (Box-Muller). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in {0, ..., n - 1}. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** +1 or -1 with equal probability. */
  rademacher(): number {
    return (this.nextUint32() & 1) === 0 ? 1 : -1;
  }

  uniformArray(n: number, lo = 0, hi = 1): Float64Array {
    const out = new Float64Array(checkCount("uniformArray", n));
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  normalArray(n: number, mean = 0, std = 1): Float64Array {
    const out = new Float64Array(checkCount("normalArray", n));
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }

  rademacherArray(n: number): Float64Array {
    const out = new Float64Array(checkCount("rademacherArray", n));
    for (let i = 0; i < n; i++) out[i] = this.rademacher();
    return out;
  }

  /** rows x cols matrix of independent N(0, std^2) entries, filled row by row. */
  normalMatrix(rows: number, cols: number, std = 1): Matrix {
    checkCount("normalMatrix rows", rows);
    checkCount("normalMatrix cols", cols);
    const m = new Matrix(rows, cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, this.normal(0, std));
    return m;
  }

  /** rows x cols matrix of independent U[lo, hi) entries, filled row by row. */
  uniformMatrix(rows: number, cols: number, lo = 0, hi = 1): Matrix {
    checkCount("uniformMatrix rows", rows);
    checkCount("uniformMatrix cols", cols);
    const m = new Matrix(rows, cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, this.uniform(lo, hi));
    return m;
  }


  /** A uniformly random permutation of {0, ..., n - 1} (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(checkCount("permutation n", n));
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]; p[i] = p[j]; p[j] = t;
    }
    return p;
  }

  /** Shuffle an array in place (Fisher-Yates) and return it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]; items[i] = items[j]; items[j] = t;
    }
    return items;
  }

  /**
   * An independent generator derived from this one's seed and a label. Forking by label keeps a part of a
   * notebook (say, the data) unchanged when another part draws more or fewer numbers.
   */
  fork(label: string | number): Rng {
    return new Rng((Math.imul(this.seed ^ 0x5bd1e995, 0x27d4eb2d) ^ hashLabel(label)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function checkCount(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`rng.${what}: expected a non-negative integer, got ${n}`);
  return n;
}

/** The one way to make a generator: `rng(seed)`. */
export function rng(seed: number): Rng {
  return new Rng(seed);
}
