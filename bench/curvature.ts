/**
 * Benchmark (not a test): gradient and Hessian-vector product of the MSE loss of a 784-256-256-256-10 tanh
 * MLP (with biases, PyTorch default initialisation) on n = 5000 Fashion-MNIST training images, at 1 and 2
 * threads: ours (lib/curvature, forward-over-reverse tape on the default kernel backend) against PyTorch
 * double-backward (Debian's python3-torch, float64; it calls libblas.so.3, which Debian's alternatives
 * resolve to OpenBLAS when libopenblas0-pthread is installed). Cross-checks the two gradients and HVPs on
 * the same weights and direction, and profiles ours in-process (V8 CPU profiler, the one `node --cpu-prof`
 * uses) to name what dominates.
 *
 * Block HVPs: K = 8 directions at once, ours `hvpBlock` (one pass) against PyTorch's two ways of doing the same, K
 * double-backward HVPs in a loop and one batched double backward (`is_grads_batched`, vmap), the faster taken as
 * the reference; reported per direction.
 *
 * Run: `npm run bench -- curvature [n] [reps]`. Writes build/bench/curvature.json (rows
 * `{threads, ours_grad_s, ours_hvp_s, torch_grad_s, torch_hvp_s, torch_blas, ours_block_hvp_s, torch_block_hvp_s}`)
 * and build/bench/curvature.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { mlp } from "../lib/models/index";
import { mseProblem, lossAndGradient, hvp, hvpBlock } from "../lib/curvature/index";
import { backendInfo, setBlasThreads } from "../lib/linalg/kernels/index";
import { pytorchDefaultInit } from "../lib/init/index";
import { loadFashionMnist, imagesToMatrix, oneHot, selectLabels } from "../lib/data/index";
import { rng } from "../lib/random/rng";
import { writeAtomic, profileTop, bytesOf } from "./common";

const n = Number(process.argv[2] ?? 5000);
const reps = Number(process.argv[3] ?? 3);
if (!Number.isInteger(n) || n < 1) throw new RangeError(`bench curvature: n must be a positive integer, got ${process.argv[2]}`);
if (!Number.isInteger(reps) || reps < 1) throw new RangeError(`bench curvature: reps must be a positive integer, got ${process.argv[3]}`);
const THREADS = [1, 2];
const outDir = join(process.cwd(), "build", "bench");
mkdirSync(outDir, { recursive: true });


const widths = [784, 256, 256, 256, 10];
const gen = rng(20240601);
const ds = loadFashionMnist("train");
const idx = Array.from({ length: n }, (_, i) => i);
const X = imagesToMatrix(ds, idx);
const Y = oneHot(selectLabels(ds, idx), 10);
const model = mlp(widths, { activation: "tanh", bias: true });
const theta = pytorchDefaultInit(model, gen.fork("init"));
const v = gen.fork("direction").normalArray(model.numParams);
const BLOCK = 8;
const V = gen.fork("block").normalArray(model.numParams * BLOCK);
const problem = mseProblem(model, X, Y);

/** Median of `reps` timed runs after one warm-up (JIT). */
function timeIt<T>(f: () => T, runs = reps): { seconds: number; result: T } {
  let result = f();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    result = f();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)], result };
}


function rowMajor(M: { rows: number; columns: number; get(i: number, j: number): number }): Float64Array {
  const out = new Float64Array(M.rows * M.columns);
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.columns; j++) out[i * M.columns + j] = M.get(i, j);
  return out;
}
const xs = rowMajor(X), ys = rowMajor(Y);
/** The data, weights and directions of one case, for the PyTorch process (files `<prefix>-*.f64`). */
function writeCase(prefix: string, x: Float64Array, y: Float64Array, th: Float64Array, dir: Float64Array, block: Float64Array): void {
  writeAtomic(join(outDir, `${prefix}-X.f64`), bytesOf(x));
  writeAtomic(join(outDir, `${prefix}-Y.f64`), bytesOf(y));
  writeAtomic(join(outDir, `${prefix}-theta.f64`), bytesOf(th));
  writeAtomic(join(outDir, `${prefix}-v.f64`), bytesOf(dir));
  writeAtomic(join(outDir, `${prefix}-V.f64`), bytesOf(block));
}
writeCase("curvature", xs, ys, theta, v, V);

