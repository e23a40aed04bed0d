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
