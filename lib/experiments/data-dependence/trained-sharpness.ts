/**
 * Data Dependence, Figure 1 (c): the sharpness of deep linear networks trained on class-proportion subsets of
 * an image data set, against the largest class proportion (the notebook compares it with (14)).
 */
import type { ImageDataset } from "../../data/loaders";
import { classProportionSubset } from "../../data/subsets";
import { deepLinear } from "../../models/mlp";
import { endToEndLinear } from "../../models/end-to-end";
import { hessianOperator, loss } from "../../curvature/curvature";
import { mseProblem, populationProblem } from "../../curvature/problem";
import { lanczos } from "../../linalg/lanczos";
import { singularValues } from "../../linalg/svd";
import { stronglyBalancedInit } from "../../init";
import { gradientDescent, halvingSchedule } from "../../train";
import type { Rng } from "../../random/rng";
import { balanceDefect, gradientMismatch } from "./dense-checks";

/** Figure 1 (c)'s settings: subset size, width, depth L, lr_max, epochs and the largest class proportions. */
export interface TrainedSharpnessConfig {
  n: number;
  width: number;
  L: number;
  lr: number;
  epochs: number;
  alphas: number[];
}

/** One trained network of Figure 1 (c). */
export interface TrainedPoint {
  dataset: string;
  alphaTarget: number;
  alphaMax: number;
  d0: number;
  dropped: number;
  finalLoss: number;
  /** Lanczos' lambda_max of the Hessian after training. */
  sharpness: number;
  /** sigma_1(S_yx): the balanced minimiser of the subset has lambda_max = L sigma_1^(2(L-1)/L) (whitened, sigma_x = 1). */
  syxTop: number;
  /** max_l ||W_l W_l^T - W_{l+1}^T W_{l+1}||_F / ||W_l W_l^T||_F after training. */
  balanceDefect: number;
  losses: number[];
  lrFinal: number;
  seconds: number;
  /** At the first alpha only: population vs sample loss and gradient at the initialisation. */
  initial?: { population: number; sample: number; gradientError: number };
}

/**
 * Data Dependence, Figure 1 (c): for each alpha_max a whitened App. C subset of `ds`, a strongly balanced deep
 * linear network (singular values U[0, 1]) trained by full-batch GD (halving rule) on the population form, and
 * the sharpness by Lanczos (`gen.fork(lanczos-<label>-<alpha>)`). The first point also compares the population
 * form with the sample MSE at the initialisation. Draws, per alpha in order: the subset and the initialisation from `gen`.
 */
export function trainedLabelSharpness(ds: ImageDataset, label: string, c: TrainedSharpnessConfig, gen: Rng): TrainedPoint[] {
  const out: TrainedPoint[] = [];
  for (const alpha of c.alphas) {
    const t0 = Date.now();
    const sub = classProportionSubset(ds, c.n, gen, { alphaMax: alpha, sigmaX: 1 });
    const widths = [sub.X.rows, ...Array(c.L - 1).fill(c.width), ds.classes];
    const init = stronglyBalancedInit(widths, Array.from({ length: Math.min(...widths) }, () => gen.uniform()), gen);
    const problem = populationProblem(endToEndLinear(widths), { Sxx: sub.Sxx, Syx: sub.Syx, Syy: sub.Syy });
    let initial: TrainedPoint["initial"];
    if (out.length === 0) {
      const sample = mseProblem(deepLinear(widths), sub.X, sub.Y);
      initial = { population: loss(problem, init.theta), sample: loss(sample, init.theta), gradientError: gradientMismatch(problem, sample, init.theta) };
    }
    const schedule = halvingSchedule(c.lr);
    const run = gradientDescent(problem, init.theta, { steps: c.epochs, lr: schedule });
    const top = lanczos(hessianOperator(problem, run.theta), { k: 1, rng: gen.fork(`lanczos-${label}-${alpha}`) });
    out.push({
      dataset: label, alphaTarget: alpha, alphaMax: sub.alphaMax, d0: sub.X.rows, dropped: sub.dropped, finalLoss: run.losses[run.losses.length - 1],
      sharpness: top.values[0], syxTop: singularValues(sub.Syx)[0], balanceDefect: balanceDefect(endToEndLinear(widths).unflatten(run.theta), true),
      losses: run.losses, lrFinal: schedule.lr, seconds: (Date.now() - t0) / 1000, initial,
    });
  }
  return out;
}
