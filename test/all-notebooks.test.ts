// Executes every notebook at quick scale through the real runner (the main job), into build/, and fails on
// any notebook that errors, times out or has a failed check. Slow by nature: it is the end-to-end test.
import { describe, expect, it } from "vitest";
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";

const root = join(__dirname, "..");

describe("every notebook at quick scale", () => {
  it("runs with all checks passed", () => {
    const r = spawnSync(process.execPath, [join(root, "tools", "notebooks.mjs"), "--scale", "quick", "--no-setup"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    const report = JSON.parse(readFileSync(join(root, "build", "report.json"), "utf8"));
    const bad = report.notebooks
      .filter((e: { status: string }) => e.status !== "ok")
      .map((e: { id: string; status: string; error?: { message: string }; checks: Array<{ name: string; passed: boolean }> }) =>
        `${e.id}: ${e.status}${e.error ? ` (${e.error.message})` : ""}${e.checks.filter((c) => !c.passed).map((c) => `; failed check: ${c.name}`).join("")}`);
    expect(bad).toEqual([]);
    expect(r.status).toBe(0);
  }, 3_600_000);
});
