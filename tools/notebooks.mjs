// The main job: execute notebooks through Jupyter (nbclient driving the tslab kernel), in parallel, and write
// build/notebooks/ (executed copies), build/html/ (pages sharing one plotly.js) and build/report.json.
//
//   npm run notebooks [-- <filter>...] [--scale quick|paper] [--timeout <seconds per cell>] [--jobs <n>]
//                     [--shard k/N] [--task-shard k/N] [--results <dir>] [--outdated]
//   npm run notebooks -- --merge <dir>... [--out <dir>] [--results <dir>]
//
// A filter is a notebook id with optional * wildcards (`cracking-the-hessian/*`, `*/figure-1`) or a folder of
// notebooks (`depth-not-data`). With --scale paper, --outdated keeps only the selected notebooks whose ledger
// entry is missing or stale (brings the ledger up to date).
// At paper scale each completed notebook is recorded in the ledger, <results>/paper/<paper>/<id>.json
// (tools/ledger.mjs), and the report is build/report-paper.json; build/report.json stays the quick report.
// --shard k/N runs the k-th of N disjoint slices of the selected notebooks; --task-shard k/N runs every
// selected notebook but lets each study compute only its k-th slice of tasks (HS_SHARD, lib/tasks); --merge
// assembles reports, ledger entries and task files from shard outputs.
// Exit code: 0 when every notebook ran with all its checks passed; 1 otherwise; 2 for bad arguments.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, constants as osConstants } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { findPython, jupyterPath, KERNEL_NAME, missingJupyterMessage, root as projectRoot, setup, SetupError } from "./setup.mjs";
import { collectShards, copyTasks, detectBackend, entryStaleness, headCommit, ledgerPath, machineInfo, mergeEntries, notebookFiles, parseShard, readLedger, shardOf, withLock, writeFileAtomic, writeJsonAtomic } from "./ledger.mjs";

export class UsageError extends Error {}

