/**
 * The check functions a figure module calls, handed in by the notebook: lib/experiments sits below
 * lib/notebook and may not import it, and a test can hand in a recorder instead. Its own module, so that a
 * figure depends only on this contract, not on another figure's machinery.
 */

/** The check functions of lib/notebook (`check`, `checkAtMost`, `checkAtLeast`, `markdown`). */
export interface NotebookChecks {
  check(name: string, measured: number, expected: number, tolerance: number, kindOrOptions?: "absolute" | "relative" | { kind?: "absolute" | "relative"; disagreement?: string }): void;
  checkAtMost(name: string, measured: number, limit: number, options?: { disagreement?: string }): void;
  checkAtLeast(name: string, measured: number, limit: number, options?: { disagreement?: string }): void;
  markdown(text: string): void;
}

/** Refuse a `checks` argument that lacks one of the functions a figure's checks call. */
export function requireChecks<K extends keyof NotebookChecks>(fn: string, checks: Pick<NotebookChecks, K>, names: K[]): Pick<NotebookChecks, K> {
  for (const name of names) {
    if (typeof checks?.[name] !== "function") throw new TypeError(`${fn}: checks.${name} must be a function (pass lib/notebook, or { ${names.join(", ")} })`);
  }
  return checks;
}
