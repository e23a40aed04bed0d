/**
 * The `native` backend: the platform's BLAS and LAPACK (OpenBLAS, MKL, reference BLAS/LAPACK, Accelerate),
 * called through koffi on the caller's Float64Arrays without copies. This is how numpy, Julia and R get their
 * speed. Node-only: koffi is required at run time through Node's own module loader (never a static import),
 * so browser bundles of lib/ carry none of it and get `null` here.
 *
 * Library search order (the first that loads and exports cblas_dgemm wins):
 *   1. HS_BLAS_LIB, an explicit path (then only it);
 *   2. Linux: libopenblas.so.0, libopenblas.so, libmkl_rt.so.2, libmkl_rt.so, libblas.so.3 (Debian's
 *      alternative, OpenBLAS or the reference BLAS), with LAPACK from the same library or liblapack.so.3;
 *      macOS: Homebrew's OpenBLAS, then Accelerate; Windows: libopenblas.dll, openblas.dll, mkl_rt.2.dll.
 * Every buffer is checked against the sizes the routine will touch before the call: native code writing out
 * of bounds is a crash, not a NaN.
 */
import type { Backend, Gemm } from "./contract";

type NativeFn = (...args: unknown[]) => unknown;
interface KoffiLib { func(signature: string): NativeFn }
interface Koffi { load(path: string): KoffiLib }

