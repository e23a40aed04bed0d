/**
 * A small forward-over-reverse automatic differentiation engine over dense row-major matrices.
 *
 * Every value is a dual matrix `Dual = (v, t)`: the primal `v` and, optionally, a tangent `t` (the
 * directional derivative along a parameter direction). Models record their forward computation on a
 * `Tape` with the operations below; `Tape.backward` then runs reverse mode where every backward rule is
 * itself written with dual arithmetic. So one set of rules gives
 *
 * - the gradient (no tangents anywhere),
 * - Jacobian-vector products (forward pass with tangents),
 * - vector-Jacobian products (backward pass, tangents stripped),
 * - Hessian-vector products (forward tangents and dual backward: Pearlmutter's R-operator),
 *
 * all exact in float64. Second derivatives come from the tangent parts of the backward rules, e.g.
 * `d/dt [g (1 - tanh(a)^2)] = g_t (1 - y^2) - 2 g y y_t`.
 *
 * Only the operations that the papers' models need are provided: matrix products (optionally transposed),
 * sums, Hadamard products, scalar scaling, column-broadcast bias, tanh / ReLU, a row-wise softmax,
 * reshape, and row / column concatenation and slicing.
 */
import { gemm } from "../linalg/matmul";

/**
 * A dual matrix: primal `v` (row-major `rows x cols`) and optional tangent `t`. The tangent holds one or
 * more slabs of the primal's shape, stacked (slab s at offset `s * rows * cols`): K slabs carry K
 * directions through one pass, so a block of K Hessian-vector products shares one primal computation and
 * its products become matrix-matrix. Every rule below treats the slabs independently.
 */
export class Dual {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly v: Float64Array,
    readonly t: Float64Array | null = null,
  ) {}

  /** Number of tangent slabs (directions): 0 without tangent. */
  get slabs(): number {
    return this.t === null ? 0 : this.t.length / (this.rows * this.cols);
  }

  /** The same primal without tangent. */
  primal(): Dual {
    return this.t === null ? this : new Dual(this.rows, this.cols, this.v, null);
  }
}

/** Zero dual matrix (no tangent). */
export function zerosDual(rows: number, cols: number): Dual {
  return new Dual(rows, cols, new Float64Array(rows * cols), null);
}

/** op(A) op(B) with dual arithmetic: t = op(A.t) op(B) + op(A) op(B.t). `needPrimal = false` skips v. */
export function dualMatmul(a: Dual, b: Dual, ta: boolean, tb: boolean, needPrimal = true): Dual {
  const m = ta ? a.cols : a.rows;
  const k = ta ? a.rows : a.cols;
  const kb = tb ? b.cols : b.rows;
  const n = tb ? b.rows : b.cols;
  if (k !== kb) {
    throw new RangeError(`matmul: inner dimensions differ, ${m} x ${k} times ${kb} x ${n}`);
  }
  const v = new Float64Array(m * n);
  if (needPrimal) gemm(ta, tb, m, n, k, a.v, b.v, v, false);
  let t: Float64Array | null = null;
  if (a.t !== null || b.t !== null) {
    const K = Math.max(a.slabs, b.slabs);
    t = new Float64Array(K * m * n);
    if (a.t !== null) {
      // untransposed A: the stacked slabs are one (K m) x k matrix, so one product serves all K
      if (!ta || K === 1) gemm(ta, tb, K * m, n, k, a.t, b.v, t, true);
      else for (let s = 0; s < K; s++) gemm(ta, tb, m, n, k, a.t.subarray(s * m * k, (s + 1) * m * k), b.v, t.subarray(s * m * n, (s + 1) * m * n), true);
    }
    if (b.t !== null) {
      if (K === 1) gemm(ta, tb, m, n, k, a.v, b.t, t, true);
      else for (let s = 0; s < K; s++) gemm(ta, tb, m, n, k, a.v, b.t.subarray(s * k * n, (s + 1) * k * n), t.subarray(s * m * n, (s + 1) * m * n), true);
    }
  }
  return new Dual(m, n, v, t);
}

