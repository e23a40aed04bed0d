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

/** The part of a ledger entry a notebook shows (the runner writes more). */
export interface LedgerEntry {
  id: string;
  status: string;
  seconds: number;
  commit?: string;
  date?: string;
  machine?: { cores?: number; cpu?: string; backend?: { backend?: string; library?: string; threads?: number } };
  checks?: { name: string; passed: boolean; disagreement?: string }[];
  /** The notebook and the lib files it imports, relative to the project root (what makes it stale). */
  files?: string[];
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
 * Whether the entry's code changed since its run: git compares the notebook and the lib files it imports
 * with the entry's commit. `null` when that cannot be told (no git, or the commit is not in this clone).
 */
export function ledgerStale(entry: LedgerEntry, root: string = projectRoot): boolean | null {
  if (!entry.commit || !entry.files || entry.files.length === 0) return null;
  const known = spawnSync("git", ["cat-file", "-e", `${entry.commit}^{commit}`], { cwd: root });
  if (known.status !== 0) return null;
  const diff = spawnSync("git", ["diff", "--quiet", entry.commit, "--", ...entry.files], { cwd: root });
  return diff.status === 0 ? false : diff.status === 1 ? true : null;
}

/** A duration in words: `48 s`, `12 min 5 s`, `3 h 20 min`. */
export function formatDuration(seconds: number): string {
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw new RangeError(`formatDuration: seconds must be a finite number >= 0, got ${seconds}`);
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** The one-paragraph summary `paperRun` displays. */
export function ledgerSummary(id: string, entry: LedgerEntry | null, stale: boolean | null): string {
  if (entry === null) return `**Paper scale:** not yet run to completion (no \`results/paper/${id}.json\`); \`npm run notebooks -- --scale paper ${id}\` runs it and records the measured time.`;
  const checks = entry.checks ?? [];
  const held = checks.filter((c) => c.passed).length;
  const documented = checks.filter((c) => !c.passed && c.disagreement).length;
  const m = entry.machine;
  const where = m ? ` on ${m.cores ?? "?"} cores (${m.cpu ?? "unknown CPU"}, ${m.backend?.backend ?? "?"} backend)` : "";
  const when = entry.commit ? `, commit ${entry.commit.slice(0, 7)}${entry.date ? ` of ${entry.date.slice(0, 10)}` : ""}` : "";
  const verdict = `${held} of ${checks.length} checks hold${documented ? `, ${documented} documented disagreement${documented > 1 ? "s" : ""} with the paper` : ""}`;
  const freshness = stale === true ? " **Stale:** the notebook or a lib file it imports changed since that run." : stale === null ? " (Whether the code changed since cannot be told here.)" : "";
  return `**Paper scale:** the last complete run took ${formatDuration(entry.seconds)}${where}${when}; status ${entry.status}, ${verdict}.${freshness}`;
}

/**
 * Show notebook `id`'s paper-scale ledger entry: measured run time, machine, verdict, and whether it is
 * stale. Returns the entry (null when there is none).
 */
export function paperRun(id: string): LedgerEntry | null {
  const entry = readLedgerEntry(checkId("paperRun", id));
  markdown(ledgerSummary(id, entry, entry ? ledgerStale(entry) : null));
  return entry;
}
