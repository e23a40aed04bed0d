// Native and WebAssembly results agree to 1e-12 relative on the eigen battery, the factorisations and the
// curvature products; the selection honours HS_BACKEND and reports what it picked.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Matrix } from "ml-matrix";
import { availableBackends, backendInfo, backendName, useBackend } from "../../lib/linalg/kernels";
import type { BackendName } from "../../lib/linalg/kernels";
import { lapackRangeEigen } from "../../lib/linalg/kernels/native";
import { cholesky, eigh, qr, svd } from "../../lib/linalg";
import { rng } from "../../lib/random/rng";
import { battery } from "./helpers";

const backends = availableBackends();

function under<T>(name: BackendName, f: () => T): T {
  const prev = useBackend(name);
  try {
    return f();
  } finally {
    useBackend(prev);
  }
}

/** max |x - y| / max |y| over two arrays. */
function relDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < y.length; i++) { d = Math.max(d, Math.abs(x[i] - y[i])); s = Math.max(s, Math.abs(y[i])); }
  return s === 0 ? d : d / s;
}

describe("backend selection", () => {
  it("uses the backend HS_BACKEND names (default native where a BLAS loads) and describes it", () => {
    const asked = process.env.HS_BACKEND;
    const info = backendInfo();
    if (asked) expect(info.backend).toBe(asked);
    else expect(info.backend).toBe(backends[0]);
    expect(info.library.length).toBeGreaterThan(0);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(backendName()).toBe(info.backend);
  });
  it("native is available on a machine with OpenBLAS (Debian's libopenblas0-pthread), as the README commands install", () => {
    const hasOpenBlas = existsSync("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
    if (hasOpenBlas) expect(backends).toContain("native");
    expect(backends).toContain("js");
  });
});

describe.runIf(backends.includes("native") && backends.includes("wasm"))("native and wasm agree to 1e-12 relative", () => {
  it("eigenvalues of the LAPACK-style battery (values relative to max |lambda|)", () => {
    for (const { name, A } of battery(rng(11), [5, 40, 130, 300])) {
      const wn = under("native", () => eigh(A).values);
      const ww = under("wasm", () => eigh(A).values);
      expect(relDiff(wn, ww), name).toBeLessThanOrEqual(1e-12);
    }
  });
  it("singular values, R of QR (up to rounding) and the Cholesky factor", () => {
    const g = rng(12);
    const A = new Matrix(Array.from({ length: 60 }, () => Array.from(g.normalArray(35))));
    expect(relDiff(under("native", () => svd(A).s), under("wasm", () => svd(A).s))).toBeLessThanOrEqual(1e-12);
    const rn = under("native", () => qr(A).R.to1DArray()), rw = under("wasm", () => qr(A).R.to1DArray());
    expect(relDiff(rn, rw)).toBeLessThanOrEqual(1e-12);
    const S = A.transpose().mmul(A).add(Matrix.eye(35));
    expect(relDiff(under("native", () => cholesky(S).to1DArray()), under("wasm", () => cholesky(S).to1DArray()))).toBeLessThanOrEqual(1e-12);
  });
});

describe.runIf(backends.includes("native") && backends.includes("wasm"))("native and wasm agree on curvature products", () => {
  it("gradient and HVP of a tanh MLP large enough for the BLAS path (relative 1e-12)", async () => {
    const { mlp } = await import("../../lib/models");
    const { mseProblem, lossAndGradient, hvp } = await import("../../lib/curvature");
    const g = rng(13);
    const model = mlp([40, 48, 32, 6], { activation: "tanh", bias: true });
    const X = g.normalMatrix(40, 90), Y = g.normalMatrix(6, 90);
    const problem = mseProblem(model, X, Y);
    const theta = g.normalArray(model.numParams, 0, 0.3), v = g.normalArray(model.numParams);
    const [gn, hn] = under("native", () => [lossAndGradient(problem, theta).gradient, hvp(problem, theta, v)]);
    const [gw, hw] = under("wasm", () => [lossAndGradient(problem, theta).gradient, hvp(problem, theta, v)]);
    expect(relDiff(gn, gw)).toBeLessThanOrEqual(1e-12);
    expect(relDiff(hn, hw)).toBeLessThanOrEqual(1e-12);
  });
});

describe("bad input and missing libraries", () => {
  const run = (env: Record<string, string>) => spawnSync(process.execPath, ["-r", "./lib/tasks/register-ts.cjs", "-e", 'const k = require("./lib/linalg/kernels/index.ts"); console.log(JSON.stringify(k.backendInfo()))'], {
    cwd: join(__dirname, "..", ".."), encoding: "utf8", env: { ...process.env, HS_BACKEND: "", ...env },
  });
  it("an unloadable library: one line naming the file tried and the fallback taken, never a crash", () => {
    const r = run({ HS_BLAS_LIB: "/nonexistent/libnotblas.so" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe("wasm");
    const lines = r.stderr.trim().split("\n");
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/native backend unavailable .*\/nonexistent\/libnotblas\.so.*; using wasm/);
  });
  it("an unknown HS_BACKEND names the variable and the choices", () => {
    const r = run({ HS_BACKEND: "cuda" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/HS_BACKEND must be one of native, wasm, js, got "cuda"/);
  });
  it.runIf(backends.includes("native"))("LAPACK's failure (dpotrf info > 0) becomes cholesky's named error", () => {
    const A = new Matrix([[1, 2], [2, 1]]);
    expect(() => under("native", () => cholesky(A))).toThrow(/cholesky: A is not positive definite \(pivot 1: the leading minor of order 2/);
  });
});

describe.runIf(backends.includes("native"))("LAPACK dsyevr's rare non-convergence", () => {
  // A 48 x 48 NTK Gram of a random deep linear net from data-dependence/eq-6's paper-scale run, on which
  // OpenBLAS 0.3.21's dsyevr (range "I", the largest eigenvalue) returns info = 2 (dstemr did not converge).
  const fixture = JSON.parse(readFileSync(join(__dirname, "fixtures", "dsyevr-dstemr-info2-n48.json"), "utf8")) as { n: number; a: number[] };
  const n = fixture.n;
  const A = new Matrix(Array.from({ length: n }, (_, i) => fixture.a.slice(i * n, i * n + n)));
  it("eigh({ largest: 1 }) falls back to dsyevd and agrees with the full spectrum", () => {
    const range = lapackRangeEigen(Float64Array.from(fixture.a), n, false, n - 1, 1);
    const full = under("native", () => eigh(A).values);
    const top = under("native", () => eigh(A, { largest: 1 }).values);
    if (range === null) expect(top[0]).toBe(full[n - 1]); // the fallback: the same dsyevd values
    else expect(Math.abs(range.values[0] - full[n - 1])).toBeLessThanOrEqual(1e-13 * Math.abs(full[n - 1]));
    expect(Math.abs(top[0] - under("wasm", () => eigh(A).values)[n - 1])).toBeLessThanOrEqual(1e-12 * Math.abs(full[n - 1]));
  });
});
