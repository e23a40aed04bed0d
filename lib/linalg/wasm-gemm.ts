/**
 * WebAssembly SIMD (f64x2) kernel for C += alpha A B, used by blas.gemm for large products and by the
 * blocked back-transformation of eigh, when the runtime supports wasm SIMD (Node >= 16.4); otherwise the
 * callers use their JavaScript kernels.
 *
 * The module is ./gemm.wat (4 x 4 register tile as eight f64x2 accumulators, k blocked by 256, A and C with
 * leading dimensions, B packed in 4-column panels), assembled with wabt (`wat2wasm --enable-simd gemm.wat`);
 * its bytes are inlined below (base64) so nothing is read from disk at run time.
 */
import { ensureMemory, instantiateBase64, WasmMemory } from "./wasm";

const WASM_BASE64 = "AGFzbQEAAAABDQFgCX9/f3x/f39/fwADAgEABQMBAAEHEQIGbWVtb3J5AgAEZ2VtbQAACtEGAc4GAgx/DHsgA/0UISBBICEUQQAhCQJAA0AgCSACTg0BIAIgCWshCiAKQYACSgRAQYACIQoLQQAhCwJAA0AgCyABTg0BQQAhDAJAA0AgDCAATg0B/QwAAAAAAAAAAAAAAAAAAAAAIRX9DAAAAAAAAAAAAAAAAAAAAAAhFv0MAAAAAAAAAAAAAAAAAAAAACEX/QwAAAAAAAAAAAAAAAAAAAAAIRj9DAAAAAAAAAAAAAAAAAAAAAAhGf0MAAAAAAAAAAAAAAAAAAAAACEa/QwAAAAAAAAAAAAAAAAAAAAAIRv9DAAAAAAAAAAAAAAAAAAAAAAhHCAEIAxBAGogBWwgCWpBA3RqIQ4gBCAMQQFqIAVsIAlqQQN0aiEPIAQgDEECaiAFbCAJakEDdGohECAEIAxBA2ogBWwgCWpBA3RqIREgBiALIAJsQQN0IAlBBXRqaiESIAohDQJAA0AgDUUNASAS/QAEACEdIBL9AAQQIR4gDisDAP0UIR8gFSAfIB398gH98AEhFSAWIB8gHv3yAf3wASEWIA5BCGohDiAPKwMA/RQhHyAXIB8gHf3yAf3wASEXIBggHyAe/fIB/fABIRggD0EIaiEPIBArAwD9FCEfIBkgHyAd/fIB/fABIRkgGiAfIB798gH98AEhGiAQQQhqIRAgESsDAP0UIR8gGyAfIB398gH98AEhGyAcIB8gHv3yAf3wASEcIBFBCGohESASIBRqIRIgDUEBayENDAALCyAHIAxBAGogCGwgC2pBA3RqIRMgEyAT/QAEACAgIBX98gH98AH9CwQAIBMgE/0ABBAgICAW/fIB/fAB/QsEECAHIAxBAWogCGwgC2pBA3RqIRMgEyAT/QAEACAgIBf98gH98AH9CwQAIBMgE/0ABBAgICAY/fIB/fAB/QsEECAHIAxBAmogCGwgC2pBA3RqIRMgEyAT/QAEACAgIBn98gH98AH9CwQAIBMgE/0ABBAgICAa/fIB/fAB/QsEECAHIAxBA2ogCGwgC2pBA3RqIRMgEyAT/QAEACAgIBv98gH98AH9CwQAIBMgE/0ABBAgICAc/fIB/fAB/QsEECAMQQRqIQwMAAsLIAtBBGohCwwACwsgCUGAAmohCQwACwsL";

interface Kernel {
  memory: WasmMemory;
  gemm: (m: number, n: number, k: number, alpha: number, pa: number, lda: number, pb: number, pc: number, ldc: number) => void;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const ex = instantiateBase64(WASM_BASE64) as unknown as Kernel | null;
  kernel = ex === null ? null : { memory: ex.memory, gemm: ex.gemm };
  return kernel;
}

/**
 * Drop the kernel instance if its memory has grown beyond `maxBytes` (default 64 MB), so the memory can be
 * garbage collected (wasm memory never shrinks); the next product instantiates the module again (~1 ms).
 */
export function releaseWasmGemmMemory(maxBytes = 64 * 1024 * 1024): void {
  if (kernel && kernel.memory.buffer.byteLength > maxBytes) kernel = undefined;
}

/** True when the wasm SIMD kernel is available in this runtime. */
export function wasmGemmAvailable(): boolean {
  return load() !== null;
}

