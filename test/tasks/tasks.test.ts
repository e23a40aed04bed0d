// lib/tasks: content keys, the store (atomic, corrupt and stale files recomputed), shards, worker threads
// (same numbers with 1 and 2 workers), and a study killed with SIGKILL mid-run that resumes to the same
// results as an uninterrupted run.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";
import { canonicalJson, decodeResult, encodeResult, inShard, moduleFiles, parseShard, planTasks, readTask, runTasks, runTasksSync, ShardPendingError, sourceVersion, studyDir, taskCodeFiles, taskKey, taskPath } from "../../lib/tasks";
import { backendTask, spectrumTask, threadsTask } from "./fixtures/study";
import { availableBackends, backendInfo, backendName, setBlasThreads, useBackend } from "../../lib/linalg/kernels";
import { runTasksBlocking } from "../../lib/tasks/run";

const root = join(__dirname, "..", "..");
const studyModule = join(__dirname, "fixtures", "study.ts");
let dir: string;
let saved: string | undefined;
const lines: string[] = [];
const log = (l: string) => lines.push(l);

beforeEach(() => {
  saved = process.env.HS_TASKS_DIR;
  dir = mkdtempSync(join(tmpdir(), "hs-tasks-"));
  process.env.HS_TASKS_DIR = dir;
  lines.length = 0;
});
afterEach(() => {
  if (saved === undefined) delete process.env.HS_TASKS_DIR;
  else process.env.HS_TASKS_DIR = saved;
});

const spec = (study: string, count: number, extra: object = {}) => ({ study, seed: 11, params: Array.from({ length: count }, (_, i) => ({ n: 3 + (i % 4) })), codeVersion: "test-1", log, ...extra });
const plain = (results: unknown[]) => JSON.stringify(encodeResult(results));

