/**
 * Public API of lib/autodiff: the forward-over-reverse tape (`Tape`, `Var`, `Dual`) in which the models are
 * written and from which lib/curvature gets exact gradients and Hessian-vector products.
 */
export * from "./tape";
