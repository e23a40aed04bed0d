/**
 * Image data sets handed to the tasks of a study (lib/tasks) through `shared`: a task's params name the
 * data set and carry its content hash (so the task key changes with the data), and the task finds the data
 * set in `context.shared` and checks the hash before it computes.
 */
import { createHash } from "crypto";
import type { ImageDataset } from "../../data/loaders";

/** What stands for an image data set in a task's params: its name and the sha256 of its content. */
export interface DatasetRef {
  name: string;
  hash: string;
}

/** sha256 of an image data set's shape, images and labels (its identity in a task key). */
export function imageDatasetHash(ds: ImageDataset): string {
  if (!ds || !(ds.images instanceof Uint8Array) || !(ds.labels instanceof Uint8Array)) throw new TypeError("imageDatasetHash: ds must be an ImageDataset (images and labels as Uint8Array)");
  const h = createHash("sha256").update(JSON.stringify({ count: ds.count, dim: ds.dim, shape: ds.shape, classes: ds.classes })).update("\0");
  h.update(ds.images).update("\0").update(ds.labels);
  return h.digest("hex");
}

/** The reference of a data set for task params: `{ name: ds.name, hash }`. */
export function datasetRef(ds: ImageDataset): DatasetRef {
  return { name: ds.name, hash: imageDatasetHash(ds) };
}

// Hashes already verified in this thread (a job's shared value is cloned once per worker, not per task).
const verified = new WeakMap<ImageDataset, string>();

/**
 * The data set `ref` from a task's `context.shared`, a record of data sets keyed by name; throws when it is
 * absent or its content hash is not `ref.hash` (a task must never compute on other data than its key says).
 */
export function sharedDataset(shared: unknown, ref: DatasetRef, fn: string): ImageDataset {
  const ds = shared !== null && typeof shared === "object" ? (shared as Record<string, ImageDataset>)[ref.name] : undefined;
  if (ds === undefined) throw new Error(`${fn}: context.shared must hold the data set "${ref.name}" (a record of data sets by name)`);
  let hash = verified.get(ds);
  if (hash === undefined) {
    hash = imageDatasetHash(ds);
    verified.set(ds, hash);
  }
  if (hash !== ref.hash) throw new Error(`${fn}: the shared data set "${ref.name}" has hash ${hash.slice(0, 12)}, the params say ${ref.hash.slice(0, 12)}`);
  return ds;
}

/** `{ [ds.name]: ds }` for `shared`, with the references for the params. */
export function sharedDatasets(datasets: ImageDataset[]): { shared: Record<string, ImageDataset>; refs: DatasetRef[] } {
  const shared: Record<string, ImageDataset> = {};
  for (const ds of datasets) {
    if (shared[ds.name] !== undefined && shared[ds.name] !== ds) throw new RangeError(`sharedDatasets: two different data sets are named "${ds.name}"`);
    shared[ds.name] = ds;
  }
  const refs = datasets.map(datasetRef);
  refs.forEach((r, i) => verified.set(datasets[i], r.hash));
  return { shared, refs };
}
