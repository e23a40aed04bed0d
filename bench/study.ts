/**
 * Benchmark (not a test): one network of the norm-correlation study (Cracking the Hessian, Section 4.2,
 * Figure 4; protocol of Appendix D.1.3) at paper settings: two-layer linear net, D = K = 100 (the figure's
 * largest input size), width 100, SP
 * initialisation, n = 1024 teacher samples, mini-batch SGD (batch 128, no momentum) at eta = 1e-2 with the
 * divide-by-10 schedule (patience 10, tol 1e-4, min 1e-5) for a fixed number of epochs, then its sharpness by
 * Lanczos on exact Hessian-vector products (relative residual 1e-9). Ours: the library's `trainNet` (with
 * `chainSgd`, as the study runs it) and `sharpness` (lib/experiments/norm-correlation); the generic `sgd` loop's
 * training time is reported beside it. Reference: the same protocol in PyTorch float64 (Debian's
 * python3-torch) on the same data, initial weights and mini-batch permutations, with double-backward HVPs.
 * At 1 and 2 threads; the two runs' losses, trained weights and sharpness are cross-checked.
 *
 * npm run bench -- study [epochs]   (default 200). Writes build/bench/study.json ({threads, ours_s, torch_s}
 * rows) and build/bench/study.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { buildModel, chainOf, initNet, sharpness, taskProblem, teacherTask, trainNet } from "../lib/experiments/norm-correlation";
import type { NetSpec, TrainSpec } from "../lib/experiments/norm-correlation";
import { backendInfo, setBlasThreads } from "../lib/linalg/kernels/index";
import { rng } from "../lib/random/rng";
import { writeAtomic, profileTop } from "./common";

const epochs = Number(process.argv[2] ?? 200);
if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`bench study: epochs must be a positive integer, got ${process.argv[2]}`);
const THREADS = [1, 2];
const outDir = join(process.cwd(), "build", "bench");
mkdirSync(outDir, { recursive: true });

const bytes = (a: Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const rd = (f: string) => { const b = readFileSync(join(outDir, f)); return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };

// paper settings (Cracking D.1.3, Figure 4) at its largest input size, where the study's cost is: SP, eta = 1e-2
const spec: NetSpec = { activation: "linear", D: 100, K: 100, width: 100, depth: 2, param: "SP" };
const n = 1024;
const train: TrainSpec = { optimizer: "sgd", lr0: 1e-2, patience: 10, tol: 1e-4, minLr: 1e-5, maxEpochs: epochs, batchSize: 128 };
const LANCZOS_TOL = 1e-9;
const RESTARTS = 4; // trainNet's default: on divergence it retries with eta / 3, drawing on the same stream

const gen = rng(4004);
const model = buildModel(spec);
const task = teacherTask(spec.activation, spec.D, spec.K, n, gen.fork("data"));
const problem = taskProblem(model, task);
const { theta: theta0, lrScale } = initNet(model, spec, gen.fork("init"));

// the mini-batch permutations trainNet's sgd draws: fork(label) depends only on the seed and label
const perms = new Int32Array(n * epochs * (RESTARTS + 1));
{
  const g = gen.fork("train");
  for (let e = 0; e < epochs * (RESTARTS + 1); e++) perms.set(g.permutation(n), e * n);
}
const colMajor = (M: { rows: number; columns: number; get(i: number, j: number): number }) => {
  const a = new Float64Array(M.rows * M.columns);
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.columns; j++) a[i * M.columns + j] = M.get(i, j);
  return a;
};
writeAtomic(join(outDir, "study-X.f64"), bytes(colMajor(task.X)));
writeAtomic(join(outDir, "study-Y.f64"), bytes(colMajor(task.Y)));
writeAtomic(join(outDir, "study-theta0.f64"), bytes(theta0));
writeAtomic(join(outDir, "study-perms.i32"), bytes(perms));

/** Ours: the study's own functions (training by `chainSgd`, or by the generic `sgd` loop), timed from initial weights to sharpness. */
function ours(generic = false): { seconds: number; train_s: number; loss: number; epochs: number; lr0: number; sharpness: number; residual: number; iterations: number; theta: Float64Array } {
  const t0 = process.hrtime.bigint();
  const out = trainNet(model, problem, task, theta0, lrScale, train, gen.fork("train"), generic ? undefined : chainOf(spec));
  const t1 = process.hrtime.bigint();
  const s = sharpness(problem, out.theta, gen.fork("lanczos"), { tol: LANCZOS_TOL });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, train_s: Number(t1 - t0) / 1e9, loss: out.loss, epochs: out.epochs, lr0: out.lr0, sharpness: s.value, residual: s.residual, iterations: s.iterations, theta: out.theta };
}

