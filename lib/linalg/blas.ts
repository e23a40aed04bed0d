/**
 * Small dense kernels on row-major Float64Array storage, written for V8: register blocking over 4 rows, cache
 * blocking over k and j, contiguous inner loops.
 */

/** Dot product of x[xo .. xo+len) and y[yo .. yo+len). */
export function dot(x: Float64Array, y: Float64Array, len: number, xo = 0, yo = 0): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    s0 += x[xo + i] * y[yo + i];
    s1 += x[xo + i + 1] * y[yo + i + 1];
    s2 += x[xo + i + 2] * y[yo + i + 2];
    s3 += x[xo + i + 3] * y[yo + i + 3];
  }
  for (; i < len; i++) s0 += x[xo + i] * y[yo + i];
  return s0 + s1 + (s2 + s3);
}

/** y[yo ..] += a * x[xo ..] over len entries. */
export function axpy(a: number, x: Float64Array, y: Float64Array, len: number, xo = 0, yo = 0): void {
  for (let i = 0; i < len; i++) y[yo + i] += a * x[xo + i];
}

/** Euclidean norm, scaled against overflow and underflow. */
export function norm2(x: Float64Array, len = x.length, xo = 0): number {
  let scale = 0;
  for (let i = 0; i < len; i++) scale = Math.max(scale, Math.abs(x[xo + i]));
  if (scale === 0) return 0;
  if (scale > 1e-150 && scale < 1e150) return Math.sqrt(dot(x, x, len, xo, xo));
  let s = 0;
  for (let i = 0; i < len; i++) {
    const t = x[xo + i] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/**
 * C (m x n) = A (m x k) B (k x n), all row-major; `c` (if given) is overwritten. Blocked: 4 rows of C at a
 * time against a k-panel of B, so each loaded entry of B is used four times.
 */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, c?: Float64Array): Float64Array {
  const out = c ?? new Float64Array(m * n);
  if (c) out.fill(0, 0, m * n);
  const KB = 128;
  const JB = 512;
  for (let j0 = 0; j0 < n; j0 += JB) {
    const j1 = Math.min(n, j0 + JB);
    for (let k0 = 0; k0 < k; k0 += KB) {
      const k1 = Math.min(k, k0 + KB);
      let i = 0;
      for (; i + 3 < m; i += 4) {
        const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (let p = k0; p < k1; p++) {
          const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
          if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
          const bo = p * n;
          for (let j = j0; j < j1; j++) {
            const bv = b[bo + j];
            out[c0 + j] += x0 * bv;
            out[c1 + j] += x1 * bv;
            out[c2 + j] += x2 * bv;
            out[c3 + j] += x3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const c0 = i * n;
        const a0 = i * k;
        for (let p = k0; p < k1; p++) {
          const x0 = a[a0 + p];
          if (x0 === 0) continue;
          const bo = p * n;
          for (let j = j0; j < j1; j++) out[c0 + j] += x0 * b[bo + j];
        }
      }
    }
  }
  return out;
}

/** Transpose of a row-major rows x cols array (blocked). */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * rows + i] = a[i * cols + j];
    }
  }
  return out;
}
