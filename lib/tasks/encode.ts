/**
 * Task results on disk: JSON that also carries what JSON cannot (Float64Array and the other typed arrays,
 * NaN, +-Infinity, -0), tagged as `{ "$": "f64", "v": [...] }` or `{ "$": "num", "v": "NaN" }`. A result
 * is always returned after this round trip, so a freshly computed task and a stored one are identical.
 */
const TYPED: Record<string, { new (values: number[]): ArrayLike<number> }> = {
  f64: Float64Array, f32: Float32Array, i32: Int32Array, u32: Uint32Array, i16: Int16Array, u16: Uint16Array, i8: Int8Array, u8: Uint8Array,
};
const TAG_OF = new Map<unknown, string>(Object.entries(TYPED).map(([tag, ctor]) => [ctor, tag]));

function num(x: number): unknown {
  if (Number.isNaN(x) || x === Infinity || x === -Infinity) return { $: "num", v: String(x) };
  if (x === 0 && 1 / x < 0) return { $: "num", v: "-0" };
  return x;
}

function toTree(value: unknown, path: string): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return num(value);
  if (Array.isArray(value)) return value.map((v, i) => toTree(v, `${path}[${i}]`));
  if (ArrayBuffer.isView(value)) {
    const tag = TAG_OF.get(value.constructor);
    if (!tag) throw new TypeError(`encodeResult: ${path} is a ${value.constructor.name}; expected a Float64Array or another numeric typed array`);
    return { $: tag, v: Array.from(value as unknown as ArrayLike<number>, num) };
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === "$") throw new TypeError(`encodeResult: ${path} has a key "$", which the encoding reserves`);
      if (v !== undefined) out[k] = toTree(v, `${path}.${k}`);
    }
    return out;
  }
  const what = value === undefined ? "undefined" : typeof value === "object" ? (value as object).constructor?.name ?? "an object" : typeof value;
  throw new TypeError(`encodeResult: ${path} is ${what}; a task must return plain data (numbers, strings, arrays, typed arrays, plain objects)`);
}

function fromNum(v: unknown): number {
  if (typeof v === "number") return v;
  const x = (v as { v?: string })?.v;
  if (x === "NaN") return NaN;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  if (x === "-0") return -0;
  throw new TypeError(`decodeResult: bad number ${JSON.stringify(v)}`);
}

function fromTree(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(fromTree);
  const obj = value as Record<string, unknown>;
  if (typeof obj.$ === "string") {
    if (obj.$ === "num") return fromNum(obj);
    const ctor = TYPED[obj.$];
    if (!ctor || !Array.isArray(obj.v)) throw new TypeError(`decodeResult: unknown tag ${JSON.stringify(obj.$)}`);
    return new ctor(obj.v.map(fromNum));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = fromTree(v);
  return out;
}

/** The JSON-ready tree of a task's result (throws, naming the path, on what cannot be stored). */
export function encodeResult(value: unknown): unknown {
  return toTree(value, "result");
}

/** The value back from `encodeResult`'s tree. */
export function decodeResult<R = unknown>(tree: unknown): R {
  return fromTree(tree) as R;
}
