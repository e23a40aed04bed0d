/**
 * The matrix product of lib/: re-exported from the kernel layer (./kernels), which picks native BLAS,
 * WebAssembly or JavaScript. Kept as a module so `import { gemm } from "../linalg/matmul"` keeps working.
 */
export { dgemm, gemm, matmul } from "./kernels";
