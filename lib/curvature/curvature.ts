/**
 * Exact first and second derivatives of a `Problem` (model + quadratic loss + data) in float64:
 * loss, gradient, Hessian-vector products (forward-over-reverse), the Gauss-Newton split
 * `H = H_o + H_f`, output Jacobians and the NTK Gram matrix, as vectors, dense matrices and
 * `LinearOperator`s.
 */
import { Matrix } from "ml-matrix";
import { eigh } from "../linalg/eigh";
import { LinearOperator } from "../linalg/operator";
import { Dual, Tape, Var } from "../autodiff/tape";
import { gemm } from "../linalg/matmul";
import { Problem } from "./problem";
import { Model, checkInput, checkTheta, paramLeaves } from "../models/model";
import { fromRowMajor, rowMajorOf } from "../linalg/storage";

/** Largest dense result (entries) the dense builders will allocate: 2^28 doubles = 2 GiB. */
export const MAX_DENSE_ENTRIES = 2 ** 28;

function checkDenseSize(where: string, rows: number, cols: number, hint: string): void {
  if (rows * cols > MAX_DENSE_ENTRIES) {
    const gib = (rows * cols * 8) / 2 ** 30;
    throw new RangeError(`${where}: the dense result would be ${rows} x ${cols} (${gib.toFixed(1)} GiB); ${hint}`);
  }
}

interface Pass {
  tape: Tape;
  params: Var[];
  out: Var;
}

function forwardPass(problem: Problem, theta: Float64Array, direction: Float64Array | null, slabs = 1): Pass {
  const tape = new Tape();
  const params = paramLeaves(tape, problem.model, theta, direction, slabs);
  const out = problem.model.graph(tape, params, tape.constant(problem.input, problem.inputIsIdentity === true));
  return { tape, params, out };
}

function checkDirection(where: string, v: Float64Array, p: number): void {
  if (!(v instanceof Float64Array)) throw new TypeError(`${where}: v must be a Float64Array`);
  if (v.length !== p) throw new RangeError(`${where}: v must have length ${p}, got ${v.length}`);
  for (let i = 0; i < p; i++) if (!Number.isFinite(v[i])) throw new RangeError(`${where}: v must be finite, entry ${i} is ${v[i]}`);
}

/** Gather the parameter gradients (primal or tangent part) into one flat vector. */
function gatherGrads(problem: Problem, params: Var[], part: "v" | "t"): Float64Array {
  const out = new Float64Array(problem.model.numParams);
  problem.model.blocks.forEach((b, i) => {
    const g = params[i].g;
    if (g === null) return; // parameter does not influence the output
    const src = part === "v" ? g.v : g.t;
    if (src !== null) out.set(src, b.offset);
  });
  return out;
}

/** Loss value l(theta). */
export function loss(problem: Problem, theta: Float64Array): number {
  checkTheta("loss", theta, problem.model.numParams);
  return problem.value(forwardPass(problem, theta, null).out.x.v);
}

/** Loss and gradient in one forward and one backward pass. */
export function lossAndGradient(problem: Problem, theta: Float64Array): { loss: number; gradient: Float64Array } {
  checkTheta("lossAndGradient", theta, problem.model.numParams);
  const { tape, params, out } = forwardPass(problem, theta, null);
  const F = out.x.v;
  tape.backward(out, new Dual(out.rows, out.cols, problem.outputGradient(F)), { secondOrder: false });
  return { loss: problem.value(F), gradient: gatherGrads(problem, params, "v") };
}

/** Gradient of the loss, flat (same ordering as theta). */
export function gradient(problem: Problem, theta: Float64Array): Float64Array {
  checkTheta("gradient", theta, problem.model.numParams);
  return lossAndGradient(problem, theta).gradient;
}

/**
 * Hessian-vector product H v, exact (forward-over-reverse / Pearlmutter's R-operator): forward pass with
 * tangent v, backward pass in dual arithmetic seeded with (dl/dF, (d^2l/dF^2) J v).
 */
