/**
 * Sending rich output (a MIME bundle) to the front-end. Inside the tslab kernel a bundle goes out as one
 * Jupyter `display_data` message, so each front-end picks the richest type it renders. Outside a kernel
 * (tests, plain node) it goes to a sink, which tests replace to capture what would be displayed.
 */
export type MimeBundle = Record<string, unknown>;
export type DisplaySink = (bundle: MimeBundle) => void;

interface TslabJupyter {
  lastWriteDisplayData: ((data: { data: MimeBundle; metadata: object; transient: object }, update: boolean) => void) | null;
}

/** The kernel's display writer, or null outside a tslab kernel. Loaded lazily: tests never load tslab. */
function kernelWriter(): TslabJupyter["lastWriteDisplayData"] {
  if (!(globalThis as { __tslab__?: unknown }).__tslab__) return null;
  // tslab's public `display.raw` sends one MIME type per message; its internal writer sends a bundle.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const jupyter = require("tslab/dist/jupyter") as TslabJupyter;
  return jupyter.lastWriteDisplayData;
}

/** Outside a kernel: print the text/plain part, so a script still shows something readable. */
const printPlain: DisplaySink = (bundle) => {
  const text = bundle["text/plain"];
  if (typeof text === "string") console.log(text);
};

let sink: DisplaySink | null = null;

/** Replace where bundles go outside a kernel (tests); `null` restores the default. Returns the previous. */
export function setDisplaySink(next: DisplaySink | null): DisplaySink | null {
  const previous = sink;
  sink = next;
  return previous;
}

/** Display one MIME bundle. */
export function displayBundle(bundle: MimeBundle): void {
  if (sink) return sink(bundle);
  const write = kernelWriter();
  if (write) write({ data: bundle, metadata: {}, transient: {} }, false);
  else printPlain(bundle);
}

/** Display Markdown computed at run time (numbers a closing cell cannot know in advance). */
export function markdown(text: string): void {
  if (typeof text !== "string") throw new TypeError("markdown: text must be a string");
  displayBundle({ "text/markdown": text, "text/plain": text });
}

/**
 * Display rows (objects, as `console.table` takes them) as one Markdown table: columns are the keys in order
 * of first appearance, numbers are printed with `digits` significant digits (default 10), numeric columns
 * (numbers, or strings that read as numbers) align right. Unlike `console.table`, whose box-drawn rows wrap in a narrow output area, every front-end
 * renders it as a table; `text/plain` keeps an aligned text copy.
 */
export function table(rows: Array<Record<string, unknown>>, options: { digits?: number } = {}): void {
  if (!Array.isArray(rows) || rows.length === 0) throw new TypeError("table: rows must be a non-empty array of objects");
  const digits = options.digits ?? 10;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw new RangeError(`table: digits must be an integer in 1..17, got ${digits}`);
  const columns: string[] = [];
  rows.forEach((row, i) => {
    if (row === null || typeof row !== "object" || Array.isArray(row)) throw new TypeError(`table: rows[${i}] must be an object, got ${row === null ? "null" : typeof row}`);
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  });
  const format = (v: unknown): string => {
    if (v === undefined || v === null) return "";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(digits)));
    return String(v);
  };
  const cells = rows.map((row) => columns.map((c) => format(row[c])));
  // Numbers already formatted by the notebook ("1.5e-3", toFixed) align right too.
  const isNumber = (v: unknown) => v === undefined || v === null || typeof v === "number" || (typeof v === "string" && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?%?$/i.test(v.trim()));
  const numeric = columns.map((c) => rows.every((row) => isNumber(row[c])));
  const escape = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const md = [
    `| ${columns.map(escape).join(" | ")} |`,
    `|${numeric.map((n) => (n ? "---:" : ":---")).join("|")}|`,
    ...cells.map((r) => `| ${r.map(escape).join(" | ")} |`),
  ].join("\n");
  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const pad = (s: string, j: number) => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]));
  const text = [columns.map(pad).join("  "), ...cells.map((r) => r.map(pad).join("  "))].join("\n");
  displayBundle({ "text/markdown": md, "text/plain": text });
}
