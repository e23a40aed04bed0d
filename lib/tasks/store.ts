/**
 * The task store: one JSON file per finished task, `<studyDir>/<key>.json`, written atomically (a temp file
 * in the same folder, then rename), so a run killed at any moment leaves either the whole file or none.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { threadId } from "worker_threads";
import { decodeResult, encodeResult } from "./encode";
import { Task, taskKey } from "./key";
import { studyDir } from "./paths";

/** What is stored for a finished task. */
export interface TaskRecord {
  key: string;
  task: Task;
  /** The task's index in its study. */
  index: number;
  /** Seconds it took to compute. */
  seconds: number;
  /** When it finished (ISO 8601). */
  finished: string;
  /** The result, encoded by `encodeResult`. */
  result: unknown;
}

/** Reading a stored task: absent, usable, unreadable, or stored under this key for another task. */
export type Lookup<R> =
  | { state: "missing"; path: string }
  | { state: "ok"; path: string; record: TaskRecord; result: R }
  | { state: "corrupt"; path: string; reason: string }
  | { state: "mismatch"; path: string; reason: string };

/** The path of a task's file (under `root`, default `tasksRoot()`). */
export function taskPath(study: string, key: string, root?: string): string {
  return join(studyDir(study, root), `${key}.json`);
}

/** Look a task up by its key; a file is used only when it parses and holds exactly this task. */
export function readTask<R = unknown>(study: string, key: string, root?: string): Lookup<R> {
  const path = taskPath(study, key, root);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { state: "missing", path };
    return { state: "corrupt", path, reason: (e as Error).message };
  }
  let record: TaskRecord;
  try {
    record = JSON.parse(text);
  } catch (e) {
    return { state: "corrupt", path, reason: `not JSON (${(e as Error).message})` };
  }
  if (record === null || typeof record !== "object" || typeof record.key !== "string" || record.task === null || typeof record.task !== "object" || !("result" in record)) {
    return { state: "corrupt", path, reason: "not a task record (expected key, task and result)" };
  }
  let actual: string;
  try {
    actual = taskKey(record.task);
  } catch (e) {
    return { state: "corrupt", path, reason: `its task is malformed (${(e as Error).message})` };
  }
  // The file name, the stored key and the stored task must all agree: anything else is another task.
  if (record.key !== key || actual !== key) return { state: "mismatch", path, reason: `it holds the task with key ${actual.slice(0, 12)}..., not ${key.slice(0, 12)}...` };
  try {
    return { state: "ok", path, record, result: decodeResult<R>(record.result) };
  } catch (e) {
    return { state: "corrupt", path, reason: (e as Error).message };
  }
}

/** Write a file atomically: a temp file next to it, then rename over it. */
export function writeFileAtomic(path: string, text: string): void {
  const dir = join(path, "..");
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${path.slice(dir.length + 1)}.${process.pid}-${threadId}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Store a finished task; `encoded` is the result already passed through `encodeResult`. */
export function writeTask(task: Task, index: number, encoded: unknown, seconds: number, root?: string): TaskRecord {
  const key = taskKey(task);
  const record: TaskRecord = { key, task, index, seconds, finished: new Date().toISOString(), result: encoded };
  writeFileAtomic(taskPath(task.study, key, root), JSON.stringify(record) + "\n");
  return record;
}

/** Encode then store (for results computed in this thread). */
export function storeResult(task: Task, index: number, result: unknown, seconds: number, root?: string): TaskRecord {
  return writeTask(task, index, encodeResult(result), seconds, root);
}

/** Remove temp files of writers that no longer run (a run killed between write and rename). */
export function removeDeadTemps(study: string, root?: string): void {
  let names: string[];
  try {
    names = readdirSync(studyDir(study, root));
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\..*\.(\d+)-\d+\.tmp$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (e) {
        alive = (e as NodeJS.ErrnoException).code === "EPERM";
      }
    }
    if (!alive) rmSync(join(studyDir(study, root), name), { force: true });
  }
}

/** Keys of every task file stored for a study. */
export function storedKeys(study: string, root?: string): string[] {
  try {
    return readdirSync(studyDir(study, root)).filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).map((n) => n.slice(0, 64));
  } catch {
    return [];
  }
}
