/**
 * Public API of lib/linalg: `import { eigh } from "../linalg"` (inside lib/) or "./lib/linalg" (notebooks).
 *
 * Dense (ml-matrix `Matrix` in and out, Float64Array inside):
 *   eigh(A, { vectors?, largest?, smallest?, symmetryTolerance?, method? }) -> { values (ascending), vectors | null }
 *   eigvalsh(A) -> Float64Array (ascending)
 *   svd(A) -> { U, s (descending), V } (thin);  qr(A) -> { Q, R } (thin, m >= n);  cholesky(A) -> L
 *   kron(A, B); vecRows(A); vecCols(A); unvecRows(v, rows, cols); unvecCols(v, rows, cols); pad(D, rows, cols)
 *   clusters(values, relTol, absTol = 0) -> [{ value, multiplicity, min, max }] (largest first)
 * Matrix-free (LinearOperator from ./linalg/operator; every random draw from the Rng argument):
 *   denseOperator(A)
 *   lanczos(op, { k, which?, rng, maxIterations?, tol?, vectors?, basisSize? })
 *   lobpcg(op, { k, rng, maxIterations?, tol?, guard?, which?, initial? }) (also returns products)
 *   powerIteration(op, { k, rng, maxIterations?, tol? })
 *     -> { values, vectors?, iterations, residualNorms, converged }
 *   hutchinson(op, { probes, rng, distribution? }) -> { estimate, standardError, samples }
 *   hutchpp(op, { matvecs, rng }) -> { estimate, matvecs }
 *   slqDensity(op, { probes, steps, rng }) -> { nodes, weights, matvecs };  densityOnGrid(nodes, weights, grid, sigma)
 */
export * from "./operator";
export * from "./eigh";
export * from "./svd";
export * from "./qr";
export * from "./cholesky";
export * from "./kron";
export * from "./clusters";
export * from "./lanczos";
export * from "./lobpcg";
export * from "./power";
export * from "./trace";
export * from "./slq";
export * from "./validate";
export * from "./storage";
export * from "./blas";
export * from "./krylov";
export * from "./basis";
export * from "./haar";
