// The kernel that every front-end starts (registered by tools/setup.mjs): tslab, run from the project root.
// tslab compiles cells with TypeScript's rootDir set to the kernel's working directory, and Jupyter starts a
// kernel in the notebook's own folder; starting it from the root lets every notebook import "./lib/...".
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const configPath = process.argv[2];
if (!configPath) {
  console.error("kernel: expected the Jupyter connection file as the first argument");
  process.exit(2);
}
process.chdir(root);
const require = createRequire(join(root, "package.json"));

// tslab type-checks every import, but at run time it serves only the files it compiled for an import of a
// file: an import of a folder ("./lib/linalg" meaning lib/linalg/index.ts) falls through to Node, which
// knows no .ts. Teach Node to load .ts (transpiled with tslab's own TypeScript), so such imports work too.
let ts;
try {
  ts = require("@tslab/typescript-for-tslab");
} catch {
  // Without this the front-end shows "starting" forever; say what to do where the server's log shows it.
  console.error(`kernel: node_modules are missing or incomplete in ${root}: run \`npm run kernel\` (it runs npm ci) or \`npm ci\` there, then restart the kernel.`);
  process.exit(1);
}
const Module = require("node:module");
if (!Module._extensions[".ts"]) {
  Module._extensions[".ts"] = (module, filename) => {
    const source = require("node:fs").readFileSync(filename, "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
    });
    module._compile(outputText, filename);
  };
}

// tslab handles shell messages concurrently: each queued execute_request (Run All) publishes "busy" on
// arrival and "idle" when its reply is sent, so after the first cell's "idle" the front-end shows an idle
// kernel while the next cells still run. Publish a cell's "busy" when it starts executing and its "idle"
// as soon as it ends (before the next queued cell starts), so the states alternate per cell.
const jupyter = require("tslab/dist/jupyter.js");
const cells = new WeakMap(); // execute_request content -> { busy(), idle(), done }
const publishStatus = jupyter.ZmqServer.prototype.publishStatus;
jupyter.ZmqServer.prototype.publishStatus = function (status, parent) {
  if (parent?.header?.msg_type !== "execute_request") return publishStatus.call(this, status, parent);
  if (status === "busy") {
    const send = (state) => publishStatus.call(this, state, parent);
    cells.set(parent.content, { busy: () => send("busy"), idle: () => send("idle"), done: false });
    return;
  }
  // A cell that never started (aborted after an error) still gets its one "idle".
  if (!cells.get(parent.content)?.done) publishStatus.call(this, status, parent);
};
const handleExecuteImpl = jupyter.JupyterHandlerImpl.prototype.handleExecuteImpl;
jupyter.JupyterHandlerImpl.prototype.handleExecuteImpl = async function (req, ...rest) {
  const cell = cells.get(req);
  cell?.busy();
  try {
    return await handleExecuteImpl.call(this, req, ...rest);
  } finally {
    if (cell) {
      cell.done = true;
      cell.idle();
    }
  }
};

// tslab sends on iopub without awaiting. zeromq.js resolves at most 512 sends in a row synchronously and then
// waits for the event loop; the next send throws "Socket is busy writing". A cell that never yields (a tight
// print loop, or a study blocked in Atomics.wait printing its progress for more than 512 lines, about an hour)
// then throws from console.log, and its error, written to the same socket, is lost too: the cell fails with
// no message. With a zero send timeout every send completes at once, and a zero high-water mark queues
// output for a slow reader instead of dropping it.
// tslab also spells every address "transport://ip:port", which is right for tcp only: Jupyter names an ipc
// endpoint "ipc://<ip>-<port>" (a socket file), the transport the notebook runner uses (no port to race for).
const bindSocket = jupyter.ZmqServer.prototype.bindSocket;
jupyter.ZmqServer.prototype.bindSocket = function (sock, port) {
  if (sock === this.iopub) {
    sock.sendTimeout = 0;
    sock.sendHighWaterMark = 0;
  }
  if (this.connInfo.transport === "ipc") return sock.bind(`ipc://${this.connInfo.ip}-${port}`);
  return bindSocket.call(this, sock, port);
};

require("tslab/dist/main.js").startKernel({ configPath, enableFindLocal: false });
