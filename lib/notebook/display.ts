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
