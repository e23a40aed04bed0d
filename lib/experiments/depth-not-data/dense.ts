/**
 * Brute-force constructions of Depth, Not Data checked against the closed forms: the Gram matrix
 * B^{1/2} J J^T B^{1/2} from an exact Jacobian and its Kronecker-sum formula (Theorem 3.5, Lemma A.10), the
 * predicted eigenvectors z_ij of H_o and the projectors onto their spans (Lemma A.10), products of the
 * weights (Lemma A.1, eqs. 15-19), and the block-norm bound on random and structured block matrices (Lemma A.5).
 */
import { Matrix } from "ml-matrix";
import type { Rng } from "../../random/rng";
import { eigh } from "../../linalg/eigh";
import { kron } from "../../linalg/kron";
import { svd } from "../../linalg/svd";
import { jacobian } from "../../curvature/curvature";
import type { Problem } from "../../curvature/problem";
import type { Model } from "../../models/model";
import * as dnd from "../../papers/depth-not-data";

/** W_{i:j} = W_i ... W_j (1-based; the empty product, i < j, is the d_{j-1} identity). */
export function weightProduct(W: Matrix[], widths: number[], i: number, j: number): Matrix {
  let M = Matrix.eye(widths[j - 1]);
  for (let l = j; l <= i; l++) M = W[l - 1].mmul(M);
  return M;
}

/**
 * The Gram matrix by brute force: B J J^T B with J the exact Jacobian of W_{L:1} = F(I) (d_L d_0 x p) and
 * B = I_{d_L} (x) S_xx (S_xx a projection, so B = B^{1/2}).
 * @see Depth, Not Data, Theorem 3.5 (proof) and Lemma A.10
 */
export function gramFromJacobian(model: Model, theta: Float64Array, Sxx: Matrix, dL: number): { J: Matrix; B: Matrix; G: Matrix } {
  const J = jacobian(model, theta, Matrix.eye(Sxx.rows));
  const B = kron(Matrix.eye(dL), Sxx);
  return { J, B, G: B.mmul(J).mmul(J.transpose()).mmul(B) };
}

/** The Kronecker-sum formula sum_l W_{L:l+1} W_{L:l+1}^T (x) S_xx W_{l-1:1}^T W_{l-1:1} S_xx. */
export function gramKroneckerSum(W: Matrix[], widths: number[], Sxx: Matrix): Matrix {
  const L = W.length, d0 = widths[0], dL = widths[L];
  let G = Matrix.zeros(dL * d0, dL * d0);
  for (let l = 1; l <= L; l++) {
    const left = weightProduct(W, widths, L, l + 1), right = weightProduct(W, widths, l - 1, 1);
    G = G.add(kron(left.mmul(left.transpose()), Sxx.mmul(right.transpose()).mmul(right).mmul(Sxx)));
  }
  return G;
}

/**
 * max_ij ||G (u_i (x) v_j) - mu_ij (u_i (x) v_j)|| / ||G|| over i < d_L, j < d*, with lambda_i = lam_i for
 * i < r and 0 beyond: the Kronecker eigenvectors of the Gram matrix.
 */
export function kroneckerResidual(G: Matrix, U: Matrix, V: Matrix, lam: ArrayLike<number>, o: { L: number; r: number; dStar: number }): number {
  const ev = eigh(G).values;
  const norm = Math.max(Math.abs(ev[0]), Math.abs(ev[ev.length - 1]));
  let worst = 0;
  for (let i = 0; i < U.rows; i++) for (let j = 0; j < o.dStar; j++) {
    const z = kron(U.getColumnVector(i), V.getColumnVector(j));
    const mu = dnd.muPair(i < o.r ? lam[i] : 0, j < o.r ? lam[j] : 0, o.L);
    worst = Math.max(worst, G.mmul(z).sub(z.clone().mul(mu)).norm() / norm);
  }
  return worst;
}

/**
 * The Gram matrix in the u_i (x) v_j basis (i < d_L, j < d*), rows and columns ordered by descending
 * diagonal entry, with labels: the heatmap of Theorem 3.5.
 */
export function gramInPairBasis(G: Matrix, U: Matrix, V: Matrix, dStar: number): { z: number[][]; labels: string[] } {
  const basis = kron(U, V);
  const Gb = basis.transpose().mmul(G).mmul(basis);
  const idx: number[] = [], labels: string[] = [];
  for (let i = 0; i < U.rows; i++) for (let j = 0; j < dStar; j++) { idx.push(i * V.rows + j); labels.push(`u${i + 1}⊗v${j + 1}`); }
  const order = idx.map((_, q) => q).sort((a, b) => Gb.get(idx[b], idx[b]) - Gb.get(idx[a], idx[a]));
  return { z: order.map((a) => order.map((b) => Gb.get(idx[a], idx[b]))), labels: order.map((a) => labels[a]) };
}

