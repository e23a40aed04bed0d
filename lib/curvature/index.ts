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
 * Also: `lossAndGradient`, `ggnVectorProduct` (H_o v), `functionalHvp` (H_f v), `jvp`, `vjp`, `outputs`.
 * The tape engine (`Tape`, `Dual`) in `autodiff.ts` is what models record their forward pass on;
 * `gemm` in `kernels.ts` is the matrix-multiplication kernel.
 */
export * from "./problem";
export * from "./curvature";
export { Dual, Tape, Var } from "./autodiff";
export { gemm } from "./kernels";