// A network of the notebooks' size (what their dense Hessians, LOBPCG and Hutch++ see), for block HVPs: there every
// product is small, per-operation overheads dominate, and sharing the primal work across directions pays most.
const SMALL_WIDTHS = [10, 50, 50, 5];
const SMALL_N = 200;
const SMALL_BLOCK = 16;
const smallGen = gen.fork("small");
const smallModel = mlp(SMALL_WIDTHS, { activation: "tanh", bias: true });
const Xs = smallGen.normalMatrix(SMALL_WIDTHS[0], SMALL_N), Ys = smallGen.normalMatrix(SMALL_WIDTHS[SMALL_WIDTHS.length - 1], SMALL_N);
const smallProblem = mseProblem(smallModel, Xs, Ys);
const smallTheta = pytorchDefaultInit(smallModel, smallGen.fork("init"));
const smallV = smallGen.fork("block").normalArray(smallModel.numParams * SMALL_BLOCK);
writeCase("curvature-small", rowMajor(Xs), rowMajor(Ys), smallTheta, smallV.slice(0, smallModel.numParams), smallV);

const python = `
import sys, time, json
import numpy as np
import torch
d, n, reps, threads, K = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
widths, pre = json.loads(sys.argv[6]), d + "/" + sys.argv[7]
torch.set_num_threads(threads)
torch.set_default_dtype(torch.float64)
X = torch.from_numpy(np.fromfile(pre + "-X.f64", dtype=np.float64).reshape(widths[0], n))
Y = torch.from_numpy(np.fromfile(pre + "-Y.f64", dtype=np.float64).reshape(widths[-1], n))
theta = np.fromfile(pre + "-theta.f64", dtype=np.float64)
v = np.fromfile(pre + "-v.f64", dtype=np.float64)
VB = np.fromfile(pre + "-V.f64", dtype=np.float64).reshape(K, -1)
params, vs, vbs, o = [], [], [], 0
for l in range(1, len(widths)):
    for shape in [(widths[l], widths[l - 1]), (widths[l], 1)]:
        size = shape[0] * shape[1]
        params.append(torch.tensor(theta[o:o + size].reshape(shape), requires_grad=True))
        vs.append(torch.tensor(v[o:o + size].reshape(shape)))
        vbs.append(torch.tensor(VB[:, o:o + size].reshape((K,) + shape)))
        o += size
def loss_fn():
    h = X
    L = len(widths) - 1
    for l in range(L):
        h = params[2 * l] @ h + params[2 * l + 1]
        if l < L - 1:
            h = torch.tanh(h)
    return ((h - Y) ** 2).sum() / (2 * n)
def grad():
    return torch.autograd.grad(loss_fn(), params)
def hvp():
    g = torch.autograd.grad(loss_fn(), params, create_graph=True)
    dot = sum((gi * vi).sum() for gi, vi in zip(g, vs))
    return torch.autograd.grad(dot, params)
def hvp_loop():
    out = []
    for j in range(K):
        g = torch.autograd.grad(loss_fn(), params, create_graph=True)
        dot = sum((gi * vb[j]).sum() for gi, vb in zip(g, vbs))
        out.append(torch.autograd.grad(dot, params))
    return [torch.stack([o[i] for o in out]) for i in range(len(params))]
def hvp_batched():
    g = torch.autograd.grad(loss_fn(), params, create_graph=True)
    return torch.autograd.grad(g, params, grad_outputs=vbs, is_grads_batched=True)
def timeit(f):
    r = f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); r = f(); ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2], r
tg, g = timeit(grad)
th, hv = timeit(hvp)
tl, hl = timeit(hvp_loop)
try:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tb, hb = timeit(hvp_batched)
except Exception as e:  # batched double backward unsupported: the loop is the reference
    tb, hb = None, None
best = hl if tb is None or tl <= tb else hb
np.concatenate([x.detach().numpy().reshape(K, -1) for x in best], axis=1).tofile(pre + "-torch-block.f64")
np.concatenate([x.detach().numpy().ravel() for x in g]).tofile(pre + "-torch-grad.f64")
np.concatenate([x.detach().numpy().ravel() for x in hv]).tofile(pre + "-torch-hvp.f64")
# the BLAS actually mapped into this process (BLAS_INFO=generic only says "the system libblas")
loaded = sorted({l.split()[-1] for l in open("/proc/self/maps") if ("blas" in l or "lapack" in l) and l.split()[-1].startswith("/")})
cfg = torch.__config__.show()
info = cfg.split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in cfg else "unknown"
print(json.dumps({"torch_grad_s": tg, "torch_hvp_s": th, "torch_block_loop_s": tl, "torch_block_batched_s": tb, "torch_version": torch.__version__, "threads": torch.get_num_threads(), "blas_info": info, "loaded": loaded}))
`;