/** Projector onto the column span of Z (columns need not be orthonormal): Z (Z^T Z)^{-1} Z^T via eigh. */
export function spanProjector(Z: Matrix): Matrix {
  const G = Z.transpose().mmul(Z);
  const { values, vectors } = eigh(G, { vectors: true });
  const inv = Matrix.zeros(G.rows, G.columns);
  for (let k = 0; k < values.length; k++) {
    const v = vectors!.getColumnVector(k);
    inv.add(v.mmul(v.transpose()).mul(1 / values[k]));
  }
  return Z.mmul(inv).mmul(Z.transpose());
}

/**
 * Lemma A.10 at one configuration: the predicted eigenvectors z_ij = J^T B^{1/2} (u_i (x) v_j) / ||.|| of H_o
 * for pairs with at least one index <= r, their residuals ||H_o z - mu_ij z|| / ||H_o||, the largest inner
 * product between a dominant and a bulk z, and ||P(span z) - P(eigenvectors)||_2 for the dominant (top r^2)
 * and the bulk (next (d*+dL-2r) r) spaces of the dense H_o.
 */
export function pairEigenvectors(problem: Problem, theta: Float64Array, Ho: Matrix, o: { L: number; U: Matrix; V: Matrix; Sxx: Matrix; lambdas: number[]; r: number; dStar: number }) {
  const dL = o.U.rows, L = o.L;
  const HoNorm = eigh(Ho).values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const { J, B } = gramFromJacobian(problem.model, theta, o.Sxx, dL);
  const dom: Matrix[] = [], bulk: Matrix[] = [];
  const residuals: Array<{ cls: "dominant" | "bulk"; mu: number; res: number }> = [];
  for (let i = 0; i < dL; i++) for (let j = 0; j < o.dStar; j++) {
    const inside = (i < o.r ? 1 : 0) + (j < o.r ? 1 : 0);
    if (inside === 0) continue;
    let z = J.transpose().mmul(B).mmul(kron(o.U.getColumnVector(i), o.V.getColumnVector(j)));
    z = z.div(z.norm());
    const mu = dnd.muPair(i < o.r ? o.lambdas[i] : 0, j < o.r ? o.lambdas[j] : 0, L);
    residuals.push({ cls: inside === 2 ? "dominant" : "bulk", mu, res: Ho.mmul(z).sub(z.clone().mul(mu)).norm() / HoNorm });
    (inside === 2 ? dom : bulk).push(z);
  }
  const Zd = new Matrix(dom.map((z) => z.getColumn(0))).transpose();
  const Zb = new Matrix(bulk.map((z) => z.getColumn(0))).transpose();
  const { vectors } = eigh(Ho, { vectors: true });
  const p = Ho.rows, nd = dom.length, nb = bulk.length;
  const Ed = vectors!.subMatrix(0, p - 1, p - nd, p - 1);
  const Eb = vectors!.subMatrix(0, p - 1, p - nd - nb, p - nd - 1);
  const spec = (A: Matrix) => { const ev = eigh(A.clone().add(A.transpose()).mul(0.5)).values; return Math.max(Math.abs(ev[0]), Math.abs(ev[ev.length - 1])); };
  return {
    residuals, nd, nb,
    orth: Zd.transpose().mmul(Zb).abs().max(),
    domSpan: spec(spanProjector(Zd).sub(Ed.mmul(Ed.transpose()))),
    bulkSpan: spec(spanProjector(Zb).sub(Eb.mmul(Eb.transpose()))),
  };
}

/**
 * Lemma A.1's eqs. 15-19 for the uniform spectral initialisation: max entry error of W_{L:l+1} W_{L:l+1}^T
 * against m^{2(L-l)} U_r U_r^T and of W_{l-1:1}^T W_{l-1:1} against m^{2(l-1)} V_r V_r^T over l (an empty
 * product is the identity).
 */
export function usiProductError(W: Matrix[], widths: number[], U: Matrix, V: Matrix, m: number, r: number): number {
  const L = W.length;
  const Ur = U.subMatrix(0, U.rows - 1, 0, r - 1), Vr = V.subMatrix(0, V.rows - 1, 0, r - 1);
  let worst = 0;
  for (let l = 1; l <= L; l++) {
    const left = weightProduct(W, widths, L, l + 1), right = weightProduct(W, widths, l - 1, 1);
    const leftPred = l === L ? Matrix.eye(widths[L]) : Ur.mmul(Ur.transpose()).mul(Math.pow(m, 2 * (L - l)));
    const rightPred = l === 1 ? Matrix.eye(widths[0]) : Vr.mmul(Vr.transpose()).mul(Math.pow(m, 2 * (l - 1)));
    worst = Math.max(worst, left.mmul(left.transpose()).sub(leftPred).abs().max(), right.transpose().mmul(right).sub(rightPred).abs().max());
  }
  return worst;
}

