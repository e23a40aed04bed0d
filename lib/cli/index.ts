/**
 * The `hessian-spectra` command (package.json `bin`): exact float64 spectra of your own network from the
 * shell. `main(argv)` returns the exit code: 0 done, 2 a usage or input error (one line on stderr). Results go
 * to stdout; progress and notices to stderr; `--json` / `--plot` files are written atomically (a temporary
 * file, then a rename), so a failed run leaves no half-written file.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../io/safetensors";
import { gaussNewtonSplit, hessianSpectrum, hessianTrace, spectralDensity, CurvatureKind } from "../spectra";
import { rng } from "../random/rng";
import { UsageError, buildProblem, loadData, loadWeights, parseArch } from "./setup";
import { runScript } from "./run";

export { UsageError } from "./setup";

export const HELP = `hessian-spectra: exact float64 Hessian spectra of your own network

Usage:
  hessian-spectra spectrum --arch <arch> --data <data> [options]   extreme eigenvalues of H (or H_o, H_f)
  hessian-spectra density  --arch <arch> --data <data> [options]   spectral density (stochastic Lanczos quadrature)
  hessian-spectra trace    --arch <arch> --data <data> [options]   trace: exact, Hutchinson or Hutch++
  hessian-spectra split    --arch <arch> --data <data> [options]   spectra of H, H_o and H_f (H = H_o + H_f)
  hessian-spectra run <file.ts> [args...]                          type-check and run your own script

Model, weights, data:
  --arch <a>          mlp:784-256-10[:tanh|relu|linear][:bias], deepLinear:6-7-5,
                      transformer:vocab=8,seqLen=4,dModel=8[,heads=2,layers=1,mlpWidth=32,attention=0|1]
  --weights <f>       a PyTorch state_dict saved as .safetensors (mlp keys layers.<i>.weight / layers.<i>.bias;
                      float32 is widened to float64); default: a seeded initialisation (--seed, default 0)
  --data <d>          fashion-mnist:N, mnist:N, cifar10:N (first N training images, one-hot targets),
                      or a file: .csv, .npy, IDX (one sample per row)
  --targets <f>       targets file for a --data file (one sample per row; class indices for --loss ce)
  --loss mse|ce       mean squared error (default) or softmax cross-entropy

Which matrix:
  --curvature hessian|ggn|functional   H (default), its Gauss-Newton part H_o, or H_f = H - H_o
  --block <name>      restrict to parameter blocks (repeat, or comma-separate): W1, b2, layers.0.weight, ...

spectrum / split:   --k <n> (default 10)  --which largest|smallest|both  --method dense|lanczos|lobpcg
density:            --probes <n> (4)  --steps <n> (60)  --sigma <s>  --method slq|dense
trace:              --method exact|hutchinson|hutchpp (hutchinson)  --probes <n> (100)  --matvecs <n> (99)
Output:             --json <out.json>  --plot <out.html> (spectrum, density, split)  --seed <n> (0)  --quiet

Examples:
  hessian-spectra spectrum --arch mlp:784-256-10:tanh --weights w.safetensors --data fashion-mnist:5000 --k 10
  hessian-spectra spectrum --arch mlp:784-32-10 --data fashion-mnist:200 --k 5 --block layers.0.weight --json top.json
  hessian-spectra density --arch mlp:4-16-3 --data X.csv --targets Y.csv --plot density.html
  hessian-spectra trace --arch deepLinear:6-7-5 --data X.npy --targets Y.npy --method hutchpp --matvecs 60
  hessian-spectra split --arch mlp:4-8-2:relu --data X.csv --targets Y.csv --k 4 --method dense
  hessian-spectra run examples/top-eigenvalues.ts
`;

interface Flags {
  [name: string]: string[];
}

const VALUE_FLAGS = ["arch", "weights", "data", "targets", "loss", "curvature", "block", "k", "which", "method", "probes", "steps", "sigma", "matvecs", "json", "plot", "seed"];
const BOOLEAN_FLAGS = ["quiet", "help"];

function parseFlags(args: string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-h") { flags.help = ["1"]; continue; }
    if (!a.startsWith("--")) throw new UsageError(`unexpected argument "${a}"; flags start with -- (see --help)`);
    let name = a.slice(2), value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    if (BOOLEAN_FLAGS.includes(name)) { flags[name] = ["1"]; continue; }
    if (!VALUE_FLAGS.includes(name)) throw new UsageError(`unknown flag --${name}; expected one of ${VALUE_FLAGS.map((f) => "--" + f).join(", ")} (see --help)`);
    if (value === undefined) {
      value = args[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name}: expected a value`);
    }
    (flags[name] ??= []).push(value);
  }
  return flags;
}

function one(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (v.length > 1 && name !== "block") throw new UsageError(`--${name}: given ${v.length} times, expected once`);
  return v[v.length - 1];
}

function integer(flags: Flags, name: string, fallback: number, min = 1): number {
  const v = one(flags, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got "${v}"`);
  return n;
}

function choice<T extends string>(flags: Flags, name: string, options: readonly T[], fallback: T | undefined): T | undefined {
  const v = one(flags, name);
  if (v === undefined) return fallback;
  if (!(options as readonly string[]).includes(v)) throw new UsageError(`--${name}: expected ${options.join(" | ")}, got "${v}"`);
  return v as T;
}

/** Run the facade's checks with the flag names in the message. */
function facade<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    const msg = (e as Error).message;
    if (/block "/.test(msg)) throw new UsageError(`--block: ${msg.replace(/^[^:]*: /, "")}`);
    if (/\bk must\b/.test(msg)) throw new UsageError(`--k: ${msg.replace(/^[^:]*: /, "")}`);
    throw e;
  }
}

