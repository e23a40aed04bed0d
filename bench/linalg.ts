/**
 * Benchmark (not a test): dense symmetric eigen-decomposition with vectors (`eigh`), at 1 and 2 BLAS threads:
 * ours on the default backend (native: LAPACK dsyevd through koffi), ours on the wasm backend (the project's
 * own solver), ml-matrix's EigenvalueDecomposition (n <= 1024), and numpy.linalg.eigh of Debian's
 * /usr/bin/python3 (which resolves libblas.so.3 / liblapack.so.3 through Debian's alternatives; with
 * libopenblas0-pthread installed that is OpenBLAS). Same random symmetric matrices for all; the accuracy of
 * each is checked (residual, orthogonality). Writes build/bench/linalg.json and .md atomically.
 *
 * npm run bench -- linalg [sizes...]   (default 256 512 1024 2048)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, realpathSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { eigh } from "../lib/linalg/eigh";
import { availableBackends, backendInfo, backendName, matmul, setBlasThreads, useBackend } from "../lib/linalg/kernels/index";
import type { BackendName } from "../lib/linalg/kernels/index";
import { rng } from "../lib/random/rng";
import { writeAtomic, profileTop } from "./common";

const EPS = 2.220446049250313e-16;
const outDir = join(process.cwd(), "build", "bench");
mkdirSync(outDir, { recursive: true });
const asked = process.argv.slice(2).map(Number);
for (const x of asked) if (!Number.isInteger(x) || x < 2) throw new RangeError(`bench linalg: sizes must be integers >= 2, got ${process.argv.slice(2).join(" ")}`);
const ns = asked.length > 0 ? asked : [256, 512, 1024, 2048];
const THREADS = [1, 2];
const ML_MAX = 1024;
const PY = "/usr/bin/python3";


function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const g = rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = g.normal(); a[i * n + j] = v; a[j * n + i] = v; }
  return a;
}


interface Accuracy { residual: number; orthogonality: number }

/** max_j ||A q_j - λ_j q_j|| / (n ||A||_F eps) and ||Q^T Q - I||_F / (n eps); vt holds the vectors as rows. */
function accuracy(a: Float64Array, values: ArrayLike<number>, vt: Float64Array, n: number): Accuracy {
  let anorm = 0;
  for (let i = 0; i < n * n; i++) anorm += a[i] * a[i];
  anorm = Math.sqrt(anorm);
  const qa = matmul(vt, a, n, n, n); // (A Q)^T = Q^T A, A symmetric
  let worst = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (qa[j * n + i] - values[j] * vt[j * n + i]) ** 2;
    worst = Math.max(worst, Math.sqrt(s));
  }
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q[j * n + i] = vt[i * n + j];
  const g = matmul(vt, q, n, n, n);
  let o = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) o += (g[i * n + j] - (i === j ? 1 : 0)) ** 2;
  return { residual: worst / (n * anorm * EPS), orthogonality: Math.sqrt(o) / (n * EPS) };
}

/** Vectors of an eigh result (columns of V) as rows. */
function rowsOf(V: Matrix, n: number): Float64Array {
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[j * n + i] = V.get(i, j);
  return vt;
}

/** Best wall time of `reps` runs of ours on backend `name`, with the accuracy of the last result. */
function ours(name: BackendName, M: Matrix, a: Float64Array, n: number, reps: number): { s: number } & Accuracy {
  useBackend(name);
  eigh(M, { vectors: true }); // warm-up (JIT, library load)
  let best = Infinity;
  let res = eigh(M, { vectors: true });
  for (let r = 0; r < reps; r++) {
    const t = now();
    res = eigh(M, { vectors: true });
    best = Math.min(best, now() - t);
  }
  return { s: best, ...accuracy(a, res.values, rowsOf(res.vectors!, n), n) };
}

const pyScript = `
import sys, time, json, numpy as np
n = int(sys.argv[2]); reps = int(sys.argv[3])
a = np.fromfile(sys.argv[1], dtype=np.float64).reshape(n, n)
w, v = np.linalg.eigh(a)  # warm-up
best = 1e300
for _ in range(reps):
    t = time.perf_counter(); w, v = np.linalg.eigh(a); best = min(best, time.perf_counter() - t)
eps = np.finfo(float).eps
res = float(np.max(np.linalg.norm(a @ v - v * w, axis=0)) / (n * np.linalg.norm(a) * eps))
orth = float(np.linalg.norm(v.T @ v - np.eye(n)) / (n * eps))
print(json.dumps({"s": best, "residual": res, "orthogonality": orth}))
`;

/** Which BLAS/LAPACK numpy runs on: its own config, then the resolved Debian alternatives (what it loads). */
const probeScript = `
import json, numpy as np
try:
    name = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
except Exception:
    info = getattr(np.__config__, "blas_opt_info", None) or getattr(np.__config__, "blas_info", None) or {}
    name = ",".join(info.get("libraries", [])) or "unknown"
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if ("blas" in l or "lapack" in l) and l.split()[-1].startswith("/")})
print(json.dumps({"numpy": np.__version__, "config": name, "loaded": libs}))
`;

