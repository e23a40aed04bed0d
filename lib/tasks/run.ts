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
import { backendInfo, setBlasThreads } from "../linalg/kernels";
import { rng } from "../random/rng";
import type { Rng } from "../random/rng";
import { decodeResult, encodeResult } from "./encode";
import { Task, taskKey } from "./key";
import { assertStudyId } from "./paths";
import { inShard, Shard, shardFromEnv } from "./shard";
import { readTask, removeDeadTemps, storedKeys, taskPath, writeTask } from "./store";
import { resolveModule, sourceVersion } from "./version";

/** What a task function receives besides its parameters and generator. */
export interface TaskContext {
  index: number;
  task: Task;
}

/** A task function: `(params, gen, context) => result` (or a promise of it); plain-data results only. */
export type TaskFunction<P, R> = (params: P, gen: Rng, context: TaskContext) => R | Promise<R>;

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
  /** Version of the code computing a task: default `sourceVersion(module)` (its sources, transitively). */
  codeVersion?: string;
  /** Worker threads (runTasks): default HS_WORKERS, else the number of cores. */
  workers?: number;
  /** The slice to compute: default HS_SHARD; null computes every missing task. */
  shard?: Shard | null;
  /** Where progress goes (default console.log). */
  log?: (line: string) => void;
  /** Longest silence between progress lines while tasks run, in seconds (default 60). */
  progressSeconds?: number;
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

/** The tasks of a study with their keys (nothing is run). */
export function planTasks<P>(spec: StudyTasks<P>, fn = "planTasks"): { tasks: Task<P>[]; keys: string[] } {
  if (spec === null || typeof spec !== "object") throw new TypeError(`${fn}: expected a study spec object`);
  assertStudyId(fn, spec.study);
  if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff) throw new RangeError(`${fn}: seed must be an integer in [0, 2^32 - 1], got ${spec.seed}`);
  if (!Array.isArray(spec.params)) throw new TypeError(`${fn}: params must be an array (one entry per task)`);
  let codeVersion = spec.codeVersion;
  if (codeVersion === undefined) {
    if (spec.module === undefined) throw new TypeError(`${fn}: give codeVersion, or module (its sources then version the tasks)`);
    codeVersion = sourceVersion(spec.module);
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
}

function prepare<P, R>(spec: StudyTasks<P>, fn: string): Prepared<P, R> {
  const { tasks, keys } = planTasks(spec, fn);
  const log = spec.log ?? ((l: string) => console.log(l));
  const every = spec.progressSeconds ?? 60;
  if (!(every > 0) || every > 60) throw new RangeError(`${fn}: progressSeconds must be in (0, 60], got ${every}`);
  const shard = spec.shard === undefined ? shardFromEnv() : spec.shard;
  removeDeadTemps(spec.study);
  const results: (R | undefined)[] = new Array(tasks.length);
  const has = new Array(tasks.length).fill(false);
  const stored: number[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const found = readTask<R>(spec.study, keys[i]);
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
  const others = storedKeys(spec.study).filter((k) => !current.has(k)).length;
  log(`tasks ${spec.study}: ${tasks.length} tasks, ${stored.length} stored, ${todo.length} to compute${shard ? ` (shard ${shard.index}/${shard.count})` : ""}${others ? `; ${others} other task files in the folder are for other parameters or code and are not used` : ""}`);
  return { tasks, keys, results, has, stored, todo, shard, log, every };
}

function finish<P, R>(spec: StudyTasks<P>, p: Prepared<P, R>, started: number): TaskOutcome<R> {
  const missing = p.has.filter((h) => !h).length;
  if (missing > 0) {
    throw new ShardPendingError(`runTasks(${spec.study}): shard ${p.shard!.index}/${p.shard!.count} done (${p.todo.length} tasks computed here); ${missing} of ${p.tasks.length} tasks belong to other shards and are not stored yet under ${taskPath(spec.study, "").slice(0, -5)}: run the other shards, merge their task files, then run without --shard`);
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
  const threads = backendInfo().threads;
  setBlasThreads(1);
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
    const value = run(p.tasks[i].params, rng(p.tasks[i].seed), { index: i, task: p.tasks[i] });
    if (value && typeof (value as { then?: unknown }).then === "function") throw new TypeError("runTasksSync: the task function returned a promise; use runTasks");
    const encoded = encodeResult(value);
    writeTask(p.tasks[i], i, encoded, (Date.now() - t0) / 1000);
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
    // The workers set the (process-wide) BLAS library to one thread; the main job gets its own count back.
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
          const w = new Worker(join(__dirname, "worker.cjs"), { workerData: { module, run } });
          workers.push(w);
          w.on("message", (msg: { index: number; encoded?: unknown; seconds?: number; error?: string }) => {
            if (failed) return;
            if (msg.error !== undefined) return fail(new Error(`runTasks(${spec.study}): task ${msg.index + 1} of ${p.tasks.length} failed: ${msg.error}`));
            try {
              writeTask(p.tasks[msg.index], msg.index, msg.encoded, msg.seconds ?? 0);
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
