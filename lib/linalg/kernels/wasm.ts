/**
 * The `wasm` backend: WebAssembly SIMD (f64x2) kernels assembled from the .wat files of this folder by
 * tools/build-wasm.mjs (bytes in ./wasm-modules). No file access and no Node built-ins, so the same code runs
 * in a browser bundle. gemm.wat: a 4 x 4 register tile of C as eight f64x2 accumulators, k blocked by 256,
 * B packed in 4-column panels; operands are copied into the module's memory (transposed ones transposed on
 * the way), so this backend pays O(mk + kn + mn) copies per product.
 */
import type { Backend, Gemm } from "./contract";
import { jsGemm, scaleC } from "./js";
import { GEMM_WASM } from "./wasm-modules";

/** The part of WebAssembly.Memory used here. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** Decode base64 without Node's Buffer (atob exists in browsers and in Node >= 16). */
function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Instantiate a module given as base64 bytes; its exports, or null when the runtime has no WebAssembly or no
 * SIMD support (callers then use JavaScript).
 */
export function instantiateBase64(base64: string): Record<string, unknown> | null {
  try {
    const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (WA === undefined) return null;
    return new WA.Instance(new WA.Module(decodeBase64(base64)), {}).exports;
  } catch {
    return null;
  }
}

/** Grow `memory` so that it holds at least `bytes` bytes (views created before this call are detached). */
export function ensureMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}

interface GemmModule {
  memory: WasmMemory;
  gemm: (m: number, n: number, k: number, alpha: number, pa: number, lda: number, pb: number, pc: number, ldc: number) => void;
}

let kernel: GemmModule | null | undefined;

function load(): GemmModule | null {
  if (kernel !== undefined) return kernel;
  const ex = instantiateBase64(GEMM_WASM) as unknown as GemmModule | null;
  kernel = ex === null ? null : { memory: ex.memory, gemm: ex.gemm };
  return kernel;
}

/** True when the WebAssembly SIMD kernels can run here. */
export function wasmAvailable(): boolean {
  return load() !== null;
}

/**
 * Drop the module instance if its memory has grown beyond `maxBytes` (default 64 MB), so the memory can be
 * garbage collected (wasm memory never shrinks); the next product instantiates it again (~1 ms).
 */
export function releaseWasmGemmMemory(maxBytes = 64 * 1024 * 1024): void {
  if (kernel && kernel.memory.buffer.byteLength > maxBytes) kernel = undefined;
}

/** Largest module memory a product may use (bytes); larger products run in JavaScript. */
const MAX_BYTES = 2 ** 31;

/**
 * Pack op(B) (k x n; B stored k x n, or n x k when trans, leading dimension ldb) into mem at dst in 4-column
 * panels, zero-padded to a multiple of 4 columns: entry (p, j) at dst + (j >> 2) * 4k + 4p + (j & 3).
 */
export function packB(trans: boolean, b: Float64Array, bOff: number, ldb: number, k: number, n: number, mem: Float64Array, dst: number): number {
  const n4 = (n + 3) & ~3;
  for (let q = 0; q < n4; q += 4) {
    const o = dst + q * k;
    const full = q + 4 <= n;
    if (!trans && full) {
      for (let p = 0; p < k; p++) {
        const bo = bOff + p * ldb + q, mo = o + 4 * p;
        mem[mo] = b[bo]; mem[mo + 1] = b[bo + 1]; mem[mo + 2] = b[bo + 2]; mem[mo + 3] = b[bo + 3];
      }
    } else if (trans && full) {
      // op(B)(p, j) = b[bOff + j * ldb + p]: four rows of the stored B stream contiguously
      const r0 = bOff + q * ldb, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
      for (let p = 0; p < k; p++) {
        const mo = o + 4 * p;
        mem[mo] = b[r0 + p]; mem[mo + 1] = b[r1 + p]; mem[mo + 2] = b[r2 + p]; mem[mo + 3] = b[r3 + p];
      }
    } else {
      for (let p = 0; p < k; p++) {
        for (let r = 0; r < 4; r++) {
          const j = q + r;
          mem[o + 4 * p + r] = j < n ? (trans ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]) : 0;
        }
      }
    }
  }
  return n4 * k;
}

