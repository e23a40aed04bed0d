/**
 * Benchmark (not a test): dense symmetric eigen-decomposition with vectors, ours vs ml-matrix's
 * EigenvalueDecomposition vs numpy.linalg.eigh (LAPACK syevd, one thread), on the same random symmetric
 * matrices (written as float64 files to build/bench/). Writes build/bench/linalg.json and .md.
 *
 * /usr/bin/python3's numpy (Debian) links the reference BLAS/LAPACK on this machine; the python3 first on PATH
 * has an OpenBLAS numpy. `lapack_s` is the optimised one (the fair comparison), `lapack_refblas_s` the system one.
 *
 * npm run bench -- linalg [sizes...]   (default 256 512 1024 2048; ml-matrix is skipped above 1024)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { matmul } from "../lib/linalg/blas";
import { eigh } from "../lib/linalg/eigh";
import { wasmAvailable as wasmGemmAvailable } from "../lib/linalg/kernels/wasm";
import { loadavg } from "node:os";
import { rng } from "../lib/random/rng";

const EPS = 2.220446049250313e-16;
const outDir = join(process.cwd(), "build", "bench");
mkdirSync(outDir, { recursive: true });
const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const ns = sizes.length > 0 ? sizes : [256, 512, 1024, 2048];
const ML_MAX = 1024;

interface Row { n: number; ours_s: number; mlmatrix_s: number | null; lapack_s: number | null; ours_cpu_s: number; mlmatrix_cpu_s: number | null; lapack_cpu_s: number | null; lapack_refblas_s: number | null; lapack_refblas_cpu_s: number | null; ours_max_residual: number; ours_orthogonality: number; lapack_max_residual: number | null; note?: string }

/** CPU time of this process (user + system), seconds: less sensitive than wall time to other processes. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e-6;
}

function now(): number {
  const [s, ns] = process.hrtime();
  return s + ns * 1e-9;
}

function randomSymmetricRows(n: number): number[][] {
  const a = randomSymmetric(n, 7);
  return Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n)));
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const g = rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = g.normal();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** max_j ||A q_j - λ_j q_j|| / (n ||A||_F eps) and ||Q^T Q - I||_F / (n eps); vt rows are the vectors. */
function accuracy(a: Float64Array, values: Float64Array, vt: Float64Array, n: number): { residual: number; orthogonality: number } {
  let anorm = 0;
  for (let i = 0; i < n * n; i++) anorm += a[i] * a[i];
  anorm = Math.sqrt(anorm);
  // (A Q)^T = Q^T A (A symmetric): rows of vt times A
  const qa = matmul(vt, a, n, n, n);
  let worst = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const r = qa[j * n + i] - values[j] * vt[j * n + i];
      s += r * r;
    }
    worst = Math.max(worst, Math.sqrt(s));
  }
  // Q^T Q - I computed as vt vt^T: transpose vt via matmul's row layout
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q[j * n + i] = vt[i * n + j];
  const g = matmul(vt, q, n, n, n);
  let o = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) o += (g[i * n + j] - (i === j ? 1 : 0)) ** 2;
  return { residual: worst / (n * anorm * EPS), orthogonality: Math.sqrt(o) / (n * EPS) };
}

const pyScript = `
import sys, time, json, numpy as np
n = int(sys.argv[2]); a = np.fromfile(sys.argv[1], dtype=np.float64).reshape(n, n)
reps = int(sys.argv[3])
w, v = np.linalg.eigh(a)  # warm-up
best = 1e300
best_cpu = 1e300
for _ in range(reps):
    t = time.perf_counter(); c = time.process_time(); w, v = np.linalg.eigh(a)
    best = min(best, time.perf_counter() - t); best_cpu = min(best_cpu, time.process_time() - c)
r = a @ v - v * w
res = float(np.max(np.linalg.norm(r, axis=0)) / (n * np.linalg.norm(a) * np.finfo(float).eps))
print(json.dumps({"s": best, "cpu": best_cpu, "res": res}))
`;

