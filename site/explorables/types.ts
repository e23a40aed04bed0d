/**
 * What an explorable is: a closed-form claim, its parameters (the sliders), and `compute`, which builds the
 * network from the parameters, takes the exact dense Hessian (or GGN) from lib/curvature, its eigenvalues
 * from lib/linalg, and the closed form from lib/papers. DOM-free, so the same code runs in Node tests and in
 * the page (site/runtime.ts draws it).
 */

/** One slider. */
export interface Param {
  key: string;
  /** Label in the paper's notation. */
  label: string;
  min: number;
  max: number;
  step: number;
  /** Default value. */
  value: number;
}

/** What one recomputation found. */
export interface Outcome {
  /** Eigenvalues of the dense matrix, ascending. */
  computed: number[];
  /** The closed form's eigenvalues, ascending, same length. */
  predicted: number[];
  /** max_i |computed_i - predicted_i| / max_i |computed_i|. */
  agreement: number;
  /** The claim's tolerance on `agreement` (the notebook's). */
  tolerance: number;
  /** Extra lines shown under the plot (cluster counts, ratios ...). */
  notes: string[];
}

export interface Explorable {
  /** Page name under explorables/. */
  name: string;
  /** The notebook that checks the same claim, e.g. "cracking-the-hessian/theorem-3.1". */
  notebook: string;
  title: string;
  /** One paragraph: the claim and what the plot compares (plain text, may hold LaTeX-free unicode). */
  claim: string;
  /** What is differentiated: "Hessian" or "GGN (H_o)". */
  matrix: string;
  params: Param[];
  /** Recompute at the given parameter values; throws AssumptionError when the claim's assumptions fail. */
  compute(values: Record<string, number>): Outcome;
}

/** The parameters lie outside the claim's assumptions: the page says which, instead of plotting. */
export class AssumptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssumptionError";
  }
}

/** Default slider values of an explorable. */
export function defaults(e: Explorable): Record<string, number> {
  return Object.fromEntries(e.params.map((p) => [p.key, p.value]));
}

/**
 * Compare two ascending spectra: max |c_i - p_i| / max |c_i| (the notebooks' relative error).
 * Throws when the lengths differ (the closed form must account for every eigenvalue).
 */
export function compareSpectra(fn: string, computed: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (computed.length !== predicted.length) throw new Error(`${fn}: the closed form has ${predicted.length} eigenvalues, the dense matrix ${computed.length}`);
  let scale = 0, worst = 0;
  for (let i = 0; i < computed.length; i++) {
    scale = Math.max(scale, Math.abs(computed[i]));
    worst = Math.max(worst, Math.abs(computed[i] - predicted[i]));
  }
  return scale === 0 ? worst : worst / scale;
}

/** Closed-form values (any order) padded with zeros to p and sorted ascending. */
export function padAscending(values: ArrayLike<number>, p: number): number[] {
  const out = Array.from(values).slice(0, p);
  while (out.length < p) out.push(0);
  return out.sort((a, b) => a - b);
}

/** An integer parameter, checked (sliders deliver numbers; a hand-edited URL may not). */
export function int(values: Record<string, number>, key: string): number {
  const v = values[key];
  if (!Number.isInteger(v)) throw new Error(`explorable: parameter ${key} must be an integer, got ${v}`);
  return v;
}
