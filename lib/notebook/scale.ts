import { appendRunRecord } from "./check";

/**
 * Problem scale for a notebook run. "quick" (the default) keeps each claim at a size that runs in seconds;
 * "paper" uses the settings the paper states. The runner sets it with `--scale`, through HS_SCALE.
 */
export type Scale = "quick" | "paper";

/** Parse a scale name, naming the source when it is not one of the two. */
export function parseScale(value: string | undefined, source = "HS_SCALE"): Scale {
  if (value === undefined || value === "") return "quick";
  if (value === "quick" || value === "paper") return value;
  throw new RangeError(`${source} must be "quick" or "paper", got "${value}"`);
}

/** The scale of this run. */
export const scale: Scale = parseScale(process.env.HS_SCALE);

/**
 * Pick the value for the current scale: `pick({ quick: { L: 3 }, paper: { L: 7 } })`.
 * Both entries are required so that a notebook always states its paper-scale settings. Under the runner the
 * chosen entry is recorded with the run (the ledger of a paper-scale run states the parameters it used).
 */
export function pick<T>(choices: { quick: T; paper: T }, at: Scale = scale): T {
  if (choices === null || typeof choices !== "object" || !("quick" in choices) || !("paper" in choices)) {
    throw new TypeError("pick: expected an object with both `quick` and `paper` entries");
  }
  const chosen = at === "paper" ? choices.paper : choices.quick;
  appendRunRecord({ record: "parameters", scale: at, parameters: chosen });
  return chosen;
}
