// The recipe for a study runner (see test/tasks/fixtures/norm-correlation-task.ts): its loop over networks
// as tasks on worker threads gives runStudy's numbers exactly, and a second run reads every net back.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { runStudy } from "../../lib/experiments/norm-correlation";
import { rng } from "../../lib/random/rng";
import { encodeResult, runTasks } from "../../lib/tasks";

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.HS_TASKS_DIR;
  process.env.HS_TASKS_DIR = mkdtempSync(join(tmpdir(), "hs-wiring-"));
});
afterEach(() => {
  if (saved === undefined) delete process.env.HS_TASKS_DIR;
  else process.env.HS_TASKS_DIR = saved;
});

describe("a study runner's loop as tasks", () => {
  it("runStudy's nets, computed as tasks on 2 workers, are bitwise runStudy's", async () => {
    const config = { activation: "linear" as const, D: 2, K: 2, width: 4, depth: 2, param: "SP" as const, nets: 4, n: 32,
      train: { optimizer: "gd" as const, lr0: 0.05, patience: 5, tol: 1e-4, minLr: 1e-4, maxEpochs: 40 } };
    const gen = rng(5);
    const direct = runStudy(config, gen);
    const spec = {
      study: "test/norm-correlation",
      seed: gen.seed,
      label: (i: number) => `net-${i}`, // runStudy's own forks
      params: Array.from({ length: config.nets }, () => ({ config, dataSeed: gen.fork("data").seed })),
      module: join(__dirname, "fixtures", "norm-correlation-task.ts"),
      workers: 2,
      log: () => {},
    };
    const out = await runTasks(spec, "normCorrelationNet");
    expect(JSON.stringify(encodeResult(out.results))).toBe(JSON.stringify(encodeResult(direct.nets)));
    const again = await runTasks(spec, "normCorrelationNet");
    expect(again.computed).toEqual([]);
    expect(JSON.stringify(encodeResult(again.results))).toBe(JSON.stringify(encodeResult(direct.nets)));
  }, 60_000);
});
