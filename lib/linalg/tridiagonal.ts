/**
 * Symmetric tridiagonal machinery behind `eigh`, on row-major Float64Array storage:
 *
 * - `tridiagonalize`: Householder reduction A = Q T Q^T (LAPACK dsytd2 in the upper triangle), with the
 *   rank-2 update of step k-1 fused into the symmetric matrix-vector product of step k, so the trailing matrix
 *   is streamed from memory once per step instead of twice.
 * - `backTransformRows`: applies Q to eigenvectors of T that are stored as ROWS (row j = vector j), blocked
 *   over rows so each Householder vector is reused from cache.
 * - `tridiagonalQL`: implicit QL with Wilkinson-type shifts (EISPACK tql2), optionally rotating eigenvector
 *   rows (contiguous, unlike the column rotations of tql2 on row-major storage).
 *
 * Vectors are kept as rows throughout (`vt`, n x n row-major, row j is the eigenvector of value j) because
 * every update is then a contiguous axpy or dot product.
 */

import { gemm } from "./blas";
import { backendName } from "./kernels";
import { ensureMemory, gemmInWasm, instantiateBase64, packB, wasmWorkspace, WasmMemory } from "./kernels/wasm";
import { TRIDIAG_WASM } from "./kernels/wasm-modules";

const EPS = 2.220446049250313e-16;

/** Overflow- and underflow-safe sqrt(a^2 + b^2). */
export function hypot2(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const t = y / x;
    return x * Math.sqrt(1 + t * t);
  }
  if (y === 0) return 0;
  const t = x / y;
  return y * Math.sqrt(1 + t * t);
}

/**
 * Householder tridiagonalisation of the symmetric n x n matrix in `a` (row-major; only the upper triangle,
 * j >= i, is read). On return d[0..n-1] is the diagonal of T, e[0..n-2] its off-diagonal (e[n-1] = 0), and
 * for k = 0..n-3 row k of `a` holds the Householder vector v_k in positions k+1..n-1 (with v_k[k+1] = 1),
 * tau[k] its scale: Q = H_0 H_1 ... H_{n-3}, H_k = I - tau_k v_k v_k^T, and A = Q T Q^T.
 *
 * The pass over the trailing matrix (pending rank-2 update fused with the product p = A v) runs in a
 * WebAssembly SIMD kernel (./tridiag.wat) when available and n >= 64, else in JavaScript; both give the same
 * algorithm.
 */
