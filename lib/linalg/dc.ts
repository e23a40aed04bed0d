/**
 * Divide and conquer for the symmetric tridiagonal eigenproblem (Cuppen 1981; Gu & Eisenstat 1995; the
 * structure of LAPACK dstedc / dlaed0-4), with eigenvectors stored as ROWS.
 *
 * T is split as diag(T1, T2) + |beta| u u^T, both halves are solved recursively, and the rank-one update
 * D + rho z z^T is solved with deflation (tiny z_j, or close poles rotated together), a safeguarded secular
 * equation solver that keeps every difference d_j - lambda_i to high relative accuracy (it works in
 * coordinates shifted to the nearer pole), and the Gu-Eisenstat recomputation of z, which makes the
 * eigenvectors of the update numerically orthogonal. The eigenvectors of T are then one matrix product.
 */
import { matmul } from "./blas";
import { sortAscending, tridiagonalQL } from "./tridiagonal";

const EPS = 2.220446049250313e-16;
/** Subproblems of at most this size are solved by implicit QL. */
const LEAF = 24;

/**
 * Eigen-decomposition of the symmetric tridiagonal (d, e) (e[i] = T[i+1][i]): on return d holds the eigenvalues
 * ascending; the result is n x n row-major with row j the unit eigenvector of d[j].
 */
export function tridiagonalDC(d: Float64Array, e: Float64Array, n: number): Float64Array {
  return solve(d, e, 0, n);
}

function solve(d: Float64Array, e: Float64Array, lo: number, size: number): Float64Array {
  if (size <= LEAF) {
    const dd = d.slice(lo, lo + size);
    const ee = new Float64Array(size);
    for (let i = 0; i < size - 1; i++) ee[i] = e[lo + i];
    const vt = new Float64Array(size * size);
    for (let i = 0; i < size; i++) vt[i * size + i] = 1;
    tridiagonalQL(dd, ee, size, vt);
    d.set(dd, lo);
    return vt;
  }
  const m = size >> 1;
  const beta = e[lo + m - 1];
  const rho = Math.abs(beta);
  d[lo + m - 1] -= rho;
  d[lo + m] -= rho;
  const q1 = solve(d, e, lo, m);
  const q2 = solve(d, e, lo + m, size - m);
  return merge(d, lo, size, m, q1, q2, beta);
}

/**
 * Merge the solutions of the two halves: d[lo..lo+m) with vectors q1 (m x m rows) and d[lo+m..lo+size) with q2;
 * the coupling is |beta| u u^T with u = e_{m-1} + sign(beta) e_m.
 */
