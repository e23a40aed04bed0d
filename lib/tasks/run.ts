/**
 * Resumable studies: a study's loop over independent networks becomes a list of tasks, each with a content
 * key (`./key`). Finished tasks are stored (`./store`); a later run, here or on another machine, reads them
 * back and computes only the rest. Tasks run on a pool of worker threads (`runTasks`) or in this thread
 * (`runTasksSync`); either way every task draws from its own generator, `rng(studySeed).fork(label(i))`,
 * so the numbers are the same whatever the number of workers, shards or interruptions. Tasks run with one
 * BLAS thread wherever they run (a multi-threaded BLAS changes the last bits of a result).
 */
import { availableParallelism } from "os";
import { join } from "path";
import { Worker } from "worker_threads";
import { backendInfo, backendName, setBlasThreads } from "../linalg/kernels";
import { rng } from "../random/rng";
import type { Rng } from "../random/rng";
import { decodeResult, encodeResult } from "./encode";
import { invokeTask } from "./invoke";
import type { TaskContext, TaskFunction } from "./invoke";
import { Task, taskKey } from "./key";
import { assertStudyId, tasksRoot } from "./paths";
import { inShard, Shard, shardFromEnv } from "./shard";
import { readTask, removeDeadTemps, storedKeys, taskPath, writeTask } from "./store";
import { resolveModule, sourceVersion } from "./version";

export type { TaskContext, TaskFunction } from "./invoke";

/** A study split into tasks. */
export interface StudyTasks<P> {
  /** The study's id, e.g. "cracking-the-hessian/figure-16/D=10": its folder under the task store. */
  study: string;
  /** The study seed; task i draws from `rng(seed).fork(label(i))`. */
  seed: number;
  /** One parameter object per task (plain JSON). */
  params: P[];
  /** The fork label of task i (default: i). Lets a runner keep the forks it used before, e.g. `net-${i}`. */
  label?: (i: number) => string | number;
  /** Path of the module that exports the task function (absolute, or relative to the project root). */
  module?: string;
  /** Version of the code computing a task: default `sourceVersion(module)` (its sources, transitively, and how lib/tasks invokes and encodes a task). */
  codeVersion?: string;
  /** Worker threads (runTasks): default HS_WORKERS, else the number of cores. */
  workers?: number;
  /** The slice to compute: default HS_SHARD; null computes every missing task. */
  shard?: Shard | null;
  /** Where progress goes (default console.log). */
  log?: (line: string) => void;
  /** Longest silence between progress lines while tasks run, in seconds (default 60). */
  progressSeconds?: number;
  /** Root of the task store (default `tasksRoot()`; study runners pass `scaleTasksRoot()`). */
  root?: string;
  /**
   * Data every task reads but that is too large for each task's params (e.g. a corpus), handed to the task
   * function as `context.shared`. It is not part of the key: put a hash of it into the params.
   */
  shared?: unknown;
}

/** What a study's run gives: results in task order, and which tasks were computed now or read back. */
export interface TaskOutcome<R> {
  results: R[];
  keys: string[];
  computed: number[];
  stored: number[];
  seconds: number;
}

/** Thrown under a shard when tasks of other shards are not stored yet (this shard's part is done). */
export class ShardPendingError extends Error {}

