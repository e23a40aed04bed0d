/**
 * Training loops with recording callbacks: full-batch gradient descent on any `Problem` (sample or
 * population loss), mini-batch SGD with momentum on an MSE regression, stochastic SGD / AdamW on any
 * mini-batch problems (`trainStochastic`, e.g. the Transformer analogue), learning-rate schedules (the
 * halving rule of Data Dependence App. C and the divide-by-10 rule of Cracking the Hessian D.1.3), and a
 * `recorder` that keeps loss, weights and any spectrum along a run.
 *
 * ```ts
 * const rec = recorder({ every: 10, spectrum: (theta) => topEigenvalues(theta) });
 * const run = gradientDescent(problem, theta0, { lr: 0.05, steps: 2000, onStep: rec.onStep });
 * rec.records  // [{ step, loss, theta, spectrum }, ...]
 * ```
 */
export * from "./schedules";
export * from "./loops";
export * from "./recorder";
