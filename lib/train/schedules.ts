/**
 * Learning-rate schedules: constant, the halving rule of Data Dependence App. C, the divide-by-10 rule of
 * Cracking the Hessian D.1.3; and the state a schedule and a step callback see.
 */
import { assertPositiveInt } from "../linalg/validate";

/** What a callback sees at the initial point (step 0) and after each update. */
export interface StepState {
  /** Number of updates done so far (0 = the initial point). */
  step: number;
  /** Loss at `theta` (full-batch loss for GD; for SGD the mean of the epoch's mini-batch losses). */
  loss: number;
  /** Current parameters (a live view: copy it to keep it). */
  theta: Float64Array;
  /** Learning rate that the next update uses. */
  lr: number;
  /** Gradient at theta (full batch for GD, null for SGD epochs). */
  gradient: Float64Array | null;
}

/**
 * A learning-rate schedule, called once per step (GD) or epoch (SGD), starting at the initial point, with
 * the loss just measured.
 */
export interface Schedule {
  /** Learning rate for the next update given the loss history so far; NaN or <= 0 stops training. */
  next(loss: number): number;
  /** Current learning rate. */
  readonly lr: number;
}

/** Constant learning rate. */
export function constantSchedule(lr: number): Schedule {
  checkLr("constantSchedule", lr);
  return { next: () => lr, lr };
}

function checkLr(where: string, lr: number): void {
  if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`${where}: lr must be positive and finite, got ${lr}`);
}

/**
 * Halving schedule (Data Dependence, App. C): start at lrMax; whenever the loss improved by less than
 * `tol` (relative, default 0.1%) over the last `window` (default 100) epochs, halve the learning rate and
 * start a new window.
 */
export function halvingSchedule(lrMax: number, options: { window?: number; tol?: number } = {}): Schedule {
  checkLr("halvingSchedule", lrMax);
  const window = options.window ?? 100;
  const tol = options.tol ?? 1e-3;
  assertPositiveInt("halvingSchedule: window", window);
  let lr = lrMax;
  let history: number[] = [];
  return {
    get lr() { return lr; },
    next(loss: number) {
      history.push(loss);
      if (history.length > window) {
        const old = history[history.length - 1 - window];
        if (old - loss < tol * Math.abs(old)) {
          lr /= 2;
          history = [loss];
        }
      }
      return lr;
    },
  };
}

/**
 * Divide-by-10 schedule (Cracking the Hessian, D.1.3): start at lr0; when the loss has not reached a new
 * best (by relative `tol`, default 0) for `patience` epochs, divide the learning rate by 10; stop (return
 * NaN) once it would fall below `minLr` (default 1e-5).
 */
export function divideBy10Schedule(lr0: number, options: { patience?: number; minLr?: number; tol?: number } = {}): Schedule {
  checkLr("divideBy10Schedule", lr0);
  const patience = options.patience ?? 10;
  const minLr = options.minLr ?? 1e-5;
  const tol = options.tol ?? 0;
  assertPositiveInt("divideBy10Schedule: patience", patience);
  let lr = lr0;
  let best = Infinity;
  let since = 0;
  let done = false;
  return {
    get lr() { return done ? NaN : lr; },
    next(loss: number) {
      if (done) return NaN;
      if (loss < best * (1 - tol)) { best = loss; since = 0; } else since++;
      if (since >= patience) {
        lr /= 10;
        since = 0;
        if (lr < minLr * (1 - 1e-12)) { done = true; return NaN; }
      }
      return lr;
    },
  };
}

/** Options of `gradientDescent`. */
