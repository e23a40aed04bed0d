// The package as a new user gets it: `npm run build` (tsc to dist/), `npm pack`, a fresh project that
// `npm install`s the tarball (offline from the npm cache when it can, else from the registry), then
// require (CommonJS) and import (ESM) of the facade, and the packed examples run with the packed command.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const dir = mkdtempSync(join(tmpdir(), "hs-pack-"));
const fixture = join(dir, "fixture");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SNIPPET = `const X = new Matrix([[1, 2, 3, 0], [0, 1, -1, 2]]), Y = new Matrix([[1, 0, 2, 1]]);
const model = mlp([2, 3, 1], { bias: true });
const r = hessianSpectrum(mseProblem(model, X, Y), standardInit(model, rng(1)), { k: 2, block: "layers.0.weight" });
console.log(JSON.stringify({ values: Array.from(r.values), blocks: r.selection.blocks, exports: typeof Matrix + typeof readSafetensors + typeof spectralDensity }));`;

describe("the packed package in a fresh project", () => {
  beforeAll(() => {
    execFileSync(npm, ["run", "build"], { cwd: root, stdio: "pipe" });
    execFileSync(npm, ["pack", root, "--pack-destination", dir, "--ignore-scripts"], { cwd: dir, stdio: "pipe" });
    const tarball = join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz")) as string);
    execFileSync("mkdir", ["-p", fixture]);
    writeFileSync(join(fixture, "package.json"), JSON.stringify({ name: "fixture", version: "1.0.0", private: true }));
    const install = (mode: string) => spawnSync(npm, ["install", tarball, mode, "--no-audit", "--no-fund"], { cwd: fixture, encoding: "utf8" });
    let r = install("--offline");
    if (r.status !== 0) r = install("--prefer-offline"); // the cache may lack some package's metadata
    if (r.status !== 0) throw new Error(`npm install of the tarball failed: ${r.stderr}`);
  }, 110_000);

  it("require (CommonJS) and import (ESM) give the same facade and the same numbers", () => {
    writeFileSync(join(fixture, "use.cjs"), `const { Matrix, hessianSpectrum, mlp, mseProblem, rng, standardInit, readSafetensors, spectralDensity } = require("hessian-spectra");\n${SNIPPET}\n`);
    writeFileSync(join(fixture, "use.mjs"), `import { Matrix, hessianSpectrum, mlp, mseProblem, rng, standardInit, readSafetensors, spectralDensity } from "hessian-spectra";\n${SNIPPET}\n`);
    const cjs = JSON.parse(execFileSync(process.execPath, ["use.cjs"], { cwd: fixture, encoding: "utf8" }));
    const esm = JSON.parse(execFileSync(process.execPath, ["use.mjs"], { cwd: fixture, encoding: "utf8" }));
    expect(cjs.blocks).toEqual(["W1"]);
    expect(cjs.exports).toBe("functionfunctionfunction");
    expect(cjs.values).toHaveLength(2);
    expect(esm).toEqual(cjs);
  });

  for (const example of ["top-eigenvalues", "per-layer-spectra", "transformer-density"]) {
    it(`npx hessian-spectra run runs the packed example ${example}`, () => {
      const r = spawnSync(npm, ["exec", "--offline", "--", "hessian-spectra", "run", `node_modules/hessian-spectra/examples/${example}.ts`], { cwd: fixture, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    }, 120_000);
  }
});
