/**
 * Data sets and constructions of the three papers. Convention: X is `d x n` with one sample per column,
 * Y is `k x n`.
 */
import { Matrix } from "ml-matrix";
import { Rng } from "../random/rng";
import { assertFinite, assertPositiveInt } from "../linalg/validate";
import { choleskyQr2, orthonormalRows } from "../linalg/orthonormal-rows";

// Moved to lib/linalg/orthonormal-rows; re-exported so that existing imports from lib/data keep working.
export { orthonormalRows };

function checkMatrix(where: string, X: Matrix): void {
  if (!(X instanceof Matrix)) throw new TypeError(`${where} must be an ml-matrix Matrix`);
  assertFinite(where, X);
}

/**
 * QR whitening (Data Dependence, App. C): `X = sqrt(n) sigma_x Q`, where Q (d x n, orthonormal rows)
 * comes from the QR decomposition of `Xraw^T`. Then `X X^T / n = sigma_x^2 I` to rounding.
 * Needs n >= d. Rank-deficient Xraw (e.g. pixels that are zero in every image) throws, unless
 * `options.rankDeficient` is "complete" (see `orthonormalRows`).
 */
export function whiten(Xraw: Matrix, sigmaX = 1, options: { rankDeficient?: "throw" | "complete" } = {}): Matrix {
  checkMatrix("whiten: X", Xraw);
  if (!(Number.isFinite(sigmaX) && sigmaX > 0)) throw new RangeError(`whiten: sigmaX must be positive and finite, got ${sigmaX}`);
  if (Xraw.rows > Xraw.columns) throw new RangeError(`whiten: X must have at least as many columns (samples) as rows, got ${Xraw.rows} x ${Xraw.columns}`);
  const scale = Math.sqrt(Xraw.columns) * sigmaX;
  const fast = choleskyQr2(Xraw);
  if (fast !== null) return fast.mul(scale);
  const Q = orthonormalRows(Xraw, "whiten", options.rankDeficient ?? "throw");
  return Q.mul(scale);
}

/** Whitened, aligned data of Depth, Not Data (Assumptions 3.1 / 3.2), sample and population versions. */
export interface AlignedData {
  /** d_0 x n inputs with X X^T / n = V P(I_{d*}) V^T. */
  X: Matrix;
  /** d_L x n targets Y = S_yx X. */
  Y: Matrix;
  /** Population moments: S_xx = V P(I_{d*}) V^T, S_yx = U P(I_r) V^T, S_yy = U P(I_r) U^T. */
  Sxx: Matrix;
  Syx: Matrix;
  Syy: Matrix;
}

/**
 * Whitened input and aligned target (Depth, Not Data, Assumptions 3.1 and 3.2): inputs supported on the
 * first `dStar` columns of V with identity covariance there (QR-whitened Gaussian draws, so the sample
 * covariance is exact), target `Y = U P(I_r) V^T X`, a rank-r partial isometry in the initialisation's own
 * singular bases. U is d_L x d_L and V is d_0 x d_0 orthogonal (e.g. from `balancedInit`); r <= dStar,
 * r <= d_L, dStar <= d_0 <= n.
 */
export function alignedData(U: Matrix, V: Matrix, options: { dStar: number; r: number; n: number }, gen: Rng): AlignedData {
  checkMatrix("alignedData: U", U);
  checkMatrix("alignedData: V", V);
  if (U.rows !== U.columns) throw new RangeError(`alignedData: U must be square (d_L x d_L), got ${U.rows} x ${U.columns}`);
  if (V.rows !== V.columns) throw new RangeError(`alignedData: V must be square (d_0 x d_0), got ${V.rows} x ${V.columns}`);
  const dL = U.rows, d0 = V.rows;
  const { dStar, r, n } = options;
  assertPositiveInt("alignedData: dStar", dStar);
  assertPositiveInt("alignedData: r", r);
  assertPositiveInt("alignedData: n", n);
  if (dStar > d0) throw new RangeError(`alignedData: dStar must be <= d_0 = ${d0}, got ${dStar}`);
  if (r > dStar || r > dL) throw new RangeError(`alignedData: r must be <= min(dStar, d_L) = ${Math.min(dStar, dL)}, got ${r}`);
  if (n < dStar) throw new RangeError(`alignedData: n must be >= dStar = ${dStar}, got ${n}`);
  const Vs = V.subMatrix(0, d0 - 1, 0, dStar - 1);
  const Z = whiten(gen.normalMatrix(dStar, n), 1);
  const X = Vs.mmul(Z);
  const Ur = U.subMatrix(0, dL - 1, 0, r - 1);
  const Vr = V.subMatrix(0, d0 - 1, 0, r - 1);
  const Syx = Ur.mmul(Vr.transpose());
  const Y = Syx.mmul(X);
  return { X, Y, Sxx: Vs.mmul(Vs.transpose()), Syx, Syy: Ur.mmul(Ur.transpose()) };
}

