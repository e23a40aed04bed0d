/**
 * Benchmark (not a test): gradient and Hessian-vector product of the MSE loss of a 784-256-256-256-10
 * tanh MLP (with biases, PyTorch default initialisation) on n = 5000 Fashion-MNIST training images,
 * ours (lib/curvature, forward-over-reverse on Float64Array kernels) against PyTorch double-backward
 * (Debian python3-torch, float64, one thread), in one run. Also cross-checks the two implementations'
 * gradient and HVP on the same weights and direction.
 *
 * Run: `npm run bench -- curvature [n] [reps]`. Writes build/bench/curvature.json
 * `{ours_grad_s, ours_hvp_s, torch_grad_s, torch_hvp_s, ...}` and build/bench/curvature.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { mlp } from "../lib/models/index";
import { mseProblem, lossAndGradient, hvp } from "../lib/curvature/index";
import { wasmAvailable } from "../lib/linalg/kernels/wasm";
import { pytorchDefaultInit } from "../lib/init/index";
import { loadFashionMnist, imagesToMatrix, oneHot, selectLabels } from "../lib/data/index";
import { rng } from "../lib/random/rng";

const n = Number(process.argv[2] ?? 5000);
const reps = Number(process.argv[3] ?? 3);
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
const problem = mseProblem(model, X, Y);

function timeIt<T>(f: () => T): { seconds: number; result: T } {
  let result = f(); // warm-up (JIT)
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    result = f();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)], result };
}

console.log(`curvature bench: ${model.name}, p = ${model.numParams}, n = ${n}, median of ${reps}`);
const g = timeIt(() => lossAndGradient(problem, theta));
console.log(`ours  gradient ${g.seconds.toFixed(3)} s (loss ${g.result.loss.toExponential(6)})`);
const h = timeIt(() => hvp(problem, theta, v));
console.log(`ours  HVP      ${h.seconds.toFixed(3)} s (= ${(h.seconds / g.seconds).toFixed(2)} gradients)`);

// ---- PyTorch reference, same data, weights and direction ----
function toF64(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
const xs = new Float64Array(784 * n);
for (let i = 0; i < 784; i++) for (let j = 0; j < n; j++) xs[i * n + j] = X.get(i, j);
const ys = new Float64Array(10 * n);
for (let i = 0; i < 10; i++) for (let j = 0; j < n; j++) ys[i * n + j] = Y.get(i, j);
writeFileSync(join(outDir, "curvature-X.f64"), toF64(xs));
writeFileSync(join(outDir, "curvature-Y.f64"), toF64(ys));
writeFileSync(join(outDir, "curvature-theta.f64"), toF64(theta));
writeFileSync(join(outDir, "curvature-v.f64"), toF64(v));

const python = `
import sys, time, json
import numpy as np
import torch
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
d, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
widths = [784, 256, 256, 256, 10]
X = torch.from_numpy(np.fromfile(d + "/curvature-X.f64", dtype=np.float64).reshape(784, n))
Y = torch.from_numpy(np.fromfile(d + "/curvature-Y.f64", dtype=np.float64).reshape(10, n))
theta = np.fromfile(d + "/curvature-theta.f64", dtype=np.float64)
v = np.fromfile(d + "/curvature-v.f64", dtype=np.float64)
params, vs, o = [], [], 0
for l in range(1, len(widths)):
    for shape in [(widths[l], widths[l - 1]), (widths[l], 1)]:
        size = shape[0] * shape[1]
        params.append(torch.tensor(theta[o:o + size].reshape(shape), requires_grad=True))
        vs.append(torch.tensor(v[o:o + size].reshape(shape)))
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
def timeit(f):
    r = f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); r = f(); ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2], r
tg, g = timeit(grad)
th, hv = timeit(hvp)
np.concatenate([x.detach().numpy().ravel() for x in g]).tofile(d + "/curvature-torch-grad.f64")
np.concatenate([x.detach().numpy().ravel() for x in hv]).tofile(d + "/curvature-torch-hvp.f64")
print(json.dumps({"torch_grad_s": tg, "torch_hvp_s": th, "torch_version": torch.__version__, "threads": torch.get_num_threads(), "blas": torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in torch.__config__.show() else "unknown"}))
`;
let torch: { torch_grad_s: number; torch_hvp_s: number; torch_version: string; threads: number; blas: string } | null = null;
let torchError = "";
let gradDiff = NaN, hvpDiff = NaN;
const py = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const run = spawnSync(py, ["-c", python, outDir, String(n), String(reps)], {
  encoding: "utf8",
  env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
  maxBuffer: 1 << 24,
});
if (run.status === 0) {
  torch = JSON.parse(run.stdout.trim().split("\n").pop() as string);
  const rel = (a: Float64Array, b: Float64Array) => {
    let d = 0, s = 0;
    for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; s += b[i] ** 2; }
    return Math.sqrt(d / s);
  };
  const rd = (f: string) => { const b = readFileSync(join(outDir, f)); return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8); };
  gradDiff = rel(g.result.gradient, rd("curvature-torch-grad.f64"));
  hvpDiff = rel(h.result, rd("curvature-torch-hvp.f64"));
  console.log(`torch gradient ${torch!.torch_grad_s.toFixed(3)} s, HVP ${torch!.torch_hvp_s.toFixed(3)} s (torch ${torch!.torch_version}, ${torch!.threads} thread, BLAS ${torch!.blas})`);
  console.log(`agreement with torch: gradient rel. diff ${gradDiff.toExponential(2)}, HVP rel. diff ${hvpDiff.toExponential(2)}`);
} else {
  torchError = (run.stderr || String(run.error)).trim().split("\n").slice(-3).join(" ");
  console.log(`torch reference not run: ${torchError}`);
}

/**
 * Floating-point operations of one gradient in matrix products: forward W_l H_{l-1} for every layer, the
 * weight gradients G_l H_{l-1}^T, and the input gradients W_l^T G_l except for the first layer.
 */
