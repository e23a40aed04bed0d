/**
 * Real data sets, read from files on disk (no network):
 *
 * - Fashion-MNIST from Debian's `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist/`,
 *   `{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`);
 * - MNIST (the same IDX files, gzipped or not) from `<data dir>/mnist/`;
 * - CIFAR-10 binary batches (`data_batch_1.bin` ... `data_batch_5.bin`, `test_batch.bin`) from
 *   `<data dir>/cifar-10-batches-bin/` or `<data dir>/cifar10/`.
 *
 * The data dir is the environment variable `HS_DATA_DIR`, default `<project>/data/`. A missing file gives
 * an error that names the loader and the files it expected.
 *
 * Images stay as bytes (`Uint8Array`, one image after another); `imagesToMatrix` turns a selection into
 * a `d x n` float64 Matrix (one image per column), `labels` are class indices.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { Matrix } from "ml-matrix";

/** A labelled image data set held as bytes. */
export interface ImageDataset {
  name: string;
  /** Number of images. */
  count: number;
  /** Values per image (784 for MNIST, 3072 for CIFAR-10). */
  dim: number;
  /** Image shape, e.g. [28, 28] or [3, 32, 32]. */
  shape: number[];
  /** count * dim bytes, image i at [i * dim, (i + 1) * dim). */
  images: Uint8Array;
  /** count class labels. */
  labels: Uint8Array;
  /** Number of classes. */
  classes: number;
}

