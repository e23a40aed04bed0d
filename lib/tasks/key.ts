/**
 * Content keys of tasks. A task is `{ study, params, seed, codeVersion }`; its key is the sha256 of the
 * canonical JSON of exactly that (object keys sorted, no whitespace), so the same task has the same key on
 * every machine and any change of parameters, seed or code gives a new key.
 */
import { createHash } from "crypto";

/** One unit of a study's work. */
export interface Task<P = unknown> {
  /** The study's id (also its folder under the task store). */
  study: string;
  /** What the task computes on: plain JSON (numbers, strings, booleans, null, arrays, plain objects). */
  params: P;
  /** The seed of the task's own generator (forked from the study seed by the task index). */
  seed: number;
  /** A version of the code that computes the task (e.g. a hash of its sources). */
  codeVersion: string;
}

function canonical(value: unknown, path: string, fn: string): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${fn}: ${path} is ${value}; expected a finite number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v, `${path}[${i}]`, fn)).join(",")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k], `${path}.${k}`, fn)}`).join(",")}}`;
  }
  const what = value === undefined ? "undefined" : typeof value === "object" ? (value as object).constructor?.name ?? "an object" : typeof value;
  throw new TypeError(`${fn}: ${path} is ${what}; expected plain JSON (numbers, strings, booleans, null, arrays, plain objects)`);
}

/** Canonical JSON: sorted object keys, no whitespace; throws on anything that is not plain JSON. */
export function canonicalJson(value: unknown, fn = "canonicalJson"): string {
  return canonical(value, "value", fn);
}

/** sha256 of a string, as 64 hex digits. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The content key of a task: sha256 of the canonical JSON of `{ study, params, seed, codeVersion }`. */
export function taskKey(task: Task): string {
  const { study, params, seed, codeVersion } = task;
  if (typeof codeVersion !== "string" || codeVersion === "") throw new TypeError("taskKey: codeVersion must be a non-empty string");
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`taskKey: seed must be an integer in [0, 2^32 - 1], got ${seed}`);
  return sha256(canonicalJson({ study, params, seed, codeVersion }, "taskKey"));
}
