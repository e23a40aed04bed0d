/**
 * Data Dependence, Figure 3 (App. A, App. C): the trace of the Hessian during training, Hutchinson's estimate
 * against the closed form (7), for one image data set. The notebook keeps the parameters, the checks and the
 * plots; this is the training run and the recording.
 */
import type { ImageDataset } from "../../data/loaders";
import { classProportionSubset } from "../../data/subsets";
import { deepLinear } from "../../models/mlp";
import { endToEndLinear } from "../../models/end-to-end";
import { gradient, hessianOperator, loss } from "../../curvature/curvature";
import { mseProblem, populationProblem } from "../../curvature/problem";
import { hutchinson } from "../../linalg/trace";
import { pytorchDefaultInit } from "../../init/generic";
import { gradientDescent, halvingSchedule } from "../../train";
import { traceFormula } from "../../papers/data-dependence";
import type { Rng } from "../../random/rng";

/** One recorded epoch: the loss, (7) from the weights, Hutchinson's estimate, its standard error and z. */
export interface TraceRecord {
  epoch: number;
  loss: number;
  eq7: number;
  hutch: number;
  se: number;
  z: number;
}

/** The run's settings (the notebook's parameters). */
export interface TracePanelOptions {
  /** Subset size (class-proportion rule of App. C, whitened to sigma_x = 1). */
  n: number;
  /** Hidden width and number of layers L of the deep linear network. */
  width: number;
  L: number;
  /** lr_max of the halving schedule, and the number of full-batch epochs. */
  lr: number;
  epochs: number;
  /** Hutchinson probes per record (Gaussian). */
  probes: number;
  /** Epochs at which to record (0 = the initialisation). */
  recordAt: number[];
}

/** What `tracePanel` measured. */
export interface TracePanel {
  records: TraceRecord[];
  /** Population and sample losses at the initialisation (they must agree: the population form is exact). */
  initialLoss: { population: number; sample: number };
  /** max |g_population - g_sample| / max |g_sample| at the initialisation. */
  initialGradientError: number;
  /** d_0 after dropping constant pixels, how many were dropped, and the parameter count. */
  d0: number;
  dropped: number;
  p: number;
  seconds: number;
}

/**
 * Train a deep linear network (PyTorch default init) on a whitened class-proportion subset of `ds` by full-batch
 * GD on the population form of its MSE, recording (7) and Hutchinson's trace of the Hessian at `recordAt`.
 * Draws, in order: the subset and the initialisation from `gen`, each record's probes from `gen.fork(label-epoch)`.
 */
export function tracePanel(ds: ImageDataset, label: string, options: TracePanelOptions, gen: Rng): TracePanel {
  const t0 = Date.now();
  const sub = classProportionSubset(ds, options.n, gen, { sigmaX: 1 });
  const widths = [sub.X.rows, ...Array(options.L - 1).fill(options.width), ds.classes];
  const model = endToEndLinear(widths);
  const problem = populationProblem(model, { Sxx: sub.Sxx, Syx: sub.Syx, Syy: sub.Syy });
  const theta0 = pytorchDefaultInit(deepLinear(widths), gen);
  const sample = mseProblem(deepLinear(widths), sub.X, sub.Y);
  const g1 = gradient(problem, theta0), g2 = gradient(sample, theta0);
  let e = 0, m = 0;
  for (let i = 0; i < g1.length; i++) { e = Math.max(e, Math.abs(g1[i] - g2[i])); m = Math.max(m, Math.abs(g2[i])); }
  const initialLoss = { population: loss(problem, theta0), sample: loss(sample, theta0) };
  const records: TraceRecord[] = [];
  const onStep = (s: { step: number; loss: number; theta: Float64Array }) => {
    if (!options.recordAt.includes(s.step)) return;
    const W = model.unflatten(s.theta);
    const eq7 = traceFormula(W, 1);
    const h = hutchinson(hessianOperator(problem, s.theta), { probes: options.probes, rng: gen.fork(`${label}-${s.step}`), distribution: "gaussian" });
    records.push({ epoch: s.step, loss: s.loss, eq7, hutch: h.estimate, se: h.standardError, z: (h.estimate - eq7) / h.standardError });
  };
  gradientDescent(problem, theta0, { steps: options.epochs, lr: halvingSchedule(options.lr), onStep });
  return { records, initialLoss, initialGradientError: e / m, d0: sub.X.rows, dropped: sub.dropped, p: theta0.length, seconds: (Date.now() - t0) / 1000 };
}
