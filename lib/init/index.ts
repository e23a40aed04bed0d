/**
 * Initialisations. Every function that draws takes an `Rng`.
 *
 * - balanced (`balancedInit`, `usiInit`, `sharedFormInit`, `stronglyBalancedInit`): deep linear networks.
 * - generic (`standardInit`, `pytorchDefaultInit`, `orthogonalInit`, `ntpInit`, `mupInit`): any model.
 */
export * from "./balanced";
export * from "./generic";
export * from "./transformer";
