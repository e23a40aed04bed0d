/**
 * Resumable, content-keyed tasks for studies that loop over independent networks: `runTasks` (worker
 * threads), `runTasksBlocking` (worker threads, for synchronous callers) and `runTasksSync` (this thread), the task store under results/tasks/, shards (`HS_SHARD`).
 */
export { runTasks, runTasksSync, runTasksBlocking, planTasks, workerCount, ShardPendingError } from "./run";
export type { StudyTasks, TaskOutcome, TaskFunction, TaskContext } from "./run";
export { taskKey, canonicalJson, sha256 } from "./key";
export type { Task } from "./key";
export { readTask, writeTask, taskPath, writeFileAtomic } from "./store";
export type { TaskRecord, Lookup } from "./store";
export { encodeResult, decodeResult } from "./encode";
export { parseShard, shardFromEnv, inShard } from "./shard";
export type { Shard } from "./shard";
export { sourceVersion, moduleFiles, taskCodeFiles } from "./version";
export { tasksRoot, scaleTasksRoot, studyDir, projectRoot } from "./paths";
