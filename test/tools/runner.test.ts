// The notebook runner on fixture notebooks: one that passes, one whose check fails, one that throws, one that
// throws after a burst of output, one that hangs past the timeout, one whose kernel dies, one with no check, one
// malformed file, one with a documented disagreement with the paper and one whose disagreement mark has gone
// stale. Each must be reported correctly in report.json while the others still complete; the passing page must
// show its plot in Chromium.
import { beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { output } from "./output";

const root = join(__dirname, "..", "..");
const runner = join(root, "tools", "notebooks.mjs");
const fixtures = join(root, "test", "fixtures", "notebooks");
// Every fixture notebook is run, so the count comes from the folder, not from a number kept in step by hand.
const fixtureCount = readdirSync(join(fixtures, "fixtures")).filter((f) => f.endsWith(".ipynb")).length;

interface Entry {
  id: string;
  status: string;
  seconds: number;
  checks: Array<{ name: string; passed: boolean }>;
  error?: { cell: number | null; message: string };
}

function runRunner(args: string[]) {
  return spawnSync(process.execPath, [runner, "--notebooks-dir", fixtures, ...args], { encoding: "utf8", cwd: root });
}

describe("notebook runner on fixtures", () => {
  const out = mkdtempSync(join(tmpdir(), "hs-runner-"));
  let run: ReturnType<typeof runRunner>;
  let byId: Map<string, Entry>;

  beforeAll(() => {
    run = runRunner(["--out", out, "--timeout", "8", "--no-setup"]);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    byId = new Map(report.notebooks.map((e: Entry) => [e.id, e]));
  }, 180_000);

  it("exits non-zero and prints one progress line per notebook", () => {
    expect(run.status, output(run)).toBe(1);
    const lines = run.stdout.split("\n").filter((l) => new RegExp(`^\\[\\s*\\d+/${fixtureCount}\\]`).test(l));
    expect(lines).toHaveLength(fixtureCount);
    expect(run.stdout).toMatch(new RegExp(`\\[\\s*\\d+/${fixtureCount}\\] fixtures/passes {2}ok {2}\\d+\\.\\d s {2}checks 1/1 hold`));
    // a study's progress line, printed by the kernel, is shown under the notebook's id while it runs (other output is not)
    expect(run.stdout).toMatch(/^ {2}fixtures\/passes {2}tasks fixtures\/demo: task 1 of 1 done, elapsed 0:00$/m);
    expect(run.stdout).not.toMatch(/^ {2}fixtures\/passes {2}scale/m);
  });

  it("reports each outcome", () => {
    expect(byId.get("fixtures/passes")).toMatchObject({ status: "ok", checks: [{ name: "one plus one", passed: true }] });
    const failed = byId.get("fixtures/fails-check")!;
    expect(failed.status).toBe("failed");
    expect(failed.checks.map((c) => c.passed)).toEqual([false, true]); // the cell after the failure still ran
    const threw = byId.get("fixtures/throws")!;
    expect(threw).toMatchObject({ status: "error", error: { cell: 2, message: "Error: fixture error: thrown on purpose" } });
    expect(threw.checks).toHaveLength(1);
    // More than 512 lines printed without yielding used to make console.log throw and lose the error: the
    // cell failed with no message. Both the check after the first burst and the error after the second arrive.
    expect(byId.get("fixtures/floods")).toMatchObject({
      status: "error", checks: [{ name: "after a burst of output", passed: true }],
      error: { cell: 3, message: "Error: fixture error: thrown after a burst of output" },
    });
    const hung = byId.get("fixtures/hangs")!;
    expect(hung).toMatchObject({ status: "timeout", error: { cell: 2 } });
    expect(hung.error!.message).toMatch(/past the 8 s timeout/);
    expect(byId.get("fixtures/kernel-dies")).toMatchObject({ status: "error", error: { message: expect.stringMatching(/kernel died/) } });
    expect(byId.get("fixtures/no-checks")).toMatchObject({ status: "failed", error: { message: "the notebook recorded no check" } });
    expect(byId.get("fixtures/malformed")).toMatchObject({ status: "error", error: { message: expect.stringMatching(/^malformed notebook/) } });
    // A documented disagreement with the paper keeps the notebook ok and is listed; a stale mark fails it.
    expect(byId.get("fixtures/disagrees")).toMatchObject({ status: "ok" });
    expect(byId.get("fixtures/disagrees")!.checks[1]).toMatchObject({ passed: false, disagreement: "the bound is 1, the measured value is 2" });
    expect(byId.get("fixtures/stale-disagreement")).toMatchObject({ status: "failed" });
    for (const e of byId.values()) {
      expect(e.seconds).toBeGreaterThanOrEqual(0);
      for (const c of e.checks as unknown as Array<Record<string, unknown>>) {
        expect(Object.keys(c)).toEqual(expect.arrayContaining(["name", "measured", "expected", "tolerance", "passed"]));
      }
    }
  });

  it("writes executed notebooks and HTML pages that share one plotly.js", () => {
    expect(existsSync(join(out, "notebooks", "fixtures", "passes.ipynb"))).toBe(true);
    const page = readFileSync(join(out, "html", "fixtures", "passes.html"), "utf8");
    expect(page).toContain('<script src="../plotly.js"></script>');
    expect(page).not.toContain("data-hs-plotly-bundle");
    expect(page.length).toBeLessThan(2_000_000);
    expect(readdirSync(join(out, "html"))).toEqual(expect.arrayContaining(["plotly.js", "index.html", "fixtures"]));
  });

  it("the passing page, opened in headless Chromium, draws its plot (SVG present)", () => {
    const chromium = "/usr/bin/chromium";
    expect(existsSync(chromium), "Chromium is installed by `npm test` (tools/setup.mjs --for test)").toBe(true);
    const r = spawnSync(chromium, [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", `--user-data-dir=${mkdtempSync(join(tmpdir(), "hs-chromium-"))}`,
      "--virtual-time-budget=10000", "--dump-dom", `file://${join(out, "html", "fixtures", "passes.html")}`,
    ], { encoding: "utf8", timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
    expect(r.stdout).toMatch(/<svg[^>]*class="main-svg"/);
    expect(r.stdout).toMatch(/class="scatterlayer/);
  }, 120_000);

  it("an unknown filter is a one-line error and exit code 2", () => {
    const r = runRunner(["--out", out, "--no-setup", "no-such/notebook"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^notebooks: no notebook matches "no-such\/notebook"/);
  });

  it("a missing Jupyter is a one-line message naming what to install, and exit code 1", () => {
    const r = spawnSync(process.execPath, [runner, "--notebooks-dir", fixtures, "--out", out, "--no-setup"], {
      encoding: "utf8", cwd: root, env: { ...process.env, HS_PYTHON: "/bin/false" },
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^notebooks: Jupyter is missing: .*tried HS_PYTHON=\/bin\/false.*python3-nbclient/);
  });

  it("bad options are one-line errors", () => {
    const r = runRunner(["--scale", "huge"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('notebooks: --scale must be quick or paper, got "huge"');
  });
});

describe("former ids of renamed notebooks", () => {
  it("a filter naming a former id (or a glob over former ids) selects the renamed notebook and says so", async () => {
    const m = (await import(join(__dirname, "..", "..", "tools", "notebooks.mjs"))) as {
      selectNotebooks(ids: string[], filters: string[], formerly?: Map<string, string>): { selected: string[]; unmatched: string[]; renamed: { old: string; id: string }[] };
    };
    const ids = ["data-dependence/equation-7", "data-dependence/figure-1"];
    const formerly = new Map([["data-dependence/eq-7-trace", "data-dependence/equation-7"]]);
    expect(m.selectNotebooks(ids, ["data-dependence/eq-7-trace"], formerly)).toEqual({ selected: ["data-dependence/equation-7"], unmatched: [], renamed: [{ old: "data-dependence/eq-7-trace", id: "data-dependence/equation-7" }] });
    expect(m.selectNotebooks(ids, ["*/eq-*"], formerly).selected).toEqual(["data-dependence/equation-7"]);
    expect(m.selectNotebooks(ids, ["data-dependence/equation-7"], formerly).renamed).toEqual([]);
    expect(m.selectNotebooks(ids, ["data-dependence/eq-9"], formerly).unmatched).toEqual(["data-dependence/eq-9"]);
  });
});

describe("notebook filters", () => {
  it("a filter is an id, a glob over ids, or a folder of notebooks", async () => {
    const m = (await import(join(__dirname, "..", "..", "tools", "notebooks.mjs"))) as {
      selectNotebooks(ids: string[], filters: string[]): { selected: string[]; unmatched: string[]; renamed: unknown[] };
    };
    const ids = ["depth-not-data/figure-1", "depth-not-data/lemma-A.1", "depth-not-data-extra/figure-1", "cracking-the-hessian/figure-1"];
    expect(m.selectNotebooks(ids, ["depth-not-data"]).selected).toEqual(["depth-not-data/figure-1", "depth-not-data/lemma-A.1"]);
    expect(m.selectNotebooks(ids, ["depth-not-data/"]).selected).toEqual(["depth-not-data/figure-1", "depth-not-data/lemma-A.1"]);
    expect(m.selectNotebooks(ids, ["*/figure-1"]).selected).toEqual(["depth-not-data/figure-1", "depth-not-data-extra/figure-1", "cracking-the-hessian/figure-1"]);
    expect(m.selectNotebooks(ids, ["depth-not-data/lemma-A"])).toEqual({ selected: [], unmatched: ["depth-not-data/lemma-A"], renamed: [] });
  });
});

describe("a runner stopped by a signal", () => {
  // Jupyter starts each kernel in a session of its own: a signal to the runner (or its process group) does not
  // reach it. The runner passes SIGTERM on to its drivers, and nbclient in each driver shuts its kernel down.
  it("leaves no kernel computing after SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hs-signal-"));
    const pidFile = join(dir, "kernel.pid");
    mkdirSync(join(dir, "notebooks", "fixtures"), { recursive: true });
    const nb = JSON.parse(readFileSync(join(fixtures, "fixtures", "hangs.ipynb"), "utf8"));
    nb.cells = [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: [`require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nwhile (true) {}`] }];
    writeFileSync(join(dir, "notebooks", "fixtures", "spins.ipynb"), JSON.stringify(nb));
    const child = spawn(process.execPath, [runner, "--notebooks-dir", join(dir, "notebooks"), "--out", join(dir, "out"), "--no-setup", "--timeout", "600"], { cwd: root, stdio: "ignore" });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const until = Date.now() + 120_000;
    while (!existsSync(pidFile) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    const pid = Number(readFileSync(pidFile, "utf8"));
    const alive = (p: number) => { try { process.kill(p, 0); return true; } catch { return false; } };
    expect(alive(pid)).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    const gone = Date.now() + 10_000;
    while (alive(pid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
    // a stopped notebook has no outcome: nothing is recorded for it
    const report = join(dir, "out", "report.json");
    expect(existsSync(report) && JSON.parse(readFileSync(report, "utf8")).notebooks.some((e: Entry) => e.id === "fixtures/spins")).toBe(false);
  }, 180_000);
});