interface NodeProcess {
  versions?: { node?: string };
  env: Record<string, string | undefined>;
  platform: string;
  cwd(): string;
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcess | null {
  const p = (globalThis as unknown as { process?: NodeProcess }).process;
  return p && p.versions && p.versions.node ? p : null;
}

/** Node's require, found without a static import (browser bundles must not see one). */
function nodeRequire(): ((id: string) => unknown)[] {
  const proc = nodeProcess();
  if (proc === null) return [];
  const out: ((id: string) => unknown)[] = [];
  // CommonJS (tslab, tsc's dist/): the require of this module resolves the package's own dependencies
  if (typeof require === "function") out.push(require as (id: string) => unknown);
  const mod = proc.getBuiltinModule?.("node:module") as { createRequire(path: string): (id: string) => unknown } | undefined;
  if (mod) {
    if (typeof __filename === "string") out.push(mod.createRequire(__filename));
    out.push(mod.createRequire(proc.cwd() + "/"));
  }
  return out;
}

function loadKoffi(): Koffi | string {
  const reqs = nodeRequire();
  if (reqs.length === 0) return "not running on Node.js";
  const id = "koffi"; // a variable: bundlers must not follow it
  let last = "";
  for (const r of reqs) {
    try {
      return r(id) as Koffi;
    } catch (e) {
      last = (e as Error).message.split("\n")[0];
    }
  }
  return `the npm package koffi could not be loaded (${last})`;
}

/** The libraries tried, in order. */
export function librarySearchOrder(): string[] {
  const proc = nodeProcess();
  if (proc === null) return [];
  if (proc.env.HS_BLAS_LIB) return [proc.env.HS_BLAS_LIB];
  if (proc.platform === "darwin") {
    return ["/opt/homebrew/opt/openblas/lib/libopenblas.dylib", "/usr/local/opt/openblas/lib/libopenblas.dylib", "/System/Library/Frameworks/Accelerate.framework/Accelerate"];
  }
  if (proc.platform === "win32") return ["libopenblas.dll", "openblas.dll", "mkl_rt.2.dll"];
  return ["libopenblas.so.0", "libopenblas.so", "libmkl_rt.so.2", "libmkl_rt.so", "libblas.so.3"];
}

const LAPACK_FALLBACK: Record<string, string[]> = { linux: ["liblapack.so.3"], darwin: [], win32: [] };

/** Signatures (LP64: 32-bit int; Fortran routines take pointers and hidden string lengths at the end). */
const SIG = {
  dgemm: "void cblas_dgemm(int, int, int, int, int, int, double, double *, int, double *, int, double, _Inout_ double *, int)",
  dsyevd: "void dsyevd_(const char *, const char *, int *, _Inout_ double *, int *, _Inout_ double *, _Inout_ double *, int *, _Inout_ int *, int *, _Inout_ int *, size_t, size_t)",
  dsyevr: "void dsyevr_(const char *, const char *, const char *, int *, _Inout_ double *, int *, double *, double *, int *, int *, double *, _Inout_ int *, _Inout_ double *, _Inout_ double *, int *, _Inout_ int *, _Inout_ double *, int *, _Inout_ int *, int *, _Inout_ int *, size_t, size_t, size_t)",
  dgesdd: "void dgesdd_(const char *, int *, int *, _Inout_ double *, int *, _Inout_ double *, _Inout_ double *, int *, _Inout_ double *, int *, _Inout_ double *, int *, _Inout_ int *, _Inout_ int *, size_t)",
  dgeqrf: "void dgeqrf_(int *, int *, _Inout_ double *, int *, _Inout_ double *, _Inout_ double *, int *, _Inout_ int *)",
  dorgqr: "void dorgqr_(int *, int *, int *, _Inout_ double *, int *, double *, _Inout_ double *, int *, _Inout_ int *)",
  dpotrf: "void dpotrf_(const char *, int *, _Inout_ double *, int *, _Inout_ int *, size_t)",
};

/** What was loaded: the functions and a description. */
export interface NativeLibrary {
  path: string;
  vendor: string;
  lapackPath: string;
  fn: Record<keyof typeof SIG, NativeFn>;
  setThreads: ((n: number) => void) | null;
  getThreads: (() => number) | null;
}

function tryFunc(lib: KoffiLib, sig: string): NativeFn | null {
  try {
    return lib.func(sig);
  } catch {
    return null;
  }
}

let loaded: NativeLibrary | null | undefined;
let failure = "";

/**
 * Load the platform's BLAS/LAPACK once; null (with `nativeFailure()` saying why, naming each file tried)
 * when none is usable.
 */
export function loadNative(): NativeLibrary | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const koffi = loadKoffi();
  if (typeof koffi === "string") {
    failure = koffi;
    return null;
  }
  const proc = nodeProcess()!;
  const tried: string[] = [];
  for (const path of librarySearchOrder()) {
    let lib: KoffiLib;
    try {
      lib = koffi.load(path);
    } catch (e) {
      tried.push(`${path} (${(e as Error).message.split("\n")[0].slice(0, 120)})`);
      continue;
    }
    const dgemm = tryFunc(lib, SIG.dgemm);
    if (dgemm === null) {
      tried.push(`${path} (no cblas_dgemm)`);
      continue;
    }
    // LAPACK: from the same library, else the platform's separate LAPACK
    let lapackLib = lib;
    let lapackPath = path;
    if (tryFunc(lib, SIG.dsyevd) === null) {
      lapackPath = "";
      for (const lp of LAPACK_FALLBACK[proc.platform] ?? []) {
        try {
          const l = koffi.load(lp);
          if (tryFunc(l, SIG.dsyevd) !== null) { lapackLib = l; lapackPath = lp; break; }
        } catch { /* try the next */ }
      }
      if (lapackPath === "") {
        tried.push(`${path} (BLAS without LAPACK: no dsyevd_ there or in ${(LAPACK_FALLBACK[proc.platform] ?? []).join(", ") || "a separate library"})`);
        continue;
      }
    }
    const fn = { dgemm } as Record<keyof typeof SIG, NativeFn>;
    const missing: string[] = [];
    for (const key of Object.keys(SIG) as (keyof typeof SIG)[]) {
      if (key === "dgemm") continue;
      const f = tryFunc(lapackLib, SIG[key]);
      if (f === null) missing.push(key);
      else fn[key] = f;
    }
    if (missing.length > 0) {
      tried.push(`${lapackPath} (LAPACK without ${missing.join(", ")})`);
      continue;
    }
    let vendor = "BLAS";
    let setThreads: ((n: number) => void) | null = null;
    let getThreads: (() => number) | null = null;
    const config = tryFunc(lib, "const char *openblas_get_config()");
    if (config !== null) {
      vendor = `OpenBLAS (${String(config())})`;
      const s = tryFunc(lib, "void openblas_set_num_threads(int)");
      const g = tryFunc(lib, "int openblas_get_num_threads()");
      if (s) setThreads = (n) => void s(n);
      if (g) getThreads = () => Number(g());
    } else if (tryFunc(lib, "int MKL_Get_Max_Threads()") !== null) {
      vendor = "Intel MKL";
      const s = tryFunc(lib, "void MKL_Set_Num_Threads(int)");
      const g = tryFunc(lib, "int MKL_Get_Max_Threads()");
      if (s) setThreads = (n) => void s(n);
      if (g) getThreads = () => Number(g());
    } else if (path.includes("Accelerate")) {
      vendor = "Apple Accelerate";
    } else {
      vendor = "reference BLAS/LAPACK (single-threaded)";
    }
    loaded = { path, vendor, lapackPath, fn, setThreads, getThreads };
    return loaded;
  }
  failure = tried.length ? `no usable BLAS/LAPACK: tried ${tried.join("; ")}` : "no library to try";
  return null;
}

