import { describe, expect, it } from "vitest";
import { Matrix } from "ml-matrix";
import { compareSpectrum, maxAbs, maxRelativeDifference, spectrumRelativeError } from "../../lib/notebook/compare";

describe("notebook comparisons", () => {
  it("maxAbs of matrices and arrays; NaN is not hidden", () => {
    expect(maxAbs(new Matrix([[1, -3], [2, 0]]))).toBe(3);
    expect(maxAbs([0.5, -0.25])).toBe(0.5);
    expect(maxAbs([])).toBe(0);
    expect(maxAbs([1, NaN])).toBeNaN();
    expect(() => maxAbs(null as never)).toThrow("maxAbs: a must be a Matrix or an array of numbers, got null");
  });

  it("spectrumRelativeError and compareSpectrum: exact for a diagonal matrix, a perturbed prediction is measured", () => {
    const H = new Matrix([[2, 0, 0], [0, -4, 0], [0, 0, 1]]);
    expect(compareSpectrum(H, [-4, 1, 2]).relErr).toBe(0);
    expect(spectrumRelativeError([-4, 1, 2], [-4, 1.4, 2])).toBeCloseTo(0.1, 15);
    expect(() => spectrumRelativeError([1, 2], [1])).toThrow("spectrumRelativeError: predicted must have 2 values (one per computed eigenvalue), got 1");
  });

  it("maxRelativeDifference is relative to the reference's scale", () => {
    expect(maxRelativeDifference([1, 2.2], [1, 2])).toBeCloseTo(0.1, 15);
    expect(() => maxRelativeDifference([1], [1, 2])).toThrow(/maxRelativeDifference: a and b must have the same number of entries/);
  });
});

import { clusteredSpectrum, countByGap, eigenvaluesDescending, linearFit, maxScaledDeviation, multiplicityNear, symmetricNorm, weylExcess } from "../../lib/notebook/compare";

describe("notebook comparisons of clustered spectra", () => {
  it("descending eigenvalues and the symmetric norm", () => {
    const H = new Matrix([[2, 0], [0, -5]]);
    expect(Array.from(eigenvaluesDescending(H))).toEqual([2, -5]);
    expect(symmetricNorm(H)).toBe(5);
    expect(() => symmetricNorm([[1]] as never)).toThrow("symmetricNorm: A must be a Matrix");
  });

  it("a clustered prediction against a spectrum, missing values counted as 0", () => {
    expect(Array.from(clusteredSpectrum({ dominant: 1, bulk: 2 }, { dominant: 3, bulk: 1 }, 4))).toEqual([3, 1, 1, 0]);
    expect(() => clusteredSpectrum({ dominant: 2, bulk: 2 }, { dominant: 3, bulk: 1 }, 3)).toThrow(/clusteredSpectrum: p must be an integer >= 4/);
    expect(maxScaledDeviation([3, 1, 0.5], [3, 1], 2)).toBe(0.25);
    expect(maxScaledDeviation([3, NaN], [3], 1)).toBeNaN();
    expect(() => maxScaledDeviation([1], [1, 2], 1)).toThrow(/maxScaledDeviation: predicted must have at most 1 values/);
    expect(multiplicityNear([{ value: 1, multiplicity: 2 }, { value: 1.05, multiplicity: 1 }, { value: 0, multiplicity: 4 }], 1, 0.1)).toBe(3);
  });

  it("counts by the largest gap, Weyl excess, linear fit", () => {
    expect(countByGap([10, 9, 1, 1, 1, 1e-12], 1e-8)).toEqual({ dominant: 2, bulk: 3, zeroMax: 1e-13 });
    expect(weylExcess([3, 1], [2.5, 1.2], 0.4)).toBeCloseTo(0.1, 15);
    expect(weylExcess([3, 1], [2.9, 1], 0.4)).toBe(0);
    const fit = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit.b).toBeCloseTo(2, 14);
    expect(fit.a).toBeCloseTo(1, 14);
    expect(fit.r2).toBeCloseTo(1, 14);
    expect(() => linearFit([1], [1])).toThrow(/linearFit/);
  });
});
