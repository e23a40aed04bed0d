// The explorables' computations in Node (the same code the pages bundle): at the default sliders the dense
// spectrum agrees with the closed form within the claim's tolerance; slider settings outside a claim's
// assumptions throw an AssumptionError naming the assumption; the agreement measure can fail.
import { describe, expect, it } from "vitest";
import { explorables } from "../../site/explorables";
import { AssumptionError, compareSpectra, defaults, padAscending } from "../../site/explorables/types";

const byName = new Map(explorables.map((e) => [e.name, e]));

describe("explorables (computation)", () => {
  it("there are the eight claims of the brief, each pointing at its notebook", () => {
    expect(explorables.map((e) => e.notebook).sort()).toEqual([
      "cracking-the-hessian/corollary-B.2", "cracking-the-hessian/theorem-3.1", "cracking-the-hessian/theorem-3.4", "cracking-the-hessian/theorem-3.5",
      "data-dependence/equation-15-16", "data-dependence/equation-9", "depth-not-data/corollary-3.6", "depth-not-data/lemma-A.1",
    ]);
    for (const e of explorables) for (const p of e.params) expect(p.value >= p.min && p.value <= p.max, `${e.name}.${p.key}`).toBe(true);
  });

  for (const e of explorables) {
    it(`${e.name}: dense spectrum vs closed form at the default sliders`, () => {
      const o = e.compute(defaults(e));
      expect(o.computed.length).toBe(o.predicted.length);
      expect(o.computed.every(Number.isFinite)).toBe(true);
      expect(o.agreement).toBeLessThanOrEqual(o.tolerance);
    });
  }

  it("settings the claims exclude name the failing assumption", () => {
    const t34 = byName.get("cracking-theorem-3.4")!;
    expect(() => t34.compute({ ...defaults(t34), v1: 0 })).toThrow(AssumptionError);
    expect(() => t34.compute({ ...defaults(t34), v1: 0 })).toThrow(/kink/);
    const a1 = byName.get("dnd-lemma-A.1")!;
    expect(() => a1.compute({ ...defaults(a1), r: 5, dStar: 3 })).toThrow(/Assumption 3.2 .* r ≤ d\*/);
    expect(() => a1.compute({ ...defaults(a1), dStar: 7, d0: 5 })).toThrow(/d\* ≤ d₀/);
    const e9 = byName.get("dd-eq-9")!;
    expect(() => e9.compute({ ...defaults(e9), sMin: 1.4, sMax: 0.5 })).toThrow(AssumptionError);
  });

  it("coincident singular values (the stable form of (9)) still agree", () => {
    const e9 = byName.get("dd-eq-9")!;
    const o = e9.compute({ ...defaults(e9), sMin: 0.9, sMax: 0.9 });
    expect(o.agreement).toBeLessThanOrEqual(o.tolerance);
  });

  it("the agreement measure fails on a wrong closed form", () => {
    const e = byName.get("cracking-theorem-3.1")!;
    const o = e.compute(defaults(e));
    const wrong = o.predicted.map((v, i) => (i === o.predicted.length - 1 ? v * (1 + 1e-6) : v));
    expect(compareSpectra("test", o.computed, wrong)).toBeGreaterThan(o.tolerance);
    expect(() => compareSpectra("test", o.computed, o.predicted.slice(1))).toThrow(/test: the closed form has/);
    expect(padAscending([3, 1], 4)).toEqual([0, 0, 1, 3]);
  });
});
