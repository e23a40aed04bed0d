/**
 * The `Model` interface shared by every network in this project, and the helpers that build one.
 *
 * A model owns a flat parameter vector `theta` (Float64Array) split into named blocks (matrices), each
 * stored row-major, blocks one after another in the documented order (`blocks[i].offset`). Data follow
 * the project convention: `X` is `inputDim x n` with one sample per column, the output `F(X)` is
 * `outputDim x n`.
 */
import { Matrix } from "ml-matrix";
import { Dual, Tape, Var } from "../autodiff/tape";
import { fromRowMajor, rowMajorOf } from "../linalg/storage";
import { assertFinite } from "../linalg/validate";

/** One parameter block: a `rows x cols` matrix stored row-major at `theta[offset .. offset + size)`. */
export interface ParamBlock {
  readonly name: string;
  /** `[rows, cols]`. */
  readonly shape: readonly [number, number];
  readonly rows: number;
  readonly cols: number;
  readonly offset: number;
  readonly size: number;
  /** Fan-in of the layer this block belongs to (used by the initialisations). */
  readonly fanIn: number;
  /** Fan-out of that layer. */
  readonly fanOut: number;
  /** The PyTorch `state_dict` key of this block, when the model has a PyTorch counterpart (e.g. `layers.0.weight`). */
  readonly torchName?: string;
}

/**
 * A network of the papers: F(theta, X) with a flat float64 parameter vector theta split into named,
 * row-major blocks (`blocks`, in the documented order of each constructor), X `inputDim x n` with one sample
 * per column and F `outputDim x n`. `graph` records F on the autodiff tape, from which lib/curvature gets
 * exact gradients, Hessian-vector products and dense Hessians; `forward` evaluates it. Build one with
 * `defineModel`, or take a constructor of lib/models (`deepLinear`, `mlp`, `twoLayerScalar`, `selfAttention`, ...).
 * @example const model = deepLinear([3, 4, 2]); const F = model.forward(theta, X); // 2 x n
 */
export interface Model {
  /** Short description, e.g. `deepLinear(6-7-7-5)`. */
  readonly name: string;
  /** Rows of X (features per sample). */
  readonly inputDim: number;
  /** Rows of F(X) (outputs per sample). */
  readonly outputDim: number;
  /** Parameter blocks in flat order. */
  readonly blocks: readonly ParamBlock[];
  /** Total number of parameters p. */
  readonly numParams: number;
  /** True when F(X) is linear in X (F(X) = W X for a matrix W(theta)): the population loss applies. */
  readonly linearInInput: boolean;
  /** Split theta into its blocks (copies), in block order. */
  unflatten(theta: Float64Array): Matrix[];
  /** Inverse of `unflatten`: concatenate the blocks (shapes are checked). */
  flatten(ws: Matrix[]): Float64Array;
  /** The blocks of theta by name (copies), so no caller slices theta by hand. */
  unflattenByName(theta: Float64Array): Record<string, Matrix>;
  /** Inverse of `unflattenByName`: theta from blocks given by name (every block once; shapes checked). */
  flattenByName(ws: Record<string, Matrix>): Float64Array;
  /** F(X), `outputDim x n`. */
  forward(theta: Float64Array, X: Matrix): Matrix;
  /**
   * Record F(X) on a tape (used by `lib/curvature`): `params` are the blocks as tape leaves in block
   * order, `X` the input leaf. Returns the output node (`outputDim x n`).
   */
  graph(tape: Tape, params: Var[], X: Var): Var;
}

/** Specification of a block before offsets are assigned. */
export interface BlockSpec {
  name: string;
  rows: number;
  cols: number;
  /** Fan-in of the layer (default cols: a weight matrix acting as W h). */
  fanIn?: number;
  /** Fan-out of the layer (default rows). */
  fanOut?: number;
  /** PyTorch `state_dict` key, if any. */
  torchName?: string;
}

/**
 * Build a `Model` from its block shapes and its tape computation. `graph` must only use tape operations
 * so that gradients and Hessian-vector products come out exact.
 */