/** Default directory of Debian's Fashion-MNIST. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** The project root (the folder with this project's package.json), found from this file's location. */
export function projectRoot(): string {
  let dir = typeof __dirname === "string" ? __dirname : process.cwd();
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, "utf8")).name === "hessian-spectra") return dir;
      } catch {
        /* not ours */
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

/** The user's data directory: `HS_DATA_DIR`, default `<project>/data`. */
export function dataDir(): string {
  const env = process.env.HS_DATA_DIR;
  return env !== undefined && env !== "" ? resolve(env) : join(projectRoot(), "data");
}

/** Parse an IDX file (gzipped or not): element type must be unsigned byte (0x08). */
export function parseIdx(buffer: Uint8Array, where = "parseIdx"): { dims: number[]; data: Uint8Array } {
  let buf = buffer;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = new Uint8Array(gunzipSync(buf));
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new RangeError(`${where}: not an IDX file (bad magic number)`);
  if (buf[2] !== 0x08) throw new RangeError(`${where}: IDX element type must be unsigned byte (0x08), got 0x${buf[2].toString(16)}`);
  const nd = buf[3];
  if (buf.length < 4 + 4 * nd) throw new RangeError(`${where}: IDX header truncated`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * nd;
  if (buf.length - start !== size) throw new RangeError(`${where}: IDX body has ${buf.length - start} bytes, header says ${size}`);
  return { dims, data: buf.subarray(start, start + size) };
}

function findFile(where: string, dir: string, names: string[], expected: string[]): string {
  for (const name of names) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(
    `${where}: data set files not found in ${dir}. Expected ${expected.join(", ")}` +
      ` (set HS_DATA_DIR to the folder that holds them; default <project>/data).`,
  );
}

function loadIdxPair(where: string, name: string, dir: string, prefix: string, expected: string[]): ImageDataset {
  const imgPath = findFile(where, dir, [`${prefix}-images-idx3-ubyte.gz`, `${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`], expected);
  const lblPath = findFile(where, dir, [`${prefix}-labels-idx1-ubyte.gz`, `${prefix}-labels-idx1-ubyte`, `${prefix}-labels.idx1-ubyte`], expected);
  const img = parseIdx(readFileSync(imgPath), `${where}: ${imgPath}`);
  const lbl = parseIdx(readFileSync(lblPath), `${where}: ${lblPath}`);
  if (img.dims.length !== 3) throw new RangeError(`${where}: ${imgPath} must hold a 3-d array (count x rows x cols), got ${img.dims.length}-d`);
  if (lbl.dims.length !== 1 || lbl.dims[0] !== img.dims[0]) throw new RangeError(`${where}: ${lblPath} must hold ${img.dims[0]} labels, got dims ${JSON.stringify(lbl.dims)}`);
  for (let i = 0; i < lbl.data.length; i++) if (lbl.data[i] > 9) throw new RangeError(`${where}: label ${i} is ${lbl.data[i]}, expected 0..9`);
  return { name, count: img.dims[0], dim: img.dims[1] * img.dims[2], shape: [img.dims[1], img.dims[2]], images: img.data, labels: lbl.data, classes: 10 };
}

function splitPrefix(where: string, split: string): string {
  if (split !== "train" && split !== "test") throw new RangeError(`${where}: split must be "train" or "test", got ${String(split)}`);
  return split === "train" ? "train" : "t10k";
}

/** Fashion-MNIST (Debian `dataset-fashion-mnist`), 28 x 28 grey images, 10 classes. */
export function loadFashionMnist(split: "train" | "test" = "train", dir = FASHION_MNIST_DIR): ImageDataset {
  const prefix = splitPrefix("loadFashionMnist", split);
  const expected = [`${prefix}-images-idx3-ubyte.gz`, `${prefix}-labels-idx1-ubyte.gz`];
  return loadIdxPair("loadFashionMnist", `fashion-mnist/${split}`, dir, prefix, expected);
}

/** MNIST from the user's files (IDX, gzipped or not) in `<data dir>/mnist/` (or `dir`). */
export function loadMnist(split: "train" | "test" = "train", dir = join(dataDir(), "mnist")): ImageDataset {
  const prefix = splitPrefix("loadMnist", split);
  const expected = [`${prefix}-images-idx3-ubyte[.gz]`, `${prefix}-labels-idx1-ubyte[.gz]`];
  return loadIdxPair("loadMnist", `mnist/${split}`, dir, prefix, expected);
}

/**
 * CIFAR-10 binary version from the user's files: `data_batch_1.bin` ... `data_batch_5.bin` (train) or
 * `test_batch.bin` (test), in `dir`, default `<data dir>/cifar-10-batches-bin/` or else `<data dir>/cifar10/`.
 * Each record is 1 label byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, row-major 32 x 32).
 */
export function loadCifar10(split: "train" | "test" = "train", dir?: string): ImageDataset {
  if (split !== "train" && split !== "test") throw new RangeError(`loadCifar10: split must be "train" or "test", got ${String(split)}`);
  const names = split === "train" ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ["test_batch.bin"];
  let folder = dir;
  if (folder === undefined) {
    const candidates = [join(dataDir(), "cifar-10-batches-bin"), join(dataDir(), "cifar10")];
    folder = candidates.find((c) => existsSync(join(c, names[0]))) ?? candidates[0];
  }
  const record = 3073;
  const parts: Uint8Array[] = [];
  for (const name of names) {
    const p = findFile("loadCifar10", folder, [name], names);
    const b = new Uint8Array(readFileSync(p));
    if (b.length % record !== 0) throw new RangeError(`loadCifar10: ${p} has ${b.length} bytes, not a multiple of the record size ${record}`);
    parts.push(b);
  }
  const count = parts.reduce((s, b) => s + b.length / record, 0);
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  let k = 0;
  for (const b of parts) {
    for (let r = 0; r < b.length / record; r++, k++) {
      const lab = b[r * record];
      if (lab > 9) throw new RangeError(`loadCifar10: record ${k} has label ${lab}, expected 0..9`);
      labels[k] = lab;
      images.set(b.subarray(r * record + 1, (r + 1) * record), k * 3072);
    }
  }
  return { name: `cifar10/${split}`, count, dim: 3072, shape: [3, 32, 32], images, labels, classes: 10 };
}

/**
 * The selected images as a `dim x n` float64 Matrix, one image per column, pixel values times `scale`
 * (default 1/255). `indices` default: all images.
 */
export function imagesToMatrix(ds: ImageDataset, indices?: ArrayLike<number>, scale = 1 / 255): Matrix {
  const idx = indices ?? Array.from({ length: ds.count }, (_, i) => i);
  const n = idx.length;
  const X = new Matrix(ds.dim, n);
  for (let j = 0; j < n; j++) {
    const c = idx[j];
    if (!Number.isInteger(c) || c < 0 || c >= ds.count) throw new RangeError(`imagesToMatrix: index ${c} out of range [0, ${ds.count})`);
    const o = c * ds.dim;
    for (let i = 0; i < ds.dim; i++) X.set(i, j, ds.images[o + i] * scale);
  }
  return X;
}

/** The labels of the selected images. */
export function selectLabels(ds: ImageDataset, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const c = indices[j];
    if (!Number.isInteger(c) || c < 0 || c >= ds.count) throw new RangeError(`selectLabels: index ${c} out of range [0, ${ds.count})`);
    out[j] = ds.labels[c];
  }
  return out;
}

// ---- Your own data: CSV, NumPy .npy and IDX files. In every file ONE SAMPLE PER ROW (as pandas, NumPy and
// PyTorch keep data); on load the library's convention is applied, ONE SAMPLE PER COLUMN: a file of n rows and
// d values per row becomes a d x n Matrix.

/** Samples from a row-per-sample table, transposed to the library's `d x n` (one sample per column). */
function rowsToColumns(where: string, values: ArrayLike<number>, n: number, d: number): Matrix {
  const X = new Matrix(d, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
    const x = values[i * d + j];
    if (!Number.isFinite(x)) throw new RangeError(`${where}: sample ${i}, value ${j} is ${x}, expected a finite number`);
    X.set(j, i, x);
  }
  return X;
}

function readBytes(where: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new Error(`${where}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * A CSV file (one sample per row, numbers separated by `,`, `;`, tab or spaces) as a `d x n` Matrix, one
 * sample per column. A first line that is not numeric is taken as a header and skipped; blank lines are
 * skipped.
 *
 * @param path the file
 * @param options.columns keep only these columns (0-based), e.g. the features or the targets
 */
export function readCsv(path: string, options: { columns?: number[] } = {}): Matrix {
  const where = `readCsv(${path})`;
  const text = new TextDecoder().decode(readBytes("readCsv", path));
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  const split = (l: string) => l.split(/\s*[,;\t]\s*|\s+/);
  const numeric = (s: string) => s !== "" && Number.isFinite(Number(s));
  if (lines.length > 0 && !split(lines[0]).every(numeric)) lines.shift(); // header
  if (lines.length === 0) throw new RangeError(`${where}: no rows of numbers`);
  const rows = lines.map(split);
  const width = rows[0].length;
  const cols = options.columns ?? Array.from({ length: width }, (_, j) => j);
  for (const c of cols) if (!Number.isInteger(c) || c < 0 || c >= width) throw new RangeError(`${where}: columns must be integers in 0..${width - 1}, got ${c}`);
  const values = new Float64Array(rows.length * cols.length);
  rows.forEach((r, i) => {
    if (r.length !== width) throw new RangeError(`${where}: row ${i + 1} has ${r.length} values, expected ${width} like the first row`);
    cols.forEach((c, j) => {
      if (!numeric(r[c])) throw new RangeError(`${where}: row ${i + 1}, column ${c} is "${r[c]}", expected a number`);
      values[i * cols.length + j] = Number(r[c]);
    });
  });
  return rowsToColumns(where, values, rows.length, cols.length);
}

/**
 * A NumPy `.npy` file (format 1.0-3.0; little- or big-endian float64/float32/int/uint/bool; C or Fortran
 * order) of shape `(n,)` or `(n, d)` (one sample per row, as `np.save(X)` writes) as a `d x n` Matrix, one
 * sample per column (`(n,)` gives `1 x n`).
 */
export function readNpy(path: string): Matrix {
  const where = `readNpy(${path})`;
  const b = readBytes("readNpy", path);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (b.length < 10 || !magic.every((m, i) => b[i] === m)) throw new RangeError(`${where}: not a .npy file (bad magic string)`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const major = b[6];
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + hlen;
  const header = new TextDecoder().decode(b.subarray(major === 1 ? 10 : 12, start));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*True/.test(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined) throw new RangeError(`${where}: .npy header lacks descr or shape: ${header.trim()}`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.length < 1 || shape.length > 2) throw new RangeError(`${where}: expected a 1-d (n,) or 2-d (n, d) array, got shape (${shape.join(", ")})`);
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (m === null || !["f8", "f4", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1"].includes(m[2] + m[3])) {
    throw new RangeError(`${where}: dtype ${descr} not supported; expected float64/32, int, uint or bool`);
  }
  const little = m[1] !== ">", kind = m[2], size = Number(m[3]);
  const n = shape[0], d = shape.length === 2 ? shape[1] : 1;
  if (b.length - start < n * d * size) throw new RangeError(`${where}: data has ${b.length - start} bytes, shape (${shape.join(", ")}) needs ${n * d * size}`);
  const values = new Float64Array(n * d);
  for (let k = 0; k < n * d; k++) {
    const o = start + k * size;
    let x: number;
    if (kind === "f") x = size === 8 ? view.getFloat64(o, little) : view.getFloat32(o, little);
    else if (kind === "i") x = size === 8 ? Number(view.getBigInt64(o, little)) : size === 4 ? view.getInt32(o, little) : size === 2 ? view.getInt16(o, little) : view.getInt8(o);
    else x = size === 8 ? Number(view.getBigUint64(o, little)) : size === 4 ? view.getUint32(o, little) : size === 2 ? view.getUint16(o, little) : view.getUint8(o);
    // Fortran order stores column after column: entry k is (k mod n, k div n)
    const idx = fortran ? (k % n) * d + Math.floor(k / n) : k;
    values[idx] = x;
  }
  return rowsToColumns(where, values, n, d);
}

/**
 * An IDX file (gzipped or not; unsigned/signed byte, short, int, float or double) whose first dimension
 * counts the samples, as a `d x n` Matrix, one sample per column (`d` the product of the other dimensions:
 * 784 for 28 x 28 images; 1 for a label file). Values as stored (no scaling).
 */
export function readIdx(path: string): Matrix {
  const where = `readIdx(${path})`;
  let buf = readBytes("readIdx", path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = new Uint8Array(gunzipSync(buf));
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new RangeError(`${where}: not an IDX file (bad magic number)`);
  const sizes: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };
  const type = buf[2], size = sizes[type];
  if (size === undefined) throw new RangeError(`${where}: IDX element type 0x${type.toString(16)} unknown; expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e`);
  const nd = buf[3];
  if (nd < 1 || buf.length < 4 + 4 * nd) throw new RangeError(`${where}: IDX header truncated`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const n = dims[0], d = dims.slice(1).reduce((a, c) => a * c, 1);
  const start = 4 + 4 * nd;
  if (buf.length - start !== n * d * size) throw new RangeError(`${where}: IDX body has ${buf.length - start} bytes, header says ${n * d * size}`);
  const values = new Float64Array(n * d);
  for (let k = 0; k < n * d; k++) {
    const o = start + k * size; // IDX is big-endian
    values[k] = type === 0x08 ? view.getUint8(o) : type === 0x09 ? view.getInt8(o) : type === 0x0b ? view.getInt16(o, false)
      : type === 0x0c ? view.getInt32(o, false) : type === 0x0d ? view.getFloat32(o, false) : view.getFloat64(o, false);
  }
  return rowsToColumns(where, values, n, d);
}

/**
 * A data file by its extension: `.csv`/`.tsv`/`.txt` (`readCsv`), `.npy` (`readNpy`), `.idx*`/`-ubyte`
 * (gzipped or not; `readIdx`). One sample per row in the file, one sample per column in the result.
 */
export function readSamples(path: string): Matrix {
  const p = path.toLowerCase().replace(/\.gz$/, "");
  if (/\.(csv|tsv|txt)$/.test(p)) return readCsv(path);
  if (p.endsWith(".npy")) return readNpy(path);
  if (/idx\d?(-ubyte)?$|\.idx\d?$|-ubyte$/.test(p)) return readIdx(path);
  throw new RangeError(`readSamples: ${path} has an unknown extension; expected .csv, .tsv, .txt, .npy or an IDX file (.idx*, *-ubyte, optionally .gz)`);
}