describe("keys", () => {
  it("canonical JSON sorts keys and rejects what is not plain JSON, naming the path", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"] })).toBe('{"a":[true,null,"x"],"b":1}');
    expect(() => canonicalJson({ a: new Float64Array(2) })).toThrow(/value\.a is Float64Array/);
    expect(() => canonicalJson({ a: NaN })).toThrow(/value\.a is NaN; expected a finite number/);
  });
  it("a key changes with params, seed and code version, not with key order", () => {
    const t = { study: "s", params: { n: 3, m: 2 }, seed: 1, codeVersion: "v" };
    expect(taskKey(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(taskKey({ ...t, params: { m: 2, n: 3 } })).toBe(taskKey(t));
    for (const other of [{ ...t, params: { n: 4, m: 2 } }, { ...t, seed: 2 }, { ...t, codeVersion: "w" }]) expect(taskKey(other)).not.toBe(taskKey(t));
  });
  it("task seeds are forks of the study seed by index (or label)", () => {
    const a = planTasks(spec("s", 3));
    const b = planTasks({ ...spec("s", 3), label: (i: number) => `net-${i}` });
    expect(new Set(a.tasks.map((t) => t.seed)).size).toBe(3);
    expect(a.tasks[0].seed).not.toBe(b.tasks[0].seed);
  });
  it("the source version follows the module's imports", () => {
    const v = sourceVersion(studyModule);
    expect(v).toMatch(/^[0-9a-f]{64}$/);
    expect(sourceVersion("lib/random/rng")).not.toBe(v);
  });
  it("the code version covers how lib/tasks computes a task, not when or where it runs", () => {
    // A study module that imports lib/tasks (for runTasksBlocking): its imports reach the whole machinery ...
    const study = "lib/experiments/norm-correlation.ts";
    const rel = (files: string[]) => files.map((f) => relative(root, f));
    const reached = rel(moduleFiles(study));
    const versioned = rel(taskCodeFiles(study));
    for (const f of ["lib/tasks/index.ts", "lib/tasks/run.ts", "lib/tasks/store.ts"]) expect(reached).toContain(f);
    // ... but only the invocation and the result encoding version its tasks, with the study's own code.
    expect(versioned.filter((f) => f.startsWith("lib/tasks/"))).toEqual(["lib/tasks/encode.ts", "lib/tasks/invoke.ts"]);
    expect(versioned).toEqual(expect.arrayContaining([study, "lib/random/rng.ts", "lib/linalg/kernels/index.ts"]));
    // Nothing the study reaches outside lib/tasks is left out.
    expect(versioned).toEqual(reached.filter((f) => !f.startsWith("lib/tasks/") || f === "lib/tasks/encode.ts" || f === "lib/tasks/invoke.ts"));
    // A module outside any study still gets the invocation in its version (a task of it is computed through it).
    expect(rel(taskCodeFiles(studyModule))).toEqual(expect.arrayContaining(["test/tasks/fixtures/study.ts", "lib/tasks/invoke.ts", "lib/tasks/encode.ts"]));
  });
  it("results round-trip exactly, typed arrays and non-finite numbers included", () => {
    const value = { a: Float64Array.from([1 / 3, NaN, -0, Infinity]), b: [1e-300, -Infinity], c: "x" };
    const back = decodeResult<typeof value>(JSON.parse(JSON.stringify(encodeResult(value))));
    expect(back.a).toBeInstanceOf(Float64Array);
    expect(Object.is(back.a[2], -0)).toBe(true);
    expect(back).toEqual(value);
    expect(() => encodeResult({ m: new Map() })).toThrow(/result\.m is Map/);
  });
  it("bad study ids and shards are errors naming the argument", () => {
    expect(() => planTasks(spec("../up", 1))).toThrow(/planTasks: study must be an id/);
    expect(() => parseShard("5/4")).toThrow(/HS_SHARD must be k\/N with 1 <= k <= N, got "5\/4"/);
    expect(() => parseShard("0/3")).toThrow(/got "0\/3"/);
    expect(() => parseShard("a/b")).toThrow(/got "a\/b"/);
    expect([0, 1, 2, 3, 4].filter((i) => inShard(i, parseShard("2/2")))).toEqual([1, 3]);
  });
});

describe("store and resume (this thread)", () => {
  it("stores every task, then reads all of them back with identical results", () => {
    const first = runTasksSync(spec("study/a", 5), spectrumTask);
    expect(first.computed).toEqual([0, 1, 2, 3, 4]);
    expect(readdirSync(studyDir("study/a")).filter((f) => f.endsWith(".json"))).toHaveLength(5);
    const again = runTasksSync(spec("study/a", 5), spectrumTask);
    expect(again.computed).toEqual([]);
    expect(again.stored).toEqual([0, 1, 2, 3, 4]);
    expect(plain(again.results)).toBe(plain(first.results));
    expect(again.results[0].values).toBeInstanceOf(Float64Array);
  });

  it("a corrupt task file is reported by path and recomputed", () => {
    const first = runTasksSync(spec("study/b", 3), spectrumTask);
    const path = taskPath("study/b", first.keys[1]);
    writeFileSync(path, readFileSync(path, "utf8").slice(0, 40));
    lines.length = 0;
    const again = runTasksSync(spec("study/b", 3), spectrumTask);
    expect(again.computed).toEqual([1]);
    expect(lines.join("\n")).toContain(`corrupt task file ${path}`);
    expect(plain(again.results)).toBe(plain(first.results));
    expect(readTask("study/b", first.keys[1]).state).toBe("ok");
  });

  it("a file whose task does not match its key is recomputed, never reused", () => {
    const first = runTasksSync(spec("study/c", 3), spectrumTask);
    const path = taskPath("study/c", first.keys[0]);
    const record = JSON.parse(readFileSync(path, "utf8"));
    record.task.codeVersion = "test-0"; // an older code version's result under the current key
    record.result = encodeResult({ values: new Float64Array(3), trace: 0, first: 0 });
    writeFileSync(path, JSON.stringify(record));
    const again = runTasksSync(spec("study/c", 3), spectrumTask);
    expect(again.computed).toEqual([0]);
    expect(lines.join("\n")).toMatch(/mismatch task file .* recomputing task 1/);
    expect(plain(again.results)).toBe(plain(first.results));
    // A changed code version gives new keys: nothing is reused, and the old files are named as unused.
    const bumped = runTasksSync(spec("study/c", 3, { codeVersion: "test-2" }), spectrumTask);
    expect(bumped.computed).toEqual([0, 1, 2]);
    expect(lines.join("\n")).toContain("3 other task files in the folder are for other parameters or code and are not used");
  });

  it("shards compute disjoint slices; together they give the results of one run", () => {
    const whole = runTasksSync(spec("study/whole", 7), spectrumTask);
    let err: unknown;
    try {
      runTasksSync(spec("study/sharded", 7, { shard: parseShard("1/3") }), spectrumTask);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShardPendingError);
    expect((err as Error).message).toMatch(/shard 1\/3 done \(3 tasks computed here\); 4 of 7 tasks belong to other shards/);
    expect(() => runTasksSync(spec("study/sharded", 7, { shard: parseShard("2/3") }), spectrumTask)).toThrow(ShardPendingError);
    const last = runTasksSync(spec("study/sharded", 7, { shard: parseShard("3/3") }), spectrumTask);
    expect(last.computed).toEqual([2, 5]);
    const merged = runTasksSync(spec("study/sharded", 7, { shard: null }), spectrumTask);
    expect(merged.computed).toEqual([]);
    expect(plain(merged.results)).toBe(plain(whole.results));
  });

  it("prints task k of N with elapsed and remaining time", () => {
    runTasksSync(spec("study/progress", 3, { progressSeconds: 0.001 }), spectrumTask);
    expect(lines).toContain("tasks study/progress: 3 tasks, 0 stored, 3 to compute");
    expect(lines.some((l) => /^tasks study\/progress: task 3 of 3 done, elapsed \d+ s, about 0 s remaining$/.test(l))).toBe(true);
  });
});

describe("worker threads", () => {
  it("1 and 2 workers give the same numbers as this thread", async () => {
    const inline = runTasksSync(spec("w/inline", 6), spectrumTask);
    const one = await runTasks(spec("w/one", 6, { module: studyModule, codeVersion: undefined, workers: 1 }), "spectrumTask");
    const two = await runTasks(spec("w/two", 6, { module: studyModule, codeVersion: undefined, workers: 2 }), "spectrumTask");
    expect(one.computed).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plain(one.results)).toBe(plain(inline.results));
    expect(plain(two.results)).toBe(plain(inline.results));
    expect(lines).toContain("tasks w/two: 2 worker threads");
  }, 60_000);

  it("the backend is part of a module's code version, and workers compute on the main thread's backend", async () => {
    const s = (study: string, workers: number) => ({ study, seed: 2, params: [{ n: 1 }, { n: 2 }, { n: 3 }], module: studyModule, workers, log });
    const here = backendName();
    const other = availableBackends().find((b) => b !== here) ?? here;
    const keysHere = planTasks(s("w/backend", 2)).keys;
    const prev = useBackend(other);
    try {
      if (other !== here) expect(planTasks(s("w/backend", 2)).keys).not.toEqual(keysHere);
      expect(planTasks(s("w/backend", 2)).tasks[0].codeVersion).toBe(`${sourceVersion(studyModule)}+${other}`);
      expect((await runTasks(s("w/backend-async", 2), "backendTask")).results).toEqual([other, other, other]);
      expect(runTasksBlocking(s("w/backend-blocking", 2), "backendTask", backendTask).results).toEqual([other, other, other]);
    } finally {
      useBackend(prev);
    }
  }, 60_000);

  it("every task computes with one BLAS thread, here and in either kind of worker, and the caller gets its count back", async () => {
    const s = (study: string) => ({ study, seed: 3, params: [{ n: 1 }, { n: 2 }, { n: 3 }], module: studyModule, workers: 2, log });
    const before = backendInfo().threads;
    setBlasThreads(2);
    const caller = backendInfo().threads; // 2 on the native backend; the others always compute with one
    try {
      expect(runTasksSync(s("w/threads-inline"), threadsTask).results).toEqual([1, 1, 1]);
      expect(backendInfo().threads).toBe(caller);
      expect((await runTasks(s("w/threads-async"), "threadsTask")).results).toEqual([1, 1, 1]);
      expect(backendInfo().threads).toBe(caller);
      expect(runTasksBlocking(s("w/threads-blocking"), "threadsTask", threadsTask).results).toEqual([1, 1, 1]);
      expect(backendInfo().threads).toBe(caller);
    } finally {
      setBlasThreads(before);
    }
  }, 60_000);

  it("a failing task rejects, naming the task", async () => {
    const s = { study: "w/fail", seed: 1, params: [{ n: 1 }, { n: 2 }, { n: 3 }], module: studyModule, workers: 2, log };
    await expect(runTasks(s, "failingTask")).rejects.toThrow(/runTasks\(w\/fail\): task 2 of 3 failed: Error: failingTask: n = 2 fails on purpose/);
    await expect(runTasks(s, "noSuchTask")).rejects.toThrow(/exports no function "noSuchTask"/);
  }, 60_000);
});

