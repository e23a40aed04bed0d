// `hessian-spectra run file.ts` / `npm run script -- file.ts`: the three examples run (their own checks
// throw on failure, exit code 1), a type error stops a script before it runs, usage errors exit 2.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const bin = join(root, "bin", "hessian-spectra.js");
const dir = mkdtempSync(join(tmpdir(), "hs-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });

describe("hessian-spectra run", () => {
  for (const [file, output] of [
    ["examples/top-eigenvalues.ts", /max \|Lanczos - dense\| \/ lambda_max = /],
    ["examples/per-layer-spectra.ts", /lambda_max\(H\) = .* >= every block's lambda_max: true/],
    ["examples/transformer-density.ts", /mean eigenvalue: SLQ .*, dense .*, tr\(H\)\/p /],
  ] as const) {
    it(file, () => {
      const r = run(["run", file]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(output);
    }, 180_000);
  }

  it("checks types first (nothing runs), passes arguments, reports a script's own failure with exit 1", () => {
    const bad = join(dir, "bad.ts");
    writeFileSync(bad, `import { hessianSpectrum } from "hessian-spectra";\nconsole.log("ran");\nconst k: number = "ten";\nexport {};\n`);
    const r = run(["run", bad]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/does not type-check \(1 error\).*\n.*bad\.ts.*Type 'string' is not assignable to type 'number'/);
    const ok = join(dir, "args.ts");
    writeFileSync(ok, `import { Matrix } from "hessian-spectra";\nconsole.log(process.argv.slice(2).join("|"), new Matrix(2, 3).columns);\nif (process.argv[2] === "fail") throw new Error("asked to fail");\n`);
    const a = run(["run", ok, "x", "y"]);
    expect(a.stdout).toBe("x|y 3\n");
    expect(a.status).toBe(0);
    const f = run(["run", ok, "fail"]);
    expect(f.status).toBe(1);
    expect(f.stderr).toMatch(/args\.ts failed: Error: asked to fail/);
  }, 180_000);

  it("usage errors exit 2 from the command itself", () => {
    const r = run(["run", join(dir, "absent.ts")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^hessian-spectra: run: .*absent\.ts does not exist\n$/);
    expect(run(["spectrum", "--arch", "mlp:2-2"]).status).toBe(2);
    expect(run(["--help"]).stdout).toMatch(/^hessian-spectra: exact float64 Hessian spectra/);
  }, 60_000);
});
