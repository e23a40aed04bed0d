// The main job: execute notebooks through Jupyter (nbclient driving the tslab kernel), in parallel, and write
// build/notebooks/ (executed copies), build/html/ (pages sharing one plotly.js) and build/report.json.
//
//   npm run notebooks [-- <filter>...] [--scale quick|paper] [--timeout <seconds per cell>] [--jobs <n>]
//
// A filter is a notebook id with optional * wildcards: `cracking-the-hessian/*`, `*/figure-1`.
// Exit code: 0 when every notebook ran with all its checks passed; 1 otherwise; 2 for bad arguments.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { findPython, jupyterPath, KERNEL_NAME, missingJupyterMessage, root as projectRoot, setup, SetupError } from "./setup.mjs";

export class UsageError extends Error {}

/** Parse the command line. */
export function parseArgs(argv) {
  const opts = { filters: [], scale: "quick", timeout: 600, jobs: availableParallelism(), notebooksDir: join(projectRoot, "notebooks"), outDir: join(projectRoot, "build"), setup: true };
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
    } else if (a === "--notebooks-dir" || a === "--out") {
      opts[a === "--out" ? "outDir" : "notebooksDir"] = resolve(value(i++, a));
    } else if (a === "--no-setup") {
      opts.setup = false;
    } else if (a.startsWith("--")) {
      throw new UsageError(`unknown option ${a} (options: --scale quick|paper, --timeout <s>, --jobs <n>)`);
    } else {
      opts.filters.push(a.replace(/\.ipynb$/, "").replace(/^notebooks\//, ""));
    }
  }
  return opts;
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

/** Select ids by filters; returns the selection and the filters that matched nothing. */
export function selectNotebooks(ids, filters) {
  if (filters.length === 0) return { selected: ids, unmatched: [] };
  const unmatched = [];
  const chosen = new Set();
  for (const f of filters) {
    const re = globToRegExp(f);
    const hits = ids.filter((id) => re.test(id));
    if (hits.length === 0) unmatched.push(f);
    hits.forEach((h) => chosen.add(h));
  }
  return { selected: ids.filter((id) => chosen.has(id)), unmatched };
}

function readChecks(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => {
    const c = JSON.parse(line);
    const entry = { name: c.name, measured: c.measured, expected: c.expected, tolerance: c.tolerance, kind: c.kind, passed: c.passed };
    if (c.disagreement) entry.disagreement = c.disagreement;
    return entry;
  });
}

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
    JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(":"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
  return new Promise((resolveRun) => {
    const child = spawn(python, [join(projectRoot, "tools", "execute_notebook.py"), JSON.stringify(args)], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr = (stderr + d).slice(-4000); });
    child.on("close", (code) => {
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      const checks = readChecks(checksFile);
      let result;
      try {
        result = JSON.parse(readFileSync(resultFile, "utf8"));
      } catch {
        const last = stderr.trim().split("\n").pop() ?? "";
        result = { status: "error", error: { cell: null, message: `the notebook driver exited with code ${code}: ${last}` } };
      }
      const entry = { id, status: result.status, seconds, scale: opts.scale, checks };
      if (result.error) entry.error = result.error;
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

function writeReport(outDir, entries, notebooksDir, ids) {
  const file = join(outDir, "report.json");
  // Runs of a subset merge into the report by id; entries of notebooks that no longer exist are dropped.
  let previous = [];
  try {
    previous = JSON.parse(readFileSync(file, "utf8")).notebooks ?? [];
  } catch {}
  const byId = new Map(previous.filter((e) => ids.includes(e.id)).map((e) => [e.id, e]));
  for (const e of entries) byId.set(e.id, e);
  const notebooks = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
  const count = (s) => notebooks.filter((e) => e.status === s).length;
  const disagreements = notebooks.flatMap((e) => e.checks.filter((c) => c.disagreement && !c.passed).map((c) => ({ id: e.id, check: c.name, why: c.disagreement })));
  const report = {
    generated: new Date().toISOString(),
    notebooksDir: relative(projectRoot, notebooksDir) || ".",
    summary: { notebooks: notebooks.length, ok: count("ok"), failed: count("failed"), error: count("error"), timeout: count("timeout"), disagreements: disagreements.length },
    disagreements,
    notebooks,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(report, null, 2) + "\n");
  renameSync(`${file}.tmp`, file);
  return report;
}

const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function writeIndex(outDir, report) {
  const rows = report.notebooks.map((e) => {
    const passed = e.checks.filter(holds).length;
    return `<tr class="${e.status}"><td><a href="${escapeHtml(e.id)}.html">${escapeHtml(e.id)}</a></td><td>${e.status}</td><td>${passed}/${e.checks.length}</td><td>${e.seconds}</td><td>${escapeHtml(e.scale ?? "")}</td><td>${e.error ? escapeHtml(e.error.message) : ""}</td></tr>`;
  });
  const html = `<!doctype html><meta charset="utf-8"><title>hessian-spectra notebooks</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}tr.ok td:nth-child(2){color:green}tr.failed td:nth-child(2),tr.error td:nth-child(2),tr.timeout td:nth-child(2){color:#b00}</style>
<h1>hessian-spectra: notebook report</h1><p>${escapeHtml(report.generated)} · ${report.summary.ok}/${report.summary.notebooks} ok</p>
${report.disagreements.length ? `<h2>Where the paper and the numbers disagree (${report.disagreements.length})</h2><ul>${report.disagreements.map((d) => `<li><a href="${escapeHtml(d.id)}.html">${escapeHtml(d.id)}</a>: <b>${escapeHtml(d.check)}</b> — ${escapeHtml(d.why)}</li>`).join("")}</ul>` : ""}
<table><tr><th>notebook</th><th>status</th><th>checks holding</th><th>seconds</th><th>scale</th><th>error</th></tr>${rows.join("\n")}</table>\n`;
  writeFileSync(join(outDir, "html", "index.html"), html);
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
  let python;
  try {
    python = opts.setup ? setup().python : findPython();
    if (!python) throw new SetupError(missingJupyterMessage());
  } catch (e) {
    console.error(`notebooks: ${e instanceof SetupError ? e.message : e.stack}`);
    return 1;
  }
  const ids = listNotebooks(opts.notebooksDir);
  const { selected, unmatched } = selectNotebooks(ids, opts.filters);
  for (const f of unmatched) console.error(`notebooks: no notebook matches "${f}" under ${relative(projectRoot, opts.notebooksDir) || "."}/ (ids look like cracking-the-hessian/theorem-3.1)`);
  if (selected.length === 0) {
    if (opts.filters.length === 0) console.error(`notebooks: no .ipynb files under ${opts.notebooksDir}`);
    return unmatched.length ? 2 : 1;
  }
  sharePlotly(opts.outDir);
  const jobs = Math.min(opts.jobs, selected.length);
  console.log(`notebooks: ${selected.length} to run, ${jobs} at a time, scale ${opts.scale}, cell timeout ${opts.timeout} s`);
  const started = Date.now();
  const width = String(selected.length).length;
  const entries = await pool(selected, jobs, (id) => runOne(id, opts, python), (e, k) => {
    const passed = e.checks.filter(holds).length;
    const noted = e.checks.filter((c) => c.disagreement && !c.passed).length;
    const why = e.error ? `  ${e.error.cell != null ? `cell ${e.error.cell}: ` : ""}${e.error.message}` : "";
    const failedNames = e.checks.filter((c) => !holds(c)).map((c) => `\n    FAIL ${c.name}: measured ${c.measured}, expected ${c.expected} (${c.kind}, tol ${c.tolerance})${c.disagreement ? "; marked as a disagreement with the paper, but the claim holds" : ""}`).join("");
    console.log(`[${String(k).padStart(width)}/${selected.length}] ${e.id}  ${e.status}  ${e.seconds.toFixed(1)} s  checks ${passed}/${e.checks.length} hold${noted ? ` (${noted} documented disagreement${noted > 1 ? "s" : ""} with the paper)` : ""}${why}${failedNames}`);
  });
  const report = writeReport(opts.outDir, entries, opts.notebooksDir, ids);
  writeIndex(opts.outDir, report);
  try { const b = await (await import("./book.mjs")).book({ buildDir: opts.outDir, notebooksDir: opts.notebooksDir, report }); console.log(`notebooks: book ${relative(process.cwd(), join(b.outDir, "index.html"))}`); } catch (e) { console.error(`notebooks: the book (build/site) was not written: ${e.message}`); }
  const bad = entries.filter((e) => e.status !== "ok");
  const total = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`notebooks: ${entries.length - bad.length}/${entries.length} ok in ${total} s; report ${relative(process.cwd(), join(opts.outDir, "report.json"))}, pages ${relative(process.cwd(), join(opts.outDir, "html"))}/`);
  return bad.length > 0 || unmatched.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
