// Each sub-command on a small problem, in process (main returns the exit code), against the facade called
// directly; bad input gives one line naming the flag, exit code 2, and no --json / --plot file.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../lib/cli";
import { Matrix, hessianSpectrum, hessianTrace, mlp, mseProblem, rng, standardInit, stateDict, writeSafetensors } from "../../lib";

const dir = mkdtempSync(join(tmpdir(), "hs-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const gen = rng(9);
const n = 15;
const X = new Matrix(3, n), Y = new Matrix(2, n);
for (let i = 0; i < n; i++) { for (let r = 0; r < 3; r++) X.set(r, i, gen.normal()); for (let r = 0; r < 2; r++) Y.set(r, i, gen.normal()); }
// files hold one sample per row
const csv = (M: Matrix) => Array.from({ length: M.columns }, (_, i) => M.getColumn(i).join(",")).join("\n") + "\n";
writeFileSync(join(dir, "X.csv"), "x0,x1,x2\n" + csv(X));
writeFileSync(join(dir, "Y.csv"), csv(Y));
const model = mlp([3, 4, 2], { activation: "tanh", bias: true });
const theta = standardInit(model, rng(4));
writeSafetensors(join(dir, "w.safetensors"), stateDict(model, theta), { dtype: "F64" });
const problem = mseProblem(model, X, Y);
const base = ["--arch", "mlp:3-4-2:tanh:bias", "--data", join(dir, "X.csv"), "--targets", join(dir, "Y.csv"), "--weights", join(dir, "w.safetensors"), "--quiet"];

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await main(args, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}
const readJson = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));

describe("hessian-spectra sub-commands", () => {
  it("--help shows every command and examples", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    for (const s of ["spectrum", "density", "trace", "split", "run <file.ts>", "Examples:", "--block"]) expect(r.out).toContain(s);
  });

  it("spectrum: the facade's values for the loaded weights, written to --json and --plot", async () => {
    const r = await cli(["spectrum", ...base, "--k", "3", "--block", "layers.0.weight", "--json", join(dir, "s.json"), "--plot", join(dir, "s.html")]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const direct = hessianSpectrum(problem, theta, { k: 3, block: "W1" });
    expect(readJson("s.json").values).toEqual(Array.from(direct.values));
    expect(readJson("s.json").blocks).toEqual(["W1"]);
    expect(readFileSync(join(dir, "s.html"), "utf8")).toMatch(/Plotly\.newPlot/);
  });

  it("trace (exact and Hutch++), density, split", async () => {
    expect((await cli(["trace", ...base, "--method", "exact", "--json", join(dir, "t.json")])).code).toBe(0);
    expect(readJson("t.json").estimate).toBe(hessianTrace(problem, theta, { method: "exact" }).estimate);
    expect((await cli(["trace", ...base, "--method", "hutchpp", "--matvecs", "30"])).out).toMatch(/^tr\(hessian\) = .*hutchpp/);
    expect((await cli(["density", ...base, "--curvature", "ggn", "--probes", "2", "--steps", "10", "--json", join(dir, "d.json"), "--plot", join(dir, "d.html")])).code).toBe(0);
    const d = readJson("d.json");
    expect(Math.abs(d.weights.reduce((s: number, w: number) => s + w, 0) - 1)).toBeLessThanOrEqual(1e-12);
    expect(d.curvature).toBe("ggn");
    const s = await cli(["split", ...base, "--k", "2", "--json", join(dir, "sp.json")]);
    expect(s.code).toBe(0);
    const sp = readJson("sp.json");
    expect(sp.hessian).toEqual(Array.from(hessianSpectrum(problem, theta, { k: 2 }).values));
    expect(sp.splitResidual).toBeLessThanOrEqual(1e-12 * Math.abs(sp.hessian[0]));
  });

  it("float32 weights: widened to float64, said on stderr", async () => {
    writeSafetensors(join(dir, "w32.safetensors"), stateDict(model, theta), { dtype: "F32" });
    const args = base.filter((a) => a !== "--quiet").map((a) => (a.endsWith("w.safetensors") ? join(dir, "w32.safetensors") : a));
    const r = await cli(["trace", ...args, "--method", "exact"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/4 tensor\(s\) stored in lower precision \(F32\) were widened to float64/);
  });

  it("without --weights: a seeded initialisation, said on stderr", async () => {
    const r = await cli(["spectrum", "--arch", "mlp:3-4-2", "--data", join(dir, "X.csv"), "--targets", join(dir, "Y.csv"), "--k", "1", "--seed", "3"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/no --weights: parameters drawn by standardInit with seed 3/);
  });

  it.skipIf(!existsSync("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))("--data fashion-mnist:N", async () => {
    const r = await cli(["spectrum", "--arch", "mlp:784-2-10", "--data", "fashion-mnist:20", "--k", "2", "--block", "W2", "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/hessian eigenvalues \(dense, blocks W2/);
  });
});

describe("bad input: one line naming the flag, exit code 2, nothing written", () => {
  const cases: [string, string[], RegExp][] = [
    ["wrong architecture string", ["--arch", "mlp:3-x-2"], /^hessian-spectra: --arch: expected mlp:<d0>.*got "mlp:3-x-2"/],
    ["unknown block name", ["--block", "W7"], /^hessian-spectra: --block: block "W7" is not a block of the model; expected one of W1 \(layers\.0\.weight\)/],
    ["weights that do not match the architecture", ["--arch", "mlp:3-5-2:tanh:bias"], /^hessian-spectra: --weights: .*w\.safetensors: .*layers\.0\.weight has shape \[4, 3\], expected \[5, 3\]/],
    ["data whose feature count differs from the input width", ["--arch", "mlp:4-4-2"], /^hessian-spectra: --data: samples have 3 features, --arch mlp\(4-4-2, tanh\) expects 4/],
    ["a file that is not safetensors", ["--weights", "X.csv"], /^hessian-spectra: --weights: readSafetensors\(.*X\.csv\): not a safetensors file/],
    ["an unknown flag", ["--kk", "3"], /^hessian-spectra: unknown flag --kk/],
  ];
  for (const [what, change, message] of cases) {
    it(what, async () => {
      const args = [...base];
      for (let i = 0; i < change.length; i += 2) {
        const at = args.indexOf(change[i]);
        const value = change[i + 1] === "X.csv" ? join(dir, "X.csv") : change[i + 1];
        if (at >= 0) args[at + 1] = value; else args.push(change[i], value);
      }
      writeFileSync(join(dir, "keep.json"), "previous\n");
      const r = await cli(["spectrum", ...args, "--json", join(dir, "keep.json"), "--plot", join(dir, "never.html")]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trimEnd().split("\n")).toHaveLength(1);
      expect(readFileSync(join(dir, "keep.json"), "utf8")).toBe("previous\n");
      expect(existsSync(join(dir, "never.html"))).toBe(false);
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    });
  }
  it("an unknown command", async () => {
    const r = await cli(["eigen"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^hessian-spectra: unknown command "eigen"; expected spectrum, density, trace, split or run/);
  });
});
