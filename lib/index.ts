/**
 * The package entry: `import { ... } from "hessian-spectra"` (ESM) or `require("hessian-spectra")` (CommonJS).
 *
 * ```ts
 * import { Matrix, mlp, mseProblem, standardInit, rng, hessianSpectrum } from "hessian-spectra";
 * const model = mlp([4, 8, 3], { activation: "tanh" });   // blocks W1 (8 x 4), W2 (3 x 8): model.blocks
 * const gen = rng(1);
 * const X = new Matrix(4, 50), Y = new Matrix(3, 50);       // one sample per COLUMN
 * // ... fill X, Y (or readCsv / readNpy / readIdx: one sample per row in the file, transposed on load)
 * const theta = standardInit(model, gen);
 * const top = hessianSpectrum(mseProblem(model, X, Y), theta, { k: 5 });
 * ```
 *
 * What is here: the facade (`hessianSpectrum`, `spectralDensity`, `hessianTrace`, `gaussNewtonSplit`, with
 * parameter filters over `model.blocks`); weights in and out (`readSafetensors`, `loadStateDict`,
 * `writeSafetensors`, `stateDict`); data (`readCsv`, `readNpy`, `readIdx`, `readSamples`, the Fashion-MNIST /
 * MNIST / CIFAR-10 loaders and the papers' constructions); the models, losses, exact curvature (gradients,
 * HVPs, dense H / H_o / H_f, operators), the linear algebra (eigh, svd, Lanczos, LOBPCG, Hutchinson, Hutch++,
 * SLQ), initialisations, training loops, the seeded generator `rng`, and ml-matrix's `Matrix`.
 */
export { Matrix } from "ml-matrix";
export * from "./spectra";
export * from "./io/safetensors";
export * from "./models";
export * from "./curvature";
export {
  eigh, eigvalsh, svd, qr, cholesky, kron, vecRows, vecCols, unvecRows, unvecCols, pad, clusters, denseOperator,
  lanczos, lobpcg, powerIteration, hutchinson, hutchpp, slqDensity, densityOnGrid, fromRowMajor, fromColumnMajor, rowMajorOf, haarOrthogonal,
} from "./linalg";
export type { LinearOperator, EighOptions, EighResult, LanczosOptions, LobpcgOptions, LobpcgResult, IterativeEigenResult, PowerOptions, HutchinsonOptions } from "./linalg";
export * from "./data";
export * from "./init";
export * from "./train";
export { rng, Rng } from "./random/rng";