export function defineModel(spec: {
  name: string;
  inputDim: number;
  outputDim: number;
  blocks: BlockSpec[];
  linearInInput?: boolean;
  graph: (tape: Tape, params: Var[], X: Var) => Var;
}): Model {
  let offset = 0;
  const blocks: ParamBlock[] = spec.blocks.map((b) => {
    const block: ParamBlock = {
      name: b.name, shape: [b.rows, b.cols], rows: b.rows, cols: b.cols, offset, size: b.rows * b.cols,
      fanIn: b.fanIn ?? b.cols, fanOut: b.fanOut ?? b.rows, ...(b.torchName === undefined ? {} : { torchName: b.torchName }),
    };
    offset += block.size;
    return block;
  });
  const numParams = offset;
  const name = spec.name;
  const model: Model = {
    name,
    inputDim: spec.inputDim,
    outputDim: spec.outputDim,
    blocks,
    numParams,
    linearInInput: spec.linearInInput ?? false,
    unflatten(theta: Float64Array): Matrix[] {
      checkTheta(`${name}.unflatten`, theta, numParams);
      return blocks.map((b) => fromRowMajor(theta, b.rows, b.cols, b.offset));
    },
    flatten(ws: Matrix[]): Float64Array {
      if (ws.length !== blocks.length) {
        throw new RangeError(`${name}.flatten: ws must hold ${blocks.length} matrices, got ${ws.length}`);
      }
      const theta = new Float64Array(numParams);
      blocks.forEach((b, i) => {
        const W = ws[i];
        if (W.rows !== b.rows || W.columns !== b.cols) {
          throw new RangeError(`${name}.flatten: ws[${i}] (${b.name}) must be ${b.rows} x ${b.cols}, got ${W.rows} x ${W.columns}`);
        }
        for (let r = 0; r < b.rows; r++) for (let c = 0; c < b.cols; c++) theta[b.offset + r * b.cols + c] = W.get(r, c);
      });
      return theta;
    },
    unflattenByName(theta: Float64Array): Record<string, Matrix> {
      const ws = model.unflatten(theta);
      const out: Record<string, Matrix> = {};
      blocks.forEach((b, i) => { out[b.name] = ws[i]; });
      return out;
    },
    flattenByName(ws: Record<string, Matrix>): Float64Array {
      if (ws === null || typeof ws !== "object") throw new TypeError(`${name}.flattenByName: ws must be an object of block name -> Matrix`);
      const known = new Set(blocks.map((b) => b.name));
      const extra = Object.keys(ws).filter((k) => !known.has(k));
      const missing = blocks.filter((b) => !(b.name in ws)).map((b) => b.name);
      if (extra.length > 0 || missing.length > 0) {
        throw new RangeError(`${name}.flattenByName: ws must name exactly the blocks ${blocks.map((b) => b.name).join(", ")}` +
          `${missing.length ? `; missing ${missing.join(", ")}` : ""}${extra.length ? `; unknown ${extra.join(", ")}` : ""}`);
      }
      return model.flatten(blocks.map((b) => ws[b.name]));
    },
    forward(theta: Float64Array, X: Matrix): Matrix {
      checkTheta(`${name}.forward`, theta, numParams);
      checkInput(`${name}.forward`, X, spec.inputDim);
      const tape = new Tape();
      const params = paramLeaves(tape, model, theta, null);
      const out = spec.graph(tape, params, tape.constant(new Dual(X.rows, X.columns, rowMajorOf(X))));
      return fromRowMajor(out.x.v, out.rows, out.cols);
    },
    graph: spec.graph,
  };
  return model;
}

/** Check a flat parameter vector's length and finiteness. */
export function checkTheta(where: string, theta: Float64Array, numParams: number): void {
  if (!(theta instanceof Float64Array)) throw new TypeError(`${where}: theta must be a Float64Array`);
  if (theta.length !== numParams) throw new RangeError(`${where}: theta must have length ${numParams}, got ${theta.length}`);
  assertFinite(`${where}: theta`, theta);
}

/** Check an input matrix's row count and finiteness. */
export function checkInput(where: string, X: Matrix, inputDim: number): void {
  if (X.rows !== inputDim) throw new RangeError(`${where}: X must have ${inputDim} rows (one sample per column), got ${X.rows} x ${X.columns}`);
  assertFinite(`${where}: X`, X);
}

/**
 * Parameter leaves for theta, with tangent blocks taken from `direction` when given. `slabs = K > 1`: direction
 * holds K directions one after another (`direction[s * numParams + i]`), and every leaf's tangent gets K slabs.
 */
export function paramLeaves(tape: Tape, model: Model, theta: Float64Array, direction: Float64Array | null, slabs = 1): Var[] {
  const p = model.numParams;
  return model.blocks.map((b) => {
    let t: Float64Array | null = null;
    if (direction !== null && slabs === 1) t = direction.subarray(b.offset, b.offset + b.size);
    else if (direction !== null) {
      t = new Float64Array(slabs * b.size);
      for (let s = 0; s < slabs; s++) t.set(direction.subarray(s * p + b.offset, s * p + b.offset + b.size), s * b.size);
    }
    return tape.param(new Dual(b.rows, b.cols, theta.subarray(b.offset, b.offset + b.size), t));
  });
}