let gradFlops = 0;
for (let l = 1; l < widths.length; l++) {
  const mk = widths[l] * widths[l - 1] * n;
  gradFlops += 2 * mk * (l === 1 ? 2 : 3);
}
/** Which libblas.so.3 the system resolves to (Debian's torch uses the system BLAS). */
function systemBlas(): string {
  for (const p of ["/usr/lib/x86_64-linux-gnu/libblas.so.3", "/usr/lib/aarch64-linux-gnu/libblas.so.3"]) {
    try {
      return realpathSync(p);
    } catch {
      /* next */
    }
  }
  return "unknown";
}
const blasPath = systemBlas();
const referenceBlas = /\/blas\/libblas\.so/.test(blasPath);

const result = {
  ours_grad_s: g.seconds,
  ours_hvp_s: h.seconds,
  torch_grad_s: torch?.torch_grad_s ?? null,
  torch_hvp_s: torch?.torch_hvp_s ?? null,
  hvp_over_grad_ours: h.seconds / g.seconds,
  grad_gflop: gradFlops / 1e9,
  ours_grad_gflops_per_s: gradFlops / 1e9 / g.seconds,
  torch_grad_gflops_per_s: torch ? gradFlops / 1e9 / torch.torch_grad_s : null,
  hvp_over_grad_torch: torch ? torch.torch_hvp_s / torch.torch_grad_s : null,
  grad_ratio_ours_over_torch: torch ? g.seconds / torch.torch_grad_s : null,
  hvp_ratio_ours_over_torch: torch ? h.seconds / torch.torch_hvp_s : null,
  grad_rel_diff_vs_torch: torch ? gradDiff : null,
  hvp_rel_diff_vs_torch: torch ? hvpDiff : null,
  model: model.name,
  params: model.numParams,
  n,
  reps,
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  wasm_kernel: wasmAvailable(),
  load_average: loadavg()[0],
  torch_version: torch?.torch_version ?? null,
  torch_blas: torch?.blas ?? null,
  system_libblas: blasPath,
  torch_error: torch ? null : torchError,
};
writeFileSync(join(outDir, "curvature.json"), JSON.stringify(result, null, 2) + "\n");
const f = (x: number | null, d = 3) => (x === null ? "n/a" : x.toFixed(d));
const md = `# Curvature benchmark

${model.name}, p = ${model.numParams}, MSE on n = ${n} Fashion-MNIST training images, float64, one thread,
median of ${reps} runs after a warm-up. CPU: ${result.cpu}. Node ${process.version}; PyTorch ${result.torch_version ?? "not available"} (BLAS: ${result.torch_blas ?? "n/a"}).

| | gradient (s) | HVP (s) | HVP / gradient |
|---|---|---|---|
| ours (forward-over-reverse; WebAssembly SIMD / JavaScript kernels) | ${f(g.seconds)} | ${f(h.seconds)} | ${f(result.hvp_over_grad_ours, 2)} |
| PyTorch double-backward | ${f(result.torch_grad_s)} | ${f(result.torch_hvp_s)} | ${f(result.hvp_over_grad_torch, 2)} |
| ours / PyTorch | ${f(result.grad_ratio_ours_over_torch, 2)} | ${f(result.hvp_ratio_ours_over_torch, 2)} | |

One gradient is ${(gradFlops / 1e9).toFixed(1)} GFLOP of matrix products: ours ran them at ${f(result.ours_grad_gflops_per_s, 1)} GFLOP/s,
PyTorch at ${f(result.torch_grad_gflops_per_s, 1)} GFLOP/s. (An optimised single-core float64 BLAS with AVX2 FMA typically reaches
several tens of GFLOP/s: that, not this machine's reference BLAS, is the fair yardstick, and against it ours is
roughly 5-10x slower; this is an estimate, not a measurement.)

Agreement on the same weights and direction: gradient relative difference ${torch ? gradDiff.toExponential(2) : "n/a"},
HVP relative difference ${torch ? hvpDiff.toExponential(2) : "n/a"}.
${torch ? "" : `\nPyTorch reference did not run: ${torchError}\n`}
How to read the ratio: Debian's python3-torch (BLAS_INFO=generic) calls the system \`libblas.so.3\`, which on
this machine resolves to \`${blasPath}\`${referenceBlas ? " — the unoptimised reference (netlib) BLAS of Debian's libblas3" : ""}.
${referenceBlas ? "PyTorch's float64 matrix products therefore run at reference-BLAS speed here (scalar, unblocked loops), which is why\nit is not faster than our kernels on this machine. With an optimised BLAS (e.g. Debian's libopenblas0 selected by update-alternatives) PyTorch's\nproducts would be several times faster and the ratio correspondingly worse for us; we did not change the system BLAS." : ""}

What limits ours: large products run in a WebAssembly SIMD kernel (${wasmAvailable() ? "active in this run" : "NOT available in this run: JavaScript kernels"}),
128-bit f64x2 without fused multiply-add, a 2 x 4 register block and simple cache blocking, while an optimised BLAS uses
256/512-bit FMA micro-kernels tuned per CPU; small products and all element-wise work (tanh, bias, the dual
arithmetic of the backward rules) are scalar JavaScript, and every operation allocates fresh Float64Arrays.
Our HVP costs ${f(result.hvp_over_grad_ours, 2)} gradients (target: at most 3): the R-forward doubles the forward products and
the dual backward doubles the backward products, while the primal parameter gradient and the first layer's input
gradient are skipped. Timings share two cores with other processes (load average ${loadavg()[0].toFixed(1)} at the end of this run),
so they carry noise of tens of percent.
`;
writeFileSync(join(outDir, "curvature.md"), md);
console.log(`wrote ${join(outDir, "curvature.json")} and curvature.md`);