/** Parse the command line. */
export function parseArgs(argv) {
  const opts = { filters: [], scale: "quick", timeout: 600, jobs: availableParallelism(), notebooksDir: join(projectRoot, "notebooks"), outDir: join(projectRoot, "build"), resultsDir: join(projectRoot, "results"), setup: true, shard: null, taskShard: null, merge: null, outdated: false };
  const value = (i, name) => {
    if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--scale") {
      opts.scale = value(i++, a);
      if (opts.scale !== "quick" && opts.scale !== "paper") throw new UsageError(`--scale must be quick or paper, got "${opts.scale}"`);
    } else if (a === "--timeout" || a === "--jobs") {
      const n = Number(value(i++, a));
      if (!(n > 0) || (a === "--jobs" && !Number.isInteger(n))) throw new UsageError(`${a} must be a positive ${a === "--jobs" ? "integer" : "number"}, got "${argv[i]}"`);
      opts[a.slice(2)] = n;
    } else if (a === "--notebooks-dir" || a === "--out" || a === "--results") {
      opts[{ "--out": "outDir", "--results": "resultsDir", "--notebooks-dir": "notebooksDir" }[a]] = resolve(value(i++, a));
    } else if (a === "--shard" || a === "--task-shard") {
      try {
        opts[a === "--shard" ? "shard" : "taskShard"] = parseShard(value(i++, a), a);
      } catch (e) {
        throw new UsageError(e.message);
      }
    } else if (a === "--merge") {
      opts.merge = [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) opts.merge.push(resolve(argv[++i]));
      if (opts.merge.length === 0) throw new UsageError("--merge needs the shard output folders to merge");
    } else if (a === "--no-setup") {
      opts.setup = false;
    } else if (a === "--outdated") {
      opts.outdated = true;
    } else if (a.startsWith("--")) {
      throw new UsageError(`unknown option ${a} (options: --scale quick|paper, --timeout <s>, --jobs <n>, --shard k/N, --task-shard k/N, --results <dir>, --outdated, --merge <dir>...)`);
    } else {
      opts.filters.push(a.replace(/\.ipynb$/, "").replace(/^notebooks\//, ""));
    }
  }
  if (opts.outdated && opts.scale !== "paper") throw new UsageError("--outdated reads the paper-scale ledger: it needs --scale paper");
  return opts;
}

/**
 * The ids among `ids` whose paper-scale ledger entry is missing or stale (the notebook's code or a file it
 * imports changed since the entry's commit), with the reason for each.
 */
export function outdatedNotebooks(ids, resultsDir, notebooksDir) {
  const ledger = readLedger(resultsDir);
  const out = [];
  for (const id of ids) {
    const e = ledger.get(id);
    if (!e) { out.push({ id, why: "no entry" }); continue; }
    const s = entryStaleness(e, join(notebooksDir, `${id}.ipynb`));
    if (s.stale) out.push({ id, why: s.why });
  }
  return out;
}

/** Every notebook id under dir: the path relative to dir, without .ipynb, with forward slashes. */
export function listNotebooks(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(".ipynb")) out.push(relative(dir, p).split(sep).join("/").slice(0, -6));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

function globToRegExp(glob) {
  return new RegExp("^" + glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*") + "$");
}

/**
 * Former ids of renamed notebooks (`metadata.claim.formerly`, the id without the paper folder): a map from
 * the old full id (`data-dependence/eq-7-trace`) to the current one, so old ids stay findable.
 */
export function formerIds(dir, ids = listNotebooks(dir)) {
  const map = new Map();
  for (const id of ids) {
    let old;
    try {
      old = JSON.parse(readFileSync(join(dir, `${id}.ipynb`), "utf8")).metadata?.claim?.formerly;
    } catch {
      continue; // an unreadable notebook fails in its own run, with its own message
    }
    if (typeof old === "string" && old !== "") map.set(`${id.split("/")[0]}/${old}`, id);
  }
  return map;
}

/**
 * Select ids by filters; returns the selection and the filters that matched nothing. A filter also matches a
 * notebook by its former id (`formerly`, a map old id -> id); `renamed` lists those matches.
 */
export function selectNotebooks(ids, filters, formerly = new Map()) {
  if (filters.length === 0) return { selected: ids, unmatched: [], renamed: [] };
  const unmatched = [];
  const renamed = [];
  const chosen = new Set();
  for (const f of filters) {
    // A filter naming a folder (`depth-not-data`, `depth-not-data/`) selects the notebooks under it.
    const re = globToRegExp(f.replace(/\/+$/, ""));
    const under = new RegExp(re.source.slice(0, -1) + "/.+$");
    const hits = ids.filter((id) => re.test(id) || under.test(id));
    for (const [old, id] of formerly) {
      if (re.test(old) && !hits.includes(id)) {
        hits.push(id);
        renamed.push({ old, id });
      }
    }
    if (hits.length === 0) unmatched.push(f);
    hits.forEach((h) => chosen.add(h));
  }
  return { selected: ids.filter((id) => chosen.has(id)), unmatched, renamed };
}

/** The checks and the parameters pick() chose, from the run's JSON-lines record (lib/notebook/check.ts). */
function readRecord(file) {
  if (!existsSync(file)) return { checks: [], parameters: [] };
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
  return { checks: lines.filter((c) => c.record !== "parameters").map(checkEntry), parameters: lines.filter((c) => c.record === "parameters").map((c) => c.parameters) };
}

function checkEntry(c) {
  const entry = { name: c.name, measured: c.measured, expected: c.expected, tolerance: c.tolerance, kind: c.kind, passed: c.passed };
  if (c.disagreement) entry.disagreement = c.disagreement;
  return entry;
}

/** The mark tools/execute_notebook.py puts before a study's progress line on its stderr (it must match PROGRESS there). */
const PROGRESS = "\x1eprogress ";

/** As lib/notebook/check.ts `checkHolds`: passed, or failed where the notebook documents a disagreement with the paper. */
export const holds = (c) => (c.disagreement ? !c.passed : c.passed);

/**
 * Run one notebook, once more when tslab failed with "Unexpected pending rebuildTimer": its file watcher
 * trips when a library file changes during the run (editing while notebooks run), not on anything the
 * notebook did.
 */
async function runOne(id, opts, python) {
  const first = await runOnce(id, opts, python);
  if (first.status !== "error" || !/pending rebuildTimer/.test(first.error?.message ?? "")) return first;
  const second = await runOnce(id, opts, python);
  second.retried = first.error.message;
  return second;
}

/**
 * The running notebook drivers. A runner stopped by a signal passes SIGTERM on to them: nbclient, in each
 * driver, then shuts its kernel down (Jupyter starts the kernel in a session of its own, out of reach of a
 * signal to this process group), so no kernel goes on computing after its run was stopped. What the run
 * finished is already stored; a stopped notebook's outcome is not recorded (its previous entry stays).
 */
const drivers = new Set();
let stopping = false;
let stopCode = 0;
const exitIfStopped = () => { if (stopping && drivers.size === 0) process.exit(stopCode); };
function stopDriversOnSignals() {
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    stopCode = 128 + osConstants.signals[sig];
    console.error(`notebooks: ${sig}: stopping ${drivers.size} running notebook(s) and their kernels`);
    for (const child of drivers) child.kill("SIGTERM");
    exitIfStopped();
    setTimeout(() => process.exit(stopCode), 10_000).unref(); // a driver that ignores SIGTERM
  });
}