export function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array, tau: Float64Array): void {
  e.fill(0);
  tau.fill(0);
  if (n === 1) {
    d[0] = a[0];
    return;
  }
  const need = n * n + 4 * n;
  const kern = n >= 64 && useWasmTridiag && backendName() !== "js" ? loadFused() : null;
  let mem: Float64Array;
  if (kern !== null) {
    ensureMemory(kern.memory, need * 8);
    mem = new Float64Array(kern.memory.buffer, 0, need);
    mem.set(a.subarray(0, n * n));
    mem.fill(0, n * n, need);
  } else {
    mem = new Float64Array(need);
    mem.set(a.subarray(0, n * n));
  }
  // vector offsets (in doubles) inside mem: pending vp, wp; current v, p
  let oVp = n * n;
  let oWp = oVp + n;
  let oV = oWp + n;
  let oP = oV + n;
  for (let k = 0; k < n - 1; k++) {
    const rk = k * n;
    // bring row k (columns >= k) up to date with the pending update (zero at k = 0)
    {
      const vk = mem[oVp + k];
      const wk = mem[oWp + k];
      if (vk !== 0 || wk !== 0) for (let j = k; j < n; j++) mem[rk + j] -= vk * mem[oWp + j] + wk * mem[oVp + j];
    }
    d[k] = mem[rk + k];
    if (k === n - 2) {
      e[k] = mem[rk + k + 1];
      const last = (n - 1) * n + n - 1;
      d[n - 1] = mem[last] - 2 * mem[oVp + n - 1] * mem[oWp + n - 1];
      mem[last] = d[n - 1];
      break;
    }
    // Householder vector for x = a[k, k+1..n-1]: H x = beta e_1
    const alpha = mem[rk + k + 1];
    let scale = 0;
    for (let j = k + 2; j < n; j++) {
      const x = Math.abs(mem[rk + j]);
      if (x > scale) scale = x;
    }
    let t = 0;
    let beta = alpha;
    mem.fill(0, oV, oV + n);
    if (scale > 0) {
      scale = Math.max(scale, Math.abs(alpha));
      let s2 = 0;
      for (let j = k + 1; j < n; j++) {
        const x = mem[rk + j] / scale;
        s2 += x * x;
      }
      // Work in the scaled domain (x / scale is O(1)): for a column of tiny or subnormal entries, alpha - beta
      // and 1 / (alpha - beta) computed unscaled lose precision or overflow to Infinity (NaN eigenvalues were
      // seen on a 125 x 125 PSD H_o). |x_j| <= |alpha - beta| keeps each quotient <= 1.
      const alphaS = alpha / scale;
      const betaS = alphaS >= 0 ? -Math.sqrt(s2) : Math.sqrt(s2);
      beta = betaS * scale;
      t = (betaS - alphaS) / betaS;
      const denom = alphaS - betaS;
      mem[oV + k + 1] = 1;
      mem[rk + k + 1] = 1;
      for (let j = k + 2; j < n; j++) {
        const x = mem[rk + j] / scale / denom;
        mem[oV + j] = x;
        mem[rk + j] = x;
      }
    } else {
      // no reflection needed; store a zero vector (tau = 0)
      for (let j = k + 1; j < n; j++) mem[rk + j] = 0;
    }
    e[k] = beta;
    tau[k] = t;
    // one pass over the trailing upper triangle: apply the pending update and accumulate p = A v
    mem.fill(0, oP, oP + n);
    if (kern !== null) kern.fused(n, k, 0, oVp * 8, oWp * 8, oV * 8, oP * 8);
    else fusedPass(mem, n, k, oVp, oWp, oV, oP);
    // w = tau p - (tau^2/2 (p.v)) v, stored over p; then (v, w) become the pending pair
    let pv = 0;
    for (let j = k + 1; j < n; j++) pv += mem[oP + j] * mem[oV + j];
    const half = -0.5 * t * t * pv;
    for (let j = k + 1; j < n; j++) mem[oP + j] = t * mem[oP + j] + half * mem[oV + j];
    mem[oP + k] = 0;
    const ov = oVp;
    const ow = oWp;
    oVp = oV;
    oWp = oP;
    oV = ov;
    oP = ow;
  }
  a.set(mem.subarray(0, n * n));
}

/** JavaScript version of the fused pass (same semantics as tridiag.wat). */
function fusedPass(mem: Float64Array, n: number, k: number, oVp: number, oWp: number, oV: number, oP: number): void {
  for (let i = k + 1; i < n; i++) {
    const ri = i * n;
    const vpi = mem[oVp + i];
    const wpi = mem[oWp + i];
    const vi = mem[oV + i];
    const aii = mem[ri + i] - 2 * vpi * wpi;
    mem[ri + i] = aii;
    let acc = aii * vi;
    for (let j = i + 1; j < n; j++) {
      const aij = mem[ri + j] - vpi * mem[oWp + j] - wpi * mem[oVp + j];
      mem[ri + j] = aij;
      acc += aij * mem[oV + j];
      mem[oP + j] += aij * vi;
    }
    mem[oP + i] += acc;
  }
}

let useWasmTridiag = true;
/** Turn the WebAssembly kernel of `tridiagonalize` on or off (on by default; for tests and benchmarks). */
export function setWasmTridiagonalize(enabled: boolean): void {
  useWasmTridiag = enabled;
}


interface FusedKernel {
  memory: WasmMemory;
  fused: (n: number, k: number, pa: number, pvp: number, pwp: number, pv: number, pp: number) => void;
}
let fusedKernel: FusedKernel | null | undefined;