function addArrays(x: Float64Array | null, y: Float64Array | null, sign: number): Float64Array | null {
  if (x === null && y === null) return null;
  if (y === null) return Float64Array.from(x as Float64Array);
  if (x === null) {
    const out = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) out[i] = sign * y[i];
    return out;
  }
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + sign * y[i];
  return out;
}

/** a + sign * b (dual). */
export function dualAdd(a: Dual, b: Dual, sign = 1): Dual {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`add: shapes differ, ${a.rows} x ${a.cols} and ${b.rows} x ${b.cols}`);
  }
  return new Dual(a.rows, a.cols, addArrays(a.v, b.v, sign) as Float64Array, addArrays(a.t, b.t, sign));
}

/** s * a for a constant scalar s. */
export function dualScale(a: Dual, s: number): Dual {
  const v = new Float64Array(a.v.length);
  for (let i = 0; i < v.length; i++) v[i] = s * a.v[i];
  let t: Float64Array | null = null;
  if (a.t !== null) {
    t = new Float64Array(a.t.length);
    for (let i = 0; i < t.length; i++) t[i] = s * a.t[i];
  }
  return new Dual(a.rows, a.cols, v, t);
}

/** Hadamard product a .* b (dual). */
export function dualMul(a: Dual, b: Dual): Dual {
  const len = a.v.length;
  const v = new Float64Array(len);
  for (let i = 0; i < len; i++) v[i] = a.v[i] * b.v[i];
  let t: Float64Array | null = null;
  if (a.t !== null || b.t !== null) {
    const K = Math.max(a.slabs, b.slabs);
    t = new Float64Array(K * len);
    for (let s = 0, o = 0; s < K; s++, o += len) {
      if (a.t !== null) for (let i = 0; i < len; i++) t[o + i] += a.t[o + i] * b.v[i];
      if (b.t !== null) for (let i = 0; i < len; i++) t[o + i] += a.v[i] * b.t[o + i];
    }
  }
  return new Dual(a.rows, a.cols, v, t);
}

/** Row sums of a (rows x 1), dual. */
function dualRowSum(a: Dual): Dual {
  const { rows, cols } = a;
  // x.length / cols rows: the tangent slabs stack into more rows
  const sum = (x: Float64Array): Float64Array => {
    const R = x.length / cols;
    const out = new Float64Array(R);
    for (let i = 0; i < R; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += x[i * cols + j];
      out[i] = s;
    }
    return out;
  };
  return new Dual(rows, 1, sum(a.v), a.t === null ? null : sum(a.t));
}

/** A twice-differentiable scalar function for `Tape.unary`. */
export interface ScalarFunction {
  f(x: number): number;
  df(x: number): number;
  d2f(x: number): number;
}

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/** GELU, tanh approximation (GPT-2): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export const gelu: ScalarFunction = {
  f: (x) => 0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_A * x * x * x))),
  df: (x) => {
    const t = Math.tanh(GELU_K * (x + GELU_A * x * x * x));
    const du = GELU_K * (1 + 3 * GELU_A * x * x);
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
  },
  d2f: (x) => {
    const t = Math.tanh(GELU_K * (x + GELU_A * x * x * x));
    const du = GELU_K * (1 + 3 * GELU_A * x * x);
    const d2u = 6 * GELU_K * GELU_A * x;
    const dt = (1 - t * t) * du;
    const d2t = -2 * t * (1 - t * t) * du * du + (1 - t * t) * d2u;
    return dt + 0.5 * x * d2t;
  },
};

/** x^(-1/2) (for normalisation layers); defined for x > 0. */
export const rsqrt: ScalarFunction = {
  f: (x) => 1 / Math.sqrt(x),
  df: (x) => -0.5 / (x * Math.sqrt(x)),
  d2f: (x) => 0.75 / (x * x * Math.sqrt(x)),
};