/** Run one notebook: the python driver executes it, the kernel appends its checks to HS_CHECKS. */
function runOnce(id, opts, python) {
  const started = Date.now();
  const work = join(opts.outDir, "run", id);
  mkdirSync(dirname(work), { recursive: true });
  const checksFile = `${work}.checks.jsonl`;
  const resultFile = `${work}.result.json`;
  rmSync(checksFile, { force: true });
  rmSync(resultFile, { force: true });
  const outputNotebook = join(opts.outDir, "notebooks", `${id}.ipynb`);
  const outputHtml = join(opts.outDir, "html", `${id}.html`);
  const plotlyFile = join(opts.outDir, "html", "plotly.js");
  const rel = (from) => relative(dirname(from), plotlyFile).split(sep).join("/");
  const args = {
    input: join(opts.notebooksDir, `${id}.ipynb`),
    output_notebook: outputNotebook,
    output_html: outputHtml,
    kernel_name: KERNEL_NAME,
    timeout: opts.timeout,
    cwd: projectRoot,
    plotly_src_notebook: rel(outputNotebook),
    plotly_src_html: rel(outputHtml),
    result: resultFile,
  };
  const env = {
    ...process.env,
    HS_SCALE: opts.scale,
    HS_CHECKS: checksFile,
    // Where studies keep their tasks: the ledger's results folder unless the caller chose one.
    // (quick-scale tasks stay in lib/tasks' default, build/tasks, out of the committed results/)
    ...(process.env.HS_TASKS_DIR || opts.scale === "paper" ? { HS_TASKS_DIR: process.env.HS_TASKS_DIR || join(opts.resultsDir, "tasks") } : {}),
    ...(opts.taskShard ? { HS_SHARD: `${opts.taskShard.index}/${opts.taskShard.count}` } : {}),
    JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(":"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
  // stopping by a signal: start nothing new (the process exits once the running drivers are gone)
  if (stopping) return new Promise(() => {});
  return new Promise((resolveRun) => {
    const child = spawn(python, [join(projectRoot, "tools", "execute_notebook.py"), JSON.stringify(args)], { env, stdio: ["ignore", "ignore", "pipe"] });
    drivers.add(child);
    child.on("exit", () => { drivers.delete(child); exitIfStopped(); });
    let stderr = "";
    let partial = "";
    child.stderr.on("data", (d) => {
      // whole lines: a study's progress (marked by the driver) is shown now; the rest is kept for error messages
      const lines = (partial + d).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith(PROGRESS)) console.log(`  ${id}  ${line.slice(PROGRESS.length)}`);
        else stderr = (stderr + line + "\n").slice(-4000);
      }
    });
    child.on("close", (code) => {
      if (stopping) return; // stopped by a signal: not an outcome of the notebook, record nothing
      if (partial) stderr = (stderr + partial).slice(-4000);
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      const { checks, parameters } = readRecord(checksFile);
      let result;
      try {
        result = JSON.parse(readFileSync(resultFile, "utf8"));
      } catch {
        const last = stderr.trim().split("\n").pop() ?? "";
        result = { status: "error", error: { cell: null, message: `the notebook driver exited with code ${code}: ${last}` } };
      }
      const entry = { id, status: result.status, seconds, scale: opts.scale, checks, parameters };
      if (result.error) entry.error = result.error;
      // Under --task-shard a study stops once its slice is stored (lib/tasks ShardPendingError): not a failure.
      if (entry.status === "error" && opts.taskShard && /belong to other shards/.test(entry.error?.message ?? "")) entry.status = "shard-pending";
      if (entry.status === "ok") {
        const failed = checks.filter((c) => !holds(c));
        if (failed.length > 0) {
          entry.status = "failed";
        } else if (checks.length === 0) {
          entry.status = "failed";
          entry.error = { cell: null, message: "the notebook recorded no check" };
        }
      }
      resolveRun(entry);
    });
  });
}

