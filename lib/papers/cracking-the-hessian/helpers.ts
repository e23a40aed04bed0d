/**
 * Private helpers of the Cracking the Hessian closed forms (argument checks, small vector products).
 */

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function requireVector(fn: string, name: string, a: unknown, length?: number): Float64Array {
  if (!(a instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array`);
  if (length !== undefined && a.length !== length) throw new RangeError(`${fn}: ${name} must have length ${length}, got ${a.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`${fn}: ${name}[${i}] is not finite (${a[i]})`);
  }
  return a;
}


export function norm2(a: Float64Array): number {
  return dot(a, a);
}

/** ||a||^2 ||b||^2 - <a, b>^2 >= 0 evaluated as ||a||^2 ||b - (<a,b>/||a||^2) a||^2 (no cancellation). */
export function gramDeterminant(a: Float64Array, b: Float64Array): number {
  const aa = norm2(a);
  if (aa === 0) return 0;
  const c = dot(a, b) / aa;
  let r = 0;
  for (let i = 0; i < a.length; i++) {
    const d = b[i] - c * a[i];
    r += d * d;
  }
  return aa * r;
}

export function requireFiniteNumber(fn: string, name: string, a: unknown): number {
  if (typeof a !== "number" || !Number.isFinite(a)) throw new RangeError(`${fn}: ${name} must be a finite number, got ${String(a)}`);
  return a;
}

export function requireStats(fn: string, stats: unknown, keys: string[]): void {
  if (stats === null || typeof stats !== "object") throw new TypeError(`${fn}: stats must be an object, got ${String(stats)}`);
  for (const k of keys) requireFiniteNumber(fn, `stats.${k}`, (stats as Record<string, unknown>)[k]);
}

export const SCALAR_KEYS = ["sigmaX2", "yx", "deltaX", "ww", "vv", "wv"];