/** Drop the tridiagonalisation kernel if its memory exceeds maxBytes (default 64 MB), so it can be collected. */
export function releaseWasmTridiagonalMemory(maxBytes = 64 * 1024 * 1024): void {
  if (fusedKernel && fusedKernel.memory.buffer.byteLength > maxBytes) fusedKernel = undefined;
}
function loadFused(): FusedKernel | null {
  if (fusedKernel !== undefined) return fusedKernel;
  const ex = instantiateBase64(TRIDIAG_WASM) as unknown as FusedKernel | null;
  fusedKernel = ex === null ? null : { memory: ex.memory, fused: ex.fused };
  return fusedKernel;
}

/**
 * Apply Q (from `tridiagonalize`) to `count` vectors stored as rows of `vt` (row r at vt[r * n ..]): each row
 * x becomes Q x, i.e. Vt <- Vt Q^T = Vt H_{n-3} ... H_0. Blocked (compact WY, LAPACK dlarft/dlarfb): the
 * reflectors are taken nb at a time, H_{k0} ... H_{k1-1} = I - Y T Y^T, and each block is applied with two
 * matrix products, Vt <- Vt - (Vt Y) T^T Y^T.
 */
export function backTransformRows(a: Float64Array, tau: Float64Array, n: number, vt: Float64Array, count: number): void {
  if (n < 3 || count === 0) return;
  const nr = n - 2; // reflectors 0 .. n-3
  const NB = 64;
  const lastStart = Math.floor((nr - 1) / NB) * NB;
  // wasm path: Vt stays in the kernel's memory for all blocks (no copies per block)
  const oW = count * n + 4;
  const oW2 = oW + count * NB;
  const oY = oW2 + count * NB;
  const oYt = oY + n * NB;
  const oYtRM = oYt + NB * (n + 4) + 4;
  const oG = oYtRM + NB * n;
  const oTT = oG + NB * NB;
  const total = oTT + NB * NB + 8;
  const mem = n >= 64 && count >= 4 && backendName() === "wasm" ? wasmWorkspace(total) : null;
  if (mem !== null) mem.set(vt.subarray(0, count * n), 0);
  for (let k0 = lastStart; k0 >= 0; k0 -= NB) {
    const k1 = Math.min(nr, k0 + NB);
    const b = k1 - k0;
    const c0 = k0 + 1; // first row touched
    const L = n - c0;
    // Yt: b x L, row r = v_{k0+r} restricted to indices c0..n-1 (zero before its own start k0+r+1)
    const Yt = new Float64Array(b * L);
    for (let r = 0; r < b; r++) {
      const k = k0 + r;
      const src = k * n;
      for (let j = k + 1; j < n; j++) Yt[r * L + (j - c0)] = a[src + j];
    }
    const Y = new Float64Array(L * b);
    for (let r = 0; r < b; r++) for (let j = 0; j < L; j++) Y[j * b + r] = Yt[r * L + j];
    const b4 = (b + 3) & ~3;
    // Gram matrix G = Y^T Y (b x b; entry (r, i) at G[r * gl + i])
    let G: Float64Array;
    let gOff = 0;
    let gl = b;
    if (mem !== null) {
      packB(false, Y, 0, b, L, b, mem, oY);
      mem.set(Yt, oYtRM);
      mem.fill(0, oG, oG + b * b4);
      gemmInWasm(mem, b, b, L, 1, oYtRM, L, oY, oG, b4);
      G = mem;
      gOff = oG;
      gl = b4;
    } else {
      G = new Float64Array(b * b);
      for (let r = 0; r < b; r++) for (let i = r; i < b; i++) G[r * b + i] = dotRange(Yt, r * L, Yt, i * L, L);
    }
    // T (b x b upper triangular): T_ii = tau_i, T[0:i, i] = -tau_i T[0:i, 0:i] G[0:i, i]
    const T = new Float64Array(b * b);
    const tmp = new Float64Array(b);
    for (let i = 0; i < b; i++) {
      const ti = tau[k0 + i];
      T[i * b + i] = ti;
      if (i === 0 || ti === 0) continue;
      for (let r = 0; r < i; r++) tmp[r] = -ti * G[gOff + r * gl + i];
      for (let r = 0; r < i; r++) {
        let sum = 0;
        for (let q = r; q < i; q++) sum += T[r * b + q] * tmp[q];
        T[r * b + i] = sum;
      }
    }
    if (mem !== null) {
      // W = Vt[:, c0:] Y  (count x b, leading dimension b4); Y is already packed at oY
      mem.fill(0, oW, oW + count * b4);
      gemmInWasm(mem, count, b, L, 1, c0, n, oY, oW, b4);
      // W2 = W T^T
      const TT = new Float64Array(b * b);
      for (let i = 0; i < b; i++) for (let q = 0; q < b; q++) TT[q * b + i] = T[i * b + q];
      packB(false, TT, 0, b, b, b, mem, oTT);
      mem.fill(0, oW2, oW2 + count * b4);
      gemmInWasm(mem, count, b, b, 1, oW, b4, oTT, oW2, b4);
      // Vt[:, c0:] -= W2 Yt
      packB(false, Yt, 0, L, b, L, mem, oYt);
      gemmInWasm(mem, count, L, b, -1, oW2, b4, oYt, c0, n);
      continue;
    }
    // JavaScript path
    const W = new Float64Array(count * b);
    gemm(count, b, L, 1, vt, c0, n, Y, 0, b, W, 0, b);
    const W2 = new Float64Array(count * b);
    for (let r = 0; r < count; r++) {
      const wo = r * b;
      for (let i = 0; i < b; i++) {
        let sum = 0;
        for (let q = i; q < b; q++) sum += W[wo + q] * T[i * b + q];
        W2[wo + i] = sum;
      }
    }
    gemm(count, L, b, -1, W2, 0, b, Yt, 0, L, vt, c0, n);
  }
  if (mem !== null) vt.set(mem.subarray(0, count * n));
}

