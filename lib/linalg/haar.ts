/**
 * Haar-distributed orthogonal matrices: the Q of a Gaussian matrix's QR with R's diagonal made positive
 * (without that sign correction Q is not Haar; Mezzadri 2007). It lives here, not in the generator, because
 * it is a QR: the one QR of lib/linalg (./qr, LAPACK dgeqrf on the native backend) does it.
 */
import { Matrix } from "ml-matrix";
import type { Rng } from "../random/rng";
import { qr } from "./qr";
import { assertPositiveInt } from "./validate";

/**
 * A Haar-random n x n orthogonal matrix drawn from `gen` (n^2 standard normals, row by row).
 *
 * @param gen the seeded generator (fork it for an independent stream)
 * @param n a positive integer
 */
export function haarOrthogonal(gen: Rng, n: number): Matrix {
  if (gen === null || typeof gen !== "object" || typeof gen.normalMatrix !== "function") throw new TypeError("haarOrthogonal: gen must be an Rng (rng(seed) or a fork of one)");
  assertPositiveInt("haarOrthogonal: n", n);
  return qr(gen.normalMatrix(n, n)).Q; // qr's R has a non-negative diagonal: Q is Haar
}
