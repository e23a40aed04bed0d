// A task worker of runTasksBlocking: the main thread sleeps in Atomics.wait (its event loop does not run),
// so nothing travels by message. The worker claims tasks from a shared counter, computes each, writes it
// to the task store itself and counts it done; every change is announced with Atomics.notify.
"use strict";
const { workerData } = require("node:worker_threads");
const { existsSync } = require("node:fs");
const { join } = require("node:path");

// Slots of the shared control array (the same constants as in run.ts).
const NEXT = 0, EVENTS = 1, DONE = 2, FAILED = 3, ERROR_LENGTH = 4, EXITED = 5;
const { parentPort } = require("node:worker_threads");
let setup = null;

// One job: the tasks of one study. The first comes as workerData, later ones by message (the pool is kept
// between the calls of a notebook, so a worker loads the library once).
async function runJob(job) {
  const { control, errorBytes, modulePath, run, todo, root, shared } = job;
  const C = new Int32Array(control);
  const E = new Uint8Array(errorBytes);
  const announce = () => {
    Atomics.add(C, EVENTS, 1);
    Atomics.notify(C, EVENTS);
  };
  // The first failure wins: FAILED holds 1 for a worker that could not start, index + 2 for a failed task.
  const fail = (code, e) => {
    if (Atomics.compareExchange(C, FAILED, 0, code) === 0) {
      const text = Buffer.from(e && e.stack ? e.stack : String(e), "utf8").subarray(0, E.length);
      E.set(text);
      Atomics.store(C, ERROR_LENGTH, text.length);
    }
    announce();
  };
  try {
    let fn;
    try {
      if (setup === null) {
        require("./register-ts.cjs");
        const kernels = join(__dirname, "..", "linalg", "kernels", "index.ts");
        const k = existsSync(kernels) ? require(kernels) : {};
        setup = {
          kernels: typeof k.useBackend === "function" ? k.useBackend : () => {},
          invokeTask: require(join(__dirname, "invoke.ts")).invokeTask,
          encodeResult: require(join(__dirname, "encode.ts")).encodeResult,
          writeTask: require(join(__dirname, "store.ts")).writeTask,
        };
      }
      // The main thread's kernels (a test or a notebook may have switched them with useBackend); invokeTask
      // sets the one BLAS thread for every task (the setting is process-wide, and the main thread takes its own
      // count back between jobs).
      if (job.backend) setup.kernels(job.backend);
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
        const value = await setup.invokeTask(fn, task, index, shared);
        setup.writeTask(task, index, setup.encodeResult(value), (Date.now() - started) / 1000, root);
      } catch (e) {
        fail(index + 2, e);
        return;
      }
      Atomics.add(C, DONE, 1);
      announce();
    }
  } finally {
    Atomics.add(C, EXITED, 1);
    announce();
  }
}

// Jobs run one after another (a later job waits for the one before).
let queue = runJob(workerData);
parentPort.on("message", (job) => {
  queue = queue.then(() => runJob(job));
});
