/**
 * Minimal WebAssembly loader for the SIMD kernels of lib/linalg (the project's TypeScript lib setting has no
 * WebAssembly typings, so the little that is used is declared here).
 */

/** The part of WebAssembly.Memory used here. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

/**
 * Instantiate a module given as base64 bytes; returns its exports, or null when the runtime has no WebAssembly
 * or no SIMD support (the callers then use their JavaScript kernels).
 */
export function instantiateBase64(base64: string): Record<string, unknown> | null {
  try {
    if (typeof WebAssembly === "undefined") return null;
    const bytes = Uint8Array.from(Buffer.from(base64, "base64"));
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
  } catch {
    return null;
  }
}

/** Grow `memory` so that it holds at least `bytes` bytes (views created before this call are detached). */
export function ensureMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}
