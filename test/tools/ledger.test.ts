// The paper-scale ledger, shards and merges of the notebook runner (tools/notebooks.mjs, tools/ledger.mjs),
// on the fixture notebooks of test/fixtures/ledger: one paper-scale run against two shards run at once and
// merged; study tasks split by --task-shard and merged; reports merged by concurrent writers under the lock;
// stale marks; bad shard values.
import { beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { output } from "./output";

const root = join(__dirname, "..", "..");
const runner = join(root, "tools", "notebooks.mjs");
const fixtures = join(root, "test", "fixtures", "ledger");
const ids = ["demo/a", "demo/b", "demo/study"];

const args = (dir: string, extra: string[]) => [runner, "--notebooks-dir", fixtures, "--out", join(dir, "build"), "--results", join(dir, "results"), "--no-setup", ...extra];
const env = { ...process.env, HS_TASKS_DIR: "" };
const runSync = (dir: string, extra: string[]) => spawnSync(process.execPath, args(dir, extra), { encoding: "utf8", cwd: root, env });
const runAsync = (dir: string, extra: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args(dir, extra), { cwd: root, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
/** A ledger entry or report entry without what differs between two runs of the same code (time, date). */
const verdict = (e: Record<string, unknown>) => {
  const { seconds, date, ...rest } = e;
  return rest;
};
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `hs-ledger-${name}-`));

describe("bad shard values", () => {
  it.each([["--shard", "5/4"], ["--shard", "0/3"], ["--shard", "a/b"], ["--task-shard", "3/2"]])("%s %s is a one-line error and exit code 2", (opt, v) => {
    const r = spawnSync(process.execPath, [runner, opt, v], { encoding: "utf8", cwd: root });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`notebooks: ${opt} must be k/N with whole numbers 1 <= k <= N, got "${v}"`);
  });
  it("--merge without folders is an error", () => {
    const r = spawnSync(process.execPath, [runner, "--merge"], { encoding: "utf8", cwd: root });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("notebooks: --merge needs the shard output folders to merge");
  });
});

describe("ledger: one run against two shards and a merge", () => {
  const single = tmp("single");
  const s1 = tmp("s1");
  const s2 = tmp("s2");
  const merged = tmp("merged");
  let one: ReturnType<typeof runSync>;
  let merge: ReturnType<typeof runSync>;

  beforeAll(async () => {
    const [a, b, c] = await Promise.all([runAsync(single, ["--scale", "paper", "--jobs", "1"]), runAsync(s1, ["--scale", "paper", "--shard", "1/2", "--jobs", "1"]), runAsync(s2, ["--scale", "paper", "--shard", "2/2", "--jobs", "1"])]);
    one = a as ReturnType<typeof runSync>;
    expect(a.status, output(a)).toBe(0);
    expect(b.status, output(b)).toBe(0);
    expect(c.status, output(c)).toBe(0);
    expect(b.stdout).toContain("shard 1/2: 2 of the 3 selected notebooks");
    merge = runSync(merged, ["--merge", join(s1, "build"), join(s1, "results"), join(s2, "build"), join(s2, "results")]);
  }, 240_000);

  it("records each completed notebook with checks, parameters, commit, date and machine", () => {
    expect(one.stdout).toMatch(/^notebooks: linear algebra backend \S+/m);
    const e = json(join(single, "results", "paper", "demo", "a.json"));
    expect(e).toMatchObject({ id: "demo/a", status: "ok", scale: "paper", parameters: [{ n: 3, name: "a" }], checks: [{ name: "sum of 1..n", measured: 6, expected: 6, tolerance: 0, passed: true }] });
    expect(e.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Date.parse(e.date)).toBeGreaterThan(0);
    expect(e.machine).toMatchObject({ cores: expect.any(Number), cpu: expect.any(String), backend: { backend: expect.any(String) } });
    expect(e.files).toEqual(expect.arrayContaining(["lib/notebook/scale.ts", "test/fixtures/ledger/demo/a.ipynb"]));
    const report = json(join(single, "build", "report-paper.json"));
    expect(report.backend.backend).toBe(e.machine.backend.backend);
    expect(existsSync(join(single, "build", "report.json"))).toBe(false); // the quick report is not touched
  });

  it("the merge of the shards gives the ledger and report of the single run", () => {
    expect(merge.status, output(merge)).toBe(0);
    expect(merge.stdout).toMatch(/merged 2 reports, 3 ledger entries and \d+ new task files from 4 folders/);
    for (const id of ids) expect(verdict(json(join(merged, "results", "paper", `${id}.json`)))).toEqual(verdict(json(join(single, "results", "paper", `${id}.json`))));
    const a = json(join(single, "build", "report-paper.json"));
    const b = json(join(merged, "build", "report-paper.json"));
    expect(b.notebooks.map(verdict)).toEqual(a.notebooks.map(verdict));
    expect(b.summary).toEqual(a.summary);
    expect(readdirSync(join(merged, "results", "tasks", "fixtures", "ledger-study")).sort()).toEqual(readdirSync(join(single, "results", "tasks", "fixtures", "ledger-study")).sort());
  });

  it("the index shows the paper verdicts beside the quick ones", () => {
    const html = readFileSync(join(merged, "build", "html", "index.html"), "utf8");
    expect(html).toContain("paper scale (ledger)");
    for (const id of ids) expect(html).toContain(`<a href="${id}.html">${id}</a>`);
  });
});