/** The number of worker threads: HS_WORKERS (a positive integer), else the number of cores. */
export function workerCount(fn = "runTasks"): number {
  const v = process.env.HS_WORKERS;
  if (v === undefined || v === "") return availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${fn}: HS_WORKERS must be a positive integer, got "${v}"`);
  return n;
}

/**
 * The compute backend in use, as part of a code version: `native`, `wasm` or `js`. Not the BLAS build or
 * the CPU: shards run on different machines must merge, and results across CPUs agree to rounding.
 */
export function kernelsId(): string {
  return backendName();
}

/** The tasks of a study with their keys (nothing is run). */
export function planTasks<P>(spec: StudyTasks<P>, fn = "planTasks"): { tasks: Task<P>[]; keys: string[] } {
  if (spec === null || typeof spec !== "object") throw new TypeError(`${fn}: expected a study spec object`);
  assertStudyId(fn, spec.study);
  if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff) throw new RangeError(`${fn}: seed must be an integer in [0, 2^32 - 1], got ${spec.seed}`);
  if (!Array.isArray(spec.params)) throw new TypeError(`${fn}: params must be an array (one entry per task)`);
  let codeVersion = spec.codeVersion;
  if (codeVersion === undefined) {
    if (spec.module === undefined) throw new TypeError(`${fn}: give codeVersion, or module (its sources then version the tasks)`);
    // The backend is part of the code: native and wasm agree only to rounding, so a task computed on one
    // is never read back as the other's (a machine without OpenBLAS does not mix into a native study).
    codeVersion = `${sourceVersion(spec.module)}+${kernelsId()}`;
  }
  if (typeof codeVersion !== "string" || codeVersion === "") throw new TypeError(`${fn}: codeVersion must be a non-empty string`);
  const root = rng(spec.seed);
  const label = spec.label ?? ((i: number) => i);
  const tasks = spec.params.map((params, i) => ({ study: spec.study, params, seed: root.fork(label(i)).seed, codeVersion: codeVersion as string }));
  const keys = tasks.map((t) => taskKey(t));
  if (new Set(keys).size !== keys.length) throw new RangeError(`${fn}: two tasks of ${spec.study} have the same key (same params and fork label)`);
  return { tasks, keys };
}

const clock = (s: number) => {
  s = Math.round(s);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};

/** Progress lines: task k of N, elapsed, estimated remaining. */
class Progress {
  private readonly started = Date.now();
  private last = Date.now();
  private done: number;
  private computedHere = 0;
  constructor(private readonly study: string, private readonly total: number, stored: number, private readonly toCompute: number, private readonly log: (l: string) => void, private readonly every: number) {
    this.done = stored;
  }
  line(prefix: string): void {
    const elapsed = (Date.now() - this.started) / 1000;
    const left = this.toCompute - this.computedHere;
    const eta = this.computedHere > 0 ? `, about ${clock((elapsed / this.computedHere) * left)} remaining` : "";
    this.log(`tasks ${this.study}: ${prefix}task ${this.done} of ${this.total} done, elapsed ${clock(elapsed)}${eta}`);
    this.last = Date.now();
  }
  finished(): void {
    this.done++;
    this.computedHere++;
    // A line per task when tasks are slow, else at most one per tenth of the interval; always the last.
    if (this.computedHere === this.toCompute || (Date.now() - this.last) / 1000 >= this.every / 10) this.line("");
  }
  tick(): void {
    if ((Date.now() - this.last) / 1000 >= this.every) this.line("running; ");
  }
}

interface Prepared<P, R> {
  tasks: Task<P>[];
  keys: string[];
  results: (R | undefined)[];
  has: boolean[];
  stored: number[];
  todo: number[];
  shard: Shard | null;
  log: (l: string) => void;
  every: number;
  root: string;
  shared: unknown;
}

function prepare<P, R>(spec: StudyTasks<P>, fn: string): Prepared<P, R> {
  const { tasks, keys } = planTasks(spec, fn);
  const log = spec.log ?? ((l: string) => console.log(l));
  const every = spec.progressSeconds ?? 60;
  if (!(every > 0) || every > 60) throw new RangeError(`${fn}: progressSeconds must be in (0, 60], got ${every}`);
  const shard = spec.shard === undefined ? shardFromEnv() : spec.shard;
  if (spec.root !== undefined && (typeof spec.root !== "string" || spec.root === "")) throw new TypeError(`${fn}: root must be a folder path, got ${JSON.stringify(spec.root)}`);
  const root = spec.root ?? tasksRoot();
  removeDeadTemps(spec.study, root);
  const results: (R | undefined)[] = new Array(tasks.length);
  const has = new Array(tasks.length).fill(false);
  const stored: number[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const found = readTask<R>(spec.study, keys[i], root);
    if (found.state === "ok") {
      results[i] = found.result;
      has[i] = true;
      stored.push(i);
    } else if (found.state !== "missing") {
      log(`tasks ${spec.study}: ${found.state} task file ${found.path} (${found.reason}): recomputing task ${i + 1}`);
    }
  }
  const todo = tasks.map((_, i) => i).filter((i) => !has[i] && inShard(i, shard));
  const current = new Set(keys);
  const others = storedKeys(spec.study, root).filter((k) => !current.has(k)).length;
  log(`tasks ${spec.study}: ${tasks.length} tasks, ${stored.length} stored, ${todo.length} to compute${shard ? ` (shard ${shard.index}/${shard.count})` : ""}${others ? `; ${others} other task files in the folder are for other parameters or code and are not used` : ""}`);
  return { tasks, keys, results, has, stored, todo, shard, log, every, root, shared: spec.shared };
}

function finish<P, R>(spec: StudyTasks<P>, p: Prepared<P, R>, started: number): TaskOutcome<R> {
  const missing = p.has.filter((h) => !h).length;
  if (missing > 0) {
    throw new ShardPendingError(`runTasks(${spec.study}): shard ${p.shard!.index}/${p.shard!.count} done (${p.todo.length} tasks computed here); ${missing} of ${p.tasks.length} tasks belong to other shards and are not stored yet under ${taskPath(spec.study, "", p.root).slice(0, -5)}: run the other shards, merge their task files, then run without --shard`);
  }
  return { results: p.results as R[], keys: p.keys, computed: p.todo, stored: p.stored, seconds: (Date.now() - started) / 1000 };
}

/**
 * Run a study's tasks in this thread with `run(params, gen, context)`, reading stored tasks back and storing
 * each one as it finishes. Progress lines come as tasks finish (use `runTasks` when one task takes minutes).
 */
export function runTasksSync<P, R>(spec: StudyTasks<P>, run: (params: P, gen: Rng, context: TaskContext) => R): TaskOutcome<R> {
  const started = Date.now();
  if (typeof run !== "function") throw new TypeError("runTasksSync: run must be the task function");
  const p = prepare<P, R>(spec, "runTasksSync");
  const progress = new Progress(spec.study, p.tasks.length, p.stored.length, p.todo.length, p.log, p.every);
  // invokeTask sets the (process-wide) BLAS library to one thread; the caller gets its own count back.
  const threads = backendInfo().threads;
  try {
    computeInline(p, run, progress);
  } finally {
    setBlasThreads(threads);
  }
  return finish(spec, p, started);
}

function computeInline<P, R>(p: Prepared<P, R>, run: (params: P, gen: Rng, context: TaskContext) => R, progress: Progress): void {
  for (const i of p.todo) {
    const t0 = Date.now();
    const value = invokeTask(run, p.tasks[i], i, p.shared);
    if (value && typeof (value as { then?: unknown }).then === "function") throw new TypeError("runTasksSync: the task function returned a promise; use runTasks");
    const encoded = encodeResult(value);
    writeTask(p.tasks[i], i, encoded, (Date.now() - t0) / 1000, p.root);
    p.results[i] = decodeResult<R>(encoded);
    p.has[i] = true;
    progress.finished();
  }
}

/**
 * Run a study's tasks on worker threads: `module` exports the task function named `run`. Stored tasks are
 * read back, the rest (of this shard) computed `workers` at a time, each stored as it finishes. Resolves
 * to the results in task order; rejects on the first failing task, naming it.
 */
export async function runTasks<P, R>(spec: StudyTasks<P>, run: string): Promise<TaskOutcome<R>> {
  const started = Date.now();
  if (typeof run !== "string" || run === "") throw new TypeError("runTasks: run must be the name of the task function exported by module");
  if (spec?.module === undefined) throw new TypeError("runTasks: spec.module must name the module that exports the task function");
  const module = resolveModule("runTasks", spec.module);
  const p = prepare<P, R>(spec, "runTasks");
  const size = Math.min(spec.workers ?? workerCount(), Math.max(p.todo.length, 1));
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`runTasks: workers must be a positive integer, got ${spec.workers}`);
  if (p.todo.length > 0) {
    const progress = new Progress(spec.study, p.tasks.length, p.stored.length, p.todo.length, p.log, p.every);
    p.log(`tasks ${spec.study}: ${size} worker thread${size > 1 ? "s" : ""}`);
    // The workers' invokeTask sets the (process-wide) BLAS library to one thread; the main job gets its own count back.
    const threads = backendInfo().threads;
    const timer = setInterval(() => progress.tick(), Math.min(p.every * 1000, 10_000));
    const workers: Worker[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let next = 0;
        let done = 0;
        let failed = false;
        const fail = (e: Error) => {
          if (!failed) {
            failed = true;
            reject(e);
          }
        };
        const feed = (w: Worker) => {
          if (next < p.todo.length) {
            const i = p.todo[next++];
            w.postMessage({ index: i, task: p.tasks[i] });
          }
        };
        for (let k = 0; k < size; k++) {
          const w = new Worker(join(__dirname, "worker.cjs"), { workerData: { module, run, shared: spec.shared, backend: backendName() } });
          workers.push(w);
          w.on("message", (msg: { index: number; encoded?: unknown; seconds?: number; error?: string }) => {
            if (failed) return;
            if (msg.error !== undefined) return fail(new Error(`runTasks(${spec.study}): task ${msg.index + 1} of ${p.tasks.length} failed: ${msg.error}`));
            try {
              writeTask(p.tasks[msg.index], msg.index, msg.encoded, msg.seconds ?? 0, p.root);
              p.results[msg.index] = decodeResult<R>(msg.encoded);
              p.has[msg.index] = true;
            } catch (e) {
              return fail(e as Error);
            }
            progress.finished();
            if (++done === p.todo.length) resolve();
            else feed(w);
          });
          w.on("error", (e) => fail(new Error(`runTasks(${spec.study}): a worker failed: ${e.stack ?? e.message}`)));
          w.on("exit", (code) => {
            if (code !== 0 && done < p.todo.length) fail(new Error(`runTasks(${spec.study}): a worker exited with code ${code}`));
          });
          feed(w);
        }
      });
    } finally {
      clearInterval(timer);
      await Promise.all(workers.map((w) => w.terminate()));
      setBlasThreads(threads);
    }
  }
  return finish(spec, p, started);
}

// Slots of runTasksBlocking's shared control array (the same constants as in blocking-worker.cjs).
const NEXT = 0, EVENTS = 1, DONE = 2, FAILED = 3, ERROR_LENGTH = 4, EXITED = 5;

// A worker's entry (started without the parent's execArgv: a test runner's loader hooks would wait for the
// blocked main thread). The main thread cannot see a worker's "error" event while it blocks, so even a failure
// to load the worker's file is reported through the shared array (FAILED = 1, then EXITED).
const BOOT = `
const { workerData } = require("node:worker_threads");
try { require(workerData.file); } catch (e) {
  const C = new Int32Array(workerData.control), E = new Uint8Array(workerData.errorBytes);
  if (Atomics.compareExchange(C, ${FAILED}, 0, 1) === 0) {
    const t = Buffer.from(String(e && e.stack || e), "utf8").subarray(0, E.length); E.set(t); Atomics.store(C, ${ERROR_LENGTH}, t.length);
  }
  Atomics.add(C, ${EXITED}, 1); Atomics.add(C, ${EVENTS}, 1); Atomics.notify(C, ${EVENTS});
}`;

const pool: { key: string; workers: Worker[] } = { key: "", workers: [] };

function closePool(): void {
  for (const w of pool.workers) void w.terminate();
  pool.workers = [];
  pool.key = "";
}

/** Whether this thread may block in Atomics.wait (Node allows it on the main thread; a browser's does not). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Run a study's tasks on worker threads and wait for them without returning to the event loop, for callers
 * that are synchronous (the study runners the notebooks call). The main thread starts the workers and sleeps
 * in `Atomics.wait` on a shared counter, waking when a task is done (or at least every `progressSeconds` to
 * print progress); each worker claims tasks from a shared counter, computes them with the function named `run`
 * exported by `spec.module`, writes each to the store and notifies. The results are then read back from the
 * store, so they are exactly what a later, resumed run returns. With one worker (or where this thread cannot
 * block) the tasks run in this thread with `fn`, which must be that same function: the numbers are the same.
 */
export function runTasksBlocking<P, R>(spec: StudyTasks<P>, run: string, fn: TaskFunction<P, R>): TaskOutcome<R> {
  const started = Date.now();
  if (typeof run !== "string" || run === "") throw new TypeError("runTasksBlocking: run must be the name of the task function exported by module");
  if (typeof fn !== "function") throw new TypeError("runTasksBlocking: fn must be the task function (the one module exports as run)");
  if (spec?.module === undefined) throw new TypeError("runTasksBlocking: spec.module must name the module that exports the task function");
  const module = resolveModule("runTasksBlocking", spec.module);
  const p = prepare<P, R>(spec, "runTasksBlocking");
  const wanted = spec.workers ?? workerCount("runTasksBlocking");
  if (!Number.isInteger(wanted) || wanted < 1) throw new RangeError(`runTasksBlocking: workers must be a positive integer, got ${spec.workers}`);
  const size = Math.min(wanted, Math.max(p.todo.length, 1));
  if (p.todo.length === 0) return finish(spec, p, started);
  const progress = new Progress(spec.study, p.tasks.length, p.stored.length, p.todo.length, p.log, p.every);
  const threads = backendInfo().threads;
  const inline = (why: string) => {
    if (why) p.log(`tasks ${spec.study}: ${why}: running the tasks in this thread`);
    try {
      computeInline(p, fn as (params: P, gen: Rng, context: TaskContext) => R, progress);
    } finally {
      setBlasThreads(threads);
    }
    return finish(spec, p, started);
  };
  if (size === 1) return inline("");
  if (!canBlock()) return inline("this thread cannot block in Atomics.wait");
  const control = new Int32Array(new SharedArrayBuffer(6 * 4));
  const errorBytes = new SharedArrayBuffer(16384);
  const todo = p.todo.map((i) => ({ index: i, task: p.tasks[i] }));
  // Workers are kept between calls (a notebook runs many studies); they are replaced when the code changed,
  // since a worker keeps the modules it loaded.
  const poolKey = `${module}\0${p.tasks[0].codeVersion}`;
  if (pool.key !== poolKey) closePool();
  const job = { control: control.buffer, errorBytes, modulePath: module, run, todo, root: p.root, shared: spec.shared, backend: backendName() };
  const workers = pool.workers.slice(0, size);
  p.log(`tasks ${spec.study}: ${size} worker threads`);
  let ok = false;
  try {
    for (const w of workers) w.postMessage(job);
    try {
      while (workers.length < size) {
        const w = new Worker(BOOT, { eval: true, execArgv: [], workerData: { file: join(__dirname, "blocking-worker.cjs"), ...job } });
        w.unref(); // an idle pool does not keep the process alive
        workers.push(w);
        pool.workers.push(w);
      }
      pool.key = poolKey;
    } catch (e) {
      if (workers.length === 0) return inline(`worker threads cannot start here (${(e as Error).message})`);
      throw e;
    }
    const waitMs = Math.min(p.every * 1000, 10_000);
    let seen = 0;
    for (;;) {
      const events = Atomics.load(control, EVENTS);
      const done = Atomics.load(control, DONE);
      for (; seen < done; seen++) progress.finished();
      const failed = Atomics.load(control, FAILED);
      if (failed !== 0) {
        const text = Buffer.from(new Uint8Array(errorBytes, 0, Atomics.load(control, ERROR_LENGTH))).toString("utf8");
        throw new Error(failed === 1 ? `runTasksBlocking(${spec.study}): a worker failed to start: ${text}` : `runTasksBlocking(${spec.study}): task ${failed - 1} of ${p.tasks.length} failed: ${text}`);
      }
      if (done === todo.length) break;
      if (Atomics.load(control, EXITED) === size) throw new Error(`runTasksBlocking(${spec.study}): the workers stopped with ${todo.length - done} tasks unfinished`);
      if (Atomics.wait(control, EVENTS, events, waitMs) === "timed-out") progress.tick();
    }
    // The workers stop by themselves once no task is left; wait for that before the BLAS threads come back.
    const until = Date.now() + 10_000;
    while (Atomics.load(control, EXITED) < size && Date.now() < until) Atomics.wait(control, EVENTS, Atomics.load(control, EVENTS), 100);
    ok = Atomics.load(control, EXITED) === size;
  } finally {
    Atomics.store(control, FAILED, Atomics.load(control, FAILED) || 1); // stop any worker still claiming tasks
    if (!ok) closePool(); // after a failure the workers' state is unknown: start afresh next time
    setBlasThreads(threads);
  }
  for (const i of p.todo) {
    const found = readTask<R>(spec.study, p.keys[i], p.root);
    if (found.state !== "ok") throw new Error(`runTasksBlocking(${spec.study}): task ${i + 1} was computed but its file ${found.path} is ${found.state}${"reason" in found ? ` (${found.reason})` : ""}`);
    p.results[i] = found.result;
    p.has[i] = true;
  }
  return finish(spec, p, started);
}
