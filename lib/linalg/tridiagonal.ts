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
 */
export function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array, tau: Float64Array): void {
  e.fill(0);
  tau.fill(0);
  if (n === 1) {
    d[0] = a[0];
    return;
  }
  let vp = new Float64Array(n); // pending rank-2 update A -= vp wp^T + wp vp^T (from the previous step)
  let wp = new Float64Array(n);
  let v = new Float64Array(n);
  let p = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    const rk = k * n;
    // bring row k (columns >= k) up to date with the pending update
    if (k > 0) {
      const vk = vp[k];
      const wk = wp[k];
      for (let j = k; j < n; j++) a[rk + j] -= vk * wp[j] + wk * vp[j];
    }
    d[k] = a[rk + k];
    if (k === n - 2) {
      e[k] = a[rk + k + 1];
      const last = (n - 1) * n + n - 1;
      d[n - 1] = a[last] - (k > 0 ? 2 * vp[n - 1] * wp[n - 1] : 0);
      a[last] = d[n - 1];
      break;
    }
    // Householder vector for x = a[k, k+1..n-1]: H x = beta e_1
    const alpha = a[rk + k + 1];
    let xnorm2 = 0;
    for (let j = k + 2; j < n; j++) xnorm2 += a[rk + j] * a[rk + j];
    let t = 0;
    let beta = alpha;
    v.fill(0);
    if (xnorm2 > 0) {
      // scaled norm to avoid overflow / underflow
      let scale = Math.abs(alpha);
      for (let j = k + 2; j < n; j++) {
        const x = Math.abs(a[rk + j]);
        if (x > scale) scale = x;
      }
      let s2 = (alpha / scale) * (alpha / scale);
      for (let j = k + 2; j < n; j++) {
        const x = a[rk + j] / scale;
        s2 += x * x;
      }
      const norm = scale * Math.sqrt(s2);
      beta = alpha >= 0 ? -norm : norm;
      t = (beta - alpha) / beta;
      const f = 1 / (alpha - beta);
      v[k + 1] = 1;
      a[rk + k + 1] = 1;
      for (let j = k + 2; j < n; j++) {
        const x = a[rk + j] * f;
        v[j] = x;
        a[rk + j] = x;
      }
    } else {
      // no reflection needed; store a zero vector (tau = 0)
      for (let j = k + 1; j < n; j++) a[rk + j] = 0;
    }
    e[k] = beta;
    tau[k] = t;
    // one pass over the trailing upper triangle: apply the pending update and accumulate p = A v
    p.fill(0);
    const pending = k > 0;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vpi = pending ? vp[i] : 0;
      const wpi = pending ? wp[i] : 0;
      const vi = v[i];
      let aii = a[ri + i];
      if (pending) {
        aii -= 2 * vpi * wpi;
        a[ri + i] = aii;
      }
      let acc = aii * vi;
      if (pending) {
        for (let j = i + 1; j < n; j++) {
          const aij = a[ri + j] - vpi * wp[j] - wpi * vp[j];
          a[ri + j] = aij;
          acc += aij * v[j];
          p[j] += aij * vi;
        }
      } else {
        for (let j = i + 1; j < n; j++) {
          const aij = a[ri + j];
          acc += aij * v[j];
          p[j] += aij * vi;
        }
      }
      p[i] += acc;
    }
    // w = tau p - (tau^2/2 (p.v)) v
    let pv = 0;
    for (let j = k + 1; j < n; j++) pv += p[j] * v[j];
    const half = -0.5 * t * t * pv;
    const nv = vp;
    const nw = wp;
    vp = v;
    wp = p;
    for (let j = k + 1; j < n; j++) wp[j] = t * p[j] + half * v[j];
    wp[k] = 0;
    vp[k] = 0;
    v = nv;
    p = nw;
  }
}

/**
 * Apply Q (from `tridiagonalize`) to `count` vectors stored as rows of `vt` (row r at vt[r * n ..]): each row
 * x becomes Q x. Rows are processed in blocks so each Householder vector stays in cache across the block.
 */
export function backTransformRows(a: Float64Array, tau: Float64Array, n: number, vt: Float64Array, count: number): void {
  if (n < 3) return;
  const block = Math.max(1, Math.min(count, Math.floor(131072 / n))); // ~1 MB of rows per block
  for (let r0 = 0; r0 < count; r0 += block) {
    const r1 = Math.min(count, r0 + block);
    for (let k = n - 3; k >= 0; k--) {
      const t = tau[k];
      if (t === 0) continue;
      const rk = k * n;
      for (let r = r0; r < r1; r++) {
        const ro = r * n;
        let s = 0;
        for (let j = k + 1; j < n; j++) s += a[rk + j] * vt[ro + j];
        s *= t;
        if (s === 0) continue;
        for (let j = k + 1; j < n; j++) vt[ro + j] -= s * a[rk + j];
      }
    }
  }
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
