/**
 * A notebook's paper-scale ledger entry, `results/paper/<paper>/<id>.json`: what the last complete run of the
 * notebook at the paper's settings measured and what it cost. The runner writes it (`npm run notebooks --
 * --scale paper <id>`); `paperRun(id)` shows it inside the notebook, so a reader sees the measured run time
 * and verdict before switching to paper scale, and whether the code changed since.
 */
import { spawnSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { projectRoot } from "../tasks/paths";
import { markdown } from "./display";
import { checks as recordedChecks } from "./check";
import type { CheckRecord } from "./check";
import { scale as currentScale } from "./scale";

/** The part of a ledger entry a notebook shows (the runner writes more). */
export interface LedgerEntry {
  id: string;
  status: string;
  seconds: number;
  commit?: string;
  date?: string;
  machine?: { cores?: number; cpu?: string; backend?: { backend?: string; library?: string; threads?: number } };
  checks?: LedgerCheck[];
  /** The notebook and the lib files it imports, relative to the project root (what makes it stale). */
  files?: string[];
}

/** A check as the ledger records it (the notebook's CheckRecord at paper scale). */
export interface LedgerCheck {
  name: string;
  passed: boolean;
  disagreement?: string;
  measured?: number;
  expected?: number;
  tolerance?: number;
  kind?: string;
}

const ID = /^[a-z0-9-]+\/[A-Za-z0-9.-]+$/;

function checkId(fn: string, id: unknown): string {
  if (typeof id !== "string" || !ID.test(id)) throw new TypeError(`${fn}: id must be a notebook id like "cracking-the-hessian/figure-19", got ${JSON.stringify(id)}`);
  return id;
}

/** The ledger entry of notebook `id`, or null when it has never completed at paper scale. */
export function readLedgerEntry(id: string, root: string = projectRoot): LedgerEntry | null {
  const file = join(root, "results", "paper", `${checkId("readLedgerEntry", id)}.json`);
  if (!existsSync(file)) return null;
  let entry: LedgerEntry;
  try {
    entry = JSON.parse(readFileSync(file, "utf8")) as LedgerEntry;
  } catch (e) {
    throw new Error(`readLedgerEntry: ${file} is not valid JSON (${(e as Error).message}); the runner rewrites it on the next paper-scale run`);
  }
  if (entry.id !== id || typeof entry.seconds !== "number") throw new Error(`readLedgerEntry: ${file} is not the ledger entry of ${id}`);
  return entry;
}

/**
 * A notebook's code: its code cells' sources, in order. Prose, outputs and metadata cannot change what a
 * notebook computes, so a summary written after a paper-scale run does not make that run's entry stale.
 */
export function notebookCode(json: string): string {
  const nb = JSON.parse(json) as { cells?: { cell_type?: string; source?: string | string[] }[] };
  return (nb.cells ?? []).filter((c) => c.cell_type === "code").map((c) => ([] as string[]).concat(c.source ?? []).join("")).join("\n\u0000\n");
}

/**
 * Whether the entry's code changed since its run: git compares the notebook's code cells and the lib files it
 * imports with the entry's commit (uncommitted edits count). `null` when that cannot be told (no git, or the
 * commit is not in this clone).
 */
export function ledgerStale(entry: LedgerEntry, root: string = projectRoot): boolean | null {
  if (!entry.commit || !entry.files || entry.files.length === 0) return null;
  const known = spawnSync("git", ["cat-file", "-e", `${entry.commit}^{commit}`], { cwd: root });
  if (known.status !== 0) return null;
  const diff = spawnSync("git", ["diff", "--name-only", entry.commit, "--", ...entry.files], { cwd: root, encoding: "utf8" });
  if (diff.status !== 0) return null;
  const changed = diff.stdout.split("\n").filter(Boolean);
  return changed.some((file) => !file.endsWith(".ipynb") || !sameNotebookCode(root, entry.commit as string, file));
}

function sameNotebookCode(root: string, commit: string, file: string): boolean {
  const then = spawnSync("git", ["show", `${commit}:${file}`], { cwd: root, encoding: "utf8", maxBuffer: 256 << 20 });
  if (then.status !== 0) return false;
  try {
    return notebookCode(then.stdout) === notebookCode(readFileSync(join(root, file), "utf8"));
  } catch {
    return false; // deleted or unreadable now: changed
  }
}

/** A duration in words: `48 s`, `12 min 5 s`, `3 h 20 min`. */
export function formatDuration(seconds: number): string {
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw new RangeError(`formatDuration: seconds must be a finite number >= 0, got ${seconds}`);
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

const fmt = (x: number | undefined) => (typeof x !== "number" ? "?" : Number.isInteger(x) ? String(x) : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3));
const claimOf = (c: { kind?: string; expected?: number; tolerance?: number }) =>
  c.kind === "at-least" ? `>= ${fmt(c.expected)}` : c.kind === "at-most" ? `<= ${fmt(c.expected)}` : `${fmt(c.expected)} ± ${fmt(c.tolerance)}${c.kind === "relative" ? " (relative)" : ""}`;

/**
 * The checks whose verdict is a disagreement with the paper at either scale, this run's against the entry's:
 * one line each, with both measured values, saying whether the disagreement persists at paper scale, appears
 * only there, or is gone there. Checks that hold at both scales are left out.
 */
export function disagreementVerdicts(current: CheckRecord[], paper: LedgerCheck[], scale = "quick"): string[] {
  const now = new Map(current.map((c) => [c.name, c]));
  const then = new Map(paper.map((c) => [c.name, c]));
  const names = [...new Set([...current.map((c) => c.name), ...paper.map((c) => c.name)])];
  const lines: string[] = [];
  for (const name of names) {
    const q = now.get(name), p = then.get(name);
    const qFails = q ? !q.passed : null, pFails = p ? !p.passed : null;
    if (!qFails && !pFails) continue;
    const side = (c: { passed: boolean; measured?: number } | undefined, label: string) => (c ? `${label} ${fmt(c.measured)} (${c.passed ? "holds" : "fails"})` : `${label}: not measured`);
    const verdict = qFails && pFails ? "the disagreement persists at paper scale" : pFails ? "fails at paper scale only" : qFails && pFails === false ? `holds at paper scale: no disagreement there` : "not measured at paper scale";
    lines.push(`*${name}* (claim ${claimOf(p ?? q ?? {})}): ${side(q, scale)}, ${side(p, "paper")}; ${verdict}.`);
  }
  return lines;
}

/** The summary `paperRun` displays; with this run's checks, each disagreement's verdict at both scales. */
export function ledgerSummary(id: string, entry: LedgerEntry | null, stale: boolean | null, current: CheckRecord[] = [], scale = "quick"): string {
  if (entry === null) return `**Paper scale:** not yet run to completion (no \`results/paper/${id}.json\`); \`npm run notebooks -- --scale paper ${id}\` runs it and records the measured time.`;
  const checks = entry.checks ?? [];
  const held = checks.filter((c) => c.passed).length;
  const documented = checks.filter((c) => !c.passed && c.disagreement).length;
  const m = entry.machine;
  const where = m ? ` on ${m.cores ?? "?"} cores (${m.cpu ?? "unknown CPU"}, ${m.backend?.backend ?? "?"} backend)` : "";
  const when = entry.commit ? `, commit ${entry.commit.slice(0, 7)}${entry.date ? ` of ${entry.date.slice(0, 10)}` : ""}` : "";
  const verdict = `${held} of ${checks.length} checks hold${documented ? `, ${documented} documented disagreement${documented > 1 ? "s" : ""} with the paper` : ""}`;
  const freshness = stale === true ? " **Stale:** the notebook's code or a lib file it imports changed since that run." : stale === null ? " (Whether the code changed since cannot be told here.)" : "";
  const lines = scale === "paper" ? [] : disagreementVerdicts(current, checks, scale);
  const list = lines.length ? `\n\nWhere the numbers and the paper disagree, this run (${scale} scale) against the paper-scale run:\n${lines.map((l) => `- ${l}`).join("\n")}` : "";
  return `**Paper scale:** the last complete run took ${formatDuration(entry.seconds)}${where}${when}; status ${entry.status}, ${verdict}.${freshness}${list}`;
}

/**
 * Show notebook `id`'s paper-scale ledger entry: measured run time, machine, verdict, whether it is stale and,
 * against the checks this run recorded so far, whether each disagreement persists at paper scale. It returns
 * nothing: it is the last expression of a notebook's last cell, and a returned entry would be printed there as
 * a raw object under the summary (`readLedgerEntry` gives the entry to code that wants it).
 */
export function paperRun(id: string): void {
  const entry = readLedgerEntry(checkId("paperRun", id));
  markdown(ledgerSummary(id, entry, entry ? ledgerStale(entry) : null, recordedChecks(), currentScale));
}
