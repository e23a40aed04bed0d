/**
 * How a task is computed: its function on its params, with its own generator `rng(task.seed)`, its context,
 * and one BLAS thread (a multi-threaded BLAS changes the last bits of a result). This thread (`runTasksSync`)
 * and both kinds of worker thread compute every task through `invokeTask`, so there is one such place.
 *
 * With `./encode` (how a result is stored) this is the part of lib/tasks that versions a task (`./version`):
 * an edit here re-keys every stored task. The rest of lib/tasks (scheduling, the store, shards, progress
 * lines) decides when and where a task runs, never what it returns, and leaves the stored tasks valid.
 */
import { setBlasThreads } from "../linalg/kernels";
import { rng } from "../random/rng";
import type { Rng } from "../random/rng";
import type { Task } from "./key";

/** What a task function receives besides its parameters and generator. */
export interface TaskContext {
  index: number;
  task: Task;
  /** The spec's `shared` value (the same for every task), if any. */
  shared?: unknown;
}

/** A task function: `(params, gen, context) => result` (or a promise of it); plain-data results only. */
export type TaskFunction<P, R> = (params: P, gen: Rng, context: TaskContext) => R | Promise<R>;

/** Compute task `index` of its study (the caller encodes and stores the result, and restores its BLAS threads). */
export function invokeTask<P, R>(fn: TaskFunction<P, R>, task: Task<P>, index: number, shared?: unknown): R | Promise<R> {
  setBlasThreads(1);
  return fn(task.params, rng(task.seed), { index, task, shared });
}
