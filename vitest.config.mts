import { defineConfig } from "vitest/config";

// The numerical battery (linear algebra, curvature, models, closed forms) runs once per compute backend:
// the default project uses whatever HS_BACKEND selects (native BLAS/LAPACK where it loads); the "wasm" and
// "js" projects force the other backends, so a machine without OpenBLAS is tested here too.
const numerical = ["test/linalg/**/*.test.ts", "test/curvature/**/*.test.ts", "test/models/**/*.test.ts", "test/papers/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "default", include: ["test/**/*.test.ts"] } },
      { extends: true, test: { name: "wasm", include: numerical, env: { HS_BACKEND: "wasm" } } },
      { extends: true, test: { name: "js", include: ["test/linalg/**/*.test.ts", "test/curvature/**/*.test.ts"], env: { HS_BACKEND: "js" } } },
    ],
  },
});
