// A task worker of runTasksBlocking: the main thread sleeps in Atomics.wait (its event loop does not run),
// so nothing travels by message. The worker claims tasks from a shared counter, computes each, writes it
// to the task store itself and counts it done; every change is announced with Atomics.notify.
"use strict";
const { workerData } = require("node:worker_threads");
const { existsSync } = require("node:fs");
const { join } = require("node:path");

// Slots of the shared control array (the same constants as in run.ts).
const NEXT = 0, EVENTS = 1, DONE = 2, FAILED = 3, ERROR_LENGTH = 4, EXITED = 5;
const { control, errorBytes, modulePath, run, todo, root, shared } = workerData;
const C = new Int32Array(control);
const E = new Uint8Array(errorBytes);

function announce() {
  Atomics.add(C, EVENTS, 1);
  Atomics.notify(C, EVENTS);
}

// The first failure wins: FAILED holds 1 for a worker that could not start, index + 2 for a failed task.
function fail(code, e) {
  if (Atomics.compareExchange(C, FAILED, 0, code) === 0) {
    const text = Buffer.from(e && e.stack ? e.stack : String(e), "utf8").subarray(0, E.length);
    E.set(text);
    Atomics.store(C, ERROR_LENGTH, text.length);
  }
  announce();
}

async function main() {
  let fn, rng, encodeResult, writeTask;
  try {
    require("./register-ts.cjs");
    const kernels = join(__dirname, "..", "linalg", "kernels", "index.ts");
    // One BLAS thread per worker: the workers already use the cores.
    if (existsSync(kernels)) {
      const k = require(kernels);
      if (typeof k.setBlasThreads === "function") k.setBlasThreads(1);
    }
    ({ rng } = require(join(__dirname, "..", "random", "rng.ts")));
    ({ encodeResult } = require(join(__dirname, "encode.ts")));
    ({ writeTask } = require(join(__dirname, "store.ts")));
    fn = require(modulePath)[run];
    if (typeof fn !== "function") throw new Error(`runTasksBlocking: ${modulePath} exports no function "${run}"`);
  } catch (e) {
    fail(1, e);
    return;
  }
  for (;;) {
    if (Atomics.load(C, FAILED) !== 0) return;
    const k = Atomics.add(C, NEXT, 1);
    if (k >= todo.length) return;
    const { index, task } = todo[k];
    const started = Date.now();
    try {
      const value = await fn(task.params, rng(task.seed), { index, task, shared });
      writeTask(task, index, encodeResult(value), (Date.now() - started) / 1000, root);
    } catch (e) {
      fail(index + 2, e);
      return;
    }
    Atomics.add(C, DONE, 1);
    announce();
  }
}

main().finally(() => {
  Atomics.add(C, EXITED, 1);
  announce();
});
