/**
 * Weights in and out as safetensors (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {...} }`,
 * then the tensors' little-endian bytes (offsets relative to the end of the header), row-major. This is what
 * `safetensors.torch.save_file(model.state_dict(), path)` writes.
 *
 * Read: F64, F32, F16, BF16 and the integer types; every value is widened to float64 (a float32 weight is
 * exact in float64, but the network it came from computed in float32: `readSafetensors` says so in
 * `notices`). Write: F64 (default) or F32.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { Matrix } from "ml-matrix";
import type { Model } from "../models/model";

/** One tensor, widened to float64, row-major. */
export interface Tensor {
  dtype: string;
  shape: number[];
  data: Float64Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
  /** Human-readable notes, e.g. that float32 tensors were widened to float64. */
  notices: string[];
}

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Parse safetensors bytes.
 *
 * @param bytes the file's contents
 * @param where label used in error messages (e.g. the file name)
 * @throws Error naming `where` when the bytes are not safetensors (short file, bad header, offsets outside the buffer)
 */
export function parseSafetensors(bytes: Uint8Array, where = "parseSafetensors"): SafetensorsFile {
  const fail = (msg: string): never => { throw new Error(`${where}: not a safetensors file: ${msg}`); };
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${where}: bytes must be a Uint8Array`);
  if (bytes.length < 8) fail(`expected at least 8 bytes (header length), got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n < 2 || 8 + n > bytes.length) fail(`header length ${n} does not fit in ${bytes.length} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    fail("the header is not UTF-8 JSON");
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail("the header is not a JSON object");
  const dataStart = 8 + n, dataLength = bytes.length - dataStart;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  const widened: string[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") { metadata = (raw ?? {}) as Record<string, string>; continue; }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!info || typeof info !== "object" || typeof info.dtype !== "string" || !Array.isArray(info.shape) || !Array.isArray(info.data_offsets)) {
      fail(`tensor "${name}" needs dtype, shape and data_offsets`);
    }
    const dtype = info.dtype as string, shape = info.shape as number[], [begin, end] = info.data_offsets as number[];
    const size = BYTES[dtype];
    if (size === undefined) throw new Error(`${where}: tensor "${name}" has dtype ${dtype}; expected one of ${Object.keys(BYTES).join(", ")}`);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor "${name}" has shape ${JSON.stringify(shape)}`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > dataLength || end - begin !== count * size) {
      fail(`tensor "${name}" (${dtype} ${JSON.stringify(shape)}) has data_offsets [${begin}, ${end}], expected ${count * size} bytes inside ${dataLength}`);
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      switch (dtype) {
        case "F64": data[i] = dv.getFloat64(8 * i, true); break;
        case "F32": data[i] = dv.getFloat32(4 * i, true); break;
        case "F16": data[i] = halfToFloat(dv.getUint16(2 * i, true)); break;
        case "BF16": { const b = new DataView(new ArrayBuffer(4)); b.setUint16(0, dv.getUint16(2 * i, true)); data[i] = b.getFloat32(0); break; }
        case "I64": data[i] = Number(dv.getBigInt64(8 * i, true)); break;
        case "I32": data[i] = dv.getInt32(4 * i, true); break;
        case "I16": data[i] = dv.getInt16(2 * i, true); break;
        case "I8": data[i] = dv.getInt8(i); break;
        default: data[i] = dv.getUint8(i);
      }
    }
    if (dtype === "F32" || dtype === "F16" || dtype === "BF16") widened.push(name);
    tensors[name] = { dtype, shape: shape.slice(), data };
  }
  const notices = widened.length === 0 ? [] : [
    `${widened.length} tensor(s) stored in lower precision (${[...new Set(widened.map((w) => tensors[w].dtype))].join(", ")}) were widened to float64 exactly; ` +
    `the network they came from computed in that precision: ${widened.join(", ")}`,
  ];
  return { tensors, metadata, notices };
}

/** Read a `.safetensors` file (see `parseSafetensors`). */
export function readSafetensors(path: string): SafetensorsFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readSafetensors: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseSafetensors(bytes, `readSafetensors(${path})`);
}

/**
 * Serialize tensors to safetensors bytes (header padded with spaces to a multiple of 8, as the reference
 * implementation does).
 *
 * @param tensors name -> { shape, data } (data row-major, length the product of shape)
 * @param options.dtype "F64" (default) or "F32"; options.metadata string -> string
 */