/** A self-contained HTML page with one Plotly figure (plotly.js inlined: it opens offline). */
function plotPage(title: string, data: unknown[], layout: Record<string, unknown>): string {
  const plotly = readFileSync(require.resolve("plotly.js-dist"), "utf8");
  const spec = JSON.stringify({ data, layout: { title: { text: title }, ...layout } }).replace(/</g, "\\u003c");
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title.replace(/</g, "&lt;")}</title>` +
    `<script>${plotly.replace(/<\/script/gi, "<\\/script")}</script></head><body><div id="figure" style="width:100%;height:90vh"></div>` +
    `<script>const f=${spec};Plotly.newPlot("figure",f.data,f.layout);</script></body></html>\n`;
}

function fmt(x: number): string {
  return x.toExponential(10);
}

/**
 * The command line. `argv` without node and the script (`process.argv.slice(2)`).
 *
 * @param io where output goes (tests pass their own)
 * @returns exit code: 0 done, 2 usage or input error
 */
export async function main(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = {
  out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s),
}): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") { io.out(HELP); return 0; }
    if (command === "run") {
      try {
        await runScript(rest[0], rest.slice(1));
        return 0;
      } catch (e) {
        if (e instanceof UsageError) throw e;
        // The script's own failure: its stack, exit code 1 (2 is for usage and input errors).
        io.err(`hessian-spectra: ${rest[0]} failed: ${(e as Error).stack ?? String(e)}\n`);
        return 1;
      }
    }
    if (!["spectrum", "density", "trace", "split"].includes(command)) {
      throw new UsageError(`unknown command "${command}"; expected spectrum, density, trace, split or run (see --help)`);
    }
    const flags = parseFlags(rest);
    if (flags.help) { io.out(HELP); return 0; }
    const quiet = flags.quiet !== undefined;
    const note = (s: string) => { if (!quiet) io.err(`hessian-spectra: ${s}\n`); };
    const arch = one(flags, "arch"), dataSpec = one(flags, "data");
    if (arch === undefined) throw new UsageError("--arch: required, e.g. --arch mlp:784-256-10:tanh");
    if (dataSpec === undefined) throw new UsageError("--data: required, e.g. --data fashion-mnist:5000 or --data X.csv --targets Y.csv");
    const seed = integer(flags, "seed", 0, 0);
    const json = one(flags, "json"), plot = one(flags, "plot");
    if (plot !== undefined && command === "trace") throw new UsageError("--plot: trace has nothing to plot; use --json");
    const model = parseArch(arch);
    const data = loadData(dataSpec, one(flags, "targets"));
    const problem = buildProblem(model, data, one(flags, "loss") ?? "mse");
    const theta = loadWeights(model, one(flags, "weights"), seed, note);
    const block = flags.block?.flatMap((b) => b.split(",")).filter((b) => b !== "");
    const curvature = choice(flags, "curvature", ["hessian", "ggn", "functional"] as const, "hessian") as CurvatureKind;
    const started = Date.now();
    let last = started;
    const onProgress = (products: number) => {
      const now = Date.now();
      if (now - last >= 2000) { last = now; note(`${command}: ${products} curvature-vector products, ${((now - started) / 1000).toFixed(0)} s`); }
    };
    const common = { block, curvature, rng: rng(seed), onProgress };
    note(`${command}: ${model.name}, ${model.numParams} parameters, ${data.description}`);
    let result: Record<string, unknown>;
    let page: string | undefined;
    if (command === "spectrum" || command === "split") {
      const k = integer(flags, "k", 10);
      const which = choice(flags, "which", ["largest", "smallest", "both"] as const, "largest");
      const method = choice(flags, "method", ["dense", "lanczos", "lobpcg"] as const, undefined);
      if (command === "spectrum") {
        const r = facade(() => hessianSpectrum(problem, theta, { ...common, k, which, method }));
        io.out(`${curvature} eigenvalues (${r.method}, blocks ${r.selection.blocks.join(", ")}; ${r.cost.products} products, ${r.cost.seconds.toFixed(2)} s):\n`);
        r.values.forEach((v, i) => io.out(`${String(i + 1).padStart(4)}  ${fmt(v)}   residual ${r.residualNorms[i].toExponential(2)}\n`));
        if (!r.converged) note("spectrum: the iterative method did not meet its tolerance (see the residuals)");
        result = { command, arch, model: model.name, curvature, method: r.method, blocks: r.selection.blocks, values: Array.from(r.values), residualNorms: Array.from(r.residualNorms), converged: r.converged, cost: r.cost };
        if (plot !== undefined) page = plotPage(`${curvature} eigenvalues of ${model.name}`, [{ type: "scatter", mode: "markers", x: r.values.map((_, i) => i + 1), y: Array.from(r.values) }], { xaxis: { title: { text: "index" } }, yaxis: { title: { text: "eigenvalue" } } });
      } else {
        const r = facade(() => gaussNewtonSplit(problem, theta, { block, rng: rng(seed), onProgress, k, which, method }));
        const cols = [r.hessian, r.ggn, r.functional];
        io.out(`H = H_o + H_f (${r.hessian.method}, blocks ${r.hessian.selection.blocks.join(", ")}):\n       ${["H", "H_o", "H_f"].map((s) => s.padEnd(18)).join("  ")}\n`);
        for (let i = 0; i < k; i++) io.out(`${String(i + 1).padStart(4)}   ${cols.map((c) => fmt(c.values[i]).padEnd(18)).join("  ")}\n`);
        if (r.splitResidual !== undefined) io.out(`max |H - H_o - H_f| = ${r.splitResidual.toExponential(2)}\n`);
        result = { command, arch, model: model.name, method: r.hessian.method, blocks: r.hessian.selection.blocks, hessian: Array.from(r.hessian.values), ggn: Array.from(r.ggn.values), functional: Array.from(r.functional.values), splitResidual: r.splitResidual ?? null, cost: { products: cols.reduce((s, c) => s + c.cost.products, 0) } };
        if (plot !== undefined) page = plotPage(`H, H_o and H_f of ${model.name}`, cols.map((c, j) => ({ type: "scatter", mode: "markers", name: ["H", "H_o", "H_f"][j], x: c.values.map((_, i) => i + 1), y: Array.from(c.values) })), { xaxis: { title: { text: "index" } }, yaxis: { title: { text: "eigenvalue" } } });
      }
    } else if (command === "density") {
      const method = choice(flags, "method", ["slq", "dense"] as const, "slq");
      const sigmaText = one(flags, "sigma");
      const sigma = sigmaText === undefined ? undefined : Number(sigmaText);
      if (sigma !== undefined && !(sigma > 0 && Number.isFinite(sigma))) throw new UsageError(`--sigma: expected a positive number, got "${sigmaText}"`);
      const r = facade(() => spectralDensity(problem, theta, { ...common, method, probes: integer(flags, "probes", 4), steps: flags.steps ? integer(flags, "steps", 60) : undefined, sigma }));
      let lo = Infinity, hi = -Infinity;
      for (const x of r.nodes) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
      io.out(`${curvature} spectral density (${r.method}, blocks ${r.selection.blocks.join(", ")}; ${r.nodes.length} nodes in [${fmt(lo)}, ${fmt(hi)}], sigma ${r.sigma.toExponential(2)}; ${r.cost.products} products)\n`);
      result = { command, arch, model: model.name, curvature, method: r.method, blocks: r.selection.blocks, nodes: Array.from(r.nodes), weights: Array.from(r.weights), sigma: r.sigma, grid: Array.from(r.grid), density: Array.from(r.density), cost: r.cost };
      if (plot !== undefined) page = plotPage(`${curvature} spectral density of ${model.name}`, [{ type: "scatter", mode: "lines", x: Array.from(r.grid), y: Array.from(r.density) }], { xaxis: { title: { text: "eigenvalue" } }, yaxis: { title: { text: "density" }, type: "log" } });
    } else {
      const method = choice(flags, "method", ["exact", "hutchinson", "hutchpp"] as const, "hutchinson");
      const r = facade(() => hessianTrace(problem, theta, { ...common, method, probes: integer(flags, "probes", 100, 2), matvecs: integer(flags, "matvecs", 99, 3) }));
      io.out(`tr(${curvature}) = ${fmt(r.estimate)}${r.standardError !== undefined && r.method !== "exact" ? ` +- ${r.standardError.toExponential(2)} (standard error)` : ""} (${r.method}, blocks ${r.selection.blocks.join(", ")}; ${r.cost.products} products)\n`);
      result = { command, arch, model: model.name, curvature, method: r.method, blocks: r.selection.blocks, estimate: r.estimate, standardError: r.standardError ?? null, cost: r.cost };
    }
    // Both files only after the whole computation succeeded, each atomically.
    if (json !== undefined) writeFileAtomic(json, JSON.stringify(result, null, 1) + "\n");
    if (plot !== undefined && page !== undefined) writeFileAtomic(plot, page);
    return 0;
  } catch (e) {
    const err = e as Error;
    const message = err instanceof UsageError ? err.message : `${err.message ?? String(e)}`;
    const lines = message.split("\n");
    // One line, except a type-check report, whose diagnostics follow on their own lines.
    io.err(`hessian-spectra: ${message.startsWith("run:") ? message : lines[0]}\n`);
    if (process.env.HS_DEBUG && err.stack) io.err(err.stack + "\n");
    return 2;
  }
}