const python = `
import sys, time, json
import numpy as np
import torch
d, D, K, m, n, epochs, threads = sys.argv[1], *[int(a) for a in sys.argv[2:8]]
lr0, patience, tol, min_lr, batch, tol_l, restarts = float(sys.argv[8]), int(sys.argv[9]), float(sys.argv[10]), float(sys.argv[11]), int(sys.argv[12]), float(sys.argv[13]), int(sys.argv[14])
torch.set_num_threads(threads)
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
X = torch.from_numpy(np.fromfile(d + "/study-X.f64").reshape(D, n))
Y = torch.from_numpy(np.fromfile(d + "/study-Y.f64").reshape(K, n))
theta0 = torch.from_numpy(np.fromfile(d + "/study-theta0.f64"))
perms = torch.from_numpy(np.fromfile(d + "/study-perms.i32", dtype=np.int32).astype(np.int64)).view(-1, n)

def loss(theta, Xb, Yb):  # 1/(2b) sum_i ||W2 W1 x_i - y_i||^2, W row-major as in the library
    W1 = theta[:m * D].view(m, D); W2 = theta[m * D:].view(K, m)
    return ((W2 @ (W1 @ Xb) - Yb) ** 2).sum() / (2 * Xb.shape[1])

# The epoch loss in population form, as the library's study computes it (the same function of theta; its cost
# does not grow with n): 1/2 tr(W Sxx W^T) - tr(W Sxy^T) + 1/2 tr(Syy), W = W2 W1, moments over the n samples.
Sxx, Sxy, syy = X @ X.T / n, Y @ X.T / n, float((Y * Y).sum()) / n
def epoch_loss(theta):
    W = theta[m * D:].view(K, m) @ theta[:m * D].view(m, D)
    return 0.5 * ((W @ Sxx) * W).sum() - (W * Sxy).sum() + 0.5 * syy

def sgd(lr0, epoch_base):  # the library's sgd with divideBy10Schedule, epoch by epoch
    theta = theta0.clone().requires_grad_(True)
    lr, best, since, losses, used = lr0, float("inf"), 0, [], 0
    for epoch in range(epochs + 1):
        with torch.no_grad():
            L = epoch_loss(theta).item()
        losses.append(L)
        if not np.isfinite(L): return theta.detach(), losses, "diverged", used
        if L < best * (1 - tol): best, since = L, 0
        else: since += 1
        if since >= patience:
            lr /= 10; since = 0
            if lr < min_lr * (1 - 1e-12): lr = float("nan")
        if epoch >= epochs: return theta.detach(), losses, "steps", used
        if not lr > 0: return theta.detach(), losses, "schedule", used
        p = perms[epoch_base + used]; used += 1
        for s in range(0, n, batch):
            idx = p[s:s + batch]
            g, = torch.autograd.grad(loss(theta, X[:, idx], Y[:, idx]), theta)
            with torch.no_grad():
                theta -= lr * g

def train():  # trainNet: restart from theta0 with eta / 3 when the run diverged or ended above its start
    with torch.no_grad():
        L0 = epoch_loss(theta0).item()
    lr, base = lr0, 0
    for attempt in range(restarts + 1):
        theta, losses, stopped, used = sgd(lr, base)
        bad = stopped == "diverged" or not losses[-1] <= L0
        if not bad or attempt >= restarts: return theta, losses, lr
        base += used; lr /= 3

def lanczos_top(theta, tol, maxit=2000):  # largest eigenvalue; full reorthogonalisation (twice)
    theta = theta.clone().requires_grad_(True)
    g, = torch.autograd.grad(loss(theta, X, Y), theta, create_graph=True)
    def hv(v):
        r, = torch.autograd.grad(g, theta, v, retain_graph=True)
        return r
    q = torch.randn(theta.numel()); q /= q.norm()
    Q, a, b = [q], [], []
    for k in range(maxit):
        w = hv(Q[-1])
        a.append(float(w @ Q[-1]))
        Qm = torch.stack(Q)
        w = w - Qm.T @ (Qm @ w); w = w - Qm.T @ (Qm @ w)
        beta = float(w.norm())
        T = np.diag(a) + np.diag(b, 1) + np.diag(b, -1)
        vals, vecs = np.linalg.eigh(T)
        top, s = vals[-1], vecs[-1, -1]
        res = beta * abs(s) / max(abs(top), 1e-300)
        if res <= tol or beta < 1e-14 * abs(top): return top, res, k + 1
        b.append(beta); Q.append(w / beta)
    return top, res, maxit

t0 = time.perf_counter()
theta, losses, lr_used = train()
t1 = time.perf_counter()
top, res, its = lanczos_top(theta, tol_l)
seconds = time.perf_counter() - t0
theta.numpy().tofile(d + "/study-torch-theta.f64")
loaded = sorted({l.split()[-1] for l in open("/proc/self/maps") if ("blas" in l or "lapack" in l) and l.split()[-1].startswith("/")})
print(json.dumps({"seconds": seconds, "train_s": t1 - t0, "loss": losses[-1], "epochs": len(losses) - 1, "lr0": lr_used, "sharpness": float(top), "residual": float(res), "iterations": its, "torch_version": torch.__version__, "loaded": loaded}))
`;