interface Torch { torch_grad_s: number; torch_hvp_s: number; torch_block_loop_s: number; torch_block_batched_s: number | null; torch_version: string; threads: number; blas_info: string; loaded: string[] }
const rel = (a: Float64Array, b: Float64Array) => {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; s += b[i] ** 2; }
  return Math.sqrt(d / s);
};
const rd = (f: string) => { const b = readFileSync(join(outDir, f)); return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8); };

/** "openblas" only when the library torch mapped is OpenBLAS; otherwise the mapped file names. */
function blasName(t: Torch): string {
  if (t.loaded.some((l) => /openblas/i.test(l))) return "openblas";
  if (t.loaded.some((l) => /mkl/i.test(l))) return "mkl";
  return t.loaded.length > 0 ? `other (${t.loaded.join(", ")})` : `unknown (BLAS_INFO=${t.blas_info})`;
}

const load0 = loadavg();
const info = backendInfo();
console.log(`curvature bench: ${model.name}, p = ${model.numParams}, n = ${n}, median of ${reps}; backend ${info.backend} (${info.library})`);
interface Row {
  threads: number; ours_grad_s: number; ours_hvp_s: number; torch_grad_s: number | null; torch_hvp_s: number | null; torch_blas: string | null;
  grad_ratio: number | null; hvp_ratio: number | null; grad_rel_diff: number | null; hvp_rel_diff: number | null; torch_error?: string;
  /** per direction, K = BLOCK directions at once; torch: the faster of its loop and its batched double backward */
  ours_block_hvp_s: number; torch_block_hvp_s: number | null; torch_block_how: "loop" | "batched" | null; block_ratio: number | null; block_rel_diff: number | null;
}
let torchVersion: string | null = null;
let torchLoaded: string[] = [];

/** One case at one thread count: PyTorch first, then ours, in the same process group and run. */
function runCase(pr: typeof problem, th: Float64Array, dir: Float64Array, block: Float64Array, K: number, cols: number, caseWidths: number[], prefix: string, t: number, caseReps: number): Row {
  const run = spawnSync("/usr/bin/python3", ["-c", python, outDir, String(cols), String(caseReps), String(t), String(K), JSON.stringify(caseWidths), prefix], {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: String(t), MKL_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t) },
    maxBuffer: 1 << 24,
  });
  const timed = <T>(f: () => T) => timeIt(f, caseReps);
  const g = timed(() => lossAndGradient(pr, th));
  const h = timed(() => hvp(pr, th, dir));
  const hb = timed(() => hvpBlock(pr, th, block, K));
  const row: Row = {
    threads: t, ours_grad_s: g.seconds, ours_hvp_s: h.seconds, torch_grad_s: null, torch_hvp_s: null, torch_blas: null, grad_ratio: null, hvp_ratio: null, grad_rel_diff: null, hvp_rel_diff: null,
    ours_block_hvp_s: hb.seconds / K, torch_block_hvp_s: null, torch_block_how: null, block_ratio: null, block_rel_diff: null,
  };
  if (run.status === 0) {
    const torch = JSON.parse(run.stdout.trim().split("\n").pop() as string) as Torch;
    torchVersion = torch.torch_version;
    torchLoaded = torch.loaded;
    Object.assign(row, {
      torch_grad_s: torch.torch_grad_s, torch_hvp_s: torch.torch_hvp_s, torch_blas: blasName(torch),
      grad_ratio: g.seconds / torch.torch_grad_s, hvp_ratio: h.seconds / torch.torch_hvp_s,
      grad_rel_diff: rel(g.result.gradient, rd(`${prefix}-torch-grad.f64`)), hvp_rel_diff: rel(h.result, rd(`${prefix}-torch-hvp.f64`)),
    });
    const batched = torch.torch_block_batched_s !== null && torch.torch_block_batched_s < torch.torch_block_loop_s;
    const tb = (batched ? (torch.torch_block_batched_s as number) : torch.torch_block_loop_s) / K;
    Object.assign(row, {
      torch_block_hvp_s: tb, torch_block_how: batched ? "batched" : "loop", block_ratio: row.ours_block_hvp_s / tb,
      block_rel_diff: rel(hb.result, rd(`${prefix}-torch-block.f64`)),
    });
  } else {
    row.torch_error = (run.stderr || String(run.error)).trim().split("\n").slice(-3).join(" ");
  }
  return row;
}