function threadEnv(t: number): NodeJS.ProcessEnv {
  return { ...process.env, OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t), MKL_NUM_THREADS: String(t) };
}

function resolved(p: string): string {
  try { return realpathSync(p); } catch { return "missing"; }
}

const probeRun = spawnSync(PY, ["-c", probeScript], { env: threadEnv(1), encoding: "utf8" });
const numpyInfo = probeRun.status === 0 ? (JSON.parse(probeRun.stdout.trim()) as { numpy: string; config: string; loaded: string[] }) : null;
const libblas = resolved("/usr/lib/x86_64-linux-gnu/libblas.so.3");
const liblapack = resolved("/usr/lib/x86_64-linux-gnu/liblapack.so.3");
const numpyBlas = numpyInfo === null ? "numpy not available" : `numpy ${numpyInfo.numpy} (config: ${numpyInfo.config}); loaded: ${numpyInfo.loaded.join(", ")}`;
const numpyOpenblas = numpyInfo !== null && numpyInfo.loaded.some((l) => /openblas/.test(l));
console.log(`numpy: ${numpyBlas}`);

function numpyEigh(file: string, n: number, t: number, reps: number): ({ s: number } & Accuracy) | null {
  if (numpyInfo === null) return null;
  const run = spawnSync(PY, ["-c", pyScript, file, String(n), String(reps)], { env: threadEnv(t), encoding: "utf8" });
  if (run.status !== 0) { console.error(`numpy.linalg.eigh failed: ${run.stderr}`); return null; }
  return JSON.parse(run.stdout.trim());
}