/** Options of `gaussianTeacher`. */
export interface TeacherOptions {
  inputDim: number;
  outputDim: number;
  n: number;
  /** Teacher matrix (outputDim x inputDim); default N(0, 1 / inputDim) entries. */
  teacher?: Matrix;
  /** Standard deviation of the Gaussian label noise. Default 0.1 (variance 0.01, Cracking D.1.3). */
  noiseStd?: number;
  /** "linear": y = W x + eps; "relu": y = relu(W x) + eps (single-layer ReLU teacher). Default "linear". */
  kind?: "linear" | "relu";
}

/**
 * Gaussian regression with a teacher (Cracking the Hessian, D.1.3): x ~ N(0, I), y = W x + eps (or
 * relu(W x) + eps), eps ~ N(0, noiseStd^2 I).
 */
export function gaussianTeacher(options: TeacherOptions, gen: Rng): { X: Matrix; Y: Matrix; teacher: Matrix } {
  const { inputDim, outputDim, n } = options;
  assertPositiveInt("gaussianTeacher: inputDim", inputDim);
  assertPositiveInt("gaussianTeacher: outputDim", outputDim);
  assertPositiveInt("gaussianTeacher: n", n);
  const W = options.teacher ?? gen.normalMatrix(outputDim, inputDim, 1 / Math.sqrt(inputDim));
  if (W.rows !== outputDim || W.columns !== inputDim) throw new RangeError(`gaussianTeacher: teacher must be ${outputDim} x ${inputDim}, got ${W.rows} x ${W.columns}`);
  checkMatrix("gaussianTeacher: teacher", W);
  const noise = options.noiseStd ?? 0.1;
  if (!(noise >= 0 && Number.isFinite(noise))) throw new RangeError(`gaussianTeacher: noiseStd must be >= 0, got ${noise}`);
  const X = gen.normalMatrix(inputDim, n);
  const Y = W.mmul(X);
  if ((options.kind ?? "linear") === "relu") Y.apply((i, j) => { if (Y.get(i, j) < 0) Y.set(i, j, 0); });
  else if (options.kind !== undefined && options.kind !== "linear") throw new RangeError(`gaussianTeacher: kind must be "linear" or "relu", got ${String(options.kind)}`);
  if (noise > 0) Y.add(gen.normalMatrix(outputDim, n, noise));
  return { X, Y, teacher: W };
}

/** Rows shifted to mean 0 and scaled to (uncentred) second moment 1: the "normalized" data of Cracking D.1.2. */
export function standardizeRows(X: Matrix): Matrix {
  checkMatrix("standardizeRows: X", X);
  const out = X.clone();
  const n = X.columns;
  for (let i = 0; i < X.rows; i++) {
    let m = 0;
    for (let j = 0; j < n; j++) m += X.get(i, j);
    m /= n;
    let s = 0;
    for (let j = 0; j < n; j++) s += (X.get(i, j) - m) ** 2;
    s = Math.sqrt(s / n);
    if (!(s > 0)) throw new RangeError(`standardizeRows: row ${i} of X is constant`);
    for (let j = 0; j < n; j++) out.set(i, j, (X.get(i, j) - m) / s);
  }
  return out;
}

/**
 * Decorrelated data (Cracking the Hessian, D.1.2): D features and a scalar target, each with empirical
 * mean 0 and variance 1, and zero empirical correlation between any two features and between any
 * feature and the target (exactly, up to rounding). Needs n >= D + 2.
 */
export function decorrelatedData(D: number, n: number, gen: Rng): { X: Matrix; Y: Matrix } {
  assertPositiveInt("decorrelatedData: D", D);
  assertPositiveInt("decorrelatedData: n", n);
  if (n < D + 2) throw new RangeError(`decorrelatedData: n must be >= D + 2 = ${D + 2}, got ${n}`);
  const Z = gen.normalMatrix(D + 1, n);
  // centre rows, then orthonormalise: rows stay orthogonal to the ones vector, so means stay 0
  for (let i = 0; i <= D; i++) {
    let m = 0;
    for (let j = 0; j < n; j++) m += Z.get(i, j);
    m /= n;
    for (let j = 0; j < n; j++) Z.set(i, j, Z.get(i, j) - m);
  }
  const W = whiten(Z, 1);
  return { X: W.subMatrix(0, D - 1, 0, n - 1), Y: W.subMatrix(D, D, 0, n - 1) };
}

