// The kernel's busy/idle states under Run All, seen through jupyter_client as every front-end sees them:
// two cells queued at once must report busy(A) idle(A) busy(B) idle(B), never idle while B still runs.
import { describe, expect, it } from "vitest";
import { spawnSync } from "child_process";
import { join } from "path";

const root = join(__dirname, "..", "..");
const PYTHON = process.env.HS_PYTHON || "/usr/bin/python3";
const missing = spawnSync(PYTHON, ["-c", "import jupyter_client"]).status !== 0;
if (missing) console.warn(`kernel status test skipped: ${PYTHON} cannot import jupyter_client (Debian package jupyter-client)`);

// The minimal reproduction (tslab alone reports busy A, busy B, idle A, idle B).
const SCRIPT = `
import json, time
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="hessian-spectra", startup_timeout=120)
try:
    while True:
        try: kc.get_iopub_msg(timeout=0.5)
        except Exception: break
    ids = {kc.execute("await new Promise(r => setTimeout(r, 500)); 1"): "A", kc.execute("await new Promise(r => setTimeout(r, 500)); 2"): "B"}
    seen, end = [], time.time() + 30
    while time.time() < end and seen[-1:] != ["B idle"]:
        try: m = kc.get_iopub_msg(timeout=0.1)
        except Exception: continue
        if m["msg_type"] == "status" and m["parent_header"].get("msg_id") in ids:
            seen.append(ids[m["parent_header"]["msg_id"]] + " " + m["content"]["execution_state"])
    print(json.dumps(seen))
finally:
    kc.stop_channels(); km.shutdown_kernel(now=True)
`;

describe.skipIf(missing)("kernel status", () => {
  it("queued cells report busy when each starts and idle when each ends", () => {
    const env = { ...process.env, JUPYTER_PATH: join(root, ".jupyter", "share", "jupyter") };
    spawnSync(process.execPath, [join(root, "tools", "jupyter.mjs"), "--kernel-only"], { cwd: root, env, encoding: "utf8" });
    const r = spawnSync(PYTHON, ["-c", SCRIPT], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toEqual(["A busy", "A idle", "B busy", "B idle"]);
  }, 150_000);
});
