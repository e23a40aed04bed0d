import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { check, checkAtLeast, checkAtMost, checkHolds, checks, resetChecks } from "../../lib/notebook";

describe("check", () => {
  let log: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    resetChecks();
    log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  });
  afterEach(() => {
    log.mockRestore();
    delete process.env.HS_CHECKS;
  });

  it("absolute: passes inside the tolerance, fails outside, prints a verdict", () => {
    check("inside", 1.05, 1, 0.1);
    check("outside", 1.2, 1, 0.1);
    expect(checks().map((c) => c.passed)).toEqual([true, false]);
    expect(log.mock.calls[0][0]).toMatch(/^PASS {2}inside: measured 1.05, expected 1 ± 0.1$/);
    expect(log.mock.calls[1][0]).toMatch(/^FAIL {2}outside/);
  });

  it("relative: the tolerance scales with |expected|", () => {
    check("rel pass", 1000.5, 1000, 1e-3, "relative");
    check("rel fail", 1002, 1000, 1e-3, "relative");
    expect(checks().map((c) => [c.kind, c.passed])).toEqual([["relative", true], ["relative", false]]);
  });

  it("bounds: at-most and at-least", () => {
    checkAtMost("below", 0.5, 1);
    checkAtMost("above", 1.5, 1);
    checkAtLeast("above", 2, 1);
    checkAtLeast("below", 0, 1);
    expect(checks().map((c) => c.passed)).toEqual([true, false, true, false]);
  });

  it("NaN and infinite measurements never pass", () => {
    check("nan", NaN, 0, 1);
    check("inf", Infinity, 0, 1e300);
    checkAtMost("nan bound", NaN, 1);
    checkAtLeast("nan bound", NaN, 1);
    expect(checks().every((c) => !c.passed)).toBe(true);
  });

  it("records JSON lines into the file named by HS_CHECKS", () => {
    const file = join(mkdtempSync(join(tmpdir(), "hs-check-")), "checks.jsonl");
    process.env.HS_CHECKS = file;
    check("a", 1, 1, 0);
    checkAtMost("b", 3, 2);
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { name: "a", measured: 1, expected: 1, tolerance: 0, kind: "absolute", passed: true },
      { name: "b", measured: 3, expected: 2, tolerance: 0, kind: "at-most", passed: false },
    ]);
  });

  it("a documented disagreement with the paper: recorded as measured, held when the claim fails", () => {
    check("claim fails", 2, 1, 0.1, { disagreement: "the paper says 1, the numbers say 2" });
    checkAtMost("bound holds after all", 0.5, 1, { disagreement: "thought to fail" });
    check("relative via options", 1.0005, 1, 1e-3, { kind: "relative" });
    const [a, b, c] = checks();
    expect(a).toMatchObject({ passed: false, disagreement: "the paper says 1, the numbers say 2" });
    expect(checkHolds(a)).toBe(true);
    expect(checkHolds(b)).toBe(false); // a stale mark is noticed
    expect(c).toMatchObject({ kind: "relative", passed: true });
    expect(c.disagreement).toBeUndefined();
    expect(log.mock.calls[0][0]).toMatch(/^DISAGREES with the paper \(documented\) {2}claim fails: .* — the paper says 1/);
    expect(() => check("x", 1, 1, 0, { disagreement: "" })).toThrow(/options.disagreement must be a non-empty explanation/);
  });

  it("bad input names the argument", () => {
    expect(() => check("", 1, 1, 0)).toThrow(/check: name must be a non-empty string/);
    expect(() => check("x", 1, 1, -1)).toThrow(/check: tolerance must be a finite number >= 0/);
    expect(() => check("x", 1, 1, NaN)).toThrow(/tolerance/);
    expect(() => check("x", 1, NaN, 1)).toThrow(/check: expected must be finite/);
    expect(() => check("x", "1" as unknown as number, 1, 0)).toThrow(/check: measured must be a number/);
    expect(() => check("x", 1, 1, 0, "loose" as "relative")).toThrow(/check: kind must be/);
    expect(() => checkAtMost("x", 1, NaN)).toThrow(/checkAtMost: limit must not be NaN/);
  });
});
