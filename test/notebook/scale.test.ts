import { describe, expect, it } from "vitest";
import { parseScale, pick } from "../../lib/notebook";

describe("scale", () => {
  it("defaults to quick and accepts paper", () => {
    expect(parseScale(undefined)).toBe("quick");
    expect(parseScale("")).toBe("quick");
    expect(parseScale("paper")).toBe("paper");
  });
  it("rejects anything else, naming the source", () => {
    expect(() => parseScale("huge")).toThrow(/HS_SCALE must be "quick" or "paper", got "huge"/);
  });
  it("pick chooses by scale and requires both entries", () => {
    expect(pick({ quick: 1, paper: 2 }, "quick")).toBe(1);
    expect(pick({ quick: 1, paper: 2 }, "paper")).toBe(2);
    expect(() => pick({ quick: 1 } as unknown as { quick: number; paper: number })).toThrow(/both `quick` and `paper`/);
  });
});
