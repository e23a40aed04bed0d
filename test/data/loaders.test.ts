import { describe, expect, it, afterAll } from "vitest";
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadFashionMnist, loadMnist, loadCifar10, imagesToMatrix, selectLabels, parseIdx, dataDir } from "../../lib/data/index";

const root = mkdtempSync(join(tmpdir(), "hs-loaders-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe("real-data loaders", () => {
  it("parses IDX fixtures (gzipped and raw) in the MNIST layout", () => {
    const dir = join(root, "mnist");
    mkdirSync(dir);
    const images = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 10);
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(idx([3, 2, 2], images)));
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), idx([3], Uint8Array.of(7, 0, 9)));
    const ds = loadMnist("train", dir);
    expect(ds.count).toBe(3);
    expect(ds.dim).toBe(4);
    expect(Array.from(ds.labels)).toEqual([7, 0, 9]);
    const X = imagesToMatrix(ds, [2, 0], 1);
    expect(X.rows).toBe(4);
    expect(X.getColumn(0)).toEqual([80, 90, 100, 110]);
    expect(X.getColumn(1)).toEqual([0, 10, 20, 30]);
    expect(Array.from(selectLabels(ds, [2, 0]))).toEqual([9, 7]);
    expect(() => parseIdx(Uint8Array.of(1, 2, 3, 4))).toThrow(/parseIdx: not an IDX file/);
    expect(() => parseIdx(idx([5], Uint8Array.of(1, 2)))).toThrow(/IDX body has 2 bytes, header says 5/);
  });

  it("reads CIFAR-10 binary batch fixtures: label byte then 3072 pixel bytes", () => {
    const dir = join(root, "cifar-10-batches-bin");
    mkdirSync(dir);
    const rec = (label: number, fill: number) => { const b = new Uint8Array(3073).fill(fill); b[0] = label; b[1] = 255; return b; };
    writeFileSync(join(dir, "test_batch.bin"), Buffer.concat([rec(3, 1), rec(8, 2)]));
    const ds = loadCifar10("test", dir);
    expect(ds.count).toBe(2);
    expect(Array.from(ds.labels)).toEqual([3, 8]);
    expect(ds.images[0]).toBe(255);
    expect(ds.images[3072 + 5]).toBe(2);
    expect(() => loadCifar10("train", dir)).toThrow(/loadCifar10: data set files not found in .*Expected data_batch_1.bin, data_batch_2.bin/);
  });

  it("missing files: the error names the loader, the folder and the expected files; HS_DATA_DIR is honoured", () => {
    const old = process.env.HS_DATA_DIR;
    process.env.HS_DATA_DIR = join(root, "nowhere");
    try {
      expect(dataDir()).toBe(join(root, "nowhere"));
      expect(() => loadMnist("test")).toThrow(/loadMnist: data set files not found in .*nowhere.mnist. Expected t10k-images-idx3-ubyte\[\.gz\]/);
      expect(() => loadCifar10("test")).toThrow(/loadCifar10: data set files not found .*Expected test_batch.bin .*HS_DATA_DIR/);
    } finally {
      if (old === undefined) delete process.env.HS_DATA_DIR; else process.env.HS_DATA_DIR = old;
    }
    expect(() => loadMnist("valid" as "train", root)).toThrow(/loadMnist: split must be "train" or "test"/);
  });

  it("reads Debian's Fashion-MNIST test split", () => {
    const ds = loadFashionMnist("test");
    expect(ds.count).toBe(10000);
    expect(ds.shape).toEqual([28, 28]);
    const counts = new Array(10).fill(0);
    for (const l of ds.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000)); // Fashion-MNIST's test split is balanced
    const X = imagesToMatrix(ds, [0, 1]);
    expect(Math.max(...X.to1DArray())).toBeLessThanOrEqual(1);
    expect(Math.max(...X.to1DArray())).toBeGreaterThan(0.5);
  });
});
