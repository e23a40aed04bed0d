/**
 * Public API of lib/linalg (barrel beside the folder: the tslab kernel resolves imports of files, not of
 * directories, so `import { eigh } from "./lib/linalg"` works in a notebook).
 */
export * from "./linalg/operator";
export * from "./linalg/eigh";
export * from "./linalg/clusters";
export * from "./linalg/kron";
export * from "./linalg/storage";
export * from "./linalg/validate";
export * from "./linalg/svd";
export * from "./linalg/qr";
export * from "./linalg/cholesky";
export * from "./linalg/blas";
export * from "./linalg/krylov";
export * from "./linalg/lanczos";
export * from "./linalg/lobpcg";
export * from "./linalg/power";
export * from "./linalg/trace";
export * from "./linalg/slq";