/** The report of a scale: build/report.json (quick) or build/report-paper.json. */
export const reportFile = (outDir, scale) => join(outDir, scale === "paper" ? "report-paper.json" : "report.json");

/**
 * Merge a run's entries into the report of its scale, under a lock and written atomically: runs of other
 * filters, at the same time or before, keep their entries; entries of notebooks that no longer exist are
 * dropped (when `ids` is given).
 */
export function writeReport(outDir, entries, notebooksDir, ids, scale = "quick", backend = undefined) {
  const file = reportFile(outDir, scale);
  return withLock(file, () => {
    let previous = {};
    try {
      previous = JSON.parse(readFileSync(file, "utf8"));
    } catch {}
    const kept = (previous.notebooks ?? []).filter((e) => !ids || ids.includes(e.id));
    return writeReportFile(file, mergeEntries(kept, entries), notebooksDir, backend ?? previous.backend);
  });
}

function writeReportFile(file, notebooks, notebooksDir, backend) {
  const count = (s) => notebooks.filter((e) => e.status === s).length;
  const disagreements = notebooks.flatMap((e) => e.checks.filter((c) => c.disagreement && !c.passed).map((c) => ({ id: e.id, check: c.name, why: c.disagreement })));
  const report = {
    generated: new Date().toISOString(),
    notebooksDir: relative(projectRoot, notebooksDir) || ".",
    backend: backend ?? { backend: "unknown" },
    summary: { notebooks: notebooks.length, ok: count("ok"), failed: count("failed"), error: count("error"), timeout: count("timeout"), disagreements: disagreements.length },
    disagreements,
    notebooks,
  };
  writeJsonAtomic(file, report);
  return report;
}

/** Record a completed paper-scale run in the ledger: the report entry plus commit, date and machine. */
function writeLedgerEntry(opts, entry, run) {
  const files = notebookFiles(join(opts.notebooksDir, `${entry.id}.ipynb`));
  const dirty = run.commit ? spawnSyncGit(["diff", "--quiet", "HEAD", "--", ...files]) !== 0 : true;
  const record = { ...entry, commit: run.commit, dirty, date: new Date().toISOString(), machine: run.machine, files };
  writeJsonAtomic(ledgerPath(opts.resultsDir, entry.id), record);
}

const spawnSyncGit = (args) => spawnSync("git", args, { cwd: projectRoot }).status;

const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/**
 * build/html/index.html: the quick verdict (build/report.json) and the paper verdict (the ledger) of every
 * notebook side by side; a ledger entry whose notebook or imported lib files changed since its commit is
 * marked stale, never shown as a current verdict.
 */
