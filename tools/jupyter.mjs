// One command that opens the notebooks in a browser:
//   npm run jupyter [-- <notebook server options>, e.g. --no-browser --port 8899]
// installs what is missing (node_modules by npm ci; Debian's jupyter-notebook when root, else one line
// naming it), registers the kernel, and starts classic Notebook from the project root on 127.0.0.1 with the
// project's Jupyter path, so that the kernel is found and the server's files route serves plotly.js.
//   node tools/jupyter.mjs --kernel-only [--user]   (npm run kernel): node_modules, then the kernel spec only
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureNodeModules, ensureNotebookServer, jupyterPath, registerKernel, root, SetupError } from "./setup.mjs";

/** The environment the notebook server runs in: the project's kernel spec first on JUPYTER_PATH. */
export function serverEnv(env = process.env) {
  return { ...env, JUPYTER_PATH: [jupyterPath, env.JUPYTER_PATH].filter(Boolean).join(":") };
}

/** The server's command line: classic Notebook, loopback only, rooted at the project. */
export function serverArgs(extra = []) {
  const has = (name) => extra.some((a) => a === name || a.startsWith(`${name}=`));
  return [
    "-m", "notebook",
    ...(has("--ip") ? [] : ["--ip=127.0.0.1"]),
    `--notebook-dir=${root}`,
    // Notebook refuses to run as root (containers, CI) without it.
    ...(process.getuid?.() === 0 && !has("--allow-root") ? ["--allow-root"] : []),
    ...extra,
  ];
}

function main(argv) {
  if (argv.includes("--kernel-only")) {
    ensureNodeModules(); // a kernel without tslab's modules would stay "starting" forever
    const dir = registerKernel({ user: argv.includes("--user") });
    console.log(`kernel spec: ${join(dir, "kernel.json")}`);
    if (!argv.includes("--user")) console.log(`to use it: npm run jupyter, or JUPYTER_PATH=${jupyterPath} jupyter notebook from ${root} (see environment.md)`);
    return Promise.resolve(0);
  }
  ensureNodeModules();
  const python = ensureNotebookServer();
  registerKernel();
  const args = serverArgs(argv);
  console.log(`jupyter: ${python} ${args.join(" ")}  (open notebooks/ in the page; Ctrl-C stops the server)`);
  const child = spawn(python, args, { cwd: root, env: serverEnv(), stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  return new Promise((done) => child.on("close", (code) => done(code ?? 1)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2)).then((code) => process.exit(code));
  } catch (e) {
    console.error(`jupyter: ${e instanceof SetupError ? e.message : e.stack}`);
    process.exit(1);
  }
}