/**
 * Wedge data for Cracking the Hessian, Figure 8 (the paper names it without defining it; this is our
 * reconstruction): scalar x ~ U(-1, 1), y = slopePos x for x > 0 and slopeNeg x for x <= 0 (default
 * y = |x|, a wedge), plus optional Gaussian noise. Both ReLU cells are populated.
 */
export function wedgeData(n: number, gen: Rng, options: { slopePos?: number; slopeNeg?: number; noiseStd?: number } = {}): { X: Matrix; Y: Matrix } {
  assertPositiveInt("wedgeData: n", n);
  const a = options.slopePos ?? 1, b = options.slopeNeg ?? -1, noise = options.noiseStd ?? 0;
  const X = new Matrix(1, n), Y = new Matrix(1, n);
  for (let j = 0; j < n; j++) {
    const x = gen.uniform(-1, 1);
    X.set(0, j, x);
    Y.set(0, j, (x > 0 ? a * x : b * x) + (noise > 0 ? gen.normal(0, noise) : 0));
  }
  return { X, Y };
}

/**
 * Sequence reversal (Cracking the Hessian, D.2): n sequences of length T (columns of X, entries
 * N(0, std^2)), target the reversed sequence, Y[t][i] = X[T - 1 - t][i].
 */
export function sequenceReversal(T: number, n: number, gen: Rng, std = 1): { X: Matrix; Y: Matrix } {
  assertPositiveInt("sequenceReversal: T", T);
  assertPositiveInt("sequenceReversal: n", n);
  const X = gen.normalMatrix(T, n, std);
  const Y = new Matrix(T, n);
  for (let t = 0; t < T; t++) for (let j = 0; j < n; j++) Y.set(t, j, X.get(T - 1 - t, j));
  return { X, Y };
}

/** One-hot labels: `classes x n`, column i has a 1 in row labels[i]. */
export function oneHot(labels: ArrayLike<number>, classes: number): Matrix {
  assertPositiveInt("oneHot: classes", classes);
  const Y = new Matrix(classes, labels.length);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new RangeError(`oneHot: labels[${i}] must be an integer in [0, ${classes}), got ${c}`);
    Y.set(c, i, 1);
  }
  return Y;
}

/**
 * Class-proportion subsampling (Data Dependence, App. C): n indices with floor((1 - alphaMax) n / 9)
 * samples from each of the classes 1..9 and the rest from class 0, so class 0 has proportion about
 * alphaMax. (The paper writes floor((1 - alpha_max) n) "from each of the classes 1-9", which cannot
 * sum to n; we read it as split evenly over the nine classes.) Without alphaMax: n uniformly random
 * indices. Indices are drawn without replacement, in random order.
 */
export function subsampleByClass(labels: ArrayLike<number>, n: number, gen: Rng, alphaMax?: number, classes = 10): Int32Array {
  assertPositiveInt("subsampleByClass: n", n);
  if (n > labels.length) throw new RangeError(`subsampleByClass: n must be <= the number of labels ${labels.length}, got ${n}`);
  if (alphaMax === undefined) {
    const perm = gen.permutation(labels.length);
    return perm.slice(0, n);
  }
  if (!(alphaMax >= 1 / classes && alphaMax <= 1)) throw new RangeError(`subsampleByClass: alphaMax must be in [1/${classes}, 1], got ${alphaMax}`);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new RangeError(`subsampleByClass: labels[${i}] must be an integer in [0, ${classes}), got ${c}`);
    byClass[c].push(i);
  }
  const per = Math.floor(((1 - alphaMax) * n) / (classes - 1));
  const counts = new Array(classes).fill(per);
  counts[0] = n - per * (classes - 1);
  const out: number[] = [];
  for (let c = 0; c < classes; c++) {
    if (byClass[c].length < counts[c]) throw new RangeError(`subsampleByClass: class ${c} has ${byClass[c].length} samples, ${counts[c]} needed`);
    gen.shuffle(byClass[c]);
    out.push(...byClass[c].slice(0, counts[c]));
  }
  gen.shuffle(out);
  return Int32Array.from(out);
}

/** Columns `indices` of X. */
export function selectColumns(X: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Matrix(X.rows, indices.length);
  for (let j = 0; j < indices.length; j++) {
    const c = indices[j];
    if (!Number.isInteger(c) || c < 0 || c >= X.columns) throw new RangeError(`selectColumns: index ${c} out of range [0, ${X.columns})`);
    for (let i = 0; i < X.rows; i++) out.set(i, j, X.get(i, c));
  }
  return out;
}