describe("--task-shard: a study's tasks split across runs", () => {
  it("each shard stores its slice; after merging, a run computes nothing and gives the single run's checks", async () => {
    const [t1, t2] = [tmp("t1"), tmp("t2")];
    const [r1, r2] = await Promise.all([runAsync(t1, ["--scale", "paper", "--task-shard", "1/2", "demo/study"]), runAsync(t2, ["--scale", "paper", "--task-shard", "2/2", "demo/study"])]);
    for (const r of [r1, r2]) {
      expect(r.status, output(r)).toBe(0);
      expect(r.stdout).toMatch(/demo\/study {2}shard-pending/);
      expect(r.stdout).toContain("1 waiting for the tasks of other shards");
    }
    const count = (d: string) => readdirSync(join(d, "results", "tasks", "fixtures", "ledger-study")).filter((f) => f.endsWith(".json")).length;
    expect([count(t1), count(t2)]).toEqual([3, 2]);
    expect(existsSync(join(t1, "results", "paper", "demo", "study.json"))).toBe(false); // no verdict from a partial run
    const final = tmp("final");
    expect(runSync(final, ["--merge", join(t1, "results"), join(t2, "results")]).status).toBe(0);
    const r = runSync(final, ["--scale", "paper", "demo/study"]);
    expect(r.status, output(r)).toBe(0);
    const page = readFileSync(join(final, "build", "notebooks", "demo", "study.ipynb"), "utf8");
    expect(page).toContain("5 tasks, 5 stored, 0 to compute");
    expect(json(join(final, "results", "paper", "demo", "study.json")).checks.every((c: { passed: boolean }) => c.passed)).toBe(true);
  }, 240_000);
});

describe("reports under concurrent writers", () => {
  it("two processes merging entries into one report at once lose none of them", async () => {
    const dir = tmp("lock");
    const writer = (tag: string) => `
      const { writeReport } = await import(${JSON.stringify(runner)});
      for (let i = 0; i < 25; i++) writeReport(${JSON.stringify(dir)}, [{ id: "${tag}/" + i, status: "ok", seconds: 0, checks: [] }], ${JSON.stringify(fixtures)}, null);`;
    const go = (tag: string) => new Promise<number | null>((resolve) => spawn(process.execPath, ["--input-type=module", "-e", writer(tag)], { stdio: "inherit" }).on("close", resolve));
    expect(await Promise.all([go("x"), go("y")])).toEqual([0, 0]);
    const report = json(join(dir, "report.json"));
    expect(report.notebooks).toHaveLength(50);
    expect(readdirSync(dir).filter((f) => f !== "report.json")).toEqual([]); // no lock or temp file left
  }, 60_000);
});