function writeIndex(outDir, report, resultsDir = join(projectRoot, "results"), notebooksDir = join(projectRoot, "notebooks")) {
  const ledger = readLedger(resultsDir);
  const ids = [...new Set([...report.notebooks.map((e) => e.id), ...ledger.keys()])].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const quickById = new Map(report.notebooks.map((e) => [e.id, e]));
  const formerOf = new Map([...formerIds(notebooksDir)].map(([old, id]) => [id, old]));
  const paperDisagreements = [...ledger.values()].flatMap((e) => (e.checks ?? []).filter((c) => c.disagreement && !c.passed).map((c) => ({ id: e.id, check: c.name, why: c.disagreement })));
  const verdict = (e) => (e ? `<td class="${e.status}">${e.status}</td><td>${e.checks.filter(holds).length}/${e.checks.length}</td><td>${e.seconds}</td>` : `<td>—</td><td></td><td></td>`);
  const rows = ids.map((id) => {
    const q = quickById.get(id);
    const p = ledger.get(id);
    let paper = verdict(p);
    if (p) {
      const s = entryStaleness(p, join(notebooksDir, `${id}.ipynb`));
      paper += `<td class="${s.stale ? "stale" : "current"}">${escapeHtml(String(p.commit ?? "").slice(0, 10))} ${escapeHtml(String(p.date ?? "").slice(0, 10))}${s.stale ? ` <b>stale</b>: ${escapeHtml(s.why)}` : ""}</td>`;
    } else paper += "<td></td>";
    const error = [q?.error && `quick: ${q.error.message}`, p?.error && `paper: ${p.error.message}`].filter(Boolean).join("; ");
    const former = formerOf.has(id) ? ` <small>(formerly ${escapeHtml(formerOf.get(id))})</small>` : "";
    return `<tr><td><a href="${escapeHtml(id)}.html">${escapeHtml(id)}</a>${former}</td>${verdict(q)}${paper}<td>${escapeHtml(error)}</td></tr>`;
  });
  const html = `<!doctype html><meta charset="utf-8"><title>hessian-spectra notebooks</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}td.ok{color:green}td.failed,td.error,td.timeout,td.stale{color:#b00}</style>
<h1>hessian-spectra: notebook report</h1><p>${escapeHtml(report.generated)} · ${report.summary.ok}/${report.summary.notebooks} ok</p>
${paperDisagreements.length ? `<h2>Where the paper and the numbers disagree at paper scale (${paperDisagreements.length})</h2><ul>${paperDisagreements.map((d) => `<li><a href="${escapeHtml(d.id)}.html">${escapeHtml(d.id)}</a>: <b>${escapeHtml(d.check)}</b> — ${escapeHtml(d.why)}</li>`).join("")}</ul>` : ""}
${report.disagreements.length ? `<h2>Where the paper and the numbers disagree (${report.disagreements.length})</h2><ul>${report.disagreements.map((d) => `<li><a href="${escapeHtml(d.id)}.html">${escapeHtml(d.id)}</a>: <b>${escapeHtml(d.check)}</b> — ${escapeHtml(d.why)}</li>`).join("")}</ul>` : ""}
<table><tr><th rowspan="2">notebook</th><th colspan="3">quick scale</th><th colspan="4">paper scale (ledger)</th><th rowspan="2">error</th></tr>
<tr><th>status</th><th>checks holding</th><th>seconds</th><th>status</th><th>checks holding</th><th>seconds</th><th>commit, date</th></tr>${rows.join("\n")}</table>\n`;
  writeFileAtomic(join(outDir, "html", "index.html"), html);
}

function sharePlotly(outDir) {
  const src = join(projectRoot, "node_modules", "plotly.js-dist", "plotly.js");
  const dest = join(outDir, "html", "plotly.js");
  mkdirSync(dirname(dest), { recursive: true });
  if (!existsSync(dest) || statSync(dest).size !== statSync(src).size) copyFileSync(src, dest);
}

