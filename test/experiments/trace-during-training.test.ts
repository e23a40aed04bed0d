import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { geometricRecords, topPanel, topPanels, tracePanel, tracePanels } from "../../lib/experiments/figures/trace-during-training";
import { encodeResult } from "../../lib/tasks";
import { hessian } from "../../lib/curvature";
import { eigh } from "../../lib/linalg/eigh";
import type { ImageDataset } from "../../lib/data";
import { rng } from "../../lib/random/rng";
import { normalCdf, twoSidedNormalQuantile } from "../../lib/stats";

/** A tiny image data set: 60 random 3 x 2 images in 3 classes. */
function tinyImages(): ImageDataset {
  const gen = rng(30);
  const count = 60, dim = 6;
  const images = Uint8Array.from({ length: count * dim }, () => gen.int(256));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  return { name: "tiny", count, dim, shape: [3, 2], images, labels, classes: 3 };
}

describe("trace during training (Data Dependence, Figure 3)", () => {
  it("population form equals the sample MSE at init; (7) equals the exact trace, so Hutchinson's z stays small", () => {
    const panel = tracePanel(tinyImages(), "tiny", { n: 40, width: 5, L: 3, lr: 0.01, epochs: 20, probes: 200, recordAt: [0, 5, 20] }, rng(31));
    expect(Math.abs(panel.initialLoss.population - panel.initialLoss.sample) / panel.initialLoss.sample).toBeLessThan(1e-10);
    expect(panel.initialGradientError).toBeLessThan(1e-10);
    expect(panel.records.map((r) => r.epoch)).toEqual([0, 5, 20]);
    // familywise 1% over three records: a failure here would mean (7) is not the trace
    const limit = twoSidedNormalQuantile(0.01 / 3);
    for (const r of panel.records) expect(Math.abs(r.z)).toBeLessThan(limit);
  });

  it("screen and confirm: a flagged record is estimated again at the same weights with fresh probes", () => {
    const options = { n: 40, width: 5, L: 3, lr: 0.01, epochs: 5, probes: 20, recordAt: [0, 5] };
    // a limit no estimate can meet flags every record; a huge one flags none
    const all = tracePanel(tinyImages(), "tiny", { ...options, confirm: { limit: 1e-300, probes: 400 } }, rng(33));
    const none = tracePanel(tinyImages(), "tiny", { ...options, confirm: { limit: 1e300, probes: 400 } }, rng(33));
    for (const [i, r] of all.records.entries()) {
      const c = r.confirmation!;
      expect(c.probes).toBe(400);
      expect(c.hutch).not.toBe(r.hutch); // its own probes
      expect(Math.abs(c.zCorrected)).toBeLessThan(twoSidedNormalQuantile(0.01 / 2)); // (7) is the exact trace
      expect(c.se).toBeLessThan(r.se); // 20 times the probes: about sqrt(20) times smaller
      expect(none.records[i].confirmation).toBeUndefined();
      expect(none.records[i].hutch).toBe(r.hutch); // the screen's probes do not depend on the confirmation
    }
    expect(() => tracePanel(tinyImages(), "tiny", { ...options, confirm: { limit: NaN, probes: 400 } }, rng(33))).toThrow(/tracePanel: options.confirm must be \{ limit: a positive number, probes: an integer >= 2 \}/);
  });

  it("the normal quantile inverts the CDF", () => {
    const z = twoSidedNormalQuantile(0.05);
    expect(Math.abs(2 * (1 - normalCdf(z)) - 0.05)).toBeLessThan(1e-9);
    // A&S 7.1.26 is accurate to 1.5e-7 in erf, so z is off by at most 1.5e-7 / (2 phi(z)) (phi the normal density)
    const phi = Math.exp(-(1.959963984540054 ** 2) / 2) / Math.sqrt(2 * Math.PI);
    expect(Math.abs(z - 1.959963984540054)).toBeLessThan(1.5e-7 / (2 * phi));
    expect(() => twoSidedNormalQuantile(0)).toThrow("twoSidedNormalQuantile: level must be in (0, 1), got 0");
  });

  it("topPanel: LOBPCG's top-k at the initialisation are the dense Hessian's top-k", () => {
    const { run, records } = topPanel(tinyImages(), "tiny", { n: 40, width: 4, lr: 0.01, epochs: 5, k: 3, tol: 1e-10, maxIterations: 500, recordAt: [0, 5] }, rng(32));
    expect(records.map((r) => r.epoch)).toEqual([0, 5]);
    expect(records.every((r) => r.converged)).toBe(true);
    const dense = Array.from(eigh(hessian(run.problem, run.theta0)).values).reverse().slice(0, 3);
    const scale = Math.abs(dense[0]);
    for (let i = 0; i < 3; i++) expect(Math.abs(records[0].hess[i] - dense[i]) / scale).toBeLessThan(1e-8);
  });
});

