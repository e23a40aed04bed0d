/**
 * The explorable's computation off the page's main thread: the page posts { id, values }, the worker
 * answers { id, outcome } or { id, error: { name, message } }, and its kernel backend. Bundled per explorable
 * by tools/book.mjs and embedded in the page's bundle as source (file:// pages may only start blob workers).
 */
import type { Explorable, Outcome } from "./explorables/types";
import { backendName } from "../lib/linalg/kernels";

export interface Request { id: number; values: Record<string, number> }
export interface Reply { id: number; outcome?: Outcome; error?: { name: string; message: string }; backend: string }

export function serve(e: Explorable): void {
  const scope = self as unknown as { onmessage: ((ev: { data: Request }) => void) | null; postMessage(r: Reply): void };
  scope.onmessage = (ev) => {
    const { id, values } = ev.data;
    try {
      scope.postMessage({ id, outcome: e.compute(values), backend: backendName() });
    } catch (err) {
      scope.postMessage({ id, error: { name: (err as Error).name, message: (err as Error).message }, backend: backendName() });
    }
  };
}
