// A task worker: loads the task module (TypeScript, through register-ts.cjs) and runs the tasks it is sent,
// one at a time, through invokeTask (invoke.ts: the task's own generator, one BLAS thread); the result goes
// back already encoded for the store, so what the main thread returns is the same whether a task was
// computed now or read from disk.
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { existsSync } = require("node:fs");
const { join } = require("node:path");
require("./register-ts.cjs");

const root = join(__dirname, "..", "..");
const kernels = join(root, "lib", "linalg", "kernels", "index.ts");
// The main thread's kernels (a test or a notebook may have switched them with useBackend); invokeTask sets
// the one BLAS thread.
if (existsSync(kernels) && workerData.backend) {
  const k = require(kernels);
  if (typeof k.useBackend === "function") k.useBackend(workerData.backend);
}
const { invokeTask } = require(join(__dirname, "invoke.ts"));
const { encodeResult } = require(join(__dirname, "encode.ts"));
const fn = require(workerData.module)[workerData.run];
if (typeof fn !== "function") throw new Error(`runTasks: ${workerData.module} exports no function "${workerData.run}"`);

parentPort.on("message", async (msg) => {
  const started = Date.now();
  try {
    const value = await invokeTask(fn, msg.task, msg.index, workerData.shared);
    parentPort.postMessage({ index: msg.index, encoded: encodeResult(value), seconds: (Date.now() - started) / 1000 });
  } catch (e) {
    parentPort.postMessage({ index: msg.index, error: e && e.stack ? e.stack : String(e) });
  }
});