/**
 * Pack B (k x n, entry (p, j) at b[bOff + p * ldb + j]) into mem at dst in 4-column panels, zero-padded to a
 * multiple of 4 columns: entry (p, j) at dst + (j >> 2) * 4k + 4p + (j & 3). Returns the packed length.
 */
export function packB(b: Float64Array, bOff: number, ldb: number, k: number, n: number, mem: Float64Array, dst: number): number {
  const n4 = (n + 3) & ~3;
  for (let q = 0; q < n4; q += 4) {
    const o = dst + q * k;
    if (q + 4 <= n) {
      for (let p = 0; p < k; p++) {
        const bo = bOff + p * ldb + q;
        const mo = o + 4 * p;
        mem[mo] = b[bo];
        mem[mo + 1] = b[bo + 1];
        mem[mo + 2] = b[bo + 2];
        mem[mo + 3] = b[bo + 3];
      }
    } else {
      for (let p = 0; p < k; p++) {
        const bo = bOff + p * ldb;
        for (let r = 0; r < 4; r++) mem[o + 4 * p + r] = q + r < n ? b[bo + q + r] : 0;
      }
    }
  }
  return n4 * k;
}

/**
 * A view of the kernel's memory holding at least `doubles` doubles (plus slack), for callers that keep their
 * operands in wasm memory across several products (null without wasm). The view is invalidated by the next
 * call to wasmWorkspace or gemmWasm (memory may grow).
 */
export function wasmWorkspace(doubles: number): Float64Array | null {
  const kern = load();
  if (kern === null) return null;
  ensureMemory(kern.memory, (doubles + 64) * 8);
  return new Float64Array(kern.memory.buffer);
}

/**
 * C += alpha A B on operands already in wasm memory (offsets in doubles): A m x k with leading dimension lda,
 * B packed by packB (k x n), C m x n with leading dimension ldc. Columns are processed up to the next multiple
 * of 4 (the padded columns of B are zero, so the entries of C they touch gain exactly 0: keep 3 doubles of
 * slack after C). Rows beyond the last multiple of 4 are done here in JavaScript.
 */
export function gemmInWasm(mem: Float64Array, m: number, n: number, k: number, alpha: number, pa: number, lda: number, pb: number, pc: number, ldc: number): void {
  const kern = load()!;
  const m4 = m & ~3;
  const n4 = (n + 3) & ~3;
  if (m4 > 0 && n4 > 0 && k > 0) kern.gemm(m4, n4, k, alpha, pa * 8, lda, pb * 8, pc * 8, ldc);
  for (let i = m4; i < m; i++) {
    const ao = pa + i * lda;
    const co = pc + i * ldc;
    for (let j = 0; j < n; j++) {
      const po = pb + (j >> 2) * 4 * k + (j & 3);
      let s = 0;
      for (let p = 0; p < k; p++) s += mem[ao + p] * mem[po + 4 * p];
      mem[co + j] += alpha * s;
    }
  }
}

/**
 * C += alpha A B via the wasm kernel, with the same strided arguments as blas.gemm: copies A and B (packed)
 * into wasm memory, computes into a zeroed buffer, adds it back into C. Returns false (doing nothing) if the
 * kernel is unavailable.
 */
export function gemmWasm(
  m: number, n: number, k: number, alpha: number,
  a: Float64Array, aOff: number, lda: number,
  b: Float64Array, bOff: number, ldb: number,
  c: Float64Array, cOff: number, ldc: number,
): boolean {
  const kern = load();
  if (kern === null) return false;
  const m4 = (m + 3) & ~3;
  const n4 = (n + 3) & ~3;
  const pa = 0;
  const pb = pa + m4 * k;
  const pc = pb + k * n4;
  ensureMemory(kern.memory, (pc + m4 * n4) * 8);
  const mem = new Float64Array(kern.memory.buffer);
  for (let i = 0; i < m; i++) mem.set(a.subarray(aOff + i * lda, aOff + i * lda + k), pa + i * k);
  if (m4 > m) mem.fill(0, pa + m * k, pa + m4 * k);
  packB(b, bOff, ldb, k, n, mem, pb);
  mem.fill(0, pc, pc + m4 * n4);
  kern.gemm(m4, n4, k, alpha, pa * 8, k, pb * 8, pc * 8, n4);
  for (let i = 0; i < m; i++) {
    const co = cOff + i * ldc;
    const mo = pc + i * n4;
    for (let j = 0; j < n; j++) c[co + j] += mem[mo + j];
  }
  return true;
}