/** Run a pool of at most `jobs` notebooks at once; `onDone` sees each result as it arrives. */
async function pool(items, jobs, work, onDone) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      const r = await work(item);
      results.push(r);
      onDone(r, results.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

export async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    console.error(`notebooks: ${e.message}`);
    return 2;
  }
  if (opts.merge) return mergeShards(opts);
  stopDriversOnSignals();
  let python;
  try {
    python = opts.setup ? setup().python : findPython();
    if (!python) throw new SetupError(missingJupyterMessage());
  } catch (e) {
    console.error(`notebooks: ${e instanceof SetupError ? e.message : e.stack}`);
    return 1;
  }
  const ids = listNotebooks(opts.notebooksDir);
  const { selected, unmatched, renamed } = selectNotebooks(ids, opts.filters, formerIds(opts.notebooksDir, ids));
  for (const r of renamed) console.log(`notebooks: ${r.old} is now ${r.id}`);
  for (const f of unmatched) console.error(`notebooks: no notebook matches "${f}" under ${relative(projectRoot, opts.notebooksDir) || "."}/ (ids look like cracking-the-hessian/theorem-3.1)`);
  if (selected.length === 0) {
    if (opts.filters.length === 0) console.error(`notebooks: no .ipynb files under ${opts.notebooksDir}`);
    return unmatched.length ? 2 : 1;
  }
  let chosen = selected;
  if (opts.outdated) {
    const outdated = outdatedNotebooks(selected, opts.resultsDir, opts.notebooksDir);
    console.log(`notebooks: --outdated: ${outdated.length} of the ${selected.length} selected notebooks have no current paper-scale entry`);
    for (const o of outdated) console.log(`  ${o.id}: ${o.why}`);
    chosen = outdated.map((o) => o.id);
  }
  const mine = shardOf(chosen, opts.shard);
  if (opts.shard) console.log(`notebooks: shard ${opts.shard.index}/${opts.shard.count}: ${mine.length} of the ${chosen.length} selected notebooks`);
  if (mine.length === 0) return 0;
  sharePlotly(opts.outDir);
  // BLAS threads per kernel: the cores shared among the notebooks that run at once (two kernels with two
  // OpenBLAS threads each on two cores oversubscribe them, and OpenBLAS's spinning threads then cost more
  // than they give); HS_THREADS overrides.
  // Likewise the worker threads of a study (lib/tasks), HS_WORKERS.
  const share = String(Math.max(1, Math.floor(availableParallelism() / Math.min(opts.jobs, mine.length))));
  if (!process.env.HS_THREADS) process.env.HS_THREADS = share;
  if (!process.env.HS_WORKERS) process.env.HS_WORKERS = share;
  const backend = detectBackend();
  console.log(`notebooks: linear algebra backend ${backend.backend}${backend.library ? ` (${backend.library})` : ""}${backend.threads ? `, ${backend.threads} BLAS thread${backend.threads > 1 ? "s" : ""}` : ""}`);
  const run = { commit: headCommit(), machine: machineInfo(backend) };
  const jobs = Math.min(opts.jobs, mine.length);
  console.log(`notebooks: ${mine.length} to run, ${jobs} at a time, scale ${opts.scale}, cell timeout ${opts.timeout} s${opts.taskShard ? `, study tasks of shard ${opts.taskShard.index}/${opts.taskShard.count}` : ""}`);
  const started = Date.now();
  const width = String(mine.length).length;
  const entries = await pool(mine, jobs, (id) => runOne(id, opts, python), (e, k) => {
    // Record each notebook as it completes, so an interrupted run keeps what it finished.
    writeReport(opts.outDir, [e], opts.notebooksDir, ids, opts.scale, backend);
    if (opts.scale === "paper" && (e.status === "ok" || e.status === "failed")) writeLedgerEntry(opts, e, run);
    const passed = e.checks.filter(holds).length;
    const noted = e.checks.filter((c) => c.disagreement && !c.passed).length;
    const why = e.error ? `  ${e.error.cell != null ? `cell ${e.error.cell}: ` : ""}${e.error.message}` : "";
    const failedNames = e.checks.filter((c) => !holds(c)).map((c) => `\n    FAIL ${c.name}: measured ${c.measured}, expected ${c.expected} (${c.kind}, tol ${c.tolerance})${c.disagreement ? "; marked as a disagreement with the paper, but the claim holds" : ""}`).join("");
    console.log(`[${String(k).padStart(width)}/${mine.length}] ${e.id}  ${e.status}  ${e.seconds.toFixed(1)} s  checks ${passed}/${e.checks.length} hold${noted ? ` (${noted} documented disagreement${noted > 1 ? "s" : ""} with the paper)` : ""}${why}${failedNames}`);
  });
  const report = writeReport(opts.outDir, entries, opts.notebooksDir, ids, opts.scale, backend);
  writeIndex(opts.outDir, opts.scale === "quick" ? report : quickReport(opts.outDir), opts.resultsDir, opts.notebooksDir);
  if (opts.scale === "quick") try { const b = await (await import("./book.mjs")).book({ buildDir: opts.outDir, notebooksDir: opts.notebooksDir, report }); console.log(`notebooks: book ${relative(process.cwd(), join(b.outDir, "index.html"))}`); } catch (e) { console.error(`notebooks: the book (build/site) was not written: ${e.message}`); }
  const bad = entries.filter((e) => e.status !== "ok" && e.status !== "shard-pending");
  const pending = entries.length - bad.length - entries.filter((e) => e.status === "ok").length;
  const total = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`notebooks: ${entries.length - bad.length - pending}/${entries.length} ok${pending ? `, ${pending} waiting for the tasks of other shards` : ""} in ${total} s; report ${relative(process.cwd(), reportFile(opts.outDir, opts.scale))}, pages ${relative(process.cwd(), join(opts.outDir, "html"))}/${opts.scale === "paper" ? `, ledger ${relative(process.cwd(), join(opts.resultsDir, "paper"))}/` : ""}`);
  return bad.length > 0 || unmatched.length > 0 ? 1 : 0;
}

