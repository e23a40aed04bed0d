/**
 * Shared input checks for lib/linalg. Every check throws at once with a message that names the function, the
 * argument and what was expected, e.g. `eigh: A must be square, got 3 x 4`.
 */
import { Matrix } from "ml-matrix";
import type { Rng } from "../random/rng";
import type { LinearOperator } from "./operator";

/** Throw `fn: name must be a Matrix` unless `A` is an ml-matrix Matrix (or anything with rows/columns/get). */
export function assertMatrix(fn: string, name: string, A: unknown): asserts A is Matrix {
  const m = A as Matrix | null | undefined;
  if (m === null || m === undefined || typeof m !== "object" || typeof m.rows !== "number" || typeof m.columns !== "number" || typeof m.get !== "function") {
    throw new TypeError(`${fn}: ${name} must be an ml-matrix Matrix, got ${describe(A)}`);
  }
}

/**
 * Copy a Matrix into a row-major Float64Array (entry (i, j) at i * cols + j), checking that every entry is
 * finite. Throws `fn: name has a non-finite entry NaN at (i, j)` otherwise.
 */
export function toRowMajor(fn: string, name: string, A: Matrix): Float64Array {
  assertMatrix(fn, name, A);
  const rows = A.rows;
  const cols = A.columns;
  const out = new Float64Array(rows * cols);
  // ml-matrix stores rows as number[] in `data`; use it when present (much faster than get()).
  const data = (A as unknown as { data?: ArrayLike<number>[] }).data;
  if (Array.isArray(data) && data.length === rows) {
    for (let i = 0; i < rows; i++) {
      const r = data[i];
      const o = i * cols;
      for (let j = 0; j < cols; j++) out[o + j] = r[j];
    }
  } else {
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = A.get(i, j);
  }
  assertFiniteArray(fn, name, out, cols);
  return out;
}

/** Throw unless every entry of `x` is finite; `cols` (optional) turns the flat index into (i, j) in the message. */
export function assertFiniteArray(fn: string, name: string, x: ArrayLike<number>, cols?: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) {
      const where = cols !== undefined && cols > 0 ? `(${Math.floor(i / cols)}, ${i % cols})` : `[${i}]`;
      throw new RangeError(`${fn}: ${name} has a non-finite entry ${v} at ${where}`);
    }
  }
}

/**
 * Throw `where must be finite, entry (i, j) is NaN` (entry i for a vector) unless every entry is finite.
 * `where` names the function and argument, e.g. `"whiten: X"`.
 */
export function assertFinite(where: string, data: ArrayLike<number> | Matrix): void {
  if (data instanceof Matrix) {
    for (let i = 0; i < data.rows; i++) for (let j = 0; j < data.columns; j++) {
      if (!Number.isFinite(data.get(i, j))) throw new RangeError(`${where} must be finite, entry (${i}, ${j}) is ${data.get(i, j)}`);
    }
    return;
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`${where} must be finite, entry ${i} is ${data[i]}`);
  }
}