export function hvp(problem: Problem, theta: Float64Array, v: Float64Array): Float64Array {
  const p = problem.model.numParams;
  checkTheta("hvp", theta, p);
  checkDirection("hvp", v, p);
  const { tape, params, out } = forwardPass(problem, theta, v);
  const F = out.x.v;
  const JV = out.x.t ?? new Float64Array(F.length);
  tape.backward(out, new Dual(out.rows, out.cols, problem.outputGradient(F), problem.outputHessianProduct(JV, F)), {
    secondOrder: true,
    paramPrimal: false,
  });
  return gatherGrads(problem, params, "t");
}

function checkBlock(where: string, V: Float64Array, p: number, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${where}: k must be a positive integer (the number of directions), got ${k}`);
  if (!(V instanceof Float64Array)) throw new TypeError(`${where}: V must be a Float64Array`);
  if (V.length !== p * k) throw new RangeError(`${where}: V must have length ${p} * ${k} (k directions of length ${p}, one after another), got ${V.length}`);
  for (let i = 0; i < V.length; i++) if (!Number.isFinite(V[i])) throw new RangeError(`${where}: V must be finite, entry ${i} (direction ${Math.floor(i / p)}) is ${V[i]}`);
}

/** Tangent parts of the parameter gradients of a K-slab pass: out[s * p + i] is entry i of product s. */
function gatherBlockGrads(problem: Problem, params: Var[], K: number): Float64Array {
  const p = problem.model.numParams;
  const out = new Float64Array(K * p);
  problem.model.blocks.forEach((b, i) => {
    const t = params[i].g?.t ?? null;
    if (t === null) return; // parameter does not influence the output
    for (let s = 0; s < K; s++) out.set(t.subarray(s * b.size, (s + 1) * b.size), s * p + b.offset);
  });
  return out;
}

/** One pass carrying K directions: the Hessian (seed with tangent) or functional-Hessian (primal seed) block product. */
function blockPass(problem: Problem, theta: Float64Array, V: Float64Array, K: number, functional: boolean): Float64Array {
  const { tape, params, out } = forwardPass(problem, theta, V, K);
  const F = out.x.v;
  let seedT: Float64Array | null = null;
  if (!functional) {
    const len = F.length;
    const JV = out.x.t ?? new Float64Array(K * len);
    seedT = new Float64Array(K * len);
    for (let s = 0; s < K; s++) seedT.set(problem.outputHessianProduct(JV.subarray(s * len, (s + 1) * len), F), s * len);
  }
  tape.backward(out, new Dual(out.rows, out.cols, problem.outputGradient(F), seedT), { secondOrder: true, paramPrimal: false });
  return gatherBlockGrads(problem, params, K);
}

/**
 * Tangent storage (entries) the operators' `matmat` and the dense builders give one block pass: 2^21 doubles
 * = 16 MiB, and at most MAX_BLOCK_DIRECTIONS directions. A pass keeps K tangent slabs of every intermediate;
 * measured on MLPs and two-layer nets (p = 2000 .. 22000), wider passes fall out of cache and get slower, so a
 * large block (a solver's, or the p unit vectors of a dense Hessian) is split into passes of this size.
 */
export const MAX_BLOCK_TANGENT_ENTRIES = 2 ** 21;
export const MAX_BLOCK_DIRECTIONS = 32;

/** How many directions one pass carries for this problem under those bounds, measured on a primal pass. */
function blockWidth(problem: Problem, theta: Float64Array): number {
  const perSlab = forwardPass(problem, theta, null).tape.tangentEntries;
  const fit = Math.floor(MAX_BLOCK_TANGENT_ENTRIES / Math.max(1, 2 * perSlab)); // forward tangents + adjoint tangents
  return Math.max(1, Math.min(MAX_BLOCK_DIRECTIONS, fit));
}

/** `width`: directions per pass (undefined: all k in one pass). */
function blockProduct(where: string, problem: Problem, theta: Float64Array, V: Float64Array, k: number, functional: boolean, width?: number): Float64Array {
  const p = problem.model.numParams;
  checkTheta(where, theta, p);
  checkBlock(where, V, p, k);
  const w = width ?? k;
  if (w >= k) return blockPass(problem, theta, V, k, functional);
  const out = new Float64Array(p * k);
  for (let j = 0; j < k; j += w) {
    const K = Math.min(w, k - j);
    out.set(blockPass(problem, theta, V.subarray(j * p, (j + K) * p), K, functional), j * p);
  }
  return out;
}

/**
 * Block Hessian product H V for k directions at once: `V[j * p + i]` is entry i of direction j (column-major, the
 * `LinearOperator.matmat` layout), and so is the result. One forward-over-reverse pass carries all k tangents:
 * the primal forward and backward work is done once, and the tangent products of untransposed factors become
 * one matrix-matrix product. Memory grows with k (k tangent slabs of every intermediate); `hessianOperator`'s
 * `matmat` splits large blocks under MAX_BLOCK_TANGENT_ENTRIES. Each column equals `hvp(problem, theta, V_j)`
 * to rounding.
 */
export function hvpBlock(problem: Problem, theta: Float64Array, V: Float64Array, k: number): Float64Array {
  return blockProduct("hvpBlock", problem, theta, V, k, false);
}

/** Block functional-Hessian product H_f V (layout as `hvpBlock`); each column equals `functionalHvp` to rounding. */
export function functionalHvpBlock(problem: Problem, theta: Float64Array, V: Float64Array, k: number): Float64Array {
  return blockProduct("functionalHvpBlock", problem, theta, V, k, true);
}

/**
 * Outer-product Hessian / generalized Gauss-Newton product H_o v = J^T (d^2l/dF^2) J v
 * ((1/N) J^T J v for MSE): one forward pass with tangent, one primal backward pass.
 */
export function ggnVectorProduct(problem: Problem, theta: Float64Array, v: Float64Array): Float64Array {
  const p = problem.model.numParams;
  checkTheta("ggnVectorProduct", theta, p);
  checkDirection("ggnVectorProduct", v, p);
  const { tape, params, out } = forwardPass(problem, theta, v);
  const JV = out.x.t ?? new Float64Array(out.x.v.length);
  tape.backward(out, new Dual(out.rows, out.cols, problem.outputHessianProduct(JV, out.x.v)), { secondOrder: false });
  return gatherGrads(problem, params, "v");
}

/**
 * Functional-Hessian product H_f v = sum_{k,i} (dl/dF)_{k,i} (d^2 F_{k,i}/dtheta^2) v: the residual-weighted
 * second derivatives of the outputs, computed directly (not as H v - H_o v) by a dual backward pass
 * whose seed has no tangent.
 */
export function functionalHvp(problem: Problem, theta: Float64Array, v: Float64Array): Float64Array {
  const p = problem.model.numParams;
  checkTheta("functionalHvp", theta, p);
  checkDirection("functionalHvp", v, p);
  const { tape, params, out } = forwardPass(problem, theta, v);
  tape.backward(out, new Dual(out.rows, out.cols, problem.outputGradient(out.x.v), null), {
    secondOrder: true,
    paramPrimal: false,
  });
  return gatherGrads(problem, params, "t");
}

function modelPass(where: string, model: Model, theta: Float64Array, X: Matrix, direction: Float64Array | null): Pass {
  checkTheta(where, theta, model.numParams);
  checkInput(where, X, model.inputDim);
  if (direction !== null) checkDirection(where, direction, model.numParams);
  const tape = new Tape();
  const params = paramLeaves(tape, model, theta, direction);
  const out = model.graph(tape, params, tape.constant(new Dual(X.rows, X.columns, rowMajorOf(X))));
  return { tape, params, out };
}

/** Jacobian-vector product J v: the directional derivative of F(X) along v, `outputDim x n`. */
export function jvp(model: Model, theta: Float64Array, X: Matrix, v: Float64Array): Matrix {
  const { out } = modelPass("jvp", model, theta, X, v);
  return fromRowMajor(out.x.t ?? new Float64Array(out.rows * out.cols), out.rows, out.cols);
}

/** Vector-Jacobian product J^T U for U of the output's shape (`outputDim x n`), flat. */
export function vjp(model: Model, theta: Float64Array, X: Matrix, U: Matrix): Float64Array {
  const { tape, params, out } = modelPass("vjp", model, theta, X, null);
  if (U.rows !== out.rows || U.columns !== out.cols) {
    throw new RangeError(`vjp: U must be ${out.rows} x ${out.cols}, got ${U.rows} x ${U.columns}`);
  }
  tape.backward(out, new Dual(out.rows, out.cols, rowMajorOf(U)), { secondOrder: false });
  const g = new Float64Array(model.numParams);
  model.blocks.forEach((b, i) => { const gi = params[i].g; if (gi !== null) g.set(gi.v, b.offset); });
  return g;
}

/**
 * Output Jacobian J = dF(X)/dtheta, `(outputDim * n) x p`. Row `a * n + i` is output a of sample i
 * (row-major vec of F); column j is parameter j of the flat ordering. Built from p JVPs or from
 * `outputDim * n` VJPs, whichever is fewer.
 */
export function jacobian(model: Model, theta: Float64Array, X: Matrix): Matrix {
  checkTheta("jacobian", theta, model.numParams);
  checkInput("jacobian", X, model.inputDim);
  checkDenseSize("jacobian", model.outputDim * X.columns, model.numParams, "use jvp / vjp");
  return fromRowMajor(jacobianArray(model, theta, rowMajorOf(X), X.rows, X.columns), model.outputDim * X.columns, model.numParams);
}

function jacobianArray(model: Model, theta: Float64Array, x: Float64Array, rows: number, n: number, identity = false): Float64Array {
  const p = model.numParams;
  const m = model.outputDim * n;
  const J = new Float64Array(m * p);
  const input = new Dual(rows, n, x);
  if (p <= m) {
    const e = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      e.fill(0);
      e[j] = 1;
      const tape = new Tape();
      const params = paramLeaves(tape, model, theta, e);
      const out = model.graph(tape, params, tape.constant(input, identity));
      const t = out.x.t;
      if (t !== null) for (let r = 0; r < m; r++) J[r * p + j] = t[r];
    }
  } else {
    const orows = model.outputDim, oc = n;
    for (let r = 0; r < m; r++) {
      const tape = new Tape();
      const params = paramLeaves(tape, model, theta, null);
      const out = model.graph(tape, params, tape.constant(input, identity));
      const seed = new Float64Array(orows * oc);
      seed[r] = 1;
      tape.backward(out, new Dual(orows, oc, seed), { secondOrder: false });
      model.blocks.forEach((b, i) => {
        const g = params[i].g;
        if (g !== null) J.set(g.v, r * p + b.offset);
      });
    }
  }
  return J;
}

/** The problem's Jacobian (of F at the problem's input), as a row-major array, with its shape. */
function problemJacobian(problem: Problem, theta: Float64Array): { J: Float64Array; m: number } {
  const { input, model } = problem;
  const J = jacobianArray(model, theta, input.v, input.rows, input.cols, problem.inputIsIdentity === true);
  return { J, m: problem.outputRows * problem.outputCols };
}

/**
 * NTK Gram matrix `(1/N) J J^T` (`kn x kn`) of an MSE problem (Data Dependence, eq. 5): shares its
 * nonzero eigenvalues with the GGN `(1/N) J^T J`. For a population problem the Gram matrix
 * `B^{1/2} J J^T B^{1/2}` with `B = I (x) S_xx` is returned (Depth, Not Data, Setting).
 */
export function ntkGram(problem: Problem, theta: Float64Array): Matrix {
  checkTheta("ntkGram", theta, problem.model.numParams);
  checkDenseSize("ntkGram", problem.outputRows * problem.outputCols, problem.outputRows * problem.outputCols, "use fewer samples");
  checkDenseSize("ntkGram (Jacobian)", problem.outputRows * problem.outputCols, problem.model.numParams, "use fewer samples");
  const { J, m } = problemJacobian(problem, theta);
  const p = problem.model.numParams;
  let Jb = J;
  if (problem.kind === "population") {
    // rows of J are indexed (a, j) with j the input index; B^{1/2} acts on j through S_xx^{1/2}.
    const Sh = symmetricSqrtFromHessian(problem);
    const k = problem.outputRows, d0 = problem.outputCols;
    Jb = new Float64Array(m * p);
    for (let a = 0; a < k; a++) {
      // rows a*d0 .. a*d0+d0-1: Sh (d0 x d0) times that slab (d0 x p)
      gemm(false, false, d0, p, d0, Sh, J.subarray(a * d0 * p, (a + 1) * d0 * p), Jb.subarray(a * d0 * p, (a + 1) * d0 * p), false);
    }
    const G = new Float64Array(m * m);
    gemm(false, true, m, m, p, Jb, Jb, G, false);
    return symmetrize(fromRowMajor(G, m, m));
  }
  const G = new Float64Array(m * m);
  gemm(false, true, m, m, p, J, J, G, false);
  // scale by the output Hessian, which is I / N for MSE
  if (problem.kind !== "mse") throw new RangeError(`ntkGram: defined for MSE and population problems, got a ${problem.kind} problem`);
  const scale = problem.outputHessianProduct(Float64Array.of(1), Float64Array.of(0))[0];
  for (let i = 0; i < G.length; i++) G[i] *= scale;
  return symmetrize(fromRowMajor(G, m, m));
}

/** S_xx^{1/2} of a population problem, from its output-Hessian action on unit matrices. */
function symmetricSqrtFromHessian(problem: Problem): Float64Array {
  const k = problem.outputRows, d0 = problem.outputCols;
  const S = new Matrix(d0, d0);
  for (let j = 0; j < d0; j++) {
    const e = new Float64Array(k * d0);
    e[j] = 1; // row 0 of dW = e_j^T
    const r = problem.outputHessianProduct(e, e); // row 0 = e_j^T S (population: F plays no role)
    for (let c = 0; c < d0; c++) S.set(j, c, r[c]);
  }
  // eigen-decomposition of the small symmetric S_xx
  const eig = eigh(symmetrize(S), { vectors: true });
  const V = eig.vectors as Matrix;
  const lam = eig.values;
  const out = new Float64Array(d0 * d0);
  for (let i = 0; i < d0; i++) for (let j = 0; j < d0; j++) {
    let s = 0;
    for (let q = 0; q < d0; q++) s += V.get(i, q) * Math.sqrt(Math.max(lam[q], 0)) * V.get(j, q);
    out[i * d0 + j] = s;
  }
  return out;
}

/** (A + A^T) / 2. */
function symmetrize(A: Matrix): Matrix {
  const n = A.rows;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) {
    const s = 0.5 * (A.get(i, j) + A.get(j, i));
    A.set(i, j, s);
    A.set(j, i, s);
  }
  return A;
}

/** Options of the dense builders. */
export interface DenseOptions {
  /** Symmetrize the result, (A + A^T)/2 (removes rounding asymmetry). Default true. */
  symmetrize?: boolean;
}

/** Dense p x p matrix from block products of the unit vectors, as many per pass as the memory bound allows. */
function denseFromBlocks(where: string, problem: Problem, theta: Float64Array, functional: boolean, options: DenseOptions): Matrix {
  const p = problem.model.numParams;
  const w = Math.min(p, blockWidth(problem, theta));
  const H = new Matrix(p, p);
  const E = new Float64Array(w * p);
  for (let j0 = 0; j0 < p; j0 += w) {
    const K = Math.min(w, p - j0);
    const block = E.subarray(0, K * p);
    block.fill(0);
    for (let s = 0; s < K; s++) block[s * p + j0 + s] = 1;
    const cols = blockProduct(where, problem, theta, block, K, functional, K);
    for (let s = 0; s < K; s++) for (let i = 0; i < p; i++) H.set(i, j0 + s, cols[s * p + i]);
  }
  return options.symmetrize === false ? H : symmetrize(H);
}

/** Dense loss Hessian H (p x p), column j = H e_j by an exact HVP; symmetrized unless told otherwise. */
export function hessian(problem: Problem, theta: Float64Array, options: DenseOptions = {}): Matrix {
  checkTheta("hessian", theta, problem.model.numParams);
  checkDenseSize("hessian", problem.model.numParams, problem.model.numParams, "use hessianOperator with an iterative eigensolver");
  return denseFromBlocks("hessian", problem, theta, false, options);
}

/**
 * Dense outer-product Hessian / GGN `H_o = J^T (d^2l/dF^2) J` (`(1/N) J^T J` for MSE; the softmax
 * output Hessian for cross-entropy), from the exact Jacobian.
 */
export function gaussNewton(problem: Problem, theta: Float64Array, options: DenseOptions = {}): Matrix {
  checkTheta("gaussNewton", theta, problem.model.numParams);
  const p = problem.model.numParams;
  checkDenseSize("gaussNewton", p, p, "use ggnOperator, or ntkGram when outputDim * n is small");
  checkDenseSize("gaussNewton (Jacobian)", problem.outputRows * problem.outputCols, p, "use ggnOperator");
  const { J, m } = problemJacobian(problem, theta);
  const F = forwardPass(problem, theta, null).out.x.v;
  // MJ: apply the output Hessian to every column of J
  const MJ = new Float64Array(m * p);
  const col = new Float64Array(m);
  for (let j = 0; j < p; j++) {
    for (let r = 0; r < m; r++) col[r] = J[r * p + j];
    const mc = problem.outputHessianProduct(col, F);
    for (let r = 0; r < m; r++) MJ[r * p + j] = mc[r];
  }
  const G = new Float64Array(p * p);
  gemm(true, false, p, p, m, J, MJ, G, false);
  const out = fromRowMajor(G, p, p);
  return options.symmetrize === false ? out : symmetrize(out);
}

/** Dense functional Hessian H_f (p x p), column j = H_f e_j computed directly (not as H - H_o). */
export function functionalHessian(problem: Problem, theta: Float64Array, options: DenseOptions = {}): Matrix {
  checkTheta("functionalHessian", theta, problem.model.numParams);
  checkDenseSize("functionalHessian", problem.model.numParams, problem.model.numParams, "use functionalHessianOperator");
  return denseFromBlocks("functionalHessian", problem, theta, true, options);
}

/** `functional`: how matmat computes a block in one pass (Hessian or functional Hessian); null: k products. */
function operatorFrom(where: string, problem: Problem, theta: Float64Array, product: (p: Problem, t: Float64Array, v: Float64Array) => Float64Array, functional: boolean | null): LinearOperator {
  checkTheta(where, theta, problem.model.numParams);
  const th = Float64Array.from(theta); // later changes to the caller's theta do not move the operator
  const p = problem.model.numParams;
  let width = 0; // directions per block pass, measured at the first block
  return {
    size: p,
    symmetric: true,
    matvec: (x: Float64Array) => product(problem, th, x),
    matmat: (x: Float64Array, k: number) => {
      if (x.length !== p * k) throw new RangeError(`${where}.matmat: x must have length ${p} * ${k}, got ${x.length}`);
      if (functional !== null && k > 1) {
        if (width === 0) width = blockWidth(problem, th);
        return blockProduct(`${where}.matmat`, problem, th, x, k, functional, width);
      }
      const out = new Float64Array(p * k);
      for (let j = 0; j < k; j++) out.set(product(problem, th, x.subarray(j * p, (j + 1) * p)), j * p);
      return out;
    },
  };
}

/** The loss Hessian at theta as a matrix-free `LinearOperator` (exact HVPs). */
export function hessianOperator(problem: Problem, theta: Float64Array): LinearOperator {
  return operatorFrom("hessianOperator", problem, theta, hvp, false);
}

/** The GGN / outer-product Hessian H_o at theta as a `LinearOperator`. */
export function ggnOperator(problem: Problem, theta: Float64Array): LinearOperator {
  return operatorFrom("ggnOperator", problem, theta, ggnVectorProduct, null);
}

/** The functional Hessian H_f at theta as a `LinearOperator`. */
export function functionalHessianOperator(problem: Problem, theta: Float64Array): LinearOperator {
  return operatorFrom("functionalHessianOperator", problem, theta, functionalHvp, true);
}

/** Network outputs F at the problem's input (X for MSE, the end-to-end matrix W for population). */
export function outputs(problem: Problem, theta: Float64Array): Matrix {
  checkTheta("outputs", theta, problem.model.numParams);
  const { out } = forwardPass(problem, theta, null);
  return fromRowMajor(out.x.v, out.rows, out.cols);
}

// One naming scheme per curvature matrix (dense `M`, product `MVectorProduct`, matrix-free `MOperator`);
// the short names above stay, these are the same functions.
/** Exact H v: the same function as `hvp`. */
export const hessianVectorProduct = hvp;
/** H_o v = J^T (d^2 l / dF^2) J v: the same function as `ggnVectorProduct`. */
export const gaussNewtonVectorProduct = ggnVectorProduct;
/** H_f v: the same function as `functionalHvp`. */
export const functionalHessianVectorProduct = functionalHvp;
/** H_o as a LinearOperator: the same function as `ggnOperator`. */
export const gaussNewtonOperator = ggnOperator;
