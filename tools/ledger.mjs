// The paper-scale ledger and what the runner needs around it: atomic JSON writes, a lock for merging into a
// shared report, shards, the compute backend, the machine, git commits, and whether a ledger entry is stale.
//
// A ledger entry, results/paper/<paper>/<id>.json, is the report entry of one complete paper-scale run of a
// notebook (id, status, seconds, checks, the parameters its pick() chose) plus commit, date and machine. The
// runner writes it; nobody edits it by hand. It is stale when the notebook or a lib file it imports
// (transitively) differs from what that commit holds.
import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Write text to a file atomically: a temp file in the same folder, then rename over the target. */
export function writeFileAtomic(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${file.slice(dirname(file).length + 1)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export const writeJsonAtomic = (file, value) => writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/**
 * Run `update` while holding `<file>.lock` (created exclusively; a lock whose owner process is gone is
 * taken over), so two runners merging into the same report never lose each other's entries.
 */
export function withLock(file, update, { timeoutMs = 120_000 } = {}) {
  const lock = `${file}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      let owner = NaN;
      try { owner = Number(readFileSync(lock, "utf8")); } catch {}
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) { rmSync(lock, { force: true }); continue; }
      if (Date.now() - started > timeoutMs) throw new Error(`${lock} has been held by process ${owner} for ${timeoutMs / 1000} s; remove it if no runner is running`);
      sleep(50);
    }
  }
  try {
    return update();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Parse a shard "k/N" (1 <= k <= N) for option `name`; throws a one-line message otherwise. */
export function parseShard(text, name = "--shard") {
  const m = /^(\d+)\/(\d+)$/.exec(String(text));
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new Error(`${name} must be k/N with whole numbers 1 <= k <= N, got "${text}"`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** The k-th of N disjoint slices of a list: items i with i mod N = k - 1 (the same rule as lib/tasks/shard.ts). */
export const shardOf = (items, shard) => (shard ? items.filter((_, i) => i % shard.count === shard.index - 1) : items);

const git = (args) => spawnSync("git", args, { cwd: root, encoding: "utf8" });

/** The commit checked out (null outside a git checkout). */
export function headCommit() {
  const r = git(["rev-parse", "HEAD"]);
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The linear-algebra backend, from lib/linalg/kernels' backendInfo() in a child Node ("unknown" without it). */
export function detectBackend() {
  const kernels = join(root, "lib", "linalg", "kernels", "index.ts");
  if (!existsSync(kernels)) return { backend: "unknown", library: "lib/linalg/kernels is absent", threads: null };
  const code = `process.stdout.write(JSON.stringify(require(${JSON.stringify(kernels)}).backendInfo()))`;
  const r = spawnSync(process.execPath, ["-r", join(root, "lib", "tasks", "register-ts.cjs"), "-e", code], { cwd: root, encoding: "utf8", timeout: 60_000 });
  try {
    return JSON.parse(r.stdout);
  } catch {
    const last = (r.stderr || "").trim().split("\n").filter(Boolean).pop() ?? `exit code ${r.status}`;
    return { backend: "unknown", library: `backendInfo() failed: ${last}`, threads: null };
  }
}

/** The machine a run is recorded on. */
export function machineInfo(backend) {
  return { cores: availableParallelism(), cpu: cpus()[0]?.model?.trim() ?? "unknown", backend };
}

function relativeImports(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...code.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g)].map((m) => m[1]);
}

const resolveTs = (base) => [`${base}.ts`, join(base, "index.ts"), base].find((p) => existsSync(p) && statSync(p).isFile());

/** The notebook and every project file it imports, transitively (paths relative to the root, sorted). */
export function notebookFiles(notebookPath) {
  const seen = new Set([notebookPath]);
  const visit = (file) => {
    for (const spec of relativeImports(readFileSync(file, "utf8"))) {
      const hit = resolveTs(join(file, "..", spec));
      if (hit && !seen.has(hit)) { seen.add(hit); visit(hit); }
    }
  };
  try {
    const nb = JSON.parse(readFileSync(notebookPath, "utf8"));
    for (const cell of nb.cells ?? []) {
      if (cell.cell_type !== "code") continue;
      // Notebook imports are relative to the project root (the kernel's working directory).
      for (const spec of relativeImports([].concat(cell.source).join(""))) {
        const hit = resolveTs(join(root, spec));
        if (hit && !seen.has(hit)) { seen.add(hit); visit(hit); }
      }
    }
  } catch {}
  return [...seen].map((f) => relative(root, f).split(sep).join("/")).sort();
}

/** A notebook's code cells, in order: prose, outputs and metadata cannot change a result (as lib/notebook/ledger.ts). */
export function notebookCode(json) {
  const nb = JSON.parse(json);
  return (nb.cells ?? []).filter((c) => c.cell_type === "code").map((c) => [].concat(c.source ?? []).join("")).join("\n\u0000\n");
}

function sameNotebookCode(commit, file) {
  const then = spawnSync("git", ["show", `${commit}:${file}`], { cwd: root, encoding: "utf8", maxBuffer: 256 << 20 });
  if (then.status !== 0) return false;
  try {
    return notebookCode(then.stdout) === notebookCode(readFileSync(join(root, file), "utf8"));
  } catch {
    return false;
  }
}

/**
 * Whether any of `files` differs from what `commit` holds (committed since, or edited and not committed); a
 * notebook counts as changed only when its code cells did.
 */
export function changedSince(commit, files) {
  if (!commit || git(["cat-file", "-e", `${commit}^{commit}`]).status !== 0) return { stale: true, why: `commit ${commit ? commit.slice(0, 10) : "(none)"} is not in this checkout` };
  const r = git(["diff", "--name-only", commit, "--", ...files]);
  const changed = r.stdout.split("\n").filter(Boolean).filter((f) => !f.endsWith(".ipynb") || !sameNotebookCode(commit, f));
  return changed.length ? { stale: true, why: `changed since ${commit.slice(0, 10)}: ${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ` and ${changed.length - 3} more` : ""}` } : { stale: false };
}

/** Whether the ledger entry of the notebook at `notebookPath` is stale (`changedSince` on its files; no notebook: stale). */
export function entryStaleness(entry, notebookPath) {
  return existsSync(notebookPath) ? changedSince(entry.commit, notebookFiles(notebookPath)) : { stale: true, why: "the notebook no longer exists" };
}

/** The ledger file of a notebook id. */
export const ledgerPath = (resultsDir, id) => join(resultsDir, "paper", `${id}.json`);

/** Every ledger entry under resultsDir/paper, by id (unreadable files are reported, not used). */
export function readLedger(resultsDir) {
  const dir = join(resultsDir, "paper");
  const out = new Map();
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".json") && !e.name.startsWith(".")) {
        try {
          const entry = JSON.parse(readFileSync(p, "utf8"));
          out.set(entry.id ?? relative(dir, p).split(sep).join("/").slice(0, -5), entry);
        } catch (err) {
          console.error(`notebooks: ledger file ${p} is not valid JSON (${err.message}); ignored`);
        }
      }
    }
  };
  walk(dir);
  return out;
}

/** Merge report entries by id into a report object (entries of `incoming` win). */
export function mergeEntries(previous, incoming) {
  const byId = new Map(previous.map((e) => [e.id, e]));
  for (const e of incoming) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
}

/**
 * Assemble the outputs of shard runs: each dir may hold report.json / report-paper.json (a shard's --out),
 * paper/ and tasks/ (a shard's --results), or a results/ folder with those. Reports merge by id (the later
 * report wins a conflict), ledger entries by id (the later date wins), task files are copied when absent.
 */
export function collectShards(dirs) {
  const reports = { "report.json": [], "report-paper.json": [] };
  const ledger = new Map();
  const tasks = [];
  const visit = (dir) => {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--merge: ${dir} is not a folder`);
    for (const name of Object.keys(reports)) {
      const f = join(dir, name);
      if (existsSync(f)) reports[name].push(JSON.parse(readFileSync(f, "utf8")));
    }
    for (const [id, entry] of readLedger(dir)) {
      const had = ledger.get(id);
      if (!had || String(entry.date) > String(had.date)) ledger.set(id, entry);
    }
    const walk = (d) => {
      if (!existsSync(d)) return;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/^[0-9a-f]{64}\.json$/.test(e.name)) tasks.push({ from: p, rel: relative(join(dir, "tasks"), p) });
      }
    };
    walk(join(dir, "tasks"));
    if (existsSync(join(dir, "results"))) visit(join(dir, "results"));
  };
  dirs.forEach(visit);
  for (const name of Object.keys(reports)) reports[name].sort((a, b) => String(a.generated).localeCompare(String(b.generated)));
  return { reports, ledger, tasks };
}

/** Copy task files into tasksDir when absent there (a file that does not parse, or whose key is not its name, is skipped). */
export function copyTasks(tasks, tasksDir) {
  let copied = 0;
  for (const t of tasks) {
    const dest = join(tasksDir, t.rel);
    if (existsSync(dest)) continue;
    try {
      const record = JSON.parse(readFileSync(t.from, "utf8"));
      if (`${record.key}.json` !== t.rel.split(sep).pop()) throw new Error("its key is not its file name");
    } catch (e) {
      console.error(`notebooks: --merge: task file ${t.from} skipped (${e.message})`);
      continue;
    }
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(t.from, `${dest}.${process.pid}.tmp`);
    renameSync(`${dest}.${process.pid}.tmp`, dest);
    copied++;
  }
  return copied;
}
