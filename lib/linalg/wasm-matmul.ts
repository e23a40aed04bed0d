/**
 * WebAssembly SIMD (f64x2) version of the panel kernel of `matmul.ts`, used by `gemm` for products large
 * enough to amortise copying the operands into WebAssembly memory (`WASM_MIN_WORK` multiply-adds).
 *
 * The module is `matmul.wat` (next to this file) assembled with wabt 1.0.32 (`wat2wasm matmul.wat`) and
 * embedded below in base64. It computes C (m x n) += A (m x k) B (k x n) on row-major float64 with m, n even
 * and k a multiple of 4: operands are copied in with zero padding (and transposed when the caller's
 * operand is stored transposed), so the padding changes nothing. Set the environment variable
 * `HS_NO_WASM=1` to use the JavaScript kernels only.
 */

const PANEL_WASM_BASE64 =
  "AGFzbQEAAAABDAFgCH9/f39/f39/AAMCAQAFAwEAAQcPAgNtZW0CAAVwYW5lbAAACocEAYQEAhJ/DHsgAUEDdCEXQQAhCAJAA0AgCCACTg0BIAggBmohCSAJIAJKBEAgAiEJC0EAIQoCQANAIAogAU4NASAKIAdqIQsgCyABSgRAIAEhCwtBACEMAkADQCAMIABODQEgAyAMIAJsQQN0aiEPIA8gAkEDdGohECAFIAwgF2xqIREgESAXaiESIAghDQJAA0AgDSAJTg0BIA8gDUEDdGohGCAYKwMA/RQhGiAYKwMI/RQhGyAYKwMQ/RQhHCAYKwMY/RQhHSAQIA1BA3RqIRggGCsDAP0UIR4gGCsDCP0UIR8gGCsDEP0UISAgGCsDGP0UISEgBCANIBdsaiETIBMgF2ohFCAUIBdqIRUgFSAXaiEWIApBA3QhDiALQQN0IRkCQANAIA4gGU4NASATIA5q/QAEACEiIBQgDmr9AAQAISMgFSAOav0ABAAhJCAWIA5q/QAEACElIBEgDmohGCAYIBj9AAQAIBogIv3yASAbICP98gH98AEgHCAk/fIBIB0gJf3yAf3wAf3wAf3wAf0LBAAgEiAOaiEYIBggGP0ABAAgHiAi/fIBIB8gI/3yAf3wASAgICT98gEgISAl/fIB/fAB/fAB/fAB/QsEACAOQRBqIQ4MAAsLIA1BBGohDQwACwsgDEECaiEMDAALCyAKIAdqIQoMAAsLIAggBmohCAwACwsL";

/** Products with at least this many multiply-adds go to WebAssembly. */
export const WASM_MIN_WORK = 1 << 14;

/** Largest WebAssembly memory this module will use (bytes). */
const MAX_BYTES = 2 ** 31;

/** The parts of the WebAssembly API used here (the project's TypeScript lib has no WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface WasmState {
  mem: WasmMemory;
  panel: (m: number, n: number, k: number, A: number, B: number, C: number, KB: number, JB: number) => void;
}

let state: WasmState | null | undefined;

function load(): WasmState | null {
  if (state !== undefined) return state;
  state = null;
  try {
    if (typeof process !== "undefined" && process.env && process.env.HS_NO_WASM) return state;
    const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (WA === undefined) return state;
    const bytes = Uint8Array.from(Buffer.from(PANEL_WASM_BASE64, "base64"));
    const instance = new WA.Instance(new WA.Module(bytes), {});
    const exp = instance.exports as unknown as { mem: WasmMemory; panel: WasmState["panel"] };
    state = { mem: exp.mem, panel: exp.panel };
  } catch {
    state = null; // no SIMD support: the JavaScript kernels are used
  }
  return state;
}

/** True when the WebAssembly kernel is loaded (and not disabled by HS_NO_WASM). */
export function wasmAvailable(): boolean {
  return load() !== null;
}

/**
 * C (m x n) (+)= op(A) op(B) through the WebAssembly kernel; same storage convention as `gemm`.
 * Returns false (and does nothing) when WebAssembly is unavailable or the operands are too large.
 */
export function gemmWasm(ta: boolean, tb: boolean, m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, accumulate: boolean): boolean {
  const st = load();
  if (st === null) return false;
  const m2 = m + (m & 1), n2 = n + (n & 1), k2 = (k + 3) & ~3;
  const total = m2 * k2 + k2 * n2 + m2 * n2;
  if (total * 8 > MAX_BYTES) return false;
  const needPages = Math.ceil((total * 8) / 65536);
  const havePages = st.mem.buffer.byteLength / 65536;
  if (needPages > havePages) st.mem.grow(needPages - havePages);
  const f = new Float64Array(st.mem.buffer);
  const a0 = 0, b0 = m2 * k2, c0 = b0 + k2 * n2;
  // zero only what is not overwritten below: padded regions, and C unless it is copied in whole
  if (m2 !== m || k2 !== k) f.fill(0, a0, b0);
  if (k2 !== k || n2 !== n) f.fill(0, b0, c0);
  if (!accumulate || m2 !== m || n2 !== n) f.fill(0, c0, total);
  // op(A) as m x k (padded to m2 x k2)
  if (!ta) {
    for (let i = 0; i < m; i++) f.set(A.subarray(i * k, (i + 1) * k), a0 + i * k2);
  } else {
    transposeInto(A, k, m, f, a0, k2);
  }
  // op(B) as k x n (padded to k2 x n2)
  if (!tb) {
    for (let p = 0; p < k; p++) f.set(B.subarray(p * n, (p + 1) * n), b0 + p * n2);
  } else {
    transposeInto(B, n, k, f, b0, n2);
  }
  if (accumulate) for (let i = 0; i < m; i++) f.set(C.subarray(i * n, (i + 1) * n), c0 + i * n2);
  st.panel(m2, n2, k2, a0 * 8, b0 * 8, c0 * 8, 128, 1024);
  for (let i = 0; i < m; i++) C.set(f.subarray(c0 + i * n2, c0 + i * n2 + n), i * n);
  return true;
}

/**
 * dst[off + c * ld + r] = src[r * cols + c] for the rows x cols row-major `src`, in 64 x 64 tiles: a plain
 * transposing loop writes a new cache line per entry, which for a Gram matrix of long vectors (k = 2e5) cost
 * more than the product itself.
 */
function transposeInto(src: Float64Array, rows: number, cols: number, dst: Float64Array, off: number, ld: number): void {
  const T = 64;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let c = c0; c < c1; c++) {
        const o = off + c * ld;
        for (let r = r0; r < r1; r++) dst[o + r] = src[r * cols + c];
      }
    }
  }
}