const rows: Row[] = [];
const smallRows: Row[] = [];
const SMALL_REPS = 15;
for (const t of THREADS) {
  setBlasThreads(t);
  const row = runCase(problem, theta, v, V, BLOCK, n, widths, "curvature", t, reps);
  rows.push(row);
  console.log(JSON.stringify(row));
  const small = runCase(smallProblem, smallTheta, smallV.slice(0, smallModel.numParams), smallV, SMALL_BLOCK, SMALL_N, SMALL_WIDTHS, "curvature-small", t, SMALL_REPS);
  smallRows.push(small);
  console.log(JSON.stringify({ case: "small", ...small }));
}
const load1 = loadavg();

type Profile = ReturnType<typeof profileTop>;
interface Profiles { gradient: Profile; hvp: Profile; block_hvp: Profile }

/** Matrix-product flops of one gradient: forward W_l H_{l-1}, weight gradients, input gradients but the first. */
let gradFlops = 0;
for (let l = 1; l < widths.length; l++) gradFlops += 2 * widths[l] * widths[l - 1] * n * (l === 1 ? 2 : 3);

// agreement: both compute the same float64 quantity, so differences are rounding (a wrong rule shows as O(1))
const AGREE = 1e-10;
const agree = [...rows, ...smallRows].every((r) => r.grad_rel_diff === null || (r.grad_rel_diff <= AGREE && (r.hvp_rel_diff as number) <= AGREE && (r.block_rel_diff as number) <= AGREE));
/** Write the JSON and Markdown; first without the profiles, so the timings are kept if profiling does not finish. */
function writeReport(profiles: Profiles | null): string {
const result = {
  rows, small: { model: smallModel.name, params: smallModel.numParams, n: SMALL_N, block_directions: SMALL_BLOCK, reps: SMALL_REPS, rows: smallRows }, agree, agreement_limit: AGREE, grad_gflop: gradFlops / 1e9,
  targets: { grad_ratio_max: 1.3, hvp_ratio_max: 1.0 },
  profile_1_thread: profiles, block_directions: BLOCK,
  model: model.name, params: model.numParams, n, reps, backend: info.backend, library: info.library,
  torch_version: torchVersion, torch_loaded_blas: torchLoaded,
  node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, loadavg_start: load0, loadavg_end: load1,
};
writeAtomic(join(outDir, "curvature.json"), JSON.stringify(result, null, 2) + "\n");

const f = (x: number | null, d = 3) => (x === null ? "n/a" : x.toFixed(d));
const g3 = (x: number | null) => (x === null ? "n/a" : x.toPrecision(3));
const missed = rows.filter((r) => r.grad_ratio !== null && (r.grad_ratio > 1.3 || (r.hvp_ratio as number) > 1.0));
const prof = (name: string, p: Profile) => `- ${name}: ${p.map((e) => `\`${e.fn}\` ${(100 * e.share).toFixed(0)} %`).join(", ")}`;
const md = `# Curvature benchmark: gradient and HVP, ours vs PyTorch