interface Torch { seconds: number; train_s: number; loss: number; epochs: number; lr0: number; sharpness: number; residual: number; iterations: number; torch_version: string; loaded: string[] }
function torchRun(t: number): Torch | string {
  const args = [outDir, spec.D, spec.K, spec.width, n, epochs, t, train.lr0, train.patience, train.tol, train.minLr, train.batchSize, LANCZOS_TOL, RESTARTS].map(String);
  const run = spawnSync("/usr/bin/python3", ["-c", python, ...args], {
    encoding: "utf8", maxBuffer: 1 << 24,
    env: { ...process.env, OMP_NUM_THREADS: String(t), MKL_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t) },
  });
  if (run.status !== 0) return (run.stderr || String(run.error)).trim().split("\n").slice(-3).join(" ");
  return JSON.parse(run.stdout.trim().split("\n").pop() as string) as Torch;
}


const relDiff = (a: Float64Array, b: Float64Array) => {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; s += b[i] ** 2; }
  return Math.sqrt(d / s);
};

const load0 = loadavg();
const info = backendInfo();
console.log(`study bench: ${model.name}, p = ${model.numParams}, n = ${n}, ${epochs} epochs of SGD (batch ${train.batchSize}), sharpness by Lanczos; backend ${info.backend}`);
interface Row {
  threads: number; ours_s: number; torch_s: number | null; ratio: number | null;
  ours_train_s: number; torch_train_s: number | null; ours_lanczos_iterations: number;
  ours_loss: number; torch_loss: number | null; ours_sharpness: number; torch_sharpness: number | null; sharpness_rel_diff: number | null; theta_rel_diff: number | null;
  ours_epochs: number; torch_epochs: number | null; ours_lr0: number; torch_lr0: number | null; torch_lanczos_iterations: number | null; torch_error?: string;
  generic_train_s: number; generic_theta_rel_diff: number;
}
const rows: Row[] = [];
let torchVersion: string | null = null;
let torchLoaded: string[] = [];
ours(); // warm-up (JIT), untimed
for (const t of THREADS) {
  setBlasThreads(t);
  const tr = torchRun(t);
  const o = ours();
  const g = ours(true);
  const row: Row = { threads: t, ours_s: o.seconds, torch_s: null, ratio: null, ours_train_s: o.train_s, torch_train_s: null, ours_lanczos_iterations: o.iterations, ours_loss: o.loss, torch_loss: null, ours_sharpness: o.sharpness, torch_sharpness: null, sharpness_rel_diff: null, theta_rel_diff: null, ours_epochs: o.epochs, torch_epochs: null, ours_lr0: o.lr0, torch_lr0: null, torch_lanczos_iterations: null, generic_train_s: g.train_s, generic_theta_rel_diff: relDiff(o.theta, g.theta) };
  if (typeof tr === "string") row.torch_error = tr;
  else {
    torchVersion = tr.torch_version;
    torchLoaded = tr.loaded;
    Object.assign(row, {
      torch_s: tr.seconds, ratio: o.seconds / tr.seconds, torch_train_s: tr.train_s, torch_loss: tr.loss, torch_sharpness: tr.sharpness,
      sharpness_rel_diff: Math.abs(o.sharpness - tr.sharpness) / Math.abs(tr.sharpness), theta_rel_diff: relDiff(o.theta, rd("study-torch-theta.f64")),
      torch_epochs: tr.epochs, torch_lr0: tr.lr0, torch_lanczos_iterations: tr.iterations,
    });
  }
  rows.push(row);
  console.log(JSON.stringify(row));
}
const load1 = loadavg();