describe("kill -9 and resume", () => {
  const drive = (tasksDir: string, delayMs: number) =>
    spawn(process.execPath, ["-r", join(root, "lib", "tasks", "register-ts.cjs"), join(__dirname, "fixtures", "drive.ts"), "12", "2"], { env: { ...process.env, HS_TASKS_DIR: tasksDir, HS_TEST_TASK_DELAY_MS: String(delayMs) }, stdio: ["ignore", "pipe", "pipe"] });
  const result = (tasksDir: string, delayMs: number) => {
    const r = spawnSync(process.execPath, ["-r", join(root, "lib", "tasks", "register-ts.cjs"), join(__dirname, "fixtures", "drive.ts"), "12", "2"], { env: { ...process.env, HS_TASKS_DIR: tasksDir, HS_TEST_TASK_DELAY_MS: String(delayMs) }, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return { out: JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("RESULT "))!.slice(7)), stdout: r.stdout };
  };

  it("a study killed mid-run redoes only its unfinished tasks and ends with the uninterrupted results", async () => {
    const uninterrupted = result(mkdtempSync(join(tmpdir(), "hs-tasks-whole-")), 0).out;
    const killed = mkdtempSync(join(tmpdir(), "hs-tasks-killed-"));
    const folder = join(killed, "test", "kill");
    const child = drive(killed, 300);
    const exited = new Promise((r) => child.on("exit", r));
    // Kill once some, but not all, tasks are stored.
    for (let t = 0; t < 600; t++) {
      if (existsSync(folder) && readdirSync(folder).filter((f) => f.endsWith(".json")).length >= 3) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    await exited;
    const survivors = readdirSync(folder).filter((f) => /^[0-9a-f]{64}\.json$/.test(f));
    expect(survivors.length).toBeGreaterThanOrEqual(3);
    expect(survivors.length).toBeLessThan(12);
    const mtimes = new Map(survivors.map((f) => [f, statSync(join(folder, f)).mtimeMs]));
    for (const f of survivors) JSON.parse(readFileSync(join(folder, f), "utf8")); // no truncated file
    const resumed = result(killed, 0);
    expect(resumed.stdout).toContain(`12 tasks, ${survivors.length} stored, ${12 - survivors.length} to compute`);
    expect(resumed.out.stored).toHaveLength(survivors.length);
    expect(resumed.out.computed).toHaveLength(12 - survivors.length);
    for (const [f, m] of mtimes) expect(statSync(join(folder, f)).mtimeMs).toBe(m); // finished tasks were not redone
    expect(JSON.stringify(resumed.out.results)).toBe(JSON.stringify(uninterrupted.results));
  }, 120_000);
});