/** Why loadNative returned null ("" when it did not). */
export function nativeFailure(): string {
  return failure;
}

// ---- argument checks: nothing reaches native code with a buffer smaller than what the routine touches ----

/** Entries a row-major rows x cols operand with leading dimension ld spans from off. */
function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

/** Throws unless x has at least `need` entries from `off` and the leading dimension is at least `cols`. */
export function assertOperand(fn: string, name: string, x: Float64Array, off: number, rows: number, cols: number, ld: number): void {
  if (!(x instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array`);
  if (!Number.isInteger(off) || off < 0) throw new RangeError(`${fn}: ${name} offset must be a nonnegative integer, got ${off}`);
  if (!Number.isInteger(ld) || ld < Math.max(1, cols)) throw new RangeError(`${fn}: leading dimension of ${name} must be an integer >= ${Math.max(1, cols)}, got ${ld}`);
  const need = span(rows, cols, ld);
  if (off + need > x.length) throw new RangeError(`${fn}: ${name} (${rows} x ${cols}, leading dimension ${ld}, offset ${off}) needs ${off + need} entries, got ${x.length}`);
}

const I = (v: number) => Int32Array.of(v);
const INT_MAX = 2 ** 31 - 1;

function lapackInfo(routine: string, info: number, meaning: (info: number) => string): void {
  if (info < 0) throw new Error(`LAPACK ${routine}: argument ${-info} had an illegal value`);
  if (info > 0) throw new Error(`LAPACK ${routine}: ${meaning(info)} (info = ${info})`);
}

function assertSize(routine: string, what: string, x: { length: number }, need: number): void {
  if (x.length < need) throw new RangeError(`LAPACK ${routine}: ${what} holds ${x.length} entries, the routine needs ${need}`);
  if (need > INT_MAX) throw new RangeError(`LAPACK ${routine}: ${what} needs ${need} entries, beyond 32-bit LAPACK indexing`);
}

/** The native gemm: cblas_dgemm in row-major order straight on the caller's arrays (subarrays carry offsets). */
function makeGemm(lib: NativeLibrary): Gemm {
  const dgemm = lib.fn.dgemm;
  return (ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) => {
    if (m === 0 || n === 0) return;
    if (k === 0 || alpha === 0) {
      // BLAS leaves C alone for beta = 1; scale here rather than call with k = 0 (some BLAS reject lda < 1)
      for (let i = 0; i < m; i++) {
        const o = cOff + i * ldc;
        if (beta === 0) c.fill(0, o, o + n);
        else if (beta !== 1) for (let j = 0; j < n; j++) c[o + j] *= beta;
      }
      return;
    }
    dgemm(101, ta ? 112 : 111, tb ? 112 : 111, m, n, k, alpha,
      aOff ? a.subarray(aOff) : a, lda, bOff ? b.subarray(bOff) : b, ldb, beta, cOff ? c.subarray(cOff) : c, ldc);
  };
}

/** The native backend, or null when no usable library is found. */
export function nativeBackend(): Backend | null {
  const lib = loadNative();
  if (lib === null) return null;
  return { name: "native", library: `${lib.vendor}: ${lib.path}${lib.lapackPath !== lib.path ? ` + ${lib.lapackPath}` : ""}`, gemm: makeGemm(lib) };
}

// ---- LAPACK routines in the project's storage conventions ----

/**
 * Eigenpairs first .. first + count - 1 (ascending) of a symmetric n x n matrix `a` (either triangle, any
 * storage order since it is symmetric; destroyed). dsyevd for the whole spectrum (what numpy's eigh calls),
 * dsyevr with an index range otherwise. Returns values ascending and, if wanted, vt (count x n row-major,
 * row j the unit eigenvector of values[j]).
 */
export function lapackSymmetricEigen(a: Float64Array, n: number, wantVectors: boolean, first: number, count: number): { values: Float64Array; vt: Float64Array | null } {
  const lib = loadNative();
  if (lib === null) throw new Error("lapackSymmetricEigen: the native backend is not loaded");
  assertSize("dsyevd", "A", a, n * n);
  if (first === 0 && count === n) return syevd(lib, a, n, wantVectors);
  // dsyevr (MRRR) can fail to converge on rare matrices (dstemr's info = 2, seen on a paper-scale GGN):
  // keep a copy so that LAPACK's divide and conquer (dsyevd) can take over, then take the range from it
  const backup = a.slice(0, n * n);
  const r = syevrRange(lib, a, n, wantVectors, first, count);
  if (r !== null) return r;
  const full = syevd(lib, backup, n, wantVectors);
  return { values: full.values.slice(first, first + count), vt: full.vt === null ? null : full.vt.slice(first * n, (first + count) * n) };
}

/** dsyevd on the whole spectrum (what numpy's eigh calls). */
function syevd(lib: NativeLibrary, a: Float64Array, n: number, wantVectors: boolean): { values: Float64Array; vt: Float64Array | null } {
  const info = new Int32Array(1);
  const jobz = wantVectors ? "V" : "N";
  {
    const w = new Float64Array(n);
    const qw = new Float64Array(1), qi = new Int32Array(1);
    lib.fn.dsyevd(jobz, "L", I(n), a, I(Math.max(1, n)), w, qw, I(-1), qi, I(-1), info, 1, 1);
    lapackInfo("dsyevd", info[0], () => "workspace query failed");
    const lwork = Math.max(1, Math.ceil(qw[0])), liwork = Math.max(1, qi[0]);
    const work = new Float64Array(lwork), iwork = new Int32Array(liwork);
    lib.fn.dsyevd(jobz, "L", I(n), a, I(Math.max(1, n)), w, work, I(lwork), iwork, I(liwork), info, 1, 1);
    lapackInfo("dsyevd", info[0], (k) => `failed to converge: ${k} off-diagonal elements of an intermediate tridiagonal form did not converge to zero`);
    // column j of the column-major result is eigenvector j: read row-major, that is row j of vt
    return { values: w, vt: wantVectors ? a : null };
  }
}

/**
 * dsyevr alone on an index range (`a` destroyed); null when dstemr did not converge (info > 0), where
 * lapackSymmetricEigen falls back to dsyevd. Exported for the regression test of that fallback.
 */
export function lapackRangeEigen(a: Float64Array, n: number, wantVectors: boolean, first: number, count: number): { values: Float64Array; vt: Float64Array | null } | null {
  const lib = loadNative();
  if (lib === null) throw new Error("lapackRangeEigen: the native backend is not loaded");
  assertSize("dsyevr", "A", a, n * n);
  return syevrRange(lib, a, n, wantVectors, first, count);
}

/** dsyevr on an index range; null when dstemr did not converge (info > 0). */
function syevrRange(lib: NativeLibrary, a: Float64Array, n: number, wantVectors: boolean, first: number, count: number): { values: Float64Array; vt: Float64Array | null } | null {
  const info = new Int32Array(1);
  const jobz = wantVectors ? "V" : "N";
  const w = new Float64Array(n);
  const z = wantVectors ? new Float64Array(n * count) : new Float64Array(1);
  const isuppz = new Int32Array(2 * Math.max(1, count));
  const mOut = new Int32Array(1);
  const abstol = Float64Array.of(2.2250738585072014e-308); // the safe minimum: highest accuracy (dsyevr's notes)
  const vl = new Float64Array(1), vu = new Float64Array(1);
  const il = I(first + 1), iu = I(first + count);
  const ldz = I(wantVectors ? Math.max(1, n) : 1);
  const qw = new Float64Array(1), qi = new Int32Array(1);
  lib.fn.dsyevr(jobz, "I", "L", I(n), a, I(Math.max(1, n)), vl, vu, il, iu, abstol, mOut, w, z, ldz, isuppz, qw, I(-1), qi, I(-1), info, 1, 1, 1);
  lapackInfo("dsyevr", info[0], () => "workspace query failed");
  const lwork = Math.max(1, Math.ceil(qw[0])), liwork = Math.max(1, qi[0]);
  const work = new Float64Array(lwork), iwork = new Int32Array(liwork);
  lib.fn.dsyevr(jobz, "I", "L", I(n), a, I(Math.max(1, n)), vl, vu, il, iu, abstol, mOut, w, z, ldz, isuppz, work, I(lwork), iwork, I(liwork), info, 1, 1, 1);
  if (info[0] > 0) return null;
  lapackInfo("dsyevr", info[0], () => "");
  if (mOut[0] !== count) throw new Error(`LAPACK dsyevr: returned ${mOut[0]} eigenvalues for the index range ${first + 1}..${first + count}, expected ${count}`);
  return { values: w.slice(0, count), vt: wantVectors ? z : null };
}

/**
 * Thin SVD of a row-major m x n matrix `a` (destroyed) by dgesdd. Returns s descending (p = min(m, n)),
 * u (m x p row-major) and vt (p x n row-major, row j the right singular vector j).
 */
export function lapackSvd(a: Float64Array, m: number, n: number): { s: Float64Array; u: Float64Array; vt: Float64Array } {
  const lib = loadNative();
  if (lib === null) throw new Error("lapackSvd: the native backend is not loaded");
  assertSize("dgesdd", "A", a, m * n);
  // row-major A is column-major A^T (n x m): A^T = U' S V'^T, so U = V' and V = U'. V'^T (p x m,
  // column-major) read row-major is U (m x p); U' (n x p, column-major) read row-major is V^T (p x n).
  const M = n, N = m, p = Math.min(m, n);
  const s = new Float64Array(p);
  const uPrime = new Float64Array(M * p); // -> vt
  const vtPrime = new Float64Array(p * N); // -> u
  const iwork = new Int32Array(8 * p);
  const info = new Int32Array(1);
  const qw = new Float64Array(1);
  lib.fn.dgesdd("S", I(M), I(N), a, I(Math.max(1, M)), s, uPrime, I(Math.max(1, M)), vtPrime, I(Math.max(1, p)), qw, I(-1), iwork, info, 1);
  lapackInfo("dgesdd", info[0], () => "workspace query failed");
  const lwork = Math.max(1, Math.ceil(qw[0]));
  const work = new Float64Array(lwork);
  lib.fn.dgesdd("S", I(M), I(N), a, I(Math.max(1, M)), s, uPrime, I(Math.max(1, M)), vtPrime, I(Math.max(1, p)), work, I(lwork), iwork, info, 1);
  lapackInfo("dgesdd", info[0], () => "the bidiagonal SVD (dbdsdc) did not converge");
  return { s, u: vtPrime, vt: uPrime };
}

/**
 * Householder QR of the n columns of an m x n matrix given column by column (`at`, n x m row-major, i.e.
 * column-major A; destroyed), m >= n, by dgeqrf + dorgqr. Returns qt (n x m, row j = column j of thin Q) and
 * r (n x n row-major upper triangular), with R's diagonal not yet made nonnegative.
 */
export function lapackQrRows(at: Float64Array, m: number, n: number): { qt: Float64Array; r: Float64Array } {
  const lib = loadNative();
  if (lib === null) throw new Error("lapackQrRows: the native backend is not loaded");
  assertSize("dgeqrf", "A", at, m * n);
  const tau = new Float64Array(Math.max(1, n));
  const info = new Int32Array(1);
  const qw = new Float64Array(1);
  lib.fn.dgeqrf(I(m), I(n), at, I(Math.max(1, m)), tau, qw, I(-1), info);
  lapackInfo("dgeqrf", info[0], () => "workspace query failed");
  let work = new Float64Array(Math.max(1, Math.ceil(qw[0])));
  lib.fn.dgeqrf(I(m), I(n), at, I(Math.max(1, m)), tau, work, I(work.length), info);
  lapackInfo("dgeqrf", info[0], () => "unexpected failure");
  const r = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r[i * n + j] = at[j * m + i];
  lib.fn.dorgqr(I(m), I(n), I(n), at, I(Math.max(1, m)), tau, qw, I(-1), info);
  lapackInfo("dorgqr", info[0], () => "workspace query failed");
  work = new Float64Array(Math.max(1, Math.ceil(qw[0])));
  lib.fn.dorgqr(I(m), I(n), I(n), at, I(Math.max(1, m)), tau, work, I(work.length), info);
  lapackInfo("dorgqr", info[0], () => "unexpected failure");
  return { qt: at, r };
}

/**
 * Cholesky factor of a symmetric positive definite row-major n x n matrix `a` (destroyed) by dpotrf.
 * Returns the leading minor that is not positive definite (1-based) or 0 on success; on success `a` holds L
 * (row-major, lower triangular, the strict upper triangle zeroed).
 */
export function lapackCholesky(a: Float64Array, n: number): number {
  const lib = loadNative();
  if (lib === null) throw new Error("lapackCholesky: the native backend is not loaded");
  assertSize("dpotrf", "A", a, n * n);
  const info = new Int32Array(1);
  // row-major lower L is column-major upper U = L^T: dpotrf("U") on the same memory
  lib.fn.dpotrf("U", I(n), a, I(Math.max(1, n)), info, 1);
  if (info[0] < 0) lapackInfo("dpotrf", info[0], () => "");
  if (info[0] > 0) return info[0];
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return 0;
}

/** Set the BLAS library's thread count (no-op where the library has no such call). */
export function setNativeThreads(n: number): void {
  loadNative()?.setThreads?.(n);
}

/** The BLAS library's thread count, or null where the library does not say. */
export function nativeThreads(): number | null {
  const g = loadNative()?.getThreads;
  return g ? g() : null;
}
