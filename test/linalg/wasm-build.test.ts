// The WebAssembly bytes the library ships are exactly the assembly of the .wat sources next to them, so
// editing a .wat without rebuilding (npm run build:wasm) fails here instead of silently changing nothing.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(__dirname, "..", "..");

describe("shipped WebAssembly kernels", () => {
  it("lib/linalg/kernels/wasm-modules.ts equals tools/build-wasm.mjs's assembly of the .wat files", async () => {
    const { generate, MODULE_FILE } = await import(pathToFileURL(join(root, "tools", "build-wasm.mjs")).href);
    expect(readFileSync(MODULE_FILE, "utf8")).toBe(await generate());
  });
});
