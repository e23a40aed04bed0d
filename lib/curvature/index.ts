/**
 * Exact curvature of the papers' models, in float64.
 *
 * Usage:
 * ```ts
 * import { deepLinear } from "./lib/models";
 * import { mseProblem, populationProblem, loss, gradient, hvp, hessian, gaussNewton, functionalHessian,
 *          hessianOperator, ggnOperator, functionalHessianOperator, jacobian, ntkGram } from "./lib/curvature";
 * const model = deepLinear([6, 7, 7, 5]);            // F(x) = W3 W2 W1 x, theta = [W1, W2, W3] row-major
 * const problem = mseProblem(model, X, Y);           // l = 1/(2n) sum_i ||F(x_i) - y_i||^2, X d0 x n
 * const g = gradient(problem, theta);                // Float64Array(p)
 * const Hv = hvp(problem, theta, v);                 // exact H v (forward-over-reverse)
 * const H = hessian(problem, theta);                 // dense p x p Matrix (only when asked)
 * const Ho = gaussNewton(problem, theta);            // H_o = (1/n) J^T J
 * const Hf = functionalHessian(problem, theta);      // H_f = H - H_o, computed directly
 * const op = hessianOperator(problem, theta);        // LinearOperator for lanczos / lobpcg / hutchinson
 * const J = jacobian(model, theta, X);               // (k n) x p, row a*n + i = output a of sample i
 * const K = ntkGram(problem, theta);                 // (1/n) J J^T
 * const pop = populationProblem(model, { Sxx, Syx, Syy });  // Depth, Not Data population loss
 * ```
 * Names follow one scheme per curvature matrix M in {hessian, gaussNewton, functionalHessian}: the dense
 * matrix `M(problem, theta)`, the product `MVectorProduct(problem, theta, v)` and the matrix-free
 * `MOperator(problem, theta)`. The earlier short names `hvp`, `ggnVectorProduct`, `functionalHvp` and
 * `ggnOperator` remain as aliases of the same functions.
 * Also: `lossAndGradient`, `ggnVectorProduct` (H_o v), `functionalHvp` (H_f v), `jvp`, `vjp`, `outputs`,
 * `crossEntropyProblem(model, X, labels)` (softmax cross-entropy; its GGN uses the softmax output Hessian).
 * Dense builders refuse results above 2 GiB (`MAX_DENSE_ENTRIES`); use the operators then.
 *
 * Ordering conventions: theta = the model's blocks one after another, each row-major (`model.blocks`);
 * J's row `a * n + i` = output a of sample i. H_f is computed directly (residual-weighted second
 * derivatives), not as H - H_o, so it is exact near zero loss.
 *
 * The rest of the toolkit:
 * - models (`lib/models`): `deepLinear`, `mlp`, `twoLayerScalar`, `twoLayerRelu`, `twoLayerBias`,
 *   `twoLayerMultiInput`, `twoLayerMultiOutput`, `selfAttention`, `transformer`;
 * - initialisations (`lib/init`): `balancedInit`, `usiInit`, `sharedFormInit`, `stronglyBalancedInit`,
 *   `standardInit`, `pytorchDefaultInit`, `orthogonalInit`, `ntpInit`, `mupInit`, `transformerInit`;
 * - data (`lib/data`): `whiten`, `alignedData`, `gaussianTeacher`, `decorrelatedData`, `wedgeData`,
 *   `sequenceReversal`, `oneHot`, `subsampleByClass`, `loadFashionMnist`, `loadMnist`, `loadCifar10`,
 *   `imagesToMatrix`, `loadTextCorpus`, `charTokenize`, `languageModelBatch`;
 * - training (`lib/train`): `gradientDescent`, `sgd`, `trainStochastic`, `halvingSchedule`,
 *   `divideBy10Schedule`, `recorder`.
 *
 * The tape engine (`Tape`, `Dual`) in `lib/autodiff` is what models record their forward pass on (new
 * models use its operations and get exact second derivatives for free); `gemm` (re-exported from
 * `lib/linalg/matmul.ts`) is the matrix-multiplication kernel with transposes.
 */
export * from "./problem";
export * from "./curvature";
export { Dual, Tape, Var, gelu, rsqrt, exp } from "../autodiff/tape";
export type { ScalarFunction } from "../autodiff/tape";
export { gemm } from "../linalg/matmul";
