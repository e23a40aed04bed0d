/**
 * What the command line builds from its flags: the model (`--arch`), the parameters (`--weights` or a seeded
 * initialisation), the data (`--data`, `--targets`) and the loss (`--loss`). Every bad value throws a
 * `UsageError` naming the flag, what was expected and what was given.
 */
import { Matrix } from "ml-matrix";
import type { Model } from "../models/model";
import { deepLinear, mlp } from "../models/mlp";
import { transformer } from "../models/transformer";
import { crossEntropyProblem, mseProblem, Problem } from "../curvature/problem";
import { imagesToMatrix, loadCifar10, loadFashionMnist, loadMnist, readSamples, selectLabels, ImageDataset } from "../data/loaders";
import { oneHot } from "../data/synthetic";
import { loadStateDict, readSafetensors } from "../io/safetensors";
import { standardInit, transformerInit } from "../init";
import { rng } from "../random/rng";

/** A user error: printed as one line, exit code 2. */
export class UsageError extends Error {}

const ARCH_HELP = "mlp:<d0>-<d1>-...-<dL>[:tanh|relu|linear][:bias], deepLinear:<d0>-...-<dL>, or transformer:vocab=V,seqLen=T,dModel=d[,heads=h,layers=l,mlpWidth=m,attention=0|1]";

/**
 * The model named by an architecture string, e.g. `mlp:784-256-10:tanh`, `deepLinear:6-7-5`,
 * `transformer:vocab=8,seqLen=4,dModel=8,heads=2`.
 */
export function parseArch(text: string): Model {
  const bad = (why: string): never => { throw new UsageError(`--arch: expected ${ARCH_HELP}; got "${text}" (${why})`); };
  if (typeof text !== "string" || text === "") bad("empty");
  const [kind, ...rest] = text.split(":");
  const widths = (s: string | undefined): number[] => {
    if (s === undefined) return bad("no widths");
    const w = s.split("-").map((x) => Number(x));
    if (w.length < 2 || !w.every((x) => Number.isInteger(x) && x >= 1)) bad(`widths "${s}" must be at least two positive integers joined by "-"`);
    return w;
  };
  if (kind === "mlp") {
    const w = widths(rest[0]);
    let activation: "tanh" | "relu" | "linear" = "tanh", bias = false;
    for (const opt of rest.slice(1)) {
      if (opt === "tanh" || opt === "relu" || opt === "linear") activation = opt;
      else if (opt === "bias") bias = true;
      else bad(`unknown option "${opt}"`);
    }
    return mlp(w, { activation, bias });
  }
  if (kind === "deepLinear") {
    if (rest.length !== 1) bad("deepLinear takes only widths");
    return deepLinear(widths(rest[0]));
  }
  if (kind === "transformer") {
    if (rest.length !== 1) bad("transformer takes key=value pairs");
    const o: Record<string, number> = {};
    for (const kv of rest[0].split(",")) {
      const [k, v] = kv.split("=");
      if (!["vocab", "seqLen", "dModel", "heads", "layers", "mlpWidth", "attention"].includes(k) || !Number.isInteger(Number(v))) bad(`"${kv}"`);
      o[k] = Number(v);
    }
    if (o.vocab === undefined || o.seqLen === undefined || o.dModel === undefined) bad("vocab, seqLen and dModel are required");
    try {
      return transformer({ vocab: o.vocab, seqLen: o.seqLen, dModel: o.dModel, heads: o.heads, layers: o.layers, mlpWidth: o.mlpWidth, attention: o.attention === undefined ? undefined : o.attention !== 0 });
    } catch (e) {
      return bad((e as Error).message);
    }
  }
  return bad(`unknown architecture "${kind}"`);
}

/** Data: inputs X (one sample per column) and either targets Y or class labels. */
export interface CliData {
  X: Matrix;
  Y?: Matrix;
  labels?: Int32Array;
  classes?: number;
  description: string;
}

const SETS: Record<string, (split: "train") => ImageDataset> = { "fashion-mnist": loadFashionMnist, mnist: loadMnist, cifar10: loadCifar10 };

/**
 * `--data fashion-mnist:5000` (also `mnist:N`, `cifar10:N`: the first N training images, pixels / 255, their
 * labels), or `--data X.csv|X.npy|X.idx --targets Y.csv|...` (one sample per row in both files).
 */
