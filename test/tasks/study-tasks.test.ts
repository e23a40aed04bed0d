// The study runners on the task layer: runStudy's nets as tasks give the numbers of the old in-thread loop,
// the same with 1 and 2 workers, and a run killed with SIGKILL resumes, redoing only unfinished nets.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildModel, hessianTrace, initNet, netStats, runStudy, Study, StudyConfig, taskProblem, teacherTask, trainNet, twoLayerLinearTrace, weightMatrices } from "../../lib/experiments/norm-correlation";
import { pairedStudy } from "../../lib/experiments/paired-outliers";
import { rng, Rng } from "../../lib/random/rng";
import { encodeResult } from "../../lib/tasks";
import { smallStudy } from "./fixtures/small-study";

const root = join(__dirname, "..", "..");
let saved: string | undefined;
beforeEach(() => {
  saved = process.env.HS_QUICK_TASKS_DIR;
  process.env.HS_QUICK_TASKS_DIR = mkdtempSync(join(tmpdir(), "hs-study-tasks-"));
});
afterEach(() => {
  if (saved === undefined) delete process.env.HS_QUICK_TASKS_DIR;
  else process.env.HS_QUICK_TASKS_DIR = saved;
});
const quiet = { log: () => {} };
const plain = (x: unknown) => JSON.stringify(encodeResult(x));

// runStudy's loop as it was before the task layer: every net in this thread, one data set for all.
function oldLoop(config: StudyConfig, gen: Rng): Study["nets"] {
  const model = buildModel(config);
  const task = teacherTask(config.activation, config.D, config.K, config.n, gen.fork("data"));
  const problem = taskProblem(model, task);
  const nets: Study["nets"] = [];
  for (let i = 0; i < config.nets; i++) {
    const g = gen.fork(`net-${i}`);
    const { theta, lrScale } = initNet(model, config, g);
    const exact = config.trace === true || config.trace === "exact";
    const init = netStats(model, problem, theta, g, { trace: exact });
    const train = trainNet(model, problem, task, theta, lrScale, config.train, g);
    const trained = netStats(model, problem, train.theta, g, { trace: exact });
    if (config.trace === "closed") {
      const c = config.param === "NTP" ? 1 / Math.sqrt(config.D * config.width) : 1;
      for (const [st, th] of [[init, theta], [trained, train.theta]] as const) {
        const [W1, W2] = weightMatrices(model, th);
        st.trace = twoLayerLinearTrace(W1, W2, task.X, c);
        if (i < (config.exactTraceNets ?? 3)) st.traceExact = hessianTrace(problem, th);
      }
    }
    const { theta: _weights, ...summary } = train; // a study keeps everything but the trained weights
    nets.push({ init, trained, train: summary });
  }
  return nets;
}

describe("runStudy on the task layer", () => {
  it("equals the old in-thread loop bit for bit, with 1 and with 2 workers; a second run reads every net back", () => {
    const config: StudyConfig = { ...smallStudy, activation: "linear", nets: 5, trace: "closed", exactTraceNets: 2, train: { ...smallStudy.train, maxEpochs: 60 } };
    const expected = plain(oldLoop(config, rng(8)));
    const lines: string[] = [];
    const one = runStudy(config, rng(8), { workers: 1, log: (l) => lines.push(l) });
    expect(plain(one.nets)).toBe(expected);
    process.env.HS_QUICK_TASKS_DIR = mkdtempSync(join(tmpdir(), "hs-study-tasks-2-"));
    const two = runStudy(config, rng(8), { workers: 2, log: (l) => lines.push(l) });
    expect(plain(two.nets)).toBe(expected);
    expect(lines).toContain(`tasks ${lines[0].split(" ")[1].slice(0, -1)}: 2 worker threads`);
    // the shape the notebook runner shows live in the terminal (tools/execute_notebook.py, PROGRESS_LINE)
    for (const l of lines) expect(l).toMatch(/^tasks \S+: /);
    lines.length = 0;
    const again = runStudy(config, rng(8), { workers: 2, log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/: 5 tasks, 5 stored, 0 to compute$/);
    expect(plain(again.nets)).toBe(expected);
  }, 180_000);

  it("pairedStudy: 2 workers give the points of 1 worker", () => {
    const base = { layers: 2, activation: "relu" as const, width: 4, n: 9, init: "standard" as const, data: "standardized" as const };
    const a = pairedStudy(base, [1, 3], 3, rng(3), { workers: 1, ...quiet });
    process.env.HS_QUICK_TASKS_DIR = mkdtempSync(join(tmpdir(), "hs-study-tasks-3-"));
    const b = pairedStudy(base, [1, 3], 3, rng(3), { workers: 2, ...quiet });
    expect(plain(b)).toBe(plain(a));
  }, 180_000);

  it("a study killed with SIGKILL mid-run redoes only its unfinished nets and ends with the uninterrupted results", async () => {
    const args = ["-r", join(root, "lib", "tasks", "register-ts.cjs"), join(__dirname, "fixtures", "drive-study.ts")];
    const run = (dir: string) => {
      const r = spawnSync(process.execPath, args, { env: { ...process.env, HS_SCALE: "quick", HS_QUICK_TASKS_DIR: dir }, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      return { nets: r.stdout.split("\n").find((l) => l.startsWith("RESULT "))!.slice(7), stdout: r.stdout };
    };
    const uninterrupted = run(mkdtempSync(join(tmpdir(), "hs-study-whole-"))).nets;
    const killed = mkdtempSync(join(tmpdir(), "hs-study-killed-"));
    const folder = join(killed, "test", "kill-study");
    const child = spawn(process.execPath, args, { env: { ...process.env, HS_SCALE: "quick", HS_QUICK_TASKS_DIR: killed }, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise((r) => child.on("exit", r));
    const stored = () => (existsSync(folder) ? readdirSync(folder).filter((f) => /^[0-9a-f]{64}\.json$/.test(f)) : []);
    for (let t = 0; t < 6000 && stored().length < 2; t++) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await exited;
    const survivors = stored();
    expect(survivors.length).toBeGreaterThanOrEqual(2);
    expect(survivors.length).toBeLessThan(smallStudy.nets);
    for (const f of survivors) JSON.parse(readFileSync(join(folder, f), "utf8")); // no truncated file
    const mtimes = new Map(survivors.map((f) => [f, statSync(join(folder, f)).mtimeMs]));
    const resumed = run(killed);
    expect(resumed.stdout).toContain(`${smallStudy.nets} tasks, ${survivors.length} stored, ${smallStudy.nets - survivors.length} to compute`);
    for (const [f, m] of mtimes) expect(statSync(join(folder, f)).mtimeMs).toBe(m); // finished nets were not redone
    expect(resumed.nets).toBe(uninterrupted);
  }, 300_000);
});