describe("Figures 3 and 4 as tasks: one panel per data set", () => {
  const saved: Record<string, string | undefined> = {};
  const fresh = () => {
    for (const k of ["HS_QUICK_TASKS_DIR", "HS_TASKS_DIR"]) process.env[k] = mkdtempSync(join(tmpdir(), "hs-trace-panels-"));
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
  // A panel without its timing (seconds differ between runs) and its label.
  const untimed = (panels: { seconds: number; label?: string }[]) => JSON.stringify(encodeResult(panels.map(({ seconds: _s, label: _l, ...rest }) => rest)));
  const other = (): ImageDataset => ({ ...tinyImages(), name: "tiny-2", labels: Uint8Array.from({ length: 60 }, (_, i) => (i * 7) % 3) });

  it("tracePanels: a panel is tracePanel with gen.fork(label) and its subset from rng(gen.seed); 1 and 2 workers agree; a second run reads every panel back", () => {
    const options = { n: 40, width: 4, L: 3, lr: 0.01, epochs: 10, probes: 20, recordAt: [0, 10] };
    const panels = [{ label: "tiny", ds: tinyImages() }, { label: "tiny-2", ds: other() }];
    const lines: string[] = [];
    const one = tracePanels(panels, options, rng(33), { workers: 1, log: (l) => lines.push(l) });
    expect(one.map((p) => p.label)).toEqual(["tiny", "tiny-2"]);
    expect(untimed([tracePanel(panels[1].ds, "tiny-2", options, rng(33).fork("tiny-2"), rng(33))])).toBe(untimed([one[1]]));
    fresh();
    const two = tracePanels(panels, options, rng(33), { workers: 2, log: (l) => lines.push(l) });
    expect(untimed(two)).toBe(untimed(one));
    lines.length = 0;
    const again = tracePanels(panels, options, rng(33), { workers: 2, log: (l) => lines.push(l) });
    expect(JSON.stringify(encodeResult(again))).toBe(JSON.stringify(encodeResult(two)));
    expect(lines.some((l) => l.includes("2 tasks, 2 stored, 0 to compute"))).toBe(true);
  }, 300_000); // worker threads load the library: generous on a busy machine

  it("topPanels: 1 and 2 workers agree; the key follows the settings", () => {
    const options = { n: 40, width: 4, lr: 0.01, epochs: 5, k: 3, tol: 1e-10, maxIterations: 500, recordAt: [0, 5] };
    const panels = [{ label: "tiny", ds: tinyImages() }, { label: "tiny-2", ds: other() }];
    const one = topPanels(panels, options, rng(34), { workers: 1, log: () => {} });
    expect(one[0].p).toBe(run0p(options));
    fresh();
    const two = topPanels(panels, options, rng(34), { workers: 2, log: () => {} });
    expect(untimed(two)).toBe(untimed(one));
    const lines: string[] = [];
    topPanels(panels, { ...options, epochs: 6, recordAt: [0, 6] }, rng(34), { workers: 1, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes("2 tasks, 0 stored, 2 to compute"))).toBe(true);
  }, 300_000);

  it("geometricRecords spaces records from 0 to the last epoch", () => {
    expect(geometricRecords(600, 6)).toEqual([0, 4, 13, 46, 167, 600]); // round(600^(i/5))
    expect(geometricRecords(1000, 4)).toEqual([0, 10, 100, 1000]);
    expect(geometricRecords(3, 4)).toEqual([0, 1, 2, 3]); // round(3^(1/3)) = 1, round(3^(2/3)) = 2
    expect(() => geometricRecords(10, 1)).toThrow("geometricRecords: records must be an integer >= 2, got 1");
  });
});

/** Parameter count of the two-layer net of topPanels' test: d0 (6 pixels, none constant) x width + width x 3. */
function run0p(options: { width: number }): number {
  return 6 * options.width + options.width * 3;
}