/** The quick report on disk (an empty one when there is none yet). */
function quickReport(outDir) {
  try {
    return JSON.parse(readFileSync(reportFile(outDir, "quick"), "utf8"));
  } catch {
    return { generated: "", notebooks: [], disagreements: [], summary: { notebooks: 0, ok: 0 } };
  }
}

/** --merge: reports, ledger entries and task files of shard outputs into --out and --results. */
function mergeShards(opts) {
  let found;
  try {
    found = collectShards(opts.merge);
  } catch (e) {
    console.error(`notebooks: ${e.message}`);
    return 2;
  }
  let reports = 0;
  for (const scale of ["quick", "paper"]) {
    const parts = found.reports[scale === "paper" ? "report-paper.json" : "report.json"];
    if (parts.length === 0) continue;
    reports += parts.length;
    const backend = parts[parts.length - 1].backend;
    writeReport(opts.outDir, parts.flatMap((r) => r.notebooks ?? []), opts.notebooksDir, null, scale, backend);
  }
  for (const [id, entry] of found.ledger) {
    // A later entry already in the ledger is kept: merging never replaces a newer verdict by an older one.
    const had = readLedger(opts.resultsDir).get(id);
    if (!had || String(entry.date) >= String(had.date)) writeJsonAtomic(ledgerPath(opts.resultsDir, id), entry);
  }
  const tasks = copyTasks(found.tasks, process.env.HS_TASKS_DIR || join(opts.resultsDir, "tasks"));
  mkdirSync(join(opts.outDir, "html"), { recursive: true });
  writeIndex(opts.outDir, quickReport(opts.outDir), opts.resultsDir, opts.notebooksDir);
  console.log(`notebooks: merged ${reports} report${reports === 1 ? "" : "s"}, ${found.ledger.size} ledger entr${found.ledger.size === 1 ? "y" : "ies"} and ${tasks} new task file${tasks === 1 ? "" : "s"} from ${opts.merge.length} folder${opts.merge.length === 1 ? "" : "s"}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