/** Throw `where must be a positive integer, got n` unless n is an integer >= 1. */
export function assertPositiveInt(where: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${where} must be a positive integer, got ${n}`);
}

/** Throw `fn: name must be square, got r x c` unless A is square. */
export function assertSquare(fn: string, name: string, A: Matrix): number {
  assertMatrix(fn, name, A);
  if (A.rows !== A.columns) throw new RangeError(`${fn}: ${name} must be square, got ${A.rows} x ${A.columns}`);
  return A.rows;
}

/** Throw unless A has at least one row and one column. */
export function assertNonEmpty(fn: string, name: string, A: Matrix): void {
  if (A.rows < 1 || A.columns < 1) throw new RangeError(`${fn}: ${name} must not be empty, got ${A.rows} x ${A.columns}`);
}

/**
 * Check symmetry of a row-major n x n array: throws unless
 * max_{i,j} |a_ij - a_ji| <= tol * max_{i,j} |a_ij| (a zero matrix is symmetric).
 * Returns the largest asymmetry found, relative to max |a_ij|.
 */
export function assertSymmetric(fn: string, name: string, a: Float64Array, n: number, tol: number): number {
  let amax = 0;
  for (let i = 0; i < n * n; i++) {
    const v = Math.abs(a[i]);
    if (v > amax) amax = v;
  }
  let worst = 0;
  let wi = 0;
  let wj = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const d = Math.abs(a[i * n + j] - a[j * n + i]);
      if (d > worst) {
        worst = d;
        wi = i;
        wj = j;
      }
    }
  }
  const rel = amax === 0 ? 0 : worst / amax;
  if (rel > tol) {
    throw new RangeError(
      `${fn}: ${name} must be symmetric, got |a(${wi},${wj}) - a(${wj},${wi})| = ${worst.toExponential(3)} = ` +
        `${rel.toExponential(3)} * max|a| > symmetryTolerance ${tol}`,
    );
  }
  return rel;
}

/** Throw unless `k` is an integer with lo <= k <= hi. */
export function assertIntInRange(fn: string, name: string, k: unknown, lo: number, hi: number): number {
  if (typeof k !== "number" || !Number.isInteger(k)) throw new RangeError(`${fn}: ${name} must be an integer, got ${describe(k)}`);
  if (k < lo) throw new RangeError(`${fn}: ${name} must be >= ${lo}, got ${k}`);
  if (k > hi) throw new RangeError(`${fn}: ${name} must be <= ${hi}, got ${k}`);
  return k;
}

/** Throw unless `x` is a finite number > 0 (or >= 0 when `allowZero`). */
export function assertPositive(fn: string, name: string, x: unknown, allowZero = false): number {
  if (typeof x !== "number" || !Number.isFinite(x) || x < 0 || (!allowZero && x === 0)) {
    throw new RangeError(`${fn}: ${name} must be a finite number ${allowZero ? ">= 0" : "> 0"}, got ${describe(x)}`);
  }
  return x;
}

/** Throw unless `rng` looks like an Rng (has normal/uniform/rademacher). */
export function assertRng(fn: string, rng: unknown): asserts rng is Rng {
  const r = rng as Rng | null | undefined;
  if (!r || typeof r.normal !== "function" || typeof r.rademacher !== "function") {
    throw new TypeError(`${fn}: rng must be an Rng from lib/random/rng (rng(seed)), got ${describe(rng)}`);
  }
}

/** Throw unless `op` is a LinearOperator with a positive integer size and a matvec. */
export function assertOperator(fn: string, op: unknown, requireSymmetric = true): asserts op is LinearOperator {
  const o = op as LinearOperator | null | undefined;
  if (!o || typeof o.matvec !== "function" || typeof o.size !== "number") {
    throw new TypeError(`${fn}: op must be a LinearOperator ({ size, symmetric, matvec }), got ${describe(op)}`);
  }
  if (!Number.isInteger(o.size) || o.size < 1) throw new RangeError(`${fn}: op.size must be a positive integer, got ${o.size}`);
  if (requireSymmetric && o.symmetric !== true) throw new RangeError(`${fn}: op must be symmetric (op.symmetric === true)`);
}

/** Apply op to x, checking the result's length and finiteness (a NaN from a model must not reach a plot). */
export function checkedMatvec(fn: string, op: LinearOperator, x: Float64Array): Float64Array {
  const y = op.matvec(x);
  if (!y || y.length !== op.size) throw new RangeError(`${fn}: op.matvec returned length ${y ? y.length : y}, expected ${op.size}`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new RangeError(`${fn}: op.matvec returned a non-finite entry ${y[i]} at [${i}]`);
  }
  return y;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "number") return String(x);
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

/** The options every iterative eigensolver shares. */
export interface IterativeCommonOptions {
  k: number;
  rng: Rng;
  tol?: number;
  maxIterations?: number;
}

/**
 * The checks every iterative eigensolver (lanczos, lobpcg, powerIteration) makes of its operator and shared
 * options, with the solver's own defaults for `tol` and `maxIterations`.
 */
export function assertIterativeOptions(
  fn: string,
  op: unknown,
  options: IterativeCommonOptions | undefined,
  defaults: { tol: number; maxIterations: number },
): { n: number; k: number; tol: number; maxIterations: number } {
  assertOperator(fn, op);
  const n = op.size;
  if (!options || typeof options !== "object") throw new TypeError(`${fn}: options ({ k, rng, ... }) are required`);
  const k = assertIntInRange(fn, "options.k", options.k, 1, n);
  assertRng(fn, options.rng);
  const tol = assertPositive(fn, "options.tol", options.tol ?? defaults.tol);
  const maxIterations = assertIntInRange(fn, "options.maxIterations", options.maxIterations ?? defaults.maxIterations, 1, Number.MAX_SAFE_INTEGER);
  return { n, k, tol, maxIterations };
}