export function loadData(data: string, targets?: string): CliData {
  const m = /^(fashion-mnist|mnist|cifar10)(?::(\d+))?$/.exec(data);
  if (m) {
    if (targets !== undefined) throw new UsageError(`--targets: not used with --data ${data} (its labels are the targets)`);
    const ds = SETS[m[1]]("train");
    const n = m[2] === undefined ? ds.count : Number(m[2]);
    if (!(n >= 1 && n <= ds.count)) throw new UsageError(`--data: ${m[1]} has ${ds.count} training images; expected 1..${ds.count}, got ${m[2]}`);
    const idx = Array.from({ length: n }, (_, i) => i);
    return { X: imagesToMatrix(ds, idx), labels: selectLabels(ds, idx), classes: ds.classes, description: `${ds.name}, first ${n} images` };
  }
  if (/^[a-z-]+\d*:\d+$/i.test(data)) throw new UsageError(`--data: unknown data set "${data}"; expected fashion-mnist:N, mnist:N, cifar10:N or a file (.csv, .npy, IDX)`);
  const X = readSamples(data);
  if (targets === undefined) throw new UsageError(`--targets: required with --data ${data} (a file of targets, one sample per row)`);
  const Y = readSamples(targets);
  if (Y.columns !== X.columns) throw new UsageError(`--targets: ${targets} has ${Y.columns} samples, --data ${data} has ${X.columns}`);
  return { X, Y, description: `${data} (${X.columns} samples), targets ${targets}` };
}

/**
 * The loss of the data on the model: "mse" (default; labels become one-hot targets) or "ce" (softmax
 * cross-entropy; targets must be one class index per sample).
 */
export function buildProblem(model: Model, data: CliData, loss: string): Problem {
  if (data.X.rows !== model.inputDim) {
    throw new UsageError(`--data: samples have ${data.X.rows} features, --arch ${model.name} expects ${model.inputDim} (its input width)`);
  }
  if (loss !== "mse" && loss !== "ce") throw new UsageError(`--loss: expected mse or ce, got "${loss}"`);
  let labels = data.labels;
  if (loss === "ce") {
    if (labels === undefined) {
      const Y = data.Y as Matrix;
      if (Y.rows !== 1) throw new UsageError(`--targets: with --loss ce expected one class index per sample, got ${Y.rows} values per sample`);
      labels = Int32Array.from(Y.getRow(0));
    }
    for (let i = 0; i < labels.length; i++) {
      if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] >= model.outputDim) {
        throw new UsageError(`--targets: class ${labels[i]} of sample ${i} is outside 0..${model.outputDim - 1} (the output width)`);
      }
    }
    return crossEntropyProblem(model, data.X, labels);
  }
  let Y = data.Y;
  if (Y === undefined) {
    const classes = data.classes as number;
    if (model.outputDim !== classes) throw new UsageError(`--arch: the data set has ${classes} classes, the output width is ${model.outputDim}`);
    Y = oneHot(labels as Int32Array, classes);
  }
  if (Y.rows !== model.outputDim) throw new UsageError(`--targets: samples have ${Y.rows} target values, --arch ${model.name} has output width ${model.outputDim}`);
  return mseProblem(model, data.X, Y);
}

/** Parameters from `--weights file.safetensors`, or else a seeded initialisation (`--seed`). */
export function loadWeights(model: Model, weights: string | undefined, seed: number, notice: (s: string) => void): Float64Array {
  if (weights === undefined) {
    notice(`no --weights: parameters drawn by ${model.name.startsWith("transformer") ? "transformerInit" : "standardInit"} with seed ${seed}`);
    return model.name.startsWith("transformer") ? transformerInit(model, rng(seed)) : standardInit(model, rng(seed));
  }
  let file;
  try {
    file = readSafetensors(weights);
  } catch (e) {
    throw new UsageError(`--weights: ${(e as Error).message}`);
  }
  for (const n of file.notices) notice(n);
  try {
    return loadStateDict(model, file.tensors);
  } catch (e) {
    throw new UsageError(`--weights: ${weights}: ${(e as Error).message}`);
  }
}