export function serializeSafetensors(tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>, options: { dtype?: "F64" | "F32"; metadata?: Record<string, string> } = {}): Uint8Array {
  const dtype = options.dtype ?? "F64";
  if (dtype !== "F64" && dtype !== "F32") throw new RangeError(`serializeSafetensors: dtype must be "F64" or "F32", got ${String(dtype)}`);
  const size = BYTES[dtype];
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const { shape, data } = tensors[name];
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new RangeError(`serializeSafetensors: tensor "${name}" has ${data.length} values, its shape ${JSON.stringify(shape)} needs ${count}`);
    header[name] = { dtype, shape, data_offsets: [offset, offset + count * size] };
    offset += count * size;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((json.length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const data = tensors[name].data;
    for (let i = 0; i < data.length; i++) {
      if (dtype === "F64") view.setFloat64(at, data[i], true); else view.setFloat32(at, data[i], true);
      at += size;
    }
  }
  return out;
}

/** Write bytes atomically: a temporary file next to `path`, then a rename (no half-written file remains). */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  let fd = -1;
  try {
    fd = openSync(tmp, "w");
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw e;
  }
}

/** Write tensors as a `.safetensors` file, atomically. */
export function writeSafetensors(path: string, tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>, options: { dtype?: "F64" | "F32"; metadata?: Record<string, string> } = {}): void {
  writeFileAtomic(path, serializeSafetensors(tensors, options));
}

/**
 * A model's parameters as named tensors, keyed by each block's PyTorch name when it has one (`layers.0.weight`)
 * and its own name otherwise; a column block (`rows x 1`, a bias) is the 1-D tensor PyTorch stores.
 */
export function stateDict(model: Model, theta: Float64Array): Record<string, Tensor> {
  const ws = model.unflatten(theta);
  const out: Record<string, Tensor> = {};
  model.blocks.forEach((b, i) => {
    out[b.torchName ?? b.name] = { dtype: "F64", shape: b.cols === 1 && b.torchName !== undefined ? [b.rows] : [b.rows, b.cols], data: Float64Array.from(ws[i].to1DArray()) };
  });
  return out;
}

/**
 * Parameters theta of `model` from named tensors (a PyTorch `state_dict` read by `readSafetensors`), matched by
 * each block's PyTorch name (`layers.0.weight`) or its own name (`W1`). A block `r x c` accepts a tensor of
 * shape [r, c], and a column block (`r x 1`) also [r]. Every missing, extra or wrongly shaped tensor is named
 * in one error.
 *
 * @param model the architecture
 * @param tensors name -> { shape, data }
 * @param options.rename file key -> block name or PyTorch name, for other layouts (e.g. an `nn.Sequential`:
 *   `{ "0.weight": "W1", "0.bias": "b1", "2.weight": "W2", "2.bias": "b2" }`)
 * @returns theta (Float64Array, the model's flat order)
 */
export function loadStateDict(model: Model, tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>, options: { rename?: Record<string, string> } = {}): Float64Array {
  const where = `loadStateDict(${model.name})`;
  if (options.rename) {
    const renamed: Record<string, { shape: number[]; data: ArrayLike<number> }> = {};
    for (const [k, t] of Object.entries(tensors)) {
      const to: string = options.rename[k] ?? k;
      if (to in renamed) throw new RangeError(`${where}: options.rename maps two tensors to ${to}`);
      renamed[to] = t;
    }
    tensors = renamed;
  }
  const used = new Set<string>();
  const problems: string[] = [];
  const theta = new Float64Array(model.numParams);
  for (const b of model.blocks) {
    const key = b.torchName !== undefined && b.torchName in tensors ? b.torchName : b.name in tensors ? b.name : undefined;
    if (key === undefined) { problems.push(`missing ${b.torchName ?? b.name} (${b.rows} x ${b.cols})`); continue; }
    used.add(key);
    const t = tensors[key];
    const shape = t.shape;
    const ok = (shape.length === 2 && shape[0] === b.rows && shape[1] === b.cols) || (b.cols === 1 && shape.length === 1 && shape[0] === b.rows) ||
      (b.rows === 1 && shape.length === 1 && shape[0] === b.cols);
    if (!ok) { problems.push(`${key} has shape [${shape.join(", ")}], expected [${b.rows}, ${b.cols}]${b.cols === 1 ? ` or [${b.rows}]` : ""}`); continue; }
    for (let i = 0; i < b.size; i++) {
      const x = t.data[i];
      if (!Number.isFinite(x)) { problems.push(`${key} entry ${i} is ${x}`); break; }
      theta[b.offset + i] = x;
    }
  }
  for (const name of Object.keys(tensors)) if (!used.has(name)) problems.push(`extra tensor ${name} [${tensors[name].shape.join(", ")}]`);
  if (problems.length > 0) throw new RangeError(`${where}: the weights do not match the architecture: ${problems.join("; ")}`);
  return theta;
}

/** A tensor of rank <= 2 as a Matrix (a 1-D tensor becomes a column). */
export function tensorToMatrix(t: Tensor): Matrix {
  if (t.shape.length > 2) throw new RangeError(`tensorToMatrix: tensor must have rank <= 2, got shape [${t.shape.join(", ")}]`);
  const rows = t.shape.length === 0 ? 1 : t.shape[0], cols = t.shape.length === 2 ? t.shape[1] : 1;
  const M = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) M.set(i, j, t.data[i * cols + j]);
  return M;
}