/** Which BLAS a numpy links: numpy >= 1.26 reports it; older (Debian's 1.24) names only "blas"/"lapack". */
const probeScript = `
import json, numpy as np
name = None
try:
    name = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
except Exception:
    info = getattr(np.__config__, "blas_opt_info", None) or getattr(np.__config__, "blas_info", None) or {}
    name = ",".join(info.get("libraries", [])) or "unknown"
print(json.dumps({"numpy": np.__version__, "blas": name}))
`;

const pyEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };

interface Python { path: string; numpy: string; blas: string; optimized: boolean }

/** Describe a python's numpy BLAS; Debian's generic "blas" is resolved through the alternatives symlink. */
function probe(path: string): Python | null {
  const run = spawnSync(path, ["-c", probeScript], { env: pyEnv, encoding: "utf8" });
  if (run.status !== 0) return null;
  const { numpy, blas } = JSON.parse(run.stdout.trim()) as { numpy: string; blas: string };
  let desc = blas;
  if (/^blas/.test(blas)) {
    try {
      desc = `${blas} -> ${realpathSync("/usr/lib/x86_64-linux-gnu/libblas.so.3")}`;
    } catch {
      // keep the name numpy gave
    }
  }
  const optimized = /openblas|mkl|blis|accelerate/i.test(desc);
  return { path, numpy, blas: desc, optimized };
}

/**
 * Pythons to time: /usr/bin/python3 (the system numpy) and the python3 first on PATH if it is another
 * interpreter. On this machine the system numpy links the REFERENCE BLAS/LAPACK (Debian libblas3), the PATH one
 * an OpenBLAS build: the comparison that matters is against the optimized one, both are reported.
 */
function pythons(): Python[] {
  const out: Python[] = [];
  const sys = probe("/usr/bin/python3");
  if (sys) out.push(sys);
  const which = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { env: pyEnv, encoding: "utf8" });
  const other = which.status === 0 ? which.stdout.trim() : "";
  if (other && other !== "/usr/bin/python3") {
    const p = probe(other);
    if (p) out.push(p);
  }
  return out;
}

function lapack(py: Python, file: string, n: number, reps: number): { s: number; cpu: number; res: number } | null {
  const run = spawnSync(py.path, ["-c", pyScript, file, String(n), String(reps)], { env: pyEnv, encoding: "utf8" });
  if (run.status !== 0) {
    console.error(`numpy (${py.path}) failed: ${run.stderr}`);
    return null;
  }
  return JSON.parse(run.stdout.trim());
}

const pys = pythons();
const fast = pys.find((p) => p.optimized) ?? pys[0];
const ref = pys.find((p) => p !== fast && !p.optimized) ?? null;
console.log(`LAPACK via ${fast ? `${fast.path} (numpy ${fast.numpy}, ${fast.blas})` : "none"}; reference-BLAS numpy: ${ref ? ref.path : "none"}`);

