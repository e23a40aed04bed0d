// The notebooks in a real browser: classic Notebook (started by `npm run jupyter`'s script on a free loopback
// port) driven in Debian's Chromium through puppeteer-core. theorem-3.1 is run, reloaded, re-run after a
// plain Run All, changed through the page, saved and reopened; every time every plot must draw.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { plotBundle } from "../../lib/notebook";

// The callbacks of page.evaluate run in the browser; the project compiles without the DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const root = join(__dirname, "..", "..");
const CHROMIUM = "/usr/bin/chromium";
const PYTHON = process.env.HS_PYTHON || "/usr/bin/python3";
const NOTEBOOK = "notebooks/cracking-the-hessian/theorem-3.1.ipynb";
const COPY = "build/browser-test/theorem-3.1.ipynb"; // a scratch copy: saving must not touch the source
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} (Debian package chromium)`
  : spawnSync(PYTHON, ["-c", "import notebook.notebookapp"]).status !== 0
    ? `classic Notebook for ${PYTHON} (Debian package jupyter-notebook)`
    : null;
if (missing) console.warn(`browser test skipped: ${missing} is not installed and could not be installed here`);

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

type Page = import("puppeteer-core").Page;
type Browser = import("puppeteer-core").Browser;

describe.skipIf(missing !== null)("classic Notebook in Chromium", () => {
  let server: ChildProcess;
  let browser: Browser;
  let page: Page;
  let base = "";
  const token = `hs-browser-test-${process.pid}`;
  const scratch = mkdtempSync(join(tmpdir(), "hs-browser-"));

  beforeAll(async () => {
    mkdirSync(join(root, "build", "browser-test"), { recursive: true });
    copyFileSync(join(root, NOTEBOOK), join(root, COPY));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Own config/data/runtime dirs: the user's Jupyter settings and notebook secret stay untouched.
    const env = { ...process.env, JUPYTER_CONFIG_DIR: join(scratch, "config"), JUPYTER_DATA_DIR: join(scratch, "data"), JUPYTER_RUNTIME_DIR: join(scratch, "runtime"), HS_PYTHON: PYTHON };
    server = spawn(process.execPath, [join(root, "tools", "jupyter.mjs"), "--no-browser", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"], detached: true });
    let log = "";
    server.stderr!.on("data", (d) => { log = (log + d).slice(-4000); });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${base}/api/status?token=${token}`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the notebook server did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const puppeteer = (await import("puppeteer-core")).default;
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, `--user-data-dir=${join(scratch, "chromium")}`] });
    page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    // Shut the kernels down through the server first: a kernel runs in its own session, outside the group
    // signalled below, and a server stopped before it shuts them down leaves them running after the test.
    if (base && server?.exitCode === null) {
      const within = (ms: number) => AbortSignal.timeout(ms);
      const kernels: Array<{ id: string }> = await fetch(`${base}/api/kernels?token=${token}`, { signal: within(10_000) }).then((r) => r.json() as Promise<Array<{ id: string }>>, () => []);
      await Promise.all(kernels.map((k) => fetch(`${base}/api/kernels/${k.id}?token=${token}`, { method: "DELETE", signal: within(30_000) }).catch(() => {})));
    }
    if (server?.pid && server.exitCode === null) {
      // Stop the server (its node launcher and the python it started) by the group of the pid we started.
      const exited = new Promise((r) => server.once("exit", r));
      process.kill(-server.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) process.kill(-server.pid, "SIGKILL");
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  const open = async () => {
    await page.goto(`${base}/notebooks/${COPY}?token=${token}`, { waitUntil: "load" });
    await page.waitForFunction(() => {
      const nb = (window as any).Jupyter?.notebook;
      return nb?._fully_loaded && nb.kernel?.is_connected?.();
    }, { timeout: 60_000 });
  };

  /** Plot outputs in the notebook's model, and the plots drawn on the page (a Plotly div with its SVG). */
  const plots = () =>
    page.evaluate(() => {
      const nb = (window as any).Jupyter.notebook;
      const outputs = nb.toJSON().cells.flatMap((c: any) => c.outputs ?? []);
      const model = outputs.filter((o: any) => o.data && o.data["application/vnd.plotly.v1+json"]).length;
      const drawn = Array.from(document.querySelectorAll(".hs-plot.js-plotly-plot")).filter((el: any) => el.querySelector("svg.main-svg")).length;
      const messages = Array.from(document.querySelectorAll(".hs-plot")).map((el: any) => el.textContent ?? "").filter((t) => t.trim() !== "");
      return { model, drawn, messages };
    });

  const waitDrawn = async () => {
    await page.waitForFunction(() => {
      const nb = (window as any).Jupyter.notebook;
      const outputs = nb.toJSON().cells.flatMap((c: any) => c.outputs ?? []);
      const model = outputs.filter((o: any) => o.data && o.data["application/vnd.plotly.v1+json"]).length;
      const drawn = Array.from(document.querySelectorAll(".hs-plot.js-plotly-plot")).filter((el: any) => el.querySelector("svg.main-svg")).length;
      return model > 0 && drawn === model;
    }, { timeout: 30_000 }).catch(() => {});
    return plots();
  };

  /** Run every cell (after a kernel restart when `restart`) and wait until each has run. */
  const runAll = async (restart: boolean) => {
    await page.evaluate((restart) => {
      const nb = (window as any).Jupyter.notebook;
      nb.clear_all_output();
      if (restart) nb.restart_run_all({ confirm: false });
      else nb.execute_all_cells();
    }, restart);
    await page.waitForFunction(() => {
      const nb = (window as any).Jupyter.notebook;
      const code = nb.get_cells().filter((c: any) => c.cell_type === "code");
      return code.every((c: any) => typeof c.input_prompt_number === "number") && nb.kernel.is_connected();
    }, { timeout: 120_000, polling: 250 });
    const errors = await page.evaluate(() => (window as any).Jupyter.notebook.toJSON().cells.flatMap((c: any) => c.outputs ?? []).filter((o: any) => o.output_type === "error" || o.name === "stderr").map((o: any) => o.ename ?? o.text));
    expect(errors).toEqual([]);
  };

  const save = async () => {
    await page.evaluate(() => (window as any).Jupyter.notebook.save_notebook());
    await page.waitForFunction(() => !(window as any).Jupyter.notebook.dirty, { timeout: 30_000 });
  };

  const figures = () => page.evaluate(() => JSON.stringify((window as any).Jupyter.notebook.toJSON().cells.flatMap((c: any) => c.outputs ?? []).filter((o: any) => o.data?.["application/vnd.plotly.v1+json"]).map((o: any) => o.data["application/vnd.plotly.v1+json"].data)));
  const printed = () => page.evaluate(() => (window as any).Jupyter.notebook.toJSON().cells.flatMap((c: any) => c.outputs ?? []).filter((o: any) => o.output_type === "stream").map((o: any) => [].concat(o.text).join("")).join(""));

  it("Restart & Run All draws every plot; so do a reload, a plain Run All, an edited parameter and a reopened save", async () => {
    await open();
    await runAll(true);
    const first = await waitDrawn();
    expect(first.model).toBeGreaterThan(0);
    expect(first.drawn, "plots drawn after Restart & Run All").toBe(first.model);
    await save();

    await page.reload({ waitUntil: "load" });
    await open();
    expect((await waitDrawn()).drawn, "plots drawn after a page reload").toBe(first.model);

    await runAll(false); // plain Run All in the same kernel session
    expect((await waitDrawn()).drawn, "plots drawn after a plain Run All").toBe(first.model);

    const before = { figures: await figures(), printed: await printed() };
    const edited = await page.evaluate(() => {
      const nb = (window as any).Jupyter.notebook;
      const cell = nb.get_cells().find((c: any) => c.cell_type === "code");
      const text: string = cell.get_text();
      if (!/\bm: 20,/.test(text)) return false;
      cell.set_text(text.replace(/\bm: 20,/, "m: 30,"));
      return true;
    });
    expect(edited, "the first code cell of theorem-3.1 sets m: 20 at quick scale").toBe(true);
    await runAll(true);
    const after = await waitDrawn();
    expect(after.drawn, "plots drawn after editing m and Restart & Run All").toBe(first.model);
    expect(await printed()).not.toBe(before.printed);
    expect(await printed()).toContain("m: 30");
    expect(await figures()).not.toBe(before.figures);
    await save();
    const size = statSync(join(root, COPY)).size;
    expect(size, "a saved theorem-3.1 (bytes)").toBeLessThan(2_000_000);

    await page.goto("about:blank");
    await open();
    expect((await waitDrawn()).drawn, "plots drawn when the saved notebook is reopened").toBe(first.model);
  }, 170_000);

  it("the runner's executed copy opens trusted with every plot drawn and a PNG of each; its HTML page draws them too", async () => {
    // Same Jupyter data dir as the server: the copy is signed with the secret the server checks against.
    const out = join(root, "build", "browser-test", "run");
    const env = { ...process.env, JUPYTER_DATA_DIR: join(scratch, "data"), HS_PYTHON: PYTHON };
    const r = spawnSync(process.execPath, [join(root, "tools", "notebooks.mjs"), "--no-setup", "--out", out, "--jobs", "1", NOTEBOOK], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
    // The notebook must have run to its end; whether its checks hold is the notebook tests' business.
    const entry = JSON.parse(readFileSync(join(out, "report.json"), "utf8")).notebooks.find((e: { id: string }) => e.id === "cracking-the-hessian/theorem-3.1");
    expect(["ok", "failed"], r.stdout + r.stderr).toContain(entry?.status);
    const executed = join(out, "notebooks", "cracking-the-hessian", "theorem-3.1.ipynb");
    const nb = JSON.parse(readFileSync(executed, "utf8"));
    const plotOutputs = nb.cells.flatMap((c: { outputs?: Array<{ data?: Record<string, unknown> }> }) => c.outputs ?? []).filter((o: { data?: Record<string, unknown> }) => o.data?.["application/vnd.plotly.v1+json"]);
    expect(plotOutputs.length).toBeGreaterThan(0);
    for (const o of plotOutputs) {
      expect(Buffer.from(String(o.data!["image/png"]), "base64").subarray(1, 4).toString()).toBe("PNG");
      // previews that drop scripts show the same image inside the HTML fallback
      expect([].concat(o.data!["text/html"] as never).join("")).toContain(`src="data:image/png;base64,${o.data!["image/png"]}"`);
    }
    expect(statSync(executed).size).toBeLessThan(2_000_000);

    await page.goto(`${base}/notebooks/${executed.slice(root.length + 1)}?token=${token}`, { waitUntil: "load" });
    await page.waitForFunction(() => (window as any).Jupyter?.notebook?._fully_loaded, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as any).Jupyter.notebook.trusted), "executed copy trusted").toBe(true);
    const shown = await waitDrawn();
    expect(shown.model).toBe(plotOutputs.length);
    expect(shown.drawn, "plots drawn in the executed copy").toBe(plotOutputs.length);

    await page.goto(`file://${join(out, "html", "cracking-the-hessian", "theorem-3.1.html")}`, { waitUntil: "load" });
    await page.waitForFunction((n: number) => Array.from(document.querySelectorAll(".hs-plot.js-plotly-plot")).filter((el: any) => el.querySelector("svg.main-svg")).length === n, { timeout: 30_000 }, plotOutputs.length);
  }, 170_000);

  it("where plotly.js cannot be found the plot says where it looked; without scripts it says what to do", async () => {
    const dir = join(scratch, "elsewhere");
    mkdirSync(dir, { recursive: true });
    const html = plotBundle({ data: [{ y: [1, 2] }] })["text/html"] as string;
    writeFileSync(join(dir, "page.html"), `<!doctype html><html><head></head><body>${html}</body></html>`);
    await page.goto(`file://${join(dir, "page.html")}`, { waitUntil: "load" });
    await page.waitForFunction(() => /could not be found/.test(document.querySelector(".hs-plot")?.textContent ?? ""), { timeout: 10_000 });
    const text = await page.evaluate(() => document.querySelector(".hs-plot")!.textContent);
    expect(text).toContain(`file://${join(dir, "plotly.js")}`);
    expect(text).toMatch(/npm run jupyter/);

    const noScript = await browser.newPage();
    await noScript.setJavaScriptEnabled(false);
    await noScript.goto(`file://${join(dir, "page.html")}`, { waitUntil: "load" });
    expect(await noScript.evaluate(() => document.body.innerText)).toMatch(/Trust Notebook.*Restart & Run All/s);
    await noScript.close();
  }, 60_000);
});
