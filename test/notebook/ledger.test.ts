// The paper-scale ledger as a notebook shows it: the measured run time, machine and verdict of the last
// complete run, staleness by git against the entry's commit, and clear errors for a bad id or a bad file.
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { disagreementVerdicts, formatDuration, ledgerStale, ledgerSummary, paperRun, readLedgerEntry } from "../../lib/notebook/ledger";
import { setDisplaySink } from "../../lib/notebook";
import type { LedgerEntry } from "../../lib/notebook/ledger";

const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};

describe("paper-scale ledger in a notebook", () => {
  afterEach(() => setDisplaySink(null));

  it("formats durations", () => {
    expect(formatDuration(8.4)).toBe("8 s");
    expect(formatDuration(725)).toBe("12 min 5 s");
    expect(formatDuration(3 * 3600 + 20 * 60 + 10)).toBe("3 h 20 min");
    expect(() => formatDuration(NaN)).toThrow(/formatDuration: seconds must be a finite number >= 0/);
  });

  it("reads an entry, tells whether its files changed since its commit, and summarises it", () => {
    const root = mkdtempSync(join(tmpdir(), "hs-ledger-"));
    git(root, "init", "-q");
    mkdirSync(join(root, "notebooks", "p"), { recursive: true });
    const nb = (prose: string, code: string) => JSON.stringify({ cells: [{ cell_type: "markdown", source: [prose] }, { cell_type: "code", source: [code], outputs: [] }] });
    writeFileSync(join(root, "notebooks", "p", "figure-1.ipynb"), nb("# Figure 1", "check(1);"));
    git(root, "add", ".");
    git(root, "commit", "-q", "-m", "one");
    const commit = git(root, "rev-parse", "HEAD");
    const entry: LedgerEntry = {
      id: "p/figure-1", status: "ok", seconds: 4980, commit, date: "2026-12-02T06:00:00.000Z",
      machine: { cores: 2, cpu: "Some CPU", backend: { backend: "native" } },
      checks: [{ name: "a", passed: true }, { name: "b", passed: false, disagreement: "the paper says otherwise" }],
      files: ["notebooks/p/figure-1.ipynb"],
    };
    mkdirSync(join(root, "results", "paper", "p"), { recursive: true });
    writeFileSync(join(root, "results", "paper", "p", "figure-1.json"), JSON.stringify(entry));
    const read = readLedgerEntry("p/figure-1", root);
    expect(read?.seconds).toBe(4980);
    expect(ledgerStale(read as LedgerEntry, root)).toBe(false);
    const text = ledgerSummary("p/figure-1", read, false);
    expect(text).toContain("took 1 h 23 min on 2 cores (Some CPU, native backend)");
    expect(text).toContain(`commit ${commit.slice(0, 7)} of 2026-12-02`);
    expect(text).toContain("1 of 2 checks hold, 1 documented disagreement with the paper");
    expect(text).not.toContain("Stale");
    // a summary written after the run (prose only) keeps the entry current; a code change makes it stale
    writeFileSync(join(root, "notebooks", "p", "figure-1.ipynb"), nb("# Figure 1: at paper scale the disagreement persists", "check(1);"));
    expect(ledgerStale(read as LedgerEntry, root)).toBe(false);
    writeFileSync(join(root, "notebooks", "p", "figure-1.ipynb"), nb("# Figure 1", "check(2);"));
    expect(ledgerStale(read as LedgerEntry, root)).toBe(true);
    expect(ledgerSummary("p/figure-1", read, true)).toContain("**Stale:**");
    expect(ledgerStale({ ...entry, commit: "0".repeat(40) }, root)).toBeNull();
    expect(readLedgerEntry("p/figure-2", root)).toBeNull();
    expect(ledgerSummary("p/figure-2", null, null)).toContain("not yet run to completion");
    writeFileSync(join(root, "results", "paper", "p", "figure-1.json"), "{ truncated");
    expect(() => readLedgerEntry("p/figure-1", root)).toThrow(/figure-1\.json is not valid JSON/);
  });

  it("says for each disagreement whether it persists at paper scale, with both measured values", () => {
    const q = (name: string, measured: number, passed: boolean, disagreement?: string) => ({ name, measured, expected: 0.8, tolerance: 0, kind: "at-least" as const, passed, ...(disagreement ? { disagreement } : {}) });
    const current = [q("holds everywhere", 0.9, true), q("persists", 0.6, false, "short"), q("gone", 0.5, false, "short"), q("paper only", 0.95, true)];
    const paper = [q("holds everywhere", 0.91, true), q("persists", 0.4, false, "short"), q("gone", 0.85, true), q("paper only", 0.7, false, "new")];
    const lines = disagreementVerdicts(current, paper);
    expect(lines).toEqual([
      "*persists* (claim >= 0.8): quick 0.6 (fails), paper 0.4 (fails); the disagreement persists at paper scale.",
      "*gone* (claim >= 0.8): quick 0.5 (fails), paper 0.85 (holds); holds at paper scale: no disagreement there.",
      "*paper only* (claim >= 0.8): quick 0.95 (holds), paper 0.7 (fails); fails at paper scale only.",
    ]);
    const entry: LedgerEntry = { id: "p/figure-1", status: "ok", seconds: 60, checks: paper };
    expect(ledgerSummary("p/figure-1", entry, false, current)).toContain("this run (quick scale) against the paper-scale run:\n- *persists*");
    expect(ledgerSummary("p/figure-1", entry, false, current, "paper")).not.toContain("against the paper-scale run");
  });

  it("paperRun displays the summary of this project's entry and rejects a bad id", () => {
    const shown: string[] = [];
    setDisplaySink((b) => shown.push(String(b["text/markdown"])));
    // Nothing returned: as the last expression of a cell, a returned entry would print as a raw object.
    expect(paperRun("no-such-paper/figure-0")).toBeUndefined();
    expect(shown[0]).toContain("not yet run to completion");
    expect(() => paperRun("../etc/passwd")).toThrow(/paperRun: id must be a notebook id/);
  });
});
