/**
 * WebAssembly SIMD (f64x2) kernel for C += alpha A B, used by blas.gemm for large products when the runtime
 * supports wasm SIMD (Node >= 16.4); otherwise gemm falls back to its JavaScript kernel.
 *
 * The module is ./gemm.wat (4 x 4 register tile as eight f64x2 accumulators, k blocked by 256, B packed in 4-column panels), assembled with
 * wabt: `wat2wasm --enable-simd gemm.wat`; its bytes are inlined below (base64) so nothing is read from
 * disk at run time (the tslab kernel and the compiled bench both load it).
 */

import { ensureMemory, instantiateBase64, WasmMemory } from "./wasm";

const WASM_BASE64 = "AGFzbQEAAAABCwFgB39/f3x/f38AAwIBAAUDAQABBxECBm1lbW9yeQIABGdlbW0AAArRBgHOBgIMfwx7IAP9FCEeQSAhEkEAIQcCQANAIAcgAk4NASACIAdrIQggCEGAAkoEQEGAAiEIC0EAIQkCQANAIAkgAU4NAUEAIQoCQANAIAogAE4NAf0MAAAAAAAAAAAAAAAAAAAAACET/QwAAAAAAAAAAAAAAAAAAAAAIRT9DAAAAAAAAAAAAAAAAAAAAAAhFf0MAAAAAAAAAAAAAAAAAAAAACEW/QwAAAAAAAAAAAAAAAAAAAAAIRf9DAAAAAAAAAAAAAAAAAAAAAAhGP0MAAAAAAAAAAAAAAAAAAAAACEZ/QwAAAAAAAAAAAAAAAAAAAAAIRogBCAKQQBqIAJsIAdqQQN0aiEMIAQgCkEBaiACbCAHakEDdGohDSAEIApBAmogAmwgB2pBA3RqIQ4gBCAKQQNqIAJsIAdqQQN0aiEPIAUgCSACbEEDdCAHQQV0amohECAIIQsCQANAIAtFDQEgEP0ABAAhGyAQ/QAEECEcIAwrAwD9FCEdIBMgHSAb/fIB/fABIRMgFCAdIBz98gH98AEhFCAMQQhqIQwgDSsDAP0UIR0gFSAdIBv98gH98AEhFSAWIB0gHP3yAf3wASEWIA1BCGohDSAOKwMA/RQhHSAXIB0gG/3yAf3wASEXIBggHSAc/fIB/fABIRggDkEIaiEOIA8rAwD9FCEdIBkgHSAb/fIB/fABIRkgGiAdIBz98gH98AEhGiAPQQhqIQ8gECASaiEQIAtBAWshCwwACwsgBiAKQQBqIAFsIAlqQQN0aiERIBEgEf0ABAAgHiAT/fIB/fAB/QsEACARIBH9AAQQIB4gFP3yAf3wAf0LBBAgBiAKQQFqIAFsIAlqQQN0aiERIBEgEf0ABAAgHiAV/fIB/fAB/QsEACARIBH9AAQQIB4gFv3yAf3wAf0LBBAgBiAKQQJqIAFsIAlqQQN0aiERIBEgEf0ABAAgHiAX/fIB/fAB/QsEACARIBH9AAQQIB4gGP3yAf3wAf0LBBAgBiAKQQNqIAFsIAlqQQN0aiERIBEgEf0ABAAgHiAZ/fIB/fAB/QsEACARIBH9AAQQIB4gGv3yAf3wAf0LBBAgCkEEaiEKDAALCyAJQQRqIQkMAAsLIAdBgAJqIQcMAAsLCw==";

interface Kernel {
  memory: WasmMemory;
  gemm: (m: number, n: number, k: number, alpha: number, pa: number, pb: number, pc: number) => void;
}

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const ex = instantiateBase64(WASM_BASE64) as unknown as Kernel | null;
  kernel = ex === null ? null : { memory: ex.memory, gemm: ex.gemm };
  return kernel;
}

/** True when the wasm SIMD kernel is available in this runtime. */
export function wasmGemmAvailable(): boolean {
  return load() !== null;
}

/**
 * C += alpha A B via the wasm kernel, with the same strided arguments as blas.gemm. Copies A, B (zero-padded to
 * multiples of 4) into wasm memory and adds the product back into C. Returns false (doing nothing) if the
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
  const need = (pc + m4 * n4) * 8;
  ensureMemory(kern.memory, need);
  const mem = new Float64Array(kern.memory.buffer);
  for (let i = 0; i < m; i++) mem.set(a.subarray(aOff + i * lda, aOff + i * lda + k), pa + i * k);
  if (m4 > m) mem.fill(0, pa + m * k, pa + m4 * k);
  // B packed in panels of 4 columns: entry (p, j) at pb + (j >> 2) * 4k + 4p + (j & 3), zero-padded to n4
  for (let q = 0; q < n4; q += 4) {
    const o = pb + q * k;
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
  mem.fill(0, pc, pc + m4 * n4);
  kern.gemm(m4, n4, k, alpha, pa * 8, pb * 8, pc * 8);
  for (let i = 0; i < m; i++) {
    const co = cOff + i * ldc;
    const mo = pc + i * n4;
    for (let j = 0; j < n; j++) c[co + j] += mem[mo + j];
  }
  return true;
}