/** ||A||_2, the largest singular value. */
export const norm2 = (A: Matrix): number => svd(A).s[0];

/**
 * Lemma A.5 on random block matrices: `trials` matrices of 1..maxBlocks x 1..maxBlocks blocks of sizes
 * 1..maxBlockSize, each block Gaussian, rank one, zero or Gaussian scaled by 10^U(-3, 3); the ratios
 * ||M||_2 / sqrt(sum_ij ||M_ij||_2^2) (matrices with a zero bound skipped).
 */
export function blockNormRatios(gen: Rng, o: { trials: number; maxBlocks: number; maxBlockSize: number }): number[] {
  const ratios: number[] = [];
  for (let trial = 0; trial < o.trials; trial++) {
    const nbr = 1 + gen.int(o.maxBlocks), nbc = 1 + gen.int(o.maxBlocks);
    const rs = Array.from({ length: nbr }, () => 1 + gen.int(o.maxBlockSize));
    const cs = Array.from({ length: nbc }, () => 1 + gen.int(o.maxBlockSize));
    const M = Matrix.zeros(rs.reduce((a, b) => a + b, 0), cs.reduce((a, b) => a + b, 0));
    let sumSq = 0, r0 = 0;
    for (let i = 0; i < nbr; i++) {
      let c0 = 0;
      for (let j = 0; j < nbc; j++) {
        const kind = gen.int(4);
        let B: Matrix;
        if (kind === 0) B = gen.normalMatrix(rs[i], cs[j]);
        else if (kind === 1) B = gen.normalMatrix(rs[i], 1).mmul(gen.normalMatrix(1, cs[j]));
        else if (kind === 2) B = Matrix.zeros(rs[i], cs[j]);
        else B = gen.normalMatrix(rs[i], cs[j]).mul(Math.pow(10, gen.uniform(-3, 3)));
        M.setSubMatrix(B, r0, c0);
        sumSq += norm2(B) ** 2;
        c0 += cs[j];
      }
      r0 += rs[i];
    }
    const bound = Math.sqrt(sumSq);
    if (bound > 0) ratios.push(norm2(M) / bound);
  }
  return ratios;
}

/**
 * Lemma A.5's two extreme cases with k blocks of rows x cols: a block column a_i c_i y^T sharing its right
 * singular vector (||M|| equals the bound) and a block-diagonal matrix of k unit-norm blocks (the bound is
 * sqrt(k) ||M||). Returns ||M|| / bound for the first and bound / ||M|| for the second.
 */
export function blockNormExtremes(gen: Rng, k: number, rows: number, cols: number): { tight: number; loose: number } {
  const y = gen.normalMatrix(cols, 1); const yn = y.div(y.norm());
  const tight = Matrix.zeros(k * rows, cols);
  let sumSq = 0;
  for (let i = 0; i < k; i++) {
    const a = gen.normalMatrix(rows, 1); const an = a.div(a.norm());
    const c = gen.uniform(0.5, 3);
    tight.setSubMatrix(an.mmul(yn.transpose()).mul(c), i * rows, 0);
    sumSq += c * c;
  }
  const tightRatio = norm2(tight) / Math.sqrt(sumSq);
  const diag = Matrix.zeros(k * rows, k * rows);
  for (let i = 0; i < k; i++) { const B = gen.normalMatrix(rows, rows); diag.setSubMatrix(B.div(norm2(B)), i * rows, i * rows); }
  return { tight: tightRatio, loose: Math.sqrt(k) / norm2(diag) };
}

/**
 * The layer blocks of a dense H_f: the largest |entry| of a diagonal (same-layer) block, and
 * sqrt(sum of squared spectral norms of the off-diagonal blocks), Lemma A.5's bound on ||H_f||.
 */
export function layerBlockNorms(Hf: Matrix, blocks: ReadonlyArray<{ offset: number; size: number }>): { worstDiag: number; bound: number } {
  let sumSq = 0, worstDiag = 0;
  for (const bi of blocks) for (const bj of blocks) {
    const B = Hf.subMatrix(bi.offset, bi.offset + bi.size - 1, bj.offset, bj.offset + bj.size - 1);
    if (bi === bj) worstDiag = Math.max(worstDiag, B.abs().max());
    else sumSq += norm2(B) ** 2;
  }
  return { worstDiag, bound: Math.sqrt(sumSq) };
}
