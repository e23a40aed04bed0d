// pick() records the parameters it chose through the run's record (HS_CHECKS), beside the checks.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { check, pick } from "../../lib/notebook";

describe("pick records its choice", () => {
  it("appends { record: 'parameters', scale, parameters } to HS_CHECKS, in call order with the checks", () => {
    const file = join(mkdtempSync(join(tmpdir(), "hs-pick-")), "run.jsonl");
    const saved = process.env.HS_CHECKS;
    process.env.HS_CHECKS = file;
    try {
      pick({ quick: { L: 3 }, paper: { L: 7, width: 50 } }, "paper");
      check("one", 1, 1, 0);
      pick({ quick: 1, paper: 2 }, "quick");
    } finally {
      if (saved === undefined) delete process.env.HS_CHECKS;
      else process.env.HS_CHECKS = saved;
    }
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ record: "parameters", scale: "paper", parameters: { L: 7, width: 50 } });
    expect(lines[1]).toMatchObject({ name: "one", passed: true });
    expect(lines[2]).toEqual({ record: "parameters", scale: "quick", parameters: 1 });
  });
});
