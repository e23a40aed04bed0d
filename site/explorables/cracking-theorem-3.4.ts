// Theorem 3.4 (Cracking the Hessian): away from ReLU kinks the two-layer ReLU network's Hessian splits by
// cell; each cell carries a Theorem 3.1 spectrum scaled by its sample fraction.
import { rng } from "../../lib/random/rng";
import { twoLayerRelu } from "../../lib/models";
import { hessian } from "../../lib/curvature";
import { mseProblem } from "../../lib/curvature";
import { wedgeData } from "../../lib/data/synthetic";
import { eigh } from "../../lib/linalg";
import { reluCells, theorem34Spectrum } from "../../lib/papers/cracking-the-hessian";
import { AssumptionError, Explorable, compareSpectra, int } from "./types";

export const explorable: Explorable = {
  name: "cracking-theorem-3.4",
  notebook: "cracking-the-hessian/theorem-3.4",
  title: "Theorem 3.4: the ReLU network's spectrum splits by cell",
  claim: "For f(x) = Σⱼ wⱼ ReLU(vⱼ x) on scalar inputs, units with vⱼ > 0 see only x > 0 (the + cell) and units with vⱼ < 0 only x < 0: the Hessian is block diagonal by cell and each cell's spectrum is Theorem 3.1's with that cell's statistics, scaled by n±/n. The theorem assumes no unit sits on a kink (vⱼ ≠ 0).",
  matrix: "Hessian",
  params: [
    { key: "m", label: "width m", min: 1, max: 30, step: 1, value: 10 },
    { key: "n", label: "samples n", min: 4, max: 600, step: 1, value: 300 },
    { key: "slopePos", label: "wedge slope, x > 0", min: -3, max: 3, step: 0.1, value: 1.5 },
    { key: "slopeNeg", label: "wedge slope, x < 0", min: -3, max: 3, step: 0.1, value: -0.5 },
    { key: "v1", label: "v₁ (first unit's input weight; 0 is a kink)", min: -2, max: 2, step: 0.1, value: 0.7 },
    { key: "initStd", label: "init std", min: 0.05, max: 2, step: 0.05, value: 0.8 },
    { key: "seed", label: "seed", min: 1, max: 200, step: 1, value: 34 },
  ],
  compute(p) {
    const m = int(p, "m");
    const gen = rng(int(p, "seed"));
    const data = wedgeData(int(p, "n"), gen, { slopePos: p.slopePos, slopeNeg: p.slopeNeg, noiseStd: 0.1 });
    const x = Float64Array.from(data.X.getRow(0)), y = Float64Array.from(data.Y.getRow(0));
    const theta = gen.normalArray(2 * m, 0, p.initStd);
    theta[m] = p.v1; // twoLayerRelu orders theta = (w, v)
    const w = theta.slice(0, m), v = theta.slice(m);
    const kink = Array.from(v).findIndex((vj) => vj === 0);
    if (kink >= 0) throw new AssumptionError(`Theorem 3.4 assumes no unit sits on a ReLU kink, but v_${kink + 1} = 0: the loss is not twice differentiable there, so there is no Hessian to compare.`);
    const cells = reluCells(w, v, x, y);
    const computed = Array.from(eigh(hessian(mseProblem(twoLayerRelu(m), data.X, data.Y), theta)).values);
    const predicted = Array.from(theorem34Spectrum(cells));
    return {
      computed, predicted, agreement: compareSpectra("theorem 3.4", computed, predicted), tolerance: 1e-10,
      notes: [`+ cell: ${cells.plus.units.length} units, n₊/n = ${cells.plus.fraction.toFixed(3)}; − cell: ${cells.minus.units.length} units, n₋/n = ${cells.minus.fraction.toFixed(3)}`, `distance from a kink: min |vⱼ| = ${cells.minAbsV.toPrecision(3)}`],
    };
  },
};
