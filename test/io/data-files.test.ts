// CSV, .npy and IDX files hold one sample per ROW; the loaders return the library's one sample per COLUMN.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readCsv, readIdx, readNpy, readSamples } from "../../lib";

const dir = mkdtempSync(join(tmpdir(), "hs-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rows = [[1.5, -2, 3e-3], [4, 5.25, -6], [7, 8, 9.125], [-0.5, 0, 1]]; // n = 4 samples, d = 3

function expectSamples(M: { rows: number; columns: number; get(i: number, j: number): number }, data: number[][]): void {
  expect([M.rows, M.columns]).toEqual([data[0].length, data.length]);
  data.forEach((r, i) => r.forEach((x, j) => expect(M.get(j, i)).toBe(x)));
}

function npy(descr: string, shape: number[], values: number[], fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  header += " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
  const size = Number(descr.slice(2));
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const v = new DataView(out.buffer);
  v.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const little = descr[0] === "<";
  values.forEach((x, k) => {
    const o = 10 + header.length + k * size;
    if (descr.slice(1) === "f8") v.setFloat64(o, x, little);
    else if (descr.slice(1) === "f4") v.setFloat32(o, x, little);
    else v.setInt32(o, x, little);
  });
  return out;
}

describe("readCsv", () => {
  it("reads rows as columns, skipping a header and blank lines, any common separator", () => {
    const p = join(dir, "x.csv");
    writeFileSync(p, "a,b,c\n" + rows.map((r) => r.join(",")).join("\n") + "\n\n");
    expectSamples(readCsv(p), rows);
    const t = join(dir, "x.tsv");
    writeFileSync(t, rows.map((r) => r.join("\t")).join("\r\n"));
    expectSamples(readSamples(t), rows);
    expectSamples(readCsv(p, { columns: [2] }), rows.map((r) => [r[2]]));
  });
  it("names the row and column of a bad value", () => {
    const p = join(dir, "bad.csv");
    writeFileSync(p, "1,2\n3,x\n");
    expect(() => readCsv(p)).toThrow(/readCsv\(.*bad\.csv\): row 2, column 1 is "x", expected a number/);
    writeFileSync(p, "1,2\n3\n");
    expect(() => readCsv(p)).toThrow(/row 2 has 1 values, expected 2/);
  });
});

describe("readNpy", () => {
  it("reads (n, d) float64 in C and Fortran order, float32, big-endian int32 and (n,)", () => {
    const flat = rows.flat();
    const p = join(dir, "x.npy");
    writeFileSync(p, npy("<f8", [4, 3], flat));
    expectSamples(readNpy(p), rows);
    const colMajor = [0, 1, 2].flatMap((j) => rows.map((r) => r[j]));
    writeFileSync(p, npy("<f8", [4, 3], colMajor, true));
    expectSamples(readNpy(p), rows);
    writeFileSync(p, npy("<f4", [4, 3], flat));
    expectSamples(readNpy(p), rows.map((r) => r.map((x) => Math.fround(x))));
    writeFileSync(p, npy(">i4", [4], [3, -1, 0, 7]));
    expectSamples(readSamples(p), [[3], [-1], [0], [7]]);
  });
  it("refuses what is not a 1-d or 2-d numeric .npy", () => {
    const p = join(dir, "bad.npy");
    writeFileSync(p, "not numpy at all");
    expect(() => readNpy(p)).toThrow(/not a \.npy file/);
    writeFileSync(p, npy("<f8", [2, 2, 1], [1, 2, 3, 4]));
    expect(() => readNpy(p)).toThrow(/expected a 1-d \(n,\) or 2-d \(n, d\) array, got shape \(2, 2, 1\)/);
  });
});

describe("readIdx", () => {
  it("reads n x h x w bytes as (h w) x n, gzipped or not, and double IDX", () => {
    const head = new Uint8Array([0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
    const body = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
    const bytes = new Uint8Array([...head, ...body]);
    const p = join(dir, "images-idx3-ubyte");
    writeFileSync(p, bytes);
    const expected = [Array.from(body.subarray(0, 6)), Array.from(body.subarray(6))];
    expectSamples(readIdx(p), expected);
    writeFileSync(p + ".gz", gzipSync(bytes));
    expectSamples(readSamples(p + ".gz"), expected);
    const d = new Uint8Array(4 + 4 + 16);
    const v = new DataView(d.buffer);
    d.set([0, 0, 0x0e, 1]);
    v.setUint32(4, 2, false);
    v.setFloat64(8, -1.25, false);
    v.setFloat64(16, 3.5, false);
    writeFileSync(join(dir, "y.idx1"), d);
    expectSamples(readIdx(join(dir, "y.idx1")), [[-1.25], [3.5]]);
  });
  it("refuses a truncated body and an unknown extension", () => {
    const p = join(dir, "short.idx");
    writeFileSync(p, new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]));
    expect(() => readIdx(p)).toThrow(/IDX body has 2 bytes, header says 5/);
    expect(() => readSamples(join(dir, "x.parquet"))).toThrow(/readSamples: .*x\.parquet has an unknown extension; expected \.csv/);
  });
});
