import { tridiagonalQL } from "./tridiagonal";
export function tridiagonalDC(d: Float64Array, e: Float64Array, n: number): Float64Array {
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  tridiagonalQL(d, e, n, vt);
  return vt;
}
