// Figure 2's runs as tasks: the same points with 1 and 2 workers, a second run reads every task back, and the
// content key follows the params (another epoch count or another data set is another task).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ablationParams, AblationConfig, invertedPairs, labelSharpnessAblation, labelSharpnessRun, panelPoints } from "../../../lib/experiments/data-dependence/label-sharpness-ablation";
import { datasetRef } from "../../../lib/experiments/data-dependence/image-datasets";
import type { ImageDataset } from "../../../lib/data";
import { rng } from "../../../lib/random/rng";
import { encodeResult } from "../../../lib/tasks";

/** A tiny image data set: 150 random 3 x 2 images in 3 classes. */
function tinyImages(seed = 40): ImageDataset {
  const gen = rng(seed);
  const count = 150, dim = 6;
  return { name: "tiny", count, dim, shape: [3, 2], images: Uint8Array.from({ length: count * dim }, () => gen.int(256)), labels: Uint8Array.from({ length: count }, (_, i) => i % 3), classes: 3 };
}
const config: AblationConfig = { n: 60, width: 4, L: 3, lr: 0.01, epochs: 30, alphas: [0.4, 0.8], tanh: { width: 3, epochs: 20, alphas: [0.8] } };
const plain = (x: unknown) => JSON.stringify(encodeResult(x));
// A point without its timing (seconds differ between runs).
const untimed = (pts: { seconds: number }[]) => plain(pts.map(({ seconds: _s, ...rest }) => rest));

const saved: Record<string, string | undefined> = {};
const fresh = () => {
  for (const k of ["HS_QUICK_TASKS_DIR", "HS_TASKS_DIR"]) process.env[k] = mkdtempSync(join(tmpdir(), "hs-figure-2-"));
};
beforeEach(() => {
  for (const k of ["HS_QUICK_TASKS_DIR", "HS_TASKS_DIR"]) saved[k] = process.env[k];
  fresh();
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("labelSharpnessAblation (Data Dependence, Figure 2)", () => {
  it("gives the same points with 1 and 2 workers; a second run reads every task back", () => {
    const ds = tinyImages();
    const lines: string[] = [];
    const one = labelSharpnessAblation(ds, config, rng(7), { workers: 1, log: (l) => lines.push(l) });
    expect(one.map((r) => `${r.panel}-${r.alpha}`)).toEqual(["(a) raw inputs-0.4", "(b) Kaiming uniform-0.4", "(a) raw inputs-0.8", "(b) Kaiming uniform-0.8", "(c) Tanh-0.8"]);
    expect(one.every((r) => Number.isFinite(r.sharpness) && r.sharpness > 0)).toBe(true);
    fresh();
    const two = labelSharpnessAblation(ds, config, rng(7), { workers: 2, log: (l) => lines.push(l) });
    expect(untimed(two)).toBe(untimed(one));
    lines.length = 0;
    const again = labelSharpnessAblation(ds, config, rng(7), { workers: 2, log: (l) => lines.push(l) });
    expect(plain(again)).toBe(plain(two));
    expect(lines.some((l) => l.includes("5 tasks, 5 stored, 0 to compute"))).toBe(true);
  }, 300_000); // worker threads load the library: generous on a busy machine

  it("a task is its params: the in-thread run equals the worker's; the key changes with epochs and data", () => {
    const ds = tinyImages();
    const ref = datasetRef(ds);
    const params = ablationParams(config, ref, rng(7));
    expect(params.map((p) => p.subsetSeed)).toEqual([0, 0, 1, 1, 1].map((i) => rng(7).fork(`subset-${config.alphas[i]}`).seed));
    expect(params[4]).toMatchObject({ panel: "(c) Tanh", width: 3, epochs: 20, alpha: 0.8 });
    const inThread = labelSharpnessRun(params[1], rng(7).fork(`${params[1].panel}-${params[1].alpha}`), { shared: { tiny: ds } });
    const viaTasks = labelSharpnessAblation(ds, config, rng(7), { workers: 1, log: () => {} });
    expect(untimed([inThread])).toBe(untimed([viaTasks[1]]));
    expect(datasetRef(tinyImages(41)).hash).not.toBe(ref.hash);
    expect(() => labelSharpnessRun(params[0], rng(1), { shared: { tiny: tinyImages(41) } })).toThrow("labelSharpnessRun: the shared data set \"tiny\" has hash");
    expect(() => labelSharpnessRun(params[0], rng(1), {})).toThrow("labelSharpnessRun: context.shared must hold the data set \"tiny\"");
    const lines: string[] = [];
    labelSharpnessAblation(ds, { ...config, epochs: 31 }, rng(7), { workers: 1, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes("5 tasks, 0 stored, 5 to compute"))).toBe(true);
  }, 300_000);

  it("inverted pairs and panel points; bad configurations throw", () => {
    expect(invertedPairs([{ sharpness: 1 }, { sharpness: 3 }, { sharpness: 2 }])).toBe(1);
    expect(invertedPairs([{ sharpness: 1 }, { sharpness: NaN }])).toBe(1);
    const pts = [{ panel: "(c) Tanh", alphaMax: 0.9 }, { panel: "(c) Tanh", alphaMax: 0.1 }, { panel: "(a) raw inputs", alphaMax: 0.5 }] as Parameters<typeof panelPoints>[0];
    expect(panelPoints(pts, "(c) Tanh").map((r) => r.alphaMax)).toEqual([0.1, 0.9]);
    const ref = datasetRef(tinyImages());
    expect(() => ablationParams({ ...config, tanh: { ...config.tanh, alphas: [0.5] } }, ref, rng(1))).toThrow("labelSharpnessAblation: config.tanh.alphas must be among config.alphas, got 0.5");
    expect(() => ablationParams({ ...config, epochs: 0 }, ref, rng(1))).toThrow("labelSharpnessAblation: config.epochs must be a positive integer, got 0");
  });
});