${model.name}, p = ${model.numParams}, MSE on n = ${n} Fashion-MNIST training images, float64, median of ${reps} runs after a
warm-up; for each thread count PyTorch runs first (torch.set_num_threads and OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = threads),
then ours (setBlasThreads) in the same process group. Ours: backend \`${info.backend}\` (${info.library}).
PyTorch ${torchVersion ?? "not available"}, BLAS mapped into its process: ${torchLoaded.join(", ") || "n/a"}.
CPU: ${result.cpu}, ${result.cores} cores shared with other processes: load average (1, 5, 15 min) ${load0.map((x) => x.toFixed(2)).join(", ")}
at the start, ${load1.map((x) => x.toFixed(2)).join(", ")} at the end; wall-clock times, inflated by that load.

| threads | ours gradient (s) | ours HVP (s) | torch gradient (s) | torch HVP (s) | torch BLAS | gradient ours / torch | HVP ours / torch | rel. diff gradient / HVP |
|---:|---:|---:|---:|---:|---|---:|---:|---|
${rows.map((r) => `| ${r.threads} | ${f(r.ours_grad_s)} | ${f(r.ours_hvp_s)} | ${f(r.torch_grad_s)} | ${f(r.torch_hvp_s)} | ${r.torch_blas ?? "n/a"} | ${f(r.grad_ratio, 2)}x | ${f(r.hvp_ratio, 2)}x | ${r.grad_rel_diff === null ? "n/a" : `${r.grad_rel_diff.toExponential(1)} / ${(r.hvp_rel_diff as number).toExponential(1)}`} |`).join("\n")}

Block HVPs, k directions at once, per direction (ours: \`hvpBlock\`, one pass; PyTorch: the faster of k double-backward HVPs in a
loop and one batched double backward, \`torch.autograd.grad(..., is_grads_batched=True)\`), on the network above (k = ${BLOCK}) and on
one of the notebooks' size, ${smallModel.name}, p = ${smallModel.numParams}, n = ${SMALL_N} Gaussian samples (k = ${SMALL_BLOCK}, median of ${SMALL_REPS}):

| network | threads | ours single HVP (s) | ours block HVP (s / direction) | torch single HVP (s) | torch block (s / direction) | torch's faster way | ours block / torch block | ours block / ours single | rel. diff |
|---|---:|---:|---:|---:|---:|---|---:|---:|---:|
${[...rows.map((r) => ["above", r] as const), ...smallRows.map((r) => ["small", r] as const)].map(([name, r]) => `| ${name} | ${r.threads} | ${g3(r.ours_hvp_s)} | ${g3(r.ours_block_hvp_s)} | ${g3(r.torch_hvp_s)} | ${g3(r.torch_block_hvp_s)} | ${r.torch_block_how ?? "n/a"} | ${f(r.block_ratio, 2)}x | ${f(r.ours_block_hvp_s / r.ours_hvp_s, 2)}x | ${r.block_rel_diff === null ? "n/a" : r.block_rel_diff.toExponential(1)} |`).join("\n")}

A block pass does the primal forward and backward work once for all k directions and turns the tangent products of
untransposed factors into one product; it pays most where per-operation costs dominate (the small network). On the
large network every product is already big and the k tangent slabs of each intermediate stream through memory (the
column "ours block / ours single" says what the block still saves there); the operators' \`matmat\` (LOBPCG, Hutch++)
and the dense Hessian builders cap a pass at 16 MiB of tangents and 32 directions, so on networks of that size they
fall back to single products.
${[...rows, ...smallRows].filter((r) => r.torch_error).map((r) => `\nPyTorch did not run at ${r.threads} thread(s): ${r.torch_error}`).join("")}
Cross-check: gradients, HVPs and block HVPs ${agree ? "agree" : "DO NOT agree"} with PyTorch's to ${AGREE} relative (2-norm) on every row.
One gradient is ${(gradFlops / 1e9).toFixed(1)} GFLOP of matrix products.

Targets: gradient <= 1.3x and HVP <= 1.0x PyTorch at the same thread count: ${missed.length === 0 ? "met on every row" : `MISSED at ${missed.map((r) => `${r.threads} thread(s)`).join(", ")}`}.
Block HVPs per direction against PyTorch's best way for a block: ${rows.map((r) => `${f(r.block_ratio, 2)}x at ${r.threads} thread(s)`).join(", ")} on the network above.

What dominates ours (self time, in-process V8 CPU profile at 1 thread, 3 runs each):

${profiles === null ? "(not taken: the run ended before profiling finished)" : `${prof("gradient", profiles.gradient)}
${prof("HVP", profiles.hvp)}
${prof(`block HVP (${BLOCK} directions, 1 run)`, profiles.block_hvp)}`}

Frames without a script are pooled as \`[native: ...]\`: mostly the OpenBLAS calls through koffi (the same dgemm PyTorch calls).
Self time in the tape's JavaScript (element-wise tanh and its derivatives, bias broadcasts, the dual arithmetic of the
backward rules, allocations and copies) is what ours spends beyond PyTorch's fused C++ kernels.
`;
writeAtomic(join(outDir, "curvature.md"), md);
return md;
}
writeReport(null);

// what dominates ours, 1 thread: self time by function
setBlasThreads(1);
console.log(writeReport({
  gradient: profileTop(() => lossAndGradient(problem, theta), 3),
  hvp: profileTop(() => hvp(problem, theta, v), 3),
  block_hvp: profileTop(() => hvpBlock(problem, theta, V, BLOCK), 1),
}));