const rows: Row[] = [];
const loadBefore = loadavg()[0];
for (const n of ns) {
  const a = randomSymmetric(n, 1000 + n);
  const file = join(outDir, `sym-${n}.f64`);
  writeFileSync(file, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const lp = fast ? lapack(fast, file, n, n <= 1024 ? 5 : 3) : null;
  const lr = ref ? lapack(ref, file, n, n <= 1024 ? 2 : 1) : null;
  const M = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M.set(i, j, a[i * n + j]);
  // ours, through the public API (Matrix in, Matrix out): best of 2 at n <= 1024, 1 above; JIT warmed up first
  eigh(new Matrix(randomSymmetricRows(64)), { vectors: true });
  let ours = Infinity;
  let oursCpu = Infinity;
  let res = eigh(M, { vectors: true });
  const reps = n <= 1024 ? 3 : 2;
  for (let r = 0; r < reps; r++) {
    const t = now();
    const c = cpuNow();
    res = eigh(M, { vectors: true });
    ours = Math.min(ours, now() - t);
    oursCpu = Math.min(oursCpu, cpuNow() - c);
  }
  const V = res.vectors!;
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[j * n + i] = V.get(i, j);
  const result = { values: res.values, vt };
  const { residual, orthogonality } = accuracy(a, result.values, result.vt!, n);
  let ml: number | null = null;
  let mlCpu: number | null = null;
  let note: string | undefined;
  if (n <= ML_MAX) {
    const t = now();
    const c = cpuNow();
    const e = new EigenvalueDecomposition(M, { assumeSymmetric: true });
    void e.eigenvectorMatrix;
    ml = now() - t;
    mlCpu = cpuNow() - c;
  } else note = `ml-matrix skipped above n = ${ML_MAX} (O(n^3) with ~8x the time of n = 1024)`;
  const row: Row = { n, ours_s: ours, mlmatrix_s: ml, lapack_s: lp ? lp.s : null, ours_cpu_s: oursCpu, mlmatrix_cpu_s: mlCpu, lapack_cpu_s: lp ? lp.cpu : null, lapack_refblas_s: lr ? lr.s : null, lapack_refblas_cpu_s: lr ? lr.cpu : null, ours_max_residual: residual, ours_orthogonality: orthogonality, lapack_max_residual: lp ? lp.res : null };
  if (note) row.note = note;
  rows.push(row);
  console.log(JSON.stringify(row));
}

writeFileSync(join(outDir, "linalg.json"), JSON.stringify(rows, null, 2) + "\n");
const fmt = (x: number | null, d = 3) => (x === null ? "-" : x.toFixed(d));
const ratio = (x: number | null, y: number | null) => (x === null || y === null ? "-" : (x / y).toFixed(1) + "x");
const md = [
  "# eigh with vectors: ours vs ml-matrix vs LAPACK (numpy.linalg.eigh, 1 thread)",
  "",
  `LAPACK: ${fast ? `${fast.path}, numpy ${fast.numpy}, BLAS ${fast.blas}` : "no numpy found"}.` +
    (ref ? ` Also timed: ${ref.path} (numpy ${ref.numpy}, BLAS ${ref.blas}), the system numpy, which uses the unoptimised reference BLAS/LAPACK (column "ref. LAPACK").` : ""),
  "",
  `Node ${process.version}; random symmetric N(0,1) matrices (same data for all three); times in seconds, best of 3 (ours) and 5 (LAPACK) runs for n <= 1024, of 2 and 3 above, one run of ml-matrix; LAPACK is timed first for each n.`,
  `Machine: 2 shared cores; 1-minute load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end of this run (other agents were working), so absolute times are noisy; the ratios compare runs made under the same conditions.`,
  `Our kernels: WebAssembly SIMD (f64x2) for matrix products and the tridiagonalisation pass: ${wasmGemmAvailable() ? "in use" : "NOT available, JavaScript fallbacks used"}.`,
  "Residual: max_j ||A q_j - λ_j q_j|| / (n ||A||_F eps); orthogonality: ||Q^T Q - I||_F / (n eps).",
  "",
  "Wall-clock times:",
  "",
  "| n | ours (s) | ml-matrix (s) | LAPACK (s) | ref. LAPACK (s) | ml-matrix / ours | ours / LAPACK | ours residual | ours orthogonality | LAPACK residual |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.n} | ${fmt(r.ours_s)} | ${fmt(r.mlmatrix_s)} | ${fmt(r.lapack_s)} | ${fmt(r.lapack_refblas_s)} | ${ratio(r.mlmatrix_s, r.ours_s)} | ${ratio(r.ours_s, r.lapack_s)} | ${fmt(r.ours_max_residual, 3)} | ${fmt(r.ours_orthogonality, 3)} | ${fmt(r.lapack_max_residual, 3)} |`),
  "",
  "CPU times of each process (user + system; less affected by the other processes on the machine):",
  "",
  "| n | ours (s) | ml-matrix (s) | LAPACK (s) | ref. LAPACK (s) | ml-matrix / ours | ours / LAPACK |",
  "|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.n} | ${fmt(r.ours_cpu_s)} | ${fmt(r.mlmatrix_cpu_s)} | ${fmt(r.lapack_cpu_s)} | ${fmt(r.lapack_refblas_cpu_s)} | ${ratio(r.mlmatrix_cpu_s, r.ours_cpu_s)} | ${ratio(r.ours_cpu_s, r.lapack_cpu_s)} |`),
  "",
  ...rows.filter((r) => r.note).map((r) => `- n = ${r.n}: ${r.note}`),
  "",
].join("\n");
writeFileSync(join(outDir, "linalg.md"), md);
console.log(md);
