/**
 * The kernel layer: the only place lib/ gets matrix products and LAPACK-class routines from. One contract
 * (./contract), three backends, one switch:
 *
 *   HS_BACKEND=native   the platform's BLAS/LAPACK through koffi (./native); the default where it loads
 *   HS_BACKEND=wasm     the WebAssembly SIMD kernels (./wasm); the default without a native library, and in
 *                       browsers
 *   HS_BACKEND=js       plain loops (./js)
 *
 * An unavailable backend falls back (native -> wasm -> js) with one line on stderr naming what was tried.
 * Tiny products always run in JavaScript, where any call overhead would dominate. BLAS threads:
 * HS_THREADS (default: every core in the main thread, 1 in a worker thread).
 */
import type { Backend, BackendName, Gemm } from "./contract";
import { jsBackend } from "./js";
import { lapackCholesky, lapackQrRows, lapackSvd, lapackSymmetricEigen, nativeBackend, nativeFailure, nativeThreads, setNativeThreads, assertOperand } from "./native";
import { wasmAvailable, wasmBackend } from "./wasm";

export type { Backend, BackendName, Gemm } from "./contract";
export { lapackCholesky, lapackQrRows, lapackSvd, lapackSymmetricEigen } from "./native";

const NAMES: BackendName[] = ["native", "wasm", "js"];

let current: Backend | undefined;
let warned = false;

function warn(line: string): void {
  if (warned) return;
  warned = true;
  const c = (globalThis as unknown as { console?: { warn(s: string): void } }).console;
  c?.warn(`hessian-spectra: ${line}`);
}

function env(name: string): string | undefined {
  const p = (globalThis as unknown as { process?: { env?: Record<string, string | undefined> } }).process;
  return p && p.env ? p.env[name] : undefined;
}

/** Backend `name` if it can run here, else null. */
function make(name: BackendName): Backend | null {
  if (name === "native") {
    const b = nativeBackend();
    if (b !== null) applyThreads();
    return b;
  }
  if (name === "wasm") return wasmAvailable() ? wasmBackend : null;
  return jsBackend;
}

/** Pick the backend from HS_BACKEND (default native), falling back in the order native, wasm, js. */
function select(): Backend {
  const asked = (env("HS_BACKEND") || "").trim().toLowerCase();
  if (asked !== "" && !NAMES.includes(asked as BackendName)) {
    throw new RangeError(`HS_BACKEND must be one of ${NAMES.join(", ")}, got "${asked}"`);
  }
  const start = asked === "" ? 0 : NAMES.indexOf(asked as BackendName);
  for (let i = start; i < NAMES.length; i++) {
    const b = make(NAMES[i]);
    if (b !== null) {
      if (i > start) {
        const why = NAMES[start] === "native" ? nativeFailure() : "WebAssembly SIMD is not available in this runtime";
        // without an explicit request a missing BLAS is said once; an explicit request that fails too
        // browsers have no native backend by design: nothing to say there
        const quiet = NAMES[start] === "native" && why === "not running on Node.js";
        if (!quiet && (asked !== "" || NAMES[start] === "native")) warn(`${NAMES[start]} backend unavailable (${why}); using ${b.name}${NAMES[start] === "native" ? " (install OpenBLAS, e.g. Debian's libopenblas0-pthread, or set HS_BLAS_LIB)" : ""}`);
      }
      return b;
    }
  }
  return jsBackend;
}

/** The backend in use (chosen on first use). */
export function backend(): Backend {
  if (current === undefined) current = select();
  return current;
}

/** The name of the backend in use. */
export function backendName(): BackendName {
  return backend().name;
}

/** Backends that can run here, in preference order (for tests and benchmarks). */
export function availableBackends(): BackendName[] {
  return NAMES.filter((n) => make(n) !== null);
}

/**
 * Switch backend (tests and benchmarks; code paths elsewhere follow HS_BACKEND). Throws if `name` cannot run
 * here. Returns the previous backend's name.
 */