/** exp(x). */
export const exp: ScalarFunction = { f: Math.exp, df: Math.exp, d2f: Math.exp };

/** Identity constants already checked (a problem's input is checked once, not at every pass). */
const verifiedIdentities = new WeakSet<Dual>();

/** A node of the tape: its value and, after `backward`, its gradient (adjoint). */
export class Var {
  /** Gradient of the seeded scalar with respect to this node (a dual in second-order mode). */
  g: Dual | null = null;
  /** True when `g` may be shared with another node and must be copied before an in-place update. */
  gShared = false;
  /** Backward rule: receives this node's gradient and accumulates into the parents. */
  back: ((g: Dual) => void) | null = null;
  constructor(
    public x: Dual,
    readonly needsGrad: boolean,
    readonly isParam: boolean,
    /** A constant known to be the identity matrix: products with it are skipped. */
    readonly isIdentity = false,
  ) {}
  get rows(): number { return this.x.rows; }
  get cols(): number { return this.x.cols; }
}

/** Options of `Tape.backward`. */
export interface BackwardOptions {
  /**
   * true: keep forward tangents, so parameter gradients are dual and their tangent is the
   * Hessian-vector product (or the functional-Hessian product for a primal seed). false: primal reverse
   * mode (gradients, vector-Jacobian products).
   */
  secondOrder: boolean;
  /** false: skip the primal part of parameter gradients (an HVP only needs the tangents). Default true. */
  paramPrimal?: boolean;
}

/**
 * Records a forward computation. Create leaves with `param` (differentiated) and `constant` (data), apply
 * the operations, then call `backward(output, seed, options)` once.
 */
export class Tape {
  private readonly nodes: Var[] = [];
  private readonly leaves: Var[] = [];
  private paramPrimal = true;

  /** Entries of the parameters and recorded nodes (constants have no tangent): what one tangent slab of a pass holds. */
  get tangentEntries(): number {
    let e = 0;
    for (const l of this.leaves) if (l.isParam) e += l.x.v.length;
    for (const n of this.nodes) e += n.x.v.length;
    return e;
  }

  /** A differentiated leaf (a parameter block), value `x` with optional tangent. */
  param(x: Dual): Var {
    const leaf = new Var(x, true, true);
    this.leaves.push(leaf);
    return leaf;
  }

