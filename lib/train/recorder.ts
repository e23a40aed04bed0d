/**
 * A recorder of loss, weights and any spectrum along a run, for the training loops' step callbacks.
 */
import { assertPositiveInt } from "../linalg/validate";
import type { StepState } from "./schedules";

export interface RunRecord {
  step: number;
  loss: number;
  lr: number;
  /** Copy of the parameters (when `weights` is true). */
  theta?: Float64Array;
  /** Whatever `spectrum(theta)` returned. */
  spectrum?: number[];
  /** Whatever `extra(state)` returned. */
  extra?: unknown;
}

/**
 * A callback for `gradientDescent` / `sgd` that records every `every`-th step (and the first): loss,
 * learning rate, optionally a copy of the weights, a spectrum computed from theta, and anything else.
 */
export function recorder(options: { every?: number; weights?: boolean; spectrum?: (theta: Float64Array) => number[]; extra?: (s: StepState) => unknown } = {}): { records: RunRecord[]; onStep: (s: StepState) => void } {
  const every = options.every ?? 1;
  assertPositiveInt("recorder: every", every);
  const records: RunRecord[] = [];
  return {
    records,
    onStep(s: StepState) {
      if (s.step % every !== 0) return;
      const r: RunRecord = { step: s.step, loss: s.loss, lr: s.lr };
      if (options.weights) r.theta = Float64Array.from(s.theta);
      if (options.spectrum) r.spectrum = options.spectrum(s.theta);
      if (options.extra) r.extra = options.extra(s);
      records.push(r);
    },
  };
}