export function useBackend(name: BackendName): BackendName {
  if (!NAMES.includes(name)) throw new RangeError(`useBackend: name must be one of ${NAMES.join(", ")}, got "${String(name)}"`);
  const b = make(name);
  if (b === null) throw new Error(`useBackend: the ${name} backend cannot run here${name === "native" ? ` (${nativeFailure()})` : ""}`);
  const prev = backendName();
  current = b;
  return prev;
}

/** True when the LAPACK-class routines of the native library are in use. */
export function lapackAvailable(): boolean {
  return backendName() === "native";
}

let threads: number | undefined;

function defaultThreads(): number {
  const asked = env("HS_THREADS");
  if (asked !== undefined && asked !== "") {
    const t = Number(asked);
    if (!Number.isInteger(t) || t < 1) throw new RangeError(`HS_THREADS must be a positive integer, got "${asked}"`);
    return t;
  }
  const p = (globalThis as unknown as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = p?.getBuiltinModule?.("node:worker_threads") as { isMainThread?: boolean } | undefined;
  if (wt && wt.isMainThread === false) return 1; // one per worker when tasks run in parallel
  const os = p?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  return os ? (os.availableParallelism ? os.availableParallelism() : os.cpus().length) : 1;
}

function applyThreads(): void {
  if (threads === undefined) threads = defaultThreads();
  setNativeThreads(threads);
}

/** Set the number of BLAS threads (native backend; the other backends are single-threaded). */
export function setBlasThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setBlasThreads: n must be a positive integer, got ${n}`);
  threads = n;
  if (backendName() === "native") setNativeThreads(n);
}

/** What computes: backend, library and BLAS threads (printed by the runner, recorded in build/report.json). */
export function backendInfo(): { backend: BackendName; library: string; threads: number } {
  const b = backend();
  return { backend: b.name, library: b.library, threads: b.name === "native" ? nativeThreads() ?? threads ?? 1 : 1 };
}

/** Products below this many multiply-adds run in JavaScript whatever the backend. */
const SMALL_WORK = 2048;

/**
 * C = alpha op(A) op(B) + beta C on row-major storage (BLAS dgemm semantics, see ./contract), through the
 * backend in use. Sizes and buffer lengths are checked first, so no backend ever reads or writes past an
 * array's end.
 */
export function dgemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  beta: number, c: Float64Array, cOff: number, ldc: number,
): void {
  const fn = "dgemm";
  for (const [nm, v] of [["m", m], ["n", n], ["k", k]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${fn}: ${nm} must be a nonnegative integer, got ${v}`);
  }
  if (m === 0 || n === 0) return;
  if (k > 0) {
    assertOperand(fn, "A", a, aOff, transA ? k : m, transA ? m : k, lda);
    assertOperand(fn, "B", b, bOff, transB ? n : k, transB ? k : n, ldb);
  }
  assertOperand(fn, "C", c, cOff, m, n, ldc);
  const be = m * n * k < SMALL_WORK ? jsBackend : backend();
  be.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
}

/**
 * C (m x n) (+)= op(A) op(B) on contiguous row-major arrays: op(A) m x k (A stored m x k, or k x m when ta),
 * op(B) k x n (B stored k x n, or n x k when tb); `accumulate` adds to C instead of overwriting it. The
 * common case of dgemm, used by the tape, the curvature operators and the block solvers.
 */
export function gemm(ta: boolean, tb: boolean, m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean): void {
  dgemm(ta, tb, m, n, k, 1, A, 0, ta ? m : k, B, 0, tb ? k : n, accumulate ? 1 : 0, C, 0, n);
}

/** C (m x n) = A (m x k) B (k x n), row-major; `c` (if given) is overwritten. */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, c?: Float64Array): Float64Array {
  const out = c ?? new Float64Array(m * n);
  dgemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, out, 0, n);
  return out;
}
