/**
 * The scalar recursion lambda_{t+1} = lambda_t - eta L lambda_t^{L-1} (s lambda_t^L - c) of Depth, Not Data
 * (Lemma A.3) run over a grid of depths, starts and step sizes, with the lemma's claims measured along the way.
 */
import { scalarRecursion, scalarStep } from "../../papers/depth-not-data";

/** One run of the grid: its depth, start, step, steps to reach |lambda - 1| <= 1e-13, final error, samples (t, lambda_t). */
export interface RecursionRun { L: number; lambda0: number; eta: number; steps: number; finalErr: number; samples: Array<[number, number]> }

/**
 * Lemma A.3 for i <= r over the grid: each run iterates until |lambda - 1| <= 1e-13 (or maxSteps, or a
 * floating-point fixed point), then 100 more steps whose worst |lambda - 1| is its final error. Step sizes are
 * fractions of eta_max = 1 / (L B^{2(L-1)}), B = max(lambda_0, 1).
 * @returns the runs and, over all runs and steps, `worstBoundExcess` = max lambda_t - B, `worstPositivity` =
 *   min lambda_t, `worstMonotone` = the largest step away from 1
 */
export function recursionGrid(P: { depths: number[]; lambda0s: number[]; etaFractions: number[]; maxSteps: number }) {
  const runs: RecursionRun[] = [];
  let worstBoundExcess = -Infinity, worstPositivity = Infinity, worstMonotone = 0;
  for (const L of P.depths) {
    for (const lambda0 of P.lambda0s) {
      const B = Math.max(lambda0, 1);
      const etaMax = 1 / (L * Math.pow(B, 2 * (L - 1)));
      const dir = Math.sign(1 - lambda0);
      for (const f of P.etaFractions) {
        const eta = f * etaMax;
        let lam = lambda0, t = 0, nextSample = 1;
        const samples: Array<[number, number]> = [[0, lam]];
        while (t < P.maxSteps && Math.abs(lam - 1) > 1e-13) {
          const next = scalarStep(lam, L, eta);
          worstMonotone = Math.max(worstMonotone, -dir * (next - lam));
          if (next === lam) break; // a floating-point fixed point: with a tiny step the update drops below one ulp
          lam = next;
          t++;
          worstBoundExcess = Math.max(worstBoundExcess, lam - B);
          worstPositivity = Math.min(worstPositivity, lam);
          if (t >= nextSample) { samples.push([t, lam]); nextSample = Math.ceil(nextSample * 1.1); }
        }
        samples.push([t, lam]);
        let finalErr = Math.abs(lam - 1);
        for (let extra = 0; extra < 100; extra++) { lam = scalarStep(lam, L, eta); finalErr = Math.max(finalErr, Math.abs(lam - 1)); }
        runs.push({ L, lambda0, eta, steps: t, finalErr, samples });
      }
    }
  }
  return { runs, worstBoundExcess, worstPositivity, worstMonotone };
}

/**
 * Lemma A.3 for r < i <= d* (s = 1, c = 0): from lambda_0 at eta = 0.5 / L, `steps` steps of the recursion
 * against the ODE solution (lambda_0^{-(2L-2)} + (2L-2) eta t)^{-1/(2L-2)}; the largest increase along the run.
 */
export function tailDecay(L: number, lambda0: number, steps: number): { traj: number[]; ode: (t: number) => number; eta: number; maxIncrease: number } {
  const eta = 0.5 / L; // inside the range (B = 1)
  const traj = scalarRecursion([lambda0], { L, eta, steps, r: 0, dStar: 1 }).map((row) => row[0]);
  let maxIncrease = 0;
  for (let t = 1; t < traj.length; t++) maxIncrease = Math.max(maxIncrease, traj[t] - traj[t - 1]);
  const ode = (t: number) => Math.pow(Math.pow(lambda0, -(2 * L - 2)) + (2 * L - 2) * eta * t, -1 / (2 * L - 2));
  return { traj, ode, eta, maxIncrease };
}