// what dominates ours, 1 thread: self time by function over one more run
setBlasThreads(1);
const profile = profileTop(() => { ours(); }, 1);

// the same protocol on the same draws: trained weights agree to rounding amplified by training, sharpness
// to the Lanczos tolerance (a different schedule decision or batch order shows as O(1e-3) or more)
const AGREE = 1e-6;
const agree = rows.every((r) => r.torch_s === null || ((r.sharpness_rel_diff as number) <= AGREE && (r.theta_rel_diff as number) <= AGREE && r.torch_epochs === r.ours_epochs));
// chainSgd is the generic loop's algorithm on the same draws: only the order of the sums differs
const GENERIC_AGREE = 1e-12;
const genericAgree = rows.every((r) => r.generic_theta_rel_diff <= GENERIC_AGREE);
const result = {
  rows, agree, agreement_limit: AGREE, generic_agree: genericAgree, generic_agreement_limit: GENERIC_AGREE, target_ratio_max: 1.0, profile_1_thread: profile,
  settings: { ...spec, n, ...train, lanczos_tol: LANCZOS_TOL, seed: 4004 }, params: model.numParams,
  backend: info.backend, library: info.library, torch_version: torchVersion, torch_loaded_blas: torchLoaded,
  node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, loadavg_start: load0, loadavg_end: load1,
};
writeAtomic(join(outDir, "study.json"), JSON.stringify(result, null, 2) + "\n");

