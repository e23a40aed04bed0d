// Setup, run by both README commands: installs what is missing and takes a second when all is present.
//   node tools/setup.mjs              node modules, Jupyter, the kernel, data (for `npm run notebooks`)
//   node tools/setup.mjs --for test   the same plus Chromium (for `npm test`)
//   node tools/setup.mjs --kernel-only [--user]   only register the kernel (project-local, or the user's registry)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const KERNEL_NAME = "hessian-spectra";
/** Project-local Jupyter data directory: point Jupyter at it with JUPYTER_PATH. */
export const jupyterPath = join(root, ".jupyter", "share", "jupyter");

const JUPYTER_DEBS = ["jupyter-client", "python3-nbclient", "python3-nbconvert", "python3-nbformat", "jupyter-nbconvert", "python3-ipython"];
const DATA_DEBS = ["dataset-fashion-mnist"];
const TEST_DEBS = ["chromium"];
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
export const CHROMIUM = "/usr/bin/chromium";

class SetupError extends Error {}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: "utf8", ...opts });
}

const isRootOnDebian = () => process.getuid?.() === 0 && existsSync("/etc/debian_version");

let aptUpdated = false;
/** apt-get install (root on Debian), or a SetupError naming the packages. */
export function aptInstall(packages, why) {
  if (!isRootOnDebian()) {
    throw new SetupError(`${why} is missing: install the Debian packages ${packages.join(" ")} (apt-get install --no-install-recommends ${packages.join(" ")}), or the same from your distribution, then re-run.`);
  }
  console.log(`setup: installing ${why} from Debian: ${packages.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    const u = run("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    if (u.status !== 0) throw new SetupError(`apt-get update failed (exit ${u.status}); install ${packages.join(" ")} by hand.`);
    aptUpdated = true;
  }
  const r = run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { stdio: "inherit", env });
  if (r.status !== 0) throw new SetupError(`apt-get install ${packages.join(" ")} failed (exit ${r.status}).`);
}

/** node_modules as the lock file says: `npm ci` when they are missing or older than the lock. */
export function ensureNodeModules() {
  const lock = join(root, "package-lock.json");
  const installed = join(root, "node_modules", ".package-lock.json");
  const stamp = join(root, "node_modules", ".hs-lock");
  const want = readFileSync(lock, "utf8");
  if (existsSync(installed) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  console.log("setup: npm ci");
  const r = run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new SetupError(`npm ci failed (exit ${r.status}) in ${root}.`);
  writeFileSync(stamp, want);
}

const PY_PROBE = "import nbclient, nbconvert, nbformat, jupyter_client, IPython";

/**
 * A python3 with nbclient and nbconvert: HS_PYTHON when set (then only it), else Debian's /usr/bin/python3,
 * then python3 on PATH.
 */
export function findPython() {
  const candidates = process.env.HS_PYTHON ? [process.env.HS_PYTHON] : ["/usr/bin/python3", "python3"];
  for (const py of candidates) {
    const r = run(py, ["-c", PY_PROBE]);
    if (r.status === 0) return py;
  }
  return null;
}

function ensurePython() {
  let py = findPython();
  if (py) return py;
  aptInstall(JUPYTER_DEBS, "Jupyter (nbclient, nbconvert, IPython)");
  py = findPython();
  if (!py) throw new SetupError(`Jupyter was installed but ${process.env.HS_PYTHON ? `HS_PYTHON (${process.env.HS_PYTHON})` : "no python3 (/usr/bin/python3, python3)"} imports it: set HS_PYTHON to a python with nbclient and nbconvert.`);
  return py;
}

/** The kernel spec: node runs tools/kernel.mjs, which starts tslab from the project root. */
export function kernelSpec() {
  return {
    argv: [process.execPath, join(root, "tools", "kernel.mjs"), "{connection_file}"],
    display_name: "TypeScript (hessian-spectra)",
    language: "typescript",
    metadata: { debugger: false },
  };
}

/** Write the kernel spec into a Jupyter data dir (project-local by default); rewritten only when it changed. */
export function registerKernel({ user = false } = {}) {
  const dataDir = user ? (process.env.JUPYTER_DATA_DIR || join(homedir(), ".local", "share", "jupyter")) : jupyterPath;
  const dir = join(dataDir, "kernels", KERNEL_NAME);
  const file = join(dir, "kernel.json");
  const text = JSON.stringify(kernelSpec(), null, 2) + "\n";
  if (!existsSync(file) || readFileSync(file, "utf8") !== text) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    console.log(`setup: kernel "${KERNEL_NAME}" registered in ${dir}`);
  }
  return dir;
}

function ensureData() {
  if (!existsSync(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"))) {
    if (isRootOnDebian()) aptInstall(DATA_DEBS, "Fashion-MNIST");
    else console.warn(`setup: Fashion-MNIST is missing (${FASHION_MNIST_DIR}); install the Debian package dataset-fashion-mnist. Notebooks on it will fail with a message naming the files.`);
  }
}

/** Debian's nbconvert points HTML pages at a local MathJax: without it LaTeX stays raw in build/html. */
export const MATHJAX = "/usr/share/javascript/mathjax/MathJax.js";
function ensureMathJax() {
  if (existsSync(MATHJAX)) return;
  if (isRootOnDebian()) aptInstall(["libjs-mathjax"], "MathJax (LaTeX in the HTML pages)");
  else console.warn(`setup: ${MATHJAX} is missing: the HTML pages will show LaTeX unrendered; install the Debian package libjs-mathjax.`);
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  aptInstall(TEST_DEBS, "Chromium (the browser test of the HTML pages)");
}

/** Where Debian, Ubuntu and Fedora put OpenBLAS (the native backend's first choice, lib/linalg/kernels/native.ts). */
const OPENBLAS_FILES = ["x86_64-linux-gnu", "aarch64-linux-gnu", "", "../lib64"].map((d) => join("/usr/lib", d, "libopenblas.so.0"));

/**
 * The platform's BLAS/LAPACK for the native backend: Debian's libopenblas0-pthread (which also switches the
 * libblas/liblapack alternatives, so numpy and torch use it too) when root on Debian; elsewhere one line
 * naming what to install, and the library runs on its WebAssembly kernels.
 */
function ensureOpenBlas() {
  if (process.env.HS_BLAS_LIB || process.env.HS_BACKEND === "wasm" || process.env.HS_BACKEND === "js") return;
  if (process.platform !== "linux" || OPENBLAS_FILES.some((f) => existsSync(f))) return;
  if (isRootOnDebian()) {
    aptInstall(["libopenblas0-pthread"], "OpenBLAS (the native BLAS/LAPACK backend)");
    return;
  }
  console.warn("setup: OpenBLAS not found: install it (Debian/Ubuntu: libopenblas0-pthread; Fedora: openblas) for the native backend, or set HS_BLAS_LIB; meanwhile the WebAssembly kernels are used.");
}

/**
 * Classic Notebook for `npm run jupyter`: a python that imports Jupyter and the notebook server (Debian's
 * jupyter-notebook), installed when root on Debian, else a SetupError naming the package. Returns the python.
 */
export function ensureNotebookServer() {
  const python = ensurePython();
  const probe = () => run(python, ["-c", "import notebook.notebookapp"]).status === 0;
  if (probe()) return python;
  aptInstall(["jupyter-notebook"], "classic Notebook (the server `npm run jupyter` starts)");
  if (!probe()) throw new SetupError(`jupyter-notebook was installed but ${python} cannot import notebook.notebookapp: set HS_PYTHON to a python with classic Notebook 6.`);
  return python;
}

/** For `npm test`: classic Notebook for the browser test where it can be installed; elsewhere that test skips. */
function ensureNotebookServerForTest() {
  try {
    ensureNotebookServer();
  } catch (e) {
    if (!(e instanceof SetupError)) throw e;
    console.warn(`setup: ${e.message} (the browser test of classic Notebook will be skipped)`);
  }
}

/** Everything the main job needs; returns the python to drive Jupyter with. Throws SetupError with advice. */
export function setup({ forTest = false } = {}) {
  ensureNodeModules();
  ensureOpenBlas();
  const python = ensurePython();
  registerKernel();
  ensureMathJax();
  ensureData();
  if (forTest) ensureChromium();
  if (forTest) ensureNotebookServerForTest();
  return { python };
}

export { SetupError };

/** The one-line advice when no usable Python is found and setup may not install one. */
export function missingJupyterMessage() {
  const tried = process.env.HS_PYTHON ? `HS_PYTHON=${process.env.HS_PYTHON}` : "/usr/bin/python3, python3";
  return `Jupyter is missing: no python imports ${PY_PROBE.replace("import ", "")} (tried ${tried}). Install the Debian packages ${JUPYTER_DEBS.join(" ")} (or run without --no-setup as root on Debian), or set HS_PYTHON.`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  try {
    if (args.includes("--kernel-only")) {
      const dir = registerKernel({ user: args.includes("--user") });
      console.log(`kernel spec: ${join(dir, "kernel.json")}`);
      if (!args.includes("--user")) console.log(`to use it: JUPYTER_PATH=${jupyterPath} jupyter lab   (see environment.md)`);
    } else {
      setup({ forTest: args.includes("--for") && args[args.indexOf("--for") + 1] === "test" });
    }
  } catch (e) {
    console.error(`setup: ${e.message}`);
    process.exit(1);
  }
}