const backends = availableBackends();
const defaultBackend = backendName();
const hasWasm = backends.includes("wasm");
interface Row {
  n: number; threads: number; backend: BackendName;
  ours_s: number; wasm_s: number | null; lapack_s: number | null; mlmatrix_s: number | null;
  ours_over_lapack: number | null; wasm_over_lapack: number | null;
  ours_residual: number; ours_orthogonality: number; wasm_residual: number | null; wasm_orthogonality: number | null;
  lapack_residual: number | null; lapack_orthogonality: number | null; mlmatrix_residual: number | null; mlmatrix_orthogonality: number | null;
}
const rows: Row[] = [];
const load0 = loadavg();
const info0 = backendInfo();
for (const n of ns) {
  const a = randomSymmetric(n, 1000 + n);
  const file = join(outDir, `sym-${n}.f64`);
  writeAtomic(file, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const M = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M.set(i, j, a[i * n + j]);
  const reps = n <= 1024 ? 3 : 2;
  // single-threaded solvers: timed once per n, shown in the 1-thread row
  const wasm = hasWasm ? ours("wasm", M, a, n, n <= 1024 ? 2 : 1) : null;
  let ml: ({ s: number } & Accuracy) | null = null;
  if (n <= ML_MAX) {
    const t = now();
    const e = new EigenvalueDecomposition(M, { assumeSymmetric: true });
    const V = e.eigenvectorMatrix;
    const s = now() - t;
    ml = { s, ...accuracy(a, e.realEigenvalues, rowsOf(V, n), n) };
  }
  for (const t of THREADS) {
    useBackend(defaultBackend);
    setBlasThreads(t);
    const lp = numpyEigh(file, n, t, reps + 2);
    const o = ours(defaultBackend, M, a, n, reps);
    const first = t === THREADS[0];
    const row: Row = {
      n, threads: t, backend: defaultBackend,
      ours_s: o.s, wasm_s: first && wasm ? wasm.s : null, lapack_s: lp ? lp.s : null, mlmatrix_s: first && ml ? ml.s : null,
      ours_over_lapack: lp ? o.s / lp.s : null, wasm_over_lapack: first && wasm && lp ? wasm.s / lp.s : null,
      ours_residual: o.residual, ours_orthogonality: o.orthogonality,
      wasm_residual: first && wasm ? wasm.residual : null, wasm_orthogonality: first && wasm ? wasm.orthogonality : null,
      lapack_residual: lp ? lp.residual : null, lapack_orthogonality: lp ? lp.orthogonality : null,
      mlmatrix_residual: first && ml ? ml.residual : null, mlmatrix_orthogonality: first && ml ? ml.orthogonality : null,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
useBackend(defaultBackend);
const load1 = loadavg();

// what dominates ours at the largest n, default backend, 1 thread: self time by function over one run
const big = Math.max(...ns);
setBlasThreads(1);
const bigA = randomSymmetric(big, 1000 + big);
const bigM = new Matrix(big, big);
for (let i = 0; i < big; i++) for (let j = 0; j < big; j++) bigM.set(i, j, bigA[i * big + j]);
const profile = profileTop(() => { eigh(bigM, { vectors: true }); }, 1);
let profileWasm: ReturnType<typeof profileTop> = [];
if (hasWasm) {
  useBackend("wasm");
  profileWasm = profileTop(() => { eigh(bigM, { vectors: true }); }, 1);
  useBackend(defaultBackend);
}

// a solver is accurate when both measures stay O(1) in units of n eps (LAPACK's own test threshold is 30)
const ACC = 30;
const accurate = rows.every((r) => [r.ours_residual, r.ours_orthogonality, r.wasm_residual, r.wasm_orthogonality].every((x) => x === null || x <= ACC));
const at = (n: number, t: number) => rows.find((r) => r.n === n && r.threads === t);
const targets = [
  { what: `native eigh / numpy at n = ${big}, 1 thread`, value: at(big, 1)?.ours_over_lapack ?? null, limit: 1.15 },
  { what: `native eigh / numpy at n = ${big}, 2 threads`, value: at(big, 2)?.ours_over_lapack ?? null, limit: 1.15 },
  { what: `wasm eigh / numpy at n = ${big}, 1 thread`, value: at(big, 1)?.wasm_over_lapack ?? null, limit: 2.5 },
];
const result = {
  rows, targets, profile_largest_n_1_thread: { [defaultBackend]: profile, wasm: profileWasm }, accurate, accuracy_limit_n_eps: ACC,
  backend: info0.backend, library: info0.library, numpy: numpyInfo, numpy_openblas: numpyOpenblas, libblas_so_3: libblas, liblapack_so_3: liblapack,
  node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, loadavg_start: load0, loadavg_end: load1,
};
writeAtomic(join(outDir, "linalg.json"), JSON.stringify(result, null, 2) + "\n");

const f = (x: number | null, d = 4) => (x === null ? "-" : x.toFixed(d));
const x = (v: number | null) => (v === null ? "-" : `${v.toFixed(2)}x`);
const md = [
  "# eigh with vectors: ours (native, wasm) vs numpy.linalg.eigh vs ml-matrix",
  "",
  `Ours: the default backend \`${info0.backend}\` (${info0.library}), LAPACK dsyevd; wasm: the project's own solver on the WebAssembly kernels (single-threaded).`,
  `Reference: ${PY}, ${numpyBlas}; libblas.so.3 -> ${libblas}, liblapack.so.3 -> ${liblapack}${numpyOpenblas ? " (OpenBLAS)" : " (NOT OpenBLAS: the reference is not optimised)"}. OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = threads.`,
  `Node ${process.version}, ${result.cpu}, ${result.cores} cores shared with other processes: load average (1, 5, 15 min) ${load0.map((v) => v.toFixed(2)).join(", ")} at the start, ${load1.map((v) => v.toFixed(2)).join(", ")} at the end; times are wall clock, best of ${"3 (n <= 1024) or 2"} runs for ours and 2 more for numpy, so other processes inflate them.`,
  "wasm and ml-matrix are single-threaded: timed once per n (1-thread row). ml-matrix is skipped above n = 1024.",
  `Accuracy: residual max_j ||A q_j - λ_j q_j|| / (n ||A||_F eps), orthogonality ||Q^T Q - I||_F / (n eps); ours and wasm ${accurate ? "are" : "are NOT"} within ${ACC} on every row.`,
  "",
  "| n | threads | backend | ours (s) | wasm (s) | numpy (s) | ml-matrix (s) | ours / numpy | wasm / numpy | residual ours / wasm / numpy | orthogonality ours / wasm / numpy |",
  "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|",
  ...rows.map((r) => `| ${r.n} | ${r.threads} | ${r.backend} | ${f(r.ours_s)} | ${f(r.wasm_s)} | ${f(r.lapack_s)} | ${f(r.mlmatrix_s)} | ${x(r.ours_over_lapack)} | ${x(r.wasm_over_lapack)} | ${f(r.ours_residual, 2)} / ${f(r.wasm_residual, 2)} / ${f(r.lapack_residual, 2)} | ${f(r.ours_orthogonality, 2)} / ${f(r.wasm_orthogonality, 2)} / ${f(r.lapack_orthogonality, 2)} |`),
  "",
  "Targets:",
  "",
  ...targets.map((t) => `- ${t.what}: ${x(t.value)} (target <= ${t.limit}x): ${t.value === null ? "not measured" : t.value <= t.limit ? "met" : "MISSED"}`),
  "",
  `What dominates ours (\`${info0.backend}\`) at n = ${big}, 1 thread (self time, in-process V8 CPU profile of one eigh; frames without a script pooled as \`[native: ...]\`): ${profile.map((p) => `\`${p.fn}\` ${(100 * p.share).toFixed(0)} %`).join(", ")}.`,
  "Native ours and numpy call the same dsyevd of the same OpenBLAS; what ours adds is the copy from the ml-matrix Matrix into a row-major Float64Array and back, and the input checks.",
  ...(hasWasm ? [`What dominates wasm at n = ${big} (same profile): ${profileWasm.map((p) => `\`${p.fn}\` ${(100 * p.share).toFixed(0)} %`).join(", ")}: the project's own tridiagonalisation and divide-and-conquer on f64x2 SIMD without FMA, one thread.`] : []),
  "",
].join("\n");
writeAtomic(join(outDir, "linalg.md"), md);
console.log(md);