describe("stale ledger entries", () => {
  it("an entry is stale when a file it depends on differs from its commit, or its commit is unknown", async () => {
    const { changedSince } = await import(join(root, "tools", "ledger.mjs"));
    const log = spawnSync("git", ["log", "--format=%H", "--", "tools/ledger.mjs"], { cwd: root, encoding: "utf8" }).stdout.trim().split("\n");
    const created = log[log.length - 1];
    expect(changedSince(`${created}^`, ["tools/ledger.mjs"])).toMatchObject({ stale: true, why: expect.stringContaining("tools/ledger.mjs") });
    expect(changedSince("0".repeat(40), ["tools/ledger.mjs"])).toMatchObject({ stale: true, why: expect.stringMatching(/not in this checkout/) });
    expect(changedSince(created, ["package-lock.json"]).stale).toBe(spawnSync("git", ["diff", "--quiet", created, "--", "package-lock.json"], { cwd: root }).status !== 0);
  });

  it("a notebook's code is its code cells: prose, outputs and metadata do not count; the same rule as lib/notebook", async () => {
    const { notebookCode } = await import(join(root, "tools", "ledger.mjs"));
    const lib = await import("../../lib/notebook/ledger");
    const nb = (md: string, code: string[], outputs: unknown[] = []) =>
      JSON.stringify({ metadata: { claim: { id: md } }, cells: [{ cell_type: "markdown", source: [md] }, ...code.map((c) => ({ cell_type: "code", source: c.split(/(?<=\n)/), outputs }))] });
    const base = nb("prose", ["const a = 1;\n", "check(a);"]);
    expect(notebookCode(nb("other prose", ["const a = 1;\n", "check(a);"], [{ text: "1" }]))).toBe(notebookCode(base));
    expect(notebookCode(nb("prose", ["const a = 2;\n", "check(a);"]))).not.toBe(notebookCode(base));
    expect(notebookCode(nb("prose", ["const a = 1;\ncheck(a);"]))).not.toBe(notebookCode(base)); // cells merged
    const real = readFileSync(join(root, "notebooks", "cracking-the-hessian", "figure-5.ipynb"), "utf8");
    expect(notebookCode(real)).toBe(lib.notebookCode(real));
  });

  it("--outdated selects the notebooks whose entry is missing or stale, and needs --scale paper", async () => {
    const { outdatedNotebooks, parseArgs } = await import(runner);
    const results = mkdtempSync(join(tmpdir(), "hs-outdated-"));
    const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim();
    const notebooks = join(root, "notebooks");
    const write = (id: string, commit: string) => {
      mkdirSync(join(results, "paper", id.split("/")[0]), { recursive: true });
      writeFileSync(join(results, "paper", `${id}.json`), JSON.stringify({ id, status: "ok", seconds: 1, commit, checks: [] }));
    };
    // figure-1's code and imports as committed at HEAD (unless this checkout edits them); figure-2's commit unknown
    write("depth-not-data/figure-1", head);
    write("depth-not-data/figure-2", "0".repeat(40));
    const ids = ["depth-not-data/figure-1", "depth-not-data/figure-2", "depth-not-data/figure-3"];
    const dirty = spawnSync("git", ["diff", "--quiet", "HEAD", "--", "notebooks/depth-not-data/figure-1.ipynb", "lib"], { cwd: root }).status !== 0;
    const got = outdatedNotebooks(ids, results, notebooks);
    expect(got.map((o: { id: string }) => o.id)).toEqual([...(dirty ? ["depth-not-data/figure-1"] : []), "depth-not-data/figure-2", "depth-not-data/figure-3"]);
    expect(got.find((o: { id: string }) => o.id === "depth-not-data/figure-3").why).toBe("no entry");
    expect(got.find((o: { id: string }) => o.id === "depth-not-data/figure-2").why).toMatch(/not in this checkout/);
    expect(parseArgs(["--scale", "paper", "--outdated"]).outdated).toBe(true);
    expect(() => parseArgs(["--outdated"])).toThrow("--outdated reads the paper-scale ledger: it needs --scale paper");
  });
});