const f = (x: number | null, d = 3) => (x === null ? "n/a" : x.toFixed(d));
const e = (x: number | null) => (x === null ? "n/a" : x.toExponential(1));
const missed = rows.filter((r) => r.ratio !== null && r.ratio > 1.0);
const md = `# Study benchmark: one norm-correlation network at paper settings, ours vs PyTorch

Cracking the Hessian, Figure 4 (Appendix D.1.3): ${model.name}, p = ${model.numParams}, SP initialisation, linear teacher with
n = ${n}; SGD batch ${train.batchSize}, eta = ${train.lr0}, divide-by-10 (patience ${train.patience}, tol ${train.tol}, min ${train.minLr}), at most ${epochs} epochs
(the paper trains until the rate falls below its minimum; the epochs are capped here so the bench runs in minutes);
then the sharpness by Lanczos to relative residual ${LANCZOS_TOL}. Same data, initial weights and mini-batch order in both.
Ours: \`trainNet\` with \`chainSgd\` (as the study runs it) + \`sharpness\` (the library's population-form loss for linear nets; backend \`${info.backend}\`, ${info.library}).
PyTorch ${torchVersion ?? "not available"} float64 (mini-batch loss by autograd, epoch loss in the same population form as ours, double-backward HVPs, Lanczos with full reorthogonalisation),
BLAS mapped: ${torchLoaded.join(", ") || "n/a"}; torch.set_num_threads and OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = threads.
One run each per thread count (PyTorch first, then ours, same process group; ours warmed up once before).
CPU: ${result.cpu}, ${result.cores} cores shared with other processes: load average (1, 5, 15 min) ${load0.map((x) => x.toFixed(2)).join(", ")}
at the start, ${load1.map((x) => x.toFixed(2)).join(", ")} at the end; wall-clock times, inflated by that load.

| threads | ours (s) | torch (s) | ours / torch | epochs run ours / torch | training ours / torch (s) | training, generic sgd (s) | sharpness ours / torch (s) | Lanczos products ours / torch | loss ours / torch | sharpness ours / torch | rel. diff sharpness / weights |
|---:|---:|---:|---:|---|---|---:|---|---|---|---|---|
${rows.map((r) => `| ${r.threads} | ${f(r.ours_s)} | ${f(r.torch_s)} | ${f(r.ratio, 2)}x | ${r.ours_epochs} / ${r.torch_epochs ?? "n/a"} | ${f(r.ours_train_s)} / ${f(r.torch_train_s)} | ${f(r.generic_train_s)} | ${f(r.ours_s - r.ours_train_s)} / ${r.torch_s === null ? "n/a" : f(r.torch_s - (r.torch_train_s as number))} | ${r.ours_lanczos_iterations} / ${r.torch_lanczos_iterations ?? "n/a"} | ${e(r.ours_loss)} / ${e(r.torch_loss)} | ${f(r.ours_sharpness, 6)} / ${f(r.torch_sharpness, 6)} | ${e(r.sharpness_rel_diff)} / ${e(r.theta_rel_diff)} |`).join("\n")}
${rows.filter((r) => r.torch_error).map((r) => `\nPyTorch did not run at ${r.threads} thread(s): ${r.torch_error}`).join("")}
Cross-check: sharpness and trained weights ${agree ? "agree" : "DO NOT agree"} with PyTorch's to ${AGREE} relative, with the same number of epochs;
\`chainSgd\`'s trained weights ${genericAgree ? "agree" : "DO NOT agree"} with the generic \`sgd\` loop's to ${GENERIC_AGREE} relative (largest ${e(Math.max(...rows.map((r) => r.generic_theta_rel_diff)))}).

Target: study <= 1.0x PyTorch: ${missed.length === 0 ? "met on every row" : `MISSED at ${missed.map((r) => `${r.threads} thread(s)`).join(", ")}`}.

What dominates ours (self time, in-process V8 CPU profile of one more run at 1 thread; frames without a script pooled
as \`[native: ...]\`): ${profile.map((p) => `\`${p.fn}\` ${(100 * p.share).toFixed(0)} %`).join(", ")}.
The network is small (p = ${model.numParams}, mini-batches of ${train.batchSize}): every product is tiny, so neither side is limited by
floating-point throughput; the split into training and sharpness above and the profile say where ours spends its time.
`;
writeAtomic(join(outDir, "study.md"), md);
console.log(md);