function merge(d: Float64Array, lo: number, N: number, m: number, q1: Float64Array, q2: Float64Array, beta: number): Float64Array {
  const n2 = N - m;
  const sgn = beta >= 0 ? 1 : -1;
  // eigenvalues, z and vectors (rows of length N; left ones zero on the right part and vice versa)
  const D = new Float64Array(N);
  const z = new Float64Array(N);
  const side = new Int8Array(N); // 0 left-only, 1 right-only, 2 mixed
  const V = new Float64Array(N * N);
  for (let j = 0; j < m; j++) {
    D[j] = d[lo + j];
    z[j] = q1[j * m + m - 1] / Math.SQRT2;
    V.set(q1.subarray(j * m, j * m + m), j * N);
    side[j] = 0;
  }
  for (let j = 0; j < n2; j++) {
    D[m + j] = d[lo + m + j];
    z[m + j] = (sgn * q2[j * n2]) / Math.SQRT2;
    V.set(q2.subarray(j * n2, j * n2 + n2), (m + j) * N + m);
    side[m + j] = 1;
  }
  const rho = 2 * Math.abs(beta); // z now has unit norm
  // sort poles ascending
  const order = Array.from({ length: N }, (_, i) => i).sort((a, b) => D[a] - D[b] || a - b);
  let dmax = 0;
  let zmax = 0;
  for (let j = 0; j < N; j++) {
    dmax = Math.max(dmax, Math.abs(D[j]));
    zmax = Math.max(zmax, Math.abs(z[j]));
  }
  const tol = 8 * EPS * Math.max(dmax, zmax);
  const kept: number[] = []; // non-deflated indices, ascending poles
  const deflated: number[] = [];
  if (rho * zmax <= tol) {
    for (const j of order) deflated.push(j);
  } else {
    let pj = -1;
    for (const j of order) {
      if (rho * Math.abs(z[j]) <= tol) {
        deflated.push(j);
        continue;
      }
      if (pj < 0) {
        pj = j;
        continue;
      }
      let s = z[pj];
      let c = z[j];
      const tau = Math.hypot(c, s);
      const t = D[j] - D[pj];
      c /= tau;
      s = -s / tau;
      if (Math.abs(t * c * s) <= tol) {
        // rotate pj into j: z[pj] becomes 0, pj deflates
        z[j] = tau;
        z[pj] = 0;
        const po = pj * N;
        const jo = j * N;
        for (let l = 0; l < N; l++) {
          const x = V[po + l];
          const y = V[jo + l];
          V[po + l] = c * x + s * y;
          V[jo + l] = c * y - s * x;
        }
        if (side[pj] !== side[j]) {
          side[pj] = 2;
          side[j] = 2;
        }
        const dp = D[pj] * c * c + D[j] * s * s;
        D[j] = D[pj] * s * s + D[j] * c * c;
        D[pj] = dp;
        deflated.push(pj);
        pj = j;
      } else {
        kept.push(pj);
        pj = j;
      }
    }
    if (pj >= 0) kept.push(pj);
  }
  kept.sort((a, b) => D[a] - D[b] || a - b);
  const K = kept.length;
  const out = new Float64Array(N * N);
  const values = new Float64Array(N);
  if (K > 0) {
    const delta = Float64Array.from(kept, (j) => D[j]);
    const zk = Float64Array.from(kept, (j) => z[j]);
    // renormalise z over the kept components (deflated ones are below tol)
    let zn = 0;
    for (let i = 0; i < K; i++) zn += zk[i] * zk[i];
    const rhoK = rho * zn;
    zn = Math.sqrt(zn);
    for (let i = 0; i < K; i++) zk[i] /= zn;
    const lam = new Float64Array(K);
    const diff = new Float64Array(K * K); // diff[i * K + j] = delta_j - lambda_i
    for (let i = 0; i < K; i++) lam[i] = secularRoot(delta, zk, rhoK, i, diff.subarray(i * K, i * K + K));
    // Gu-Eisenstat: recompute z from the computed roots
    const zh = new Float64Array(K);
    for (let j = 0; j < K; j++) zh[j] = diff[j * K + j];
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        if (j === i) continue;
        zh[j] *= diff[i * K + j] / (delta[j] - delta[i]);
      }
    }
    for (let j = 0; j < K; j++) zh[j] = (zk[j] >= 0 ? 1 : -1) * Math.sqrt(Math.max(0, -zh[j]));
    // eigenvectors of D + rho z z^T: u_i[j] = zh_j / (delta_j - lambda_i), normalised; rows of U
    const U = new Float64Array(K * K);
    for (let i = 0; i < K; i++) {
      let s = 0;
      const o = i * K;
      for (let j = 0; j < K; j++) {
        const u = zh[j] / diff[o + j];
        U[o + j] = u;
        s += u * u;
      }
      s = 1 / Math.sqrt(s);
      for (let j = 0; j < K; j++) U[o + j] *= s;
    }
    multiplyBlocks(U, K, kept, side, V, N, m, out);
    values.set(lam);
  }
  // deflated pairs are copied
  for (let t = 0; t < deflated.length; t++) {
    const j = deflated[t];
    values[K + t] = D[j];
    out.set(V.subarray(j * N, j * N + N), (K + t) * N);
  }
  sortAscending(values, N, out);
  d.set(values, lo);
  return out;
}

/**
 * out rows [0, K) = U (K x K) times the kept rows of V, exploiting that left-only rows vanish on the right part
 * and right-only rows on the left part: out[:, 0:m] = U[:, L ∪ M] V[L ∪ M, 0:m], out[:, m:N] = U[:, M ∪ R] V[M ∪ R, m:N].
 */
function multiplyBlocks(U: Float64Array, K: number, kept: number[], side: Int8Array, V: Float64Array, N: number, m: number, out: Float64Array): void {
  const n2 = N - m;
  const leftIdx: number[] = [];
  const rightIdx: number[] = [];
  for (let t = 0; t < K; t++) {
    const s = side[kept[t]];
    if (s !== 1) leftIdx.push(t);
    if (s !== 0) rightIdx.push(t);
  }
  const part = (idx: number[], c0: number, width: number): Float64Array => {
    const p = idx.length;
    const Ub = new Float64Array(K * p);
    for (let i = 0; i < K; i++) for (let t = 0; t < p; t++) Ub[i * p + t] = U[i * K + idx[t]];
    const Vb = new Float64Array(p * width);
    for (let t = 0; t < p; t++) Vb.set(V.subarray(kept[idx[t]] * N + c0, kept[idx[t]] * N + c0 + width), t * width);
    return matmul(Ub, Vb, K, p, width);
  };
  if (leftIdx.length > 0) {
    const L = part(leftIdx, 0, m);
    for (let i = 0; i < K; i++) out.set(L.subarray(i * m, i * m + m), i * N);
  }
  if (rightIdx.length > 0) {
    const R = part(rightIdx, m, n2);
    for (let i = 0; i < K; i++) out.set(R.subarray(i * n2, i * n2 + n2), i * N + m);
  }
}

