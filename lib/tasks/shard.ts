/**
 * Shards: `k/N` is the k-th of N disjoint slices of a list (task i belongs to shard (i mod N) + 1), so N
 * machines each run one slice and together run everything once. The runner's `--shard k/N` reaches a
 * study through `HS_SHARD`.
 */

/** One slice: `index` in 1..count. */
export interface Shard {
  index: number;
  count: number;
}

/** Parse "k/N" (1 <= k <= N); `source` names where the text came from in the error. */
export function parseShard(text: string, source = "HS_SHARD"): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(String(text).trim());
  if (!m) throw new RangeError(`${source} must be k/N with whole numbers 1 <= k <= N, got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new RangeError(`${source} must be k/N with 1 <= k <= N, got "${text}"`);
  return { index, count };
}

/** The shard of this process: from `HS_SHARD`, or null (run everything). */
export function shardFromEnv(): Shard | null {
  const v = process.env.HS_SHARD;
  return v === undefined || v === "" ? null : parseShard(v, "HS_SHARD");
}

/** Whether item `i` (0-based) belongs to `shard` (every item does when shard is null). */
export function inShard(i: number, shard: Shard | null): boolean {
  return shard === null || i % shard.count === shard.index - 1;
}