  /**
   * A constant leaf (data): no gradient flows into it. `identity: true` declares that x is the identity
   * matrix (e.g. the input of a population loss), so `matmul` returns the other factor without a product.
   */
  constant(x: Dual, identity = false): Var {
    if (identity && !verifiedIdentities.has(x)) {
      if (x.rows !== x.cols || x.t !== null) throw new RangeError(`constant: an identity must be square without tangent, got ${x.rows} x ${x.cols}`);
      for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) {
        if (x.v[i * x.cols + j] !== (i === j ? 1 : 0)) throw new RangeError(`constant: declared identity has entry (${i}, ${j}) = ${x.v[i * x.cols + j]}`);
      }
      verifiedIdentities.add(x);
    }
    const leaf = new Var(x, false, false, identity);
    this.leaves.push(leaf);
    return leaf;
  }

  private node(x: Dual, parents: Var[], back: (g: Dual) => void): Var {
    const needs = parents.some((p) => p.needsGrad);
    const out = new Var(x, needs, false);
    if (needs) {
      out.back = back;
      this.nodes.push(out);
    }
    return out;
  }

  private accumulate(target: Var, contribution: Dual): void {
    if (!target.needsGrad) return;
    if (target.g === null) {
      target.g = contribution;
      target.gShared = true;
      return;
    }
    target.g = dualAdd(target.g, contribution);
    target.gShared = false;
  }

  /** Whether a matmul backward rule must compute the primal part of its contribution to `target`. */
  private primalNeeded(target: Var): boolean {
    return this.paramPrimal || !target.isParam;
  }

  /** op(a) op(b); `ta` / `tb` use the transposed operand. */
  matmul(a: Var, b: Var, ta = false, tb = false): Var {
    // products with a declared identity: op(A) I = op(A) and I op(B) = op(B), for untransposed A / B
    if (b.isIdentity && !ta) {
      if (a.cols !== b.rows) throw new RangeError(`matmul: inner dimensions differ, ${a.rows} x ${a.cols} times ${b.rows} x ${b.cols}`);
      return this.node(a.x, [a], (g) => this.accumulate(a, g));
    }
    if (a.isIdentity && !tb) {
      if (a.cols !== b.rows) throw new RangeError(`matmul: inner dimensions differ, ${a.rows} x ${a.cols} times ${b.rows} x ${b.cols}`);
      return this.node(b.x, [b], (g) => this.accumulate(b, g));
    }
    const out = dualMatmul(a.x, b.x, ta, tb);
    return this.node(out, [a, b], (g) => {
      const A = a.x, B = b.x;
      if (a.needsGrad) {
        const np = this.primalNeeded(a);
        // gradient of op(A): G op(B)^T; then undo the transposition of A
        const gA = ta ? dualMatmul(B, g, tb, true, np) : dualMatmul(g, B, false, !tb, np);
        this.accumulate(a, gA);
      }
      if (b.needsGrad) {
        const np = this.primalNeeded(b);
        const gB = tb ? dualMatmul(g, A, true, ta, np) : dualMatmul(A, g, !ta, false, np);
        this.accumulate(b, gB);
      }
    });
  }

  /** a + b (same shape). */
  add(a: Var, b: Var): Var {
    return this.node(dualAdd(a.x, b.x), [a, b], (g) => {
      this.accumulate(a, g);
      this.accumulate(b, g);
    });
  }

  /** a - b (same shape). */
  sub(a: Var, b: Var): Var {
    return this.node(dualAdd(a.x, b.x, -1), [a, b], (g) => {
      this.accumulate(a, g);
      this.accumulate(b, dualScale(g, -1));
    });
  }

  /** s * a for a constant scalar s. */
  scale(a: Var, s: number): Var {
    return this.node(dualScale(a.x, s), [a], (g) => this.accumulate(a, dualScale(g, s)));
  }

  /** Hadamard product a .* b. */
  mul(a: Var, b: Var): Var {
    if (a.rows !== b.rows || a.cols !== b.cols) {
      throw new RangeError(`mul: shapes differ, ${a.rows} x ${a.cols} and ${b.rows} x ${b.cols}`);
    }
    return this.node(dualMul(a.x, b.x), [a, b], (g) => {
      this.accumulate(a, dualMul(g, b.x));
      this.accumulate(b, dualMul(g, a.x));
    });
  }

  /** a + b 1^T: adds the column vector b (rows x 1) to every column of a. */
  addBias(a: Var, b: Var): Var {
    if (b.cols !== 1 || b.rows !== a.rows) {
      throw new RangeError(`addBias: bias must be ${a.rows} x 1, got ${b.rows} x ${b.cols}`);
    }
    const { rows, cols } = a.x;
    // one pass writing x + bias (not a copy followed by an add): element-wise passes cost as much as the
    // products here, and the sums are the same floating-point operations
    // tangent slabs are more rows of x (and of the bias column)
    const bc = (x: Float64Array, bias: Float64Array | null): Float64Array => {
      if (bias === null) return x.slice();
      const R = x.length / cols;
      const out = new Float64Array(R * cols);
      for (let i = 0; i < R; i++) {
        const s = bias[i], o = i * cols;
        for (let j = 0; j < cols; j++) out[o + j] = x[o + j] + s;
      }
      return out;
    };
    const A = a.x, B = b.x;
    let t: Float64Array | null = null;
    if (A.t !== null) t = bc(A.t, B.t);
    else if (B.t !== null) t = bc(new Float64Array(B.t.length * cols), B.t);
    const out = new Dual(rows, cols, bc(A.v, B.v), t);
    return this.node(out, [a, b], (g) => {
      this.accumulate(a, g);
      if (b.needsGrad) this.accumulate(b, dualRowSum(g));
    });
  }

  /** Element-wise tanh. */
  tanh(a: Var): Var {
    const A = a.x;
    const len = A.v.length;
    // arrays read into locals: V8 cannot hoist a property load past the typed-array stores of a loop
    const av = A.v, at = A.t;
    const y = new Float64Array(len);
    for (let i = 0; i < len; i++) y[i] = Math.tanh(av[i]);
    let yt: Float64Array | null = null;
    if (at !== null) {
      yt = new Float64Array(at.length);
      for (let o = 0; o < at.length; o += len) for (let i = 0; i < len; i++) yt[o + i] = (1 - y[i] * y[i]) * at[o + i];
    }
    const out = this.node(new Dual(A.rows, A.cols, y, yt), [a], (g) => {
      const Y = out.x; // tangents stripped in first-order mode
      const yv = Y.v, ytan = Y.t, gvIn = g.v, gtIn = g.t;
      const gv = new Float64Array(len);
      let gt: Float64Array | null = null;
      if (gtIn === null && ytan === null) {
        for (let i = 0; i < len; i++) gv[i] = gvIn[i] * (1 - yv[i] * yv[i]);
      } else {
        // one pass for both parts (slab 0 with the primal); the same operations, in the same order, as two passes
        const K = Math.max(g.slabs, Y.slabs);
        const t = new Float64Array(K * len);
        for (let i = 0; i < len; i++) {
          const d = 1 - yv[i] * yv[i];
          gv[i] = gvIn[i] * d;
          let s = gtIn !== null ? gtIn[i] * d : 0;
          if (ytan !== null) s -= 2 * gvIn[i] * yv[i] * ytan[i];
          t[i] = s;
        }
        for (let o = len; o < K * len; o += len) {
          for (let i = 0; i < len; i++) {
            const d = 1 - yv[i] * yv[i];
            let s = gtIn !== null ? gtIn[o + i] * d : 0;
            if (ytan !== null) s -= 2 * gvIn[i] * yv[i] * ytan[o + i];
            t[o + i] = s;
          }
        }
        gt = t;
      }
      this.accumulate(a, new Dual(A.rows, A.cols, gv, gt));
    });
    return out;
  }

  /** Element-wise ReLU max(a, 0); derivative 1{a > 0} (0 at a = 0), second derivative 0. */
  relu(a: Var): Var {
    const A = a.x;
    const len = A.v.length;
    const y = new Float64Array(len);
    for (let i = 0; i < len; i++) y[i] = A.v[i] > 0 ? A.v[i] : 0;
    let yt: Float64Array | null = null;
    if (A.t !== null) {
      const at = A.t;
      yt = new Float64Array(at.length);
      for (let o = 0; o < at.length; o += len) for (let i = 0; i < len; i++) yt[o + i] = A.v[i] > 0 ? at[o + i] : 0;
    }
    return this.node(new Dual(A.rows, A.cols, y, yt), [a], (g) => {
      const gv = new Float64Array(len);
      for (let i = 0; i < len; i++) gv[i] = A.v[i] > 0 ? g.v[i] : 0;
      let gt: Float64Array | null = null;
      if (g.t !== null) {
        const gtIn = g.t;
        gt = new Float64Array(gtIn.length);
        for (let o = 0; o < gtIn.length; o += len) for (let i = 0; i < len; i++) gt[o + i] = A.v[i] > 0 ? gtIn[o + i] : 0;
      }
      this.accumulate(a, new Dual(A.rows, A.cols, gv, gt));
    });
  }

  /**
   * Element-wise scalar function with its first and second derivatives (exact second-order rules):
   * y = f(a), y_t = f'(a) a_t; backward g_a = g f'(a), tangent g_t f'(a) + g f''(a) a_t.
   */
  unary(a: Var, fn: ScalarFunction): Var {
    const A = a.x;
    const len = A.v.length;
    const y = new Float64Array(len);
    const d1 = new Float64Array(len);
    for (let i = 0; i < len; i++) { y[i] = fn.f(A.v[i]); d1[i] = fn.df(A.v[i]); }
    let yt: Float64Array | null = null;
    if (A.t !== null) {
      const at = A.t;
      yt = new Float64Array(at.length);
      for (let o = 0; o < at.length; o += len) for (let i = 0; i < len; i++) yt[o + i] = d1[i] * at[o + i];
    }
    return this.node(new Dual(A.rows, A.cols, y, yt), [a], (g) => {
      const At = a.x.t; // stripped in first-order mode
      const gv = new Float64Array(len);
      for (let i = 0; i < len; i++) gv[i] = g.v[i] * d1[i];
      let gt: Float64Array | null = null;
      if (g.t !== null || At !== null) {
        const K = Math.max(g.slabs, a.x.slabs);
        const gtIn = g.t;
        gt = new Float64Array(K * len);
        if (gtIn !== null) for (let o = 0; o < K * len; o += len) for (let i = 0; i < len; i++) gt[o + i] = gtIn[o + i] * d1[i];
        if (At !== null) {
          const d2 = new Float64Array(len);
          for (let i = 0; i < len; i++) d2[i] = g.v[i] * fn.d2f(A.v[i]);
          for (let o = 0; o < K * len; o += len) for (let i = 0; i < len; i++) gt[o + i] += d2[i] * At[o + i];
        }
      }
      this.accumulate(a, new Dual(A.rows, A.cols, gv, gt));
    });
  }

  /** Repeat a column vector (rows x 1) `cols` times: (rows x cols). Backward: row sums. */
  broadcastCols(a: Var, cols: number): Var {
    if (a.cols !== 1) throw new RangeError(`broadcastCols: a must be a column vector, got ${a.rows} x ${a.cols}`);
    const rows = a.rows;
    const rep = (x: Float64Array): Float64Array => {
      const out = new Float64Array(x.length * cols); // tangent slabs are more rows
      for (let i = 0; i < x.length; i++) out.fill(x[i], i * cols, (i + 1) * cols);
      return out;
    };
    const A = a.x;
    return this.node(new Dual(rows, cols, rep(A.v), A.t === null ? null : rep(A.t)), [a], (g) => {
      this.accumulate(a, dualRowSum(g));
    });
  }

  /** Columns c0 .. c1 - 1 of a. Backward scatters into those columns. */
  sliceCols(a: Var, c0: number, c1: number): Var {
    const { rows, cols } = a.x;
    if (!(Number.isInteger(c0) && Number.isInteger(c1) && 0 <= c0 && c0 < c1 && c1 <= cols)) {
      throw new RangeError(`sliceCols: need 0 <= c0 < c1 <= ${cols}, got ${c0}, ${c1}`);
    }
    const w = c1 - c0;
    const cut = (x: Float64Array): Float64Array => {
      const R = x.length / cols; // tangent slabs are more rows
      const out = new Float64Array(R * w);
      for (let i = 0; i < R; i++) out.set(x.subarray(i * cols + c0, i * cols + c1), i * w);
      return out;
    };
    const A = a.x;
    return this.node(new Dual(rows, w, cut(A.v), A.t === null ? null : cut(A.t)), [a], (g) => {
      const place = (x: Float64Array): Float64Array => {
        const R = x.length / w;
        const out = new Float64Array(R * cols);
        for (let i = 0; i < R; i++) out.set(x.subarray(i * w, (i + 1) * w), i * cols + c0);
        return out;
      };
      this.accumulate(a, new Dual(rows, cols, place(g.v), g.t === null ? null : place(g.t)));
    });
  }

  /** Row-wise softmax: every row of the result is a probability vector. */
  softmaxRows(a: Var): Var {
    const A = a.x;
    const { rows, cols } = A;
    const y = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      let mx = -Infinity;
      for (let j = 0; j < cols; j++) mx = Math.max(mx, A.v[i * cols + j]);
      let s = 0;
      for (let j = 0; j < cols; j++) { const e = Math.exp(A.v[i * cols + j] - mx); y[i * cols + j] = e; s += e; }
      for (let j = 0; j < cols; j++) y[i * cols + j] /= s;
    }
    const len = rows * cols;
    let yt: Float64Array | null = null;
    if (A.t !== null) {
      // y_t = y .* (s_t - <y, s_t>) row by row, slab by slab
      const at = A.t;
      yt = new Float64Array(at.length);
      for (let z = 0; z < at.length; z += len) {
        for (let i = 0; i < rows; i++) {
          let c = 0;
          for (let j = 0; j < cols; j++) c += y[i * cols + j] * at[z + i * cols + j];
          for (let j = 0; j < cols; j++) yt[z + i * cols + j] = y[i * cols + j] * (at[z + i * cols + j] - c);
        }
      }
    }
    const out = this.node(new Dual(rows, cols, y, yt), [a], (g) => {
      const Y = out.x;
      // g_a = y .* (g - <g, y>) ; tangent: y_t .* (g - c) + y .* (g_t - c_t), c_t = <g_t, y> + <g, y_t>
      const gv = new Float64Array(len);
      const K = Math.max(g.slabs, Y.slabs);
      const gt = K > 0 ? new Float64Array(K * len) : null;
      for (let i = 0; i < rows; i++) {
        const o = i * cols;
        let c = 0;
        for (let j = 0; j < cols; j++) c += g.v[o + j] * Y.v[o + j];
        for (let j = 0; j < cols; j++) gv[o + j] = Y.v[o + j] * (g.v[o + j] - c);
        if (gt !== null) {
          for (let z = 0; z < K * len; z += len) {
            let ct = 0;
            if (g.t !== null) for (let j = 0; j < cols; j++) ct += g.t[z + o + j] * Y.v[o + j];
            if (Y.t !== null) for (let j = 0; j < cols; j++) ct += g.v[o + j] * Y.t[z + o + j];
            for (let j = 0; j < cols; j++) {
              let s = -Y.v[o + j] * ct;
              if (Y.t !== null) s += Y.t[z + o + j] * (g.v[o + j] - c);
              if (g.t !== null) s += Y.v[o + j] * g.t[z + o + j];
              gt[z + o + j] = s;
            }
          }
        }
      }
      this.accumulate(a, new Dual(rows, cols, gv, gt));
    });
    return out;
  }

  /** The same entries read as a `rows x cols` matrix (row-major order unchanged). */
  reshape(a: Var, rows: number, cols: number): Var {
    if (rows * cols !== a.rows * a.cols) {
      throw new RangeError(`reshape: cannot view ${a.rows} x ${a.cols} as ${rows} x ${cols}`);
    }
    const A = a.x;
    return this.node(new Dual(rows, cols, A.v, A.t), [a], (g) => {
      this.accumulate(a, new Dual(A.rows, A.cols, g.v, g.t));
    });
  }

  /** Stack matrices with equal column counts on top of each other. */
  concatRows(parts: Var[]): Var {
    if (parts.length === 0) throw new RangeError("concatRows: no parts");
    const cols = parts[0].cols;
    for (const p of parts) if (p.cols !== cols) throw new RangeError(`concatRows: column counts differ, ${cols} and ${p.cols}`);
    const rows = parts.reduce((s, p) => s + p.rows, 0);
    const len = rows * cols;
    const v = new Float64Array(len);
    const K = Math.max(...parts.map((p) => p.x.slabs));
    const t = K > 0 ? new Float64Array(K * len) : null;
    let off = 0;
    for (const p of parts) {
      const plen = p.x.v.length;
      v.set(p.x.v, off);
      // slab z of the result stacks slab z of every part
      if (t !== null && p.x.t !== null) for (let z = 0; z < K; z++) t.set(p.x.t.subarray(z * plen, (z + 1) * plen), z * len + off);
      off += plen;
    }
    return this.node(new Dual(rows, cols, v, t), parts, (g) => {
      const gt = g.t, Kg = g.slabs;
      let o = 0;
      for (const p of parts) {
        const plen = p.rows * cols;
        let pt: Float64Array | null = null;
        if (gt !== null) {
          if (Kg === 1) pt = gt.slice(o, o + plen);
          else {
            pt = new Float64Array(Kg * plen);
            for (let z = 0; z < Kg; z++) pt.set(gt.subarray(z * len + o, z * len + o + plen), z * plen);
          }
        }
        this.accumulate(p, new Dual(p.rows, cols, g.v.slice(o, o + plen), pt));
        o += plen;
      }
    });
  }

  /** Place matrices with equal row counts side by side. */
  concatCols(parts: Var[]): Var {
    if (parts.length === 0) throw new RangeError("concatCols: no parts");
    const rows = parts[0].rows;
    for (const p of parts) if (p.rows !== rows) throw new RangeError(`concatCols: row counts differ, ${rows} and ${p.rows}`);
    const cols = parts.reduce((s, p) => s + p.cols, 0);
    const K = Math.max(...parts.map((p) => p.x.slabs));
    const v = new Float64Array(rows * cols);
    const t = K > 0 ? new Float64Array(K * rows * cols) : null;
    // tangent slabs are more rows: placing columns side by side works on the stacked (K rows) x cols matrix
    const place = (dst: Float64Array, src: Float64Array, R: number, pc: number, c0: number): void => {
      for (let i = 0; i < R; i++) for (let j = 0; j < pc; j++) dst[i * cols + c0 + j] = src[i * pc + j];
    };
    let c0 = 0;
    for (const p of parts) {
      place(v, p.x.v, rows, p.cols, c0);
      if (t !== null && p.x.t !== null) place(t, p.x.t, K * rows, p.cols, c0);
      c0 += p.cols;
    }
    return this.node(new Dual(rows, cols, v, t), parts, (g) => {
      const take = (src: Float64Array, R: number, pc: number, o: number): Float64Array => {
        const out = new Float64Array(R * pc);
        for (let i = 0; i < R; i++) for (let j = 0; j < pc; j++) out[i * pc + j] = src[i * cols + o + j];
        return out;
      };
      let o = 0;
      for (const p of parts) {
        const pc = p.cols;
        this.accumulate(p, new Dual(rows, pc, take(g.v, rows, pc, o), g.t === null ? null : take(g.t, g.slabs * rows, pc, o)));
        o += pc;
      }
    });
  }

  /**
   * Run reverse mode from `output` with seed `seed` (same shape; the gradient of the scalar objective
   * with respect to the output). After the call, every parameter leaf's `g` holds its gradient.
   */
  backward(output: Var, seed: Dual, options: BackwardOptions): void {
    if (seed.rows !== output.rows || seed.cols !== output.cols) {
      throw new RangeError(`backward: seed must be ${output.rows} x ${output.cols}, got ${seed.rows} x ${seed.cols}`);
    }
    this.paramPrimal = options.paramPrimal ?? true;
    if (!options.secondOrder) {
      for (const node of this.nodes) node.x = node.x.primal();
      for (const leaf of this.leaves) leaf.x = leaf.x.primal();
      seed = seed.primal();
    }
    if (!output.needsGrad) return;
    output.g = seed;
    output.gShared = true;
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (node.g !== null && node.back !== null) node.back(node.g);
      if (node !== output) node.g = null; // free intermediate adjoints
    }
  }
}