/**
 * Root i (ascending) of f(λ) = 1 + rho Σ_j z_j^2 / (delta_j - λ), delta strictly increasing, rho > 0,
 * Σ z_j^2 = 1: λ_i in (delta_i, delta_{i+1}) (the last in (delta_{K-1}, delta_{K-1} + rho]). Writes
 * diffOut[j] = delta_j - λ_i, computed as (delta_j - delta_o) - tau in coordinates shifted to the nearer pole o.
 * Safeguarded: a two-pole rational model step (the "middle way" of dlaed4) when it stays in the bracket,
 * bisection otherwise.
 */
function secularRoot(delta: Float64Array, z: Float64Array, rho: number, i: number, diffOut: Float64Array): number {
  const K = delta.length;
  let o: number;
  let lo: number;
  let hi: number;
  if (i === K - 1) {
    o = i;
    lo = 0;
    hi = rho;
    // make sure f(hi) >= 0 (it is in exact arithmetic); widen if rounding says otherwise
    for (let t = 0; t < 60 && evalF(delta, z, rho, o, hi).f < 0; t++) hi *= 2;
  } else {
    const gap = delta[i + 1] - delta[i];
    const mid = 0.5 * gap;
    const fm = evalF(delta, z, rho, i, mid).f;
    if (fm >= 0) {
      o = i;
      lo = 0;
      hi = mid;
    } else {
      o = i + 1;
      lo = -mid;
      hi = 0;
    }
  }
  const d0 = delta[o];
  let tau = 0.5 * (lo + hi);
  if (tau === 0) tau = o === i ? hi : lo;
  for (let iter = 0; iter < 200; iter++) {
    const { f, psi, dpsi, phi, dphi, erretm } = evalParts(delta, z, rho, o, i, tau, d0);
    if (Math.abs(f) <= 8 * EPS * (K + erretm) || hi - lo <= 4 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) break;
    if (f < 0) lo = tau;
    else hi = tau;
    void psi;
    void phi;
    let next = NaN;
    if (iter < 60) {
      if (i < K - 1) {
        const da = delta[i] - d0 - tau;
        const db = delta[i + 1] - d0 - tau;
        const c = f - dpsi * da - dphi * db;
        const s1 = dpsi * da * da;
        const s2 = dphi * db * db;
        const A = c;
        const B = -(c * (da + db) + s1 + s2);
        const C = da * db * f;
        let eta = NaN;
        if (A === 0) eta = -C / B;
        else {
          const disc = B * B - 4 * A * C;
          if (disc >= 0) {
            const sq = Math.sqrt(disc);
            const r1 = B <= 0 ? (-B + sq) / (2 * A) : (2 * C) / (-B - sq);
            const r2 = B <= 0 ? (2 * C) / (-B + sq) : (-B - sq) / (2 * A);
            eta = r1 > da && r1 < db ? r1 : r2;
          }
        }
        next = tau + eta;
      } else {
        const da = delta[i] - d0 - tau;
        const c = f - dpsi * da;
        if (c > 0) next = tau + da + (dpsi * da * da) / c;
      }
    }
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (next === tau) break;
    tau = next;
  }
  for (let j = 0; j < K; j++) diffOut[j] = delta[j] - d0 - tau;
  return d0 + tau;
}

function evalF(delta: Float64Array, z: Float64Array, rho: number, o: number, tau: number): { f: number } {
  const d0 = delta[o];
  let f = 1;
  for (let j = 0; j < delta.length; j++) f += (rho * z[j] * z[j]) / (delta[j] - d0 - tau);
  return { f };
}

function evalParts(delta: Float64Array, z: Float64Array, rho: number, o: number, i: number, tau: number, d0: number) {
  let psi = 0;
  let dpsi = 0;
  let phi = 0;
  let dphi = 0;
  let erretm = 0;
  const K = delta.length;
  for (let j = 0; j < K; j++) {
    const dj = delta[j] - d0 - tau;
    const t = (rho * z[j] * z[j]) / dj;
    if (j <= i) {
      psi += t;
      dpsi += t / dj;
    } else {
      phi += t;
      dphi += t / dj;
    }
    erretm += Math.abs(t);
  }
  return { f: 1 + psi + phi, psi, dpsi, phi, dphi, erretm };
}
