/**
 * A real text corpus available offline and character-level language-modelling batches, for the small
 * Transformer analogue of Cracking the Hessian's GPT-2 studies.
 *
 * Default corpus: the licence texts that every Debian system ships in `/usr/share/common-licenses/`
 * (package base-files; about 260 kB of English prose).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Matrix } from "ml-matrix";
import { Rng } from "../random/rng";
import { assertPositiveInt } from "../linalg/validate";

/** Folder of the default corpus. */
export const COMMON_LICENSES_DIR = "/usr/share/common-licenses";

/**
 * The text of `files` joined by blank lines; default: every regular file of /usr/share/common-licenses in
 * name order. Throws naming the missing file or folder.
 */
export function loadTextCorpus(files?: string[]): string {
  let list = files;
  if (list === undefined) {
    if (!existsSync(COMMON_LICENSES_DIR)) throw new Error(`loadTextCorpus: ${COMMON_LICENSES_DIR} not found (Debian package base-files); pass files explicitly`);
    list = readdirSync(COMMON_LICENSES_DIR).sort().map((f) => join(COMMON_LICENSES_DIR, f)).filter((p) => statSync(p).isFile());
  }
  if (list.length === 0) throw new RangeError("loadTextCorpus: files must name at least one file");
  return list.map((p) => {
    if (!existsSync(p)) throw new Error(`loadTextCorpus: file not found: ${p}`);
    return readFileSync(p, "utf8");
  }).join("\n\n");
}

/** Character vocabulary of a text: sorted distinct characters and the token ids of the text. */
export function charTokenize(text: string): { chars: string[]; tokens: Int32Array } {
  if (text.length === 0) throw new RangeError("charTokenize: text is empty");
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  const arr = [...text];
  return { chars, tokens: Int32Array.from(arr, (c) => index.get(c) as number) };
}

/**
 * B random windows of T + 1 consecutive tokens: inputs as a one-hot `vocab x (T B)` matrix (column
 * b T + t = token t of window b) and next-token labels (length T B), for `crossEntropyProblem`.
 */
export function languageModelBatch(tokens: Int32Array, vocab: number, T: number, B: number, gen: Rng): { X: Matrix; labels: Int32Array; starts: Int32Array } {
  assertPositiveInt("languageModelBatch: vocab", vocab);
  assertPositiveInt("languageModelBatch: T", T);
  assertPositiveInt("languageModelBatch: B", B);
  if (tokens.length < T + 1) throw new RangeError(`languageModelBatch: tokens must hold at least T + 1 = ${T + 1} entries, got ${tokens.length}`);
  const X = new Matrix(vocab, T * B);
  const labels = new Int32Array(T * B);
  const starts = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const s = gen.int(tokens.length - T);
    starts[b] = s;
    for (let t = 0; t < T; t++) {
      const tok = tokens[s + t];
      if (!(tok >= 0 && tok < vocab)) throw new RangeError(`languageModelBatch: token ${tok} at ${s + t} is outside [0, ${vocab})`);
      X.set(tok, b * T + t, 1);
      labels[b * T + t] = tokens[s + t + 1];
    }
  }
  return { X, labels, starts };
}
