import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStateDict, mlp, parseSafetensors, readSafetensors, serializeSafetensors, stateDict, writeSafetensors, rng, standardInit, transformer, transformerInit, deepLinear } from "../../lib";

const dir = mkdtempSync(join(tmpdir(), "hs-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("safetensors", () => {
  it("round-trips float64 tensors bit for bit, and float32 to the nearest float32 with a notice", () => {
    const gen = rng(1);
    const a = Float64Array.from({ length: 12 }, () => gen.normal());
    const b = Float64Array.from({ length: 3 }, () => gen.normal());
    const path = join(dir, "t.safetensors");
    writeSafetensors(path, { a: { shape: [3, 4], data: a }, b: { shape: [3], data: b } }, { metadata: { format: "pt" } });
    const f = readSafetensors(path);
    expect(f.metadata).toEqual({ format: "pt" });
    expect(f.notices).toEqual([]);
    expect(f.tensors.a.shape).toEqual([3, 4]);
    expect(Array.from(f.tensors.a.data)).toEqual(Array.from(a));
    expect(Array.from(f.tensors.b.data)).toEqual(Array.from(b));
    const f32 = parseSafetensors(serializeSafetensors({ a: { shape: [3, 4], data: a } }, { dtype: "F32" }));
    expect(Array.from(f32.tensors.a.data)).toEqual(Array.from(a, (x) => Math.fround(x)));
    expect(f32.notices[0]).toMatch(/F32.*widened to float64.*: a$/);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]); // atomic write left nothing behind
  });

  it("reads a header written by another writer (offsets unordered, padding, F16 / BF16 / I64)", () => {
    const header = JSON.stringify({ h: { dtype: "F16", shape: [2], data_offsets: [8, 12] }, x: { dtype: "I64", shape: [1], data_offsets: [0, 8] }, g: { dtype: "BF16", shape: [1], data_offsets: [12, 14] } }) + "    ";
    const head = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + head.length + 14);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, BigInt(head.length), true);
    bytes.set(head, 8);
    const o = 8 + head.length;
    v.setBigInt64(o, -5n, true);
    v.setUint16(o + 8, 0x3c00, true); // 1.0 in half precision
    v.setUint16(o + 10, 0xc000, true); // -2.0
    v.setUint16(o + 12, 0x4049, true); // bfloat16 of pi, 3.140625
    const f = parseSafetensors(bytes);
    expect(Array.from(f.tensors.x.data)).toEqual([-5]);
    expect(Array.from(f.tensors.h.data)).toEqual([1, -2]);
    expect(Array.from(f.tensors.g.data)).toEqual([3.140625]);
  });

  it("says what is wrong with a file that is not safetensors", () => {
    const path = join(dir, "not.safetensors");
    writeFileSync(path, "hello, this is text and not a safetensors file");
    expect(() => readSafetensors(path)).toThrow(/readSafetensors\(.*not\.safetensors\): not a safetensors file: header length \d+ does not fit/);
    expect(() => parseSafetensors(new Uint8Array(3))).toThrow(/not a safetensors file: expected at least 8 bytes/);
    const bad = serializeSafetensors({ a: { shape: [2], data: [1, 2] } });
    expect(() => parseSafetensors(bad.subarray(0, bad.length - 4))).toThrow(/tensor "a" \(F64 \[2\]\) has data_offsets \[0, 16\], expected 16 bytes inside 12/);
    expect(() => readSafetensors(join(dir, "missing.safetensors"))).toThrow(/readSafetensors: cannot read .*missing\.safetensors/);
  });
});

describe("loadStateDict / stateDict", () => {
  it("maps PyTorch names to the model's blocks and back (mlp, deepLinear, transformer)", () => {
    const gen = rng(2);
    for (const model of [mlp([3, 4, 2], { bias: true }), deepLinear([2, 3, 2]), transformer({ vocab: 5, seqLen: 3, dModel: 4, heads: 2 })]) {
      const theta = model.name.startsWith("transformer") ? transformerInit(model, gen) : standardInit(model, gen);
      const sd = stateDict(model, theta);
      expect(Object.keys(sd)).toEqual(model.blocks.map((b) => b.torchName ?? b.name));
      const back = loadStateDict(model, parseSafetensors(serializeSafetensors(sd)).tensors);
      expect(Array.from(back)).toEqual(Array.from(theta));
    }
    expect(stateDict(mlp([3, 4, 2], { bias: true }), new Float64Array(26))["layers.0.bias"].shape).toEqual([4]);
  });

  it("names every missing, extra and wrongly shaped tensor in one error", () => {
    const model = mlp([3, 4, 2], { bias: true });
    const t = (shape: number[]) => ({ shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) });
    const call = () => loadStateDict(model, { "layers.0.weight": t([3, 4]), "layers.0.bias": t([4]), "layers.1.weight": t([2, 4]), "head.weight": t([1]) });
    expect(call).toThrow(/layers\.0\.weight has shape \[3, 4\], expected \[4, 3\].*missing layers\.1\.bias \(2 x 1\).*extra tensor head\.weight \[1\]/);
    const renamed = loadStateDict(model, { "0.weight": t([4, 3]), "0.bias": t([4]), "2.weight": t([2, 4]), "2.bias": t([2]) }, { rename: { "0.weight": "W1", "0.bias": "b1", "2.weight": "W2", "2.bias": "b2" } });
    expect(renamed.length).toBe(model.numParams);
  });
});
