/**
 * Numerical checks. Each call compares a measured number with an expected one (from a closed form, a bound
 * or an independent computation), prints a one-line verdict and records the result; under the notebook
 * runner (HS_CHECKS names a JSON-lines file) every record lands in build/report.json.
 *
 * A check never throws on failure: a notebook reports every check, and the runner turns any failure into a
 * failed notebook. NaN never passes (every comparison with NaN is false).
 *
 * Where the paper's claim does not hold in the numbers, the check still states the claim, and the notebook
 * marks it `{ disagreement: "why" }`: then the claim failing is the documented outcome (the notebook stays ok
 * and the report lists the disagreement), and the claim passing makes the notebook fail, so a stale mark is
 * noticed (like a strict expected failure). The mark never loosens the comparison itself.
 */
import { appendFileSync } from "fs";

export type CheckKind = "absolute" | "relative" | "at-most" | "at-least";

export interface CheckRecord {
  name: string;
  measured: number;
  expected: number;
  tolerance: number;
  kind: CheckKind;
  /** Whether the comparison held. */
  passed: boolean;
  /** Present when the notebook documents that the paper's claim fails here: why, with the numbers. */
  disagreement?: string;
}

/** Options every check takes. */
export interface CheckOptions {
  /** Mark a check of a paper claim that the numbers contradict; the text says why. See the module comment. */
  disagreement?: string;
}

/** Whether a recorded check is as its notebook says it should be (passed, or failed as a documented disagreement). */
export function checkHolds(r: Pick<CheckRecord, "passed" | "disagreement">): boolean {
  return r.disagreement ? !r.passed : r.passed;
}

function requireOptions(fn: string, options: unknown): CheckOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object") throw new TypeError(`${fn}: options must be an object`);
  const d = (options as CheckOptions).disagreement;
  if (d !== undefined && (typeof d !== "string" || d.trim() === "")) {
    throw new TypeError(`${fn}: options.disagreement must be a non-empty explanation`);
  }
  return options as CheckOptions;
}

const recorded: CheckRecord[] = [];

function requireName(fn: string, name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") throw new TypeError(`${fn}: name must be a non-empty string`);
  return name;
}

function requireNumber(fn: string, what: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`${fn}: ${what} must be a number, got ${typeof value}`);
  return value; // NaN and Infinity are allowed through: they are measurements, and they fail the check.
}

function requireTolerance(fn: string, tolerance: unknown): number {
  if (typeof tolerance !== "number" || !(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new RangeError(`${fn}: tolerance must be a finite number >= 0, got ${String(tolerance)}`);
  }
  return tolerance;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(10))) : x.toExponential(3);
}

function describe(r: CheckRecord): string {
  switch (r.kind) {
    case "absolute":
      return `measured ${fmt(r.measured)}, expected ${fmt(r.expected)} ± ${fmt(r.tolerance)}`;
    case "relative":
      return `measured ${fmt(r.measured)}, expected ${fmt(r.expected)} within ${fmt(r.tolerance)} relative`;
    case "at-most":
      return `measured ${fmt(r.measured)} <= ${fmt(r.expected)}`;
    case "at-least":
      return `measured ${fmt(r.measured)} >= ${fmt(r.expected)}`;
  }
}

function record(r: CheckRecord, options: CheckOptions): void {
  if (options.disagreement) r.disagreement = options.disagreement;
  recorded.push(r);
  const verdict = r.disagreement ? (r.passed ? "FAIL (marked as a disagreement with the paper, but the claim holds)" : "DISAGREES with the paper (documented)") : r.passed ? "PASS" : "FAIL";
  console.log(`${verdict}  ${r.name}: ${describe(r)}${r.disagreement && !r.passed ? ` — ${r.disagreement}` : ""}`);
  appendRunRecord(r);
}

/**
 * Append one JSON line to the run's record (the file HS_CHECKS names; nothing when unset). Checks and the
 * parameters `pick` chose share this channel; the runner tells them apart by `record: "parameters"`.
 */
export function appendRunRecord(line: object): void {
  const file = process.env.HS_CHECKS;
  if (file) appendFileSync(file, JSON.stringify(line) + "\n");
}

/**
 * Check `measured` against `expected`.
 * - `"absolute"` (default): passes when |measured - expected| <= tolerance.
 * - `"relative"`: passes when |measured - expected| <= tolerance * |expected|.
 * The fifth argument is the kind, or options `{ kind?, disagreement? }`.
 * Returns nothing (a cell ending in a check would otherwise echo `true`); see `checks()` for the records.
 */
export function check(
  name: string,
  measured: number,
  expected: number,
  tolerance: number,
  kindOrOptions: "absolute" | "relative" | (CheckOptions & { kind?: "absolute" | "relative" }) = "absolute",
): void {
  const options = typeof kindOrOptions === "string" ? {} : requireOptions("check", kindOrOptions);
  const kind = typeof kindOrOptions === "string" ? kindOrOptions : (kindOrOptions as { kind?: "absolute" | "relative" }).kind ?? "absolute";
  requireName("check", name);
  requireNumber("check", "measured", measured);
  requireNumber("check", "expected", expected);
  requireTolerance("check", tolerance);
  if (kind !== "absolute" && kind !== "relative") {
    throw new RangeError(`check: kind must be "absolute" or "relative", got "${String(kind)}"`);
  }
  if (!Number.isFinite(expected)) throw new RangeError(`check: expected must be finite, got ${expected}`);
  const allowed = kind === "relative" ? tolerance * Math.abs(expected) : tolerance;
  const passed = Math.abs(measured - expected) <= allowed;
  record({ name, measured, expected, tolerance, kind, passed }, options);
}

/** Passes when measured <= limit (a bound that must hold). */
export function checkAtMost(name: string, measured: number, limit: number, options?: CheckOptions): void {
  requireName("checkAtMost", name);
  requireNumber("checkAtMost", "measured", measured);
  requireNumber("checkAtMost", "limit", limit);
  if (Number.isNaN(limit)) throw new RangeError("checkAtMost: limit must not be NaN");
  record({ name, measured, expected: limit, tolerance: 0, kind: "at-most", passed: measured <= limit }, requireOptions("checkAtMost", options));
}

/** Passes when measured >= limit. */
export function checkAtLeast(name: string, measured: number, limit: number, options?: CheckOptions): void {
  requireName("checkAtLeast", name);
  requireNumber("checkAtLeast", "measured", measured);
  requireNumber("checkAtLeast", "limit", limit);
  if (Number.isNaN(limit)) throw new RangeError("checkAtLeast: limit must not be NaN");
  record({ name, measured, expected: limit, tolerance: 0, kind: "at-least", passed: measured >= limit }, requireOptions("checkAtLeast", options));
}

/** The checks recorded so far in this process (a copy). */
export function checks(): CheckRecord[] {
  return recorded.slice();
}

/** Forget the checks recorded in this process (tests). */
export function resetChecks(): void {
  recorded.length = 0;
}
