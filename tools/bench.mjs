// npm run bench -- <name> [args...]: compile lib/ and bench/ with tsc (build/dist), then run bench/<name>.ts.
// Benchmarks are never tests: they time ours against reference implementations in one process group and
// write build/bench/<name>.json plus a Markdown table.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { aptInstall } from "./setup.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(join(root, "bench")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`bench: name one benchmark: ${available.join(", ") || "(none yet)"}; got ${name ?? "nothing"}`);
  process.exit(2);
}
// The reference implementations each benchmark times against, from Debian (installed when root on Debian).
const REFERENCES = {
  linalg: { module: "numpy", debs: ["python3-numpy"] },
  curvature: { module: "torch", debs: ["python3-torch"] },
  study: { module: "torch", debs: ["python3-torch"] },
};
const ref = REFERENCES[name];
if (ref && spawnSync("/usr/bin/python3", ["-c", `import ${ref.module}`]).status !== 0) {
  try {
    aptInstall(ref.debs, `the ${name} benchmark's reference (${ref.module})`);
  } catch (e) {
    console.error(`bench: ${e.message} The benchmark runs without that reference.`);
  }
}
const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const script = join(root, "build/dist/bench", `${name}.js`);
if (!existsSync(script)) {
  console.error(`bench: ${script} was not produced by tsc`);
  process.exit(1);
}
const run = spawnSync(process.execPath, [script, ...rest], { stdio: "inherit", cwd: root });
process.exit(run.status ?? 1);