function dotRange(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += x[xo + i] * y[yo + i];
  return s;
}

/**
 * Implicit QL with shifts (EISPACK tql2, Wilkinson-type shift from the leading 2 x 2 block) on the symmetric
 * tridiagonal (d, e): e[i] = T[i+1][i], e[n-1] ignored. On return d holds the eigenvalues in ASCENDING order.
 * If `vt` is given (n x n row-major, rows = vectors, usually the identity on entry) the rotations are applied
 * to its rows and the rows are permuted along with the values, so row j of vt is the vector of d[j].
 * Throws if an eigenvalue needs more than 60 iterations (never observed in practice).
 */
export function tridiagonalQL(d: Float64Array, e: Float64Array, n: number, vt: Float64Array | null): void {
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > EPS * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error(`eigh: implicit QL did not converge for eigenvalue ${l} of ${n}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot2(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = 1;
        let c3 = 1;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot2(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (vt !== null) {
            const ri = i * n;
            const ri1 = ri + n;
            for (let k = 0; k < n; k++) {
              const x = vt[ri + k];
              const y = vt[ri1 + k];
              vt[ri1 + k] = s * x + c * y;
              vt[ri + k] = c * x - s * y;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  sortAscending(d, n, vt);
}

/** Sort d ascending, permuting rows of vt (n x n row-major) along with it. */
export function sortAscending(d: Float64Array, n: number, vt: Float64Array | null): void {
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y] || x - y);
  let sorted = true;
  for (let i = 0; i < n; i++) if (order[i] !== i) sorted = false;
  if (sorted) return;
  const dd = Float64Array.from(order, (i) => d[i]);
  d.set(dd);
  if (vt !== null) {
    const copy = vt.slice(0, n * n);
    for (let i = 0; i < n; i++) vt.set(copy.subarray(order[i] * n, order[i] * n + n), i * n);
  }
}