/**
 * A view of the module's memory holding at least `doubles` doubles (plus slack), for callers that keep
 * operands in wasm memory across several products (null without wasm). Invalidated by the next call to
 * wasmWorkspace or a wasm gemm (memory may grow).
 */
export function wasmWorkspace(doubles: number): Float64Array | null {
  const kern = load();
  if (kern === null) return null;
  ensureMemory(kern.memory, (doubles + 64) * 8);
  return new Float64Array(kern.memory.buffer);
}

/**
 * C += alpha A B on operands already in wasm memory (offsets in doubles): A m x k with leading dimension lda,
 * B packed by packB, C m x n with leading dimension ldc. Columns run to the next multiple of 4 (the padded
 * columns of B are zero, so the entries of C they touch gain exactly 0: keep 3 doubles of slack after C);
 * rows past the last multiple of 4 are done here in JavaScript.
 */
export function gemmInWasm(mem: Float64Array, m: number, n: number, k: number, alpha: number, pa: number, lda: number, pb: number, pc: number, ldc: number): void {
  const kern = load()!;
  const m4 = m & ~3;
  const n4 = (n + 3) & ~3;
  if (m4 > 0 && n4 > 0 && k > 0) kern.gemm(m4, n4, k, alpha, pa * 8, lda, pb * 8, pc * 8, ldc);
  for (let i = m4; i < m; i++) {
    const ao = pa + i * lda, co = pc + i * ldc;
    for (let j = 0; j < n; j++) {
      const po = pb + (j >> 2) * 4 * k + (j & 3);
      let s = 0;
      for (let p = 0; p < k; p++) s += mem[ao + p] * mem[po + 4 * p];
      mem[co + j] += alpha * s;
    }
  }
}

/** The `wasm` backend's gemm (contract in ./contract); JavaScript when the module cannot run or fit. */
export const wasmGemm: Gemm = (ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) => {
  const kern = load();
  const m4 = (m + 3) & ~3, n4 = (n + 3) & ~3;
  const pa = 0, pb = m4 * k, pc = pb + k * n4;
  if (kern === null || (pc + m4 * n4) * 8 > MAX_BYTES || m === 0 || n === 0 || k === 0 || alpha === 0) {
    jsGemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    return;
  }
  ensureMemory(kern.memory, (pc + m4 * n4) * 8);
  const mem = new Float64Array(kern.memory.buffer);
  if (!ta) {
    for (let i = 0; i < m; i++) mem.set(a.subarray(aOff + i * lda, aOff + i * lda + k), pa + i * k);
  } else {
    const T = 32; // op(A)(i, p) = a[aOff + p * lda + i], transposed in tiles
    for (let p0 = 0; p0 < k; p0 += T) {
      const p1 = Math.min(k, p0 + T);
      for (let i0 = 0; i0 < m; i0 += T) {
        const i1 = Math.min(m, i0 + T);
        for (let p = p0; p < p1; p++) {
          const src = aOff + p * lda;
          for (let i = i0; i < i1; i++) mem[pa + i * k + p] = a[src + i];
        }
      }
    }
  }
  if (m4 > m) mem.fill(0, pa + m * k, pa + m4 * k);
  packB(tb, b, bOff, ldb, k, n, mem, pb);
  mem.fill(0, pc, pc + m4 * n4);
  kern.gemm(m4, n4, k, alpha, pa * 8, k, pb * 8, pc * 8, n4);
  for (let i = 0; i < m; i++) {
    const co = cOff + i * ldc, mo = pc + i * n4;
    if (beta === 0) for (let j = 0; j < n; j++) c[co + j] = mem[mo + j];
    else if (beta === 1) for (let j = 0; j < n; j++) c[co + j] += mem[mo + j];
    else for (let j = 0; j < n; j++) c[co + j] = beta * c[co + j] + mem[mo + j];
  }
};

/** The WebAssembly backend (null-safe: its gemm falls back to JavaScript where wasm SIMD is missing). */
export const wasmBackend: Backend = { name: "wasm", library: "WebAssembly SIMD kernels (lib/linalg/kernels/*.wat)", gemm: wasmGemm };
export { scaleC };
