// PyTorch weights in, exact spectra out: a small MLP's state_dict written by PyTorch (Debian's python3-torch)
// as float32 .safetensors, loaded by name into `mlp`, data from .npy; our dense Hessian and its spectrum
// against PyTorch's float64 Hessian (torch.autograd.functional.hessian) of the same model and data.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hessianSpectrum, loadStateDict, loss, mlp, mseProblem, readNpy, readSafetensors, hessian } from "../../lib";

const PYTHON = process.env.HS_PYTHON ?? "/usr/bin/python3";
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, numpy"]).status === 0;
if (!hasTorch) console.warn(`torch-roundtrip: ${PYTHON} cannot import torch and numpy (Debian: apt-get install python3-torch python3-numpy); skipped`);

describe.skipIf(!hasTorch)("PyTorch round trip", () => {
  const dir = mkdtempSync(join(tmpdir(), "hs-torch-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a PyTorch MLP's float32 weights by name and matches PyTorch's float64 Hessian spectrum to 1e-10", () => {
    const run = spawnSync(PYTHON, [join(__dirname, "torch_mlp.py"), dir], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const ref = JSON.parse(readFileSync(join(dir, "torch.json"), "utf8")) as { names: string[]; hessian: number[][]; eigenvalues: number[]; loss: number };
    const file = readSafetensors(join(dir, "mlp.safetensors"));
    expect(Object.keys(file.tensors).sort()).toEqual([...ref.names].sort());
    expect(file.notices.join(" ")).toMatch(/widened to float64/);
    const model = mlp([3, 5, 2], { activation: "tanh", bias: true });
    const theta = loadStateDict(model, file.tensors);
    const X = readNpy(join(dir, "X.npy")), Y = readNpy(join(dir, "Y.npy"));
    expect([X.rows, X.columns, Y.rows, Y.columns]).toEqual([3, 7, 2, 7]); // transposed on load
    const problem = mseProblem(model, X, Y);
    expect(Math.abs(loss(problem, theta) - ref.loss)).toBeLessThanOrEqual(1e-14 * Math.abs(ref.loss));
    const H = hessian(problem, theta);
    let worst = 0;
    for (let i = 0; i < H.rows; i++) for (let j = 0; j < H.columns; j++) worst = Math.max(worst, Math.abs(H.get(i, j) - ref.hessian[i][j]));
    expect(worst).toBeLessThanOrEqual(1e-10);
    const ours = hessianSpectrum(problem, theta, { k: model.numParams, which: "smallest", method: "dense" }).values;
    expect(ours.length).toBe(ref.eigenvalues.length);
    const gap = Math.max(...Array.from(ours, (v, i) => Math.abs(v - ref.eigenvalues[i])));
    expect(gap).toBeLessThanOrEqual(1e-10);
  });
});
