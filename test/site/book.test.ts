// The book in headless Chromium (Debian's, driven by puppeteer-core): built from the committed fixture report
// (and, when build/report.json exists, from the real one too), the home page links every notebook and every
// link of the site resolves; a notebook page draws its plot under the book's header; on each explorable,
// moving a slider changes the plotted eigenvalues while the displayed agreement stays within the claim's
// tolerance. Update times are printed (benchmark-style, not asserted); a screenshot of each explorable is
// written to build/site/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, relative, resolve } from "path";
import { fileURLToPath } from "url";
import puppeteer, { Browser, Page } from "puppeteer-core";

const root = join(__dirname, "..", "..");
const fixtures = join(__dirname, "fixtures");
const chromium = "/usr/bin/chromium";
const screenshots = join(root, "build", "site", "screenshots");

interface Catalogue { name: string; notebook: string; params: Array<{ key: string; min: number; max: number; step: number; value: number }> }
interface BookModule {
  book(options: Record<string, unknown>): Promise<{ outDir: string; notebooks: number; explorables: string[] }>;
  explorableCatalogue(): Promise<Catalogue[]>;
}
const load = (): Promise<BookModule> => import(join(root, "tools", "book.mjs"));
const runner = (): Promise<{ listNotebooks(dir: string): string[] }> => import(join(root, "tools", "notebooks.mjs"));

// Browser-side code is passed as strings: this file is type-checked without the DOM library.

/** Move a slider the way a reader does: set its value and fire "input". */
async function slide(page: Page, key: string, value: number): Promise<void> {
  await page.evaluate(`(() => { const i = document.getElementById("hs-${key}"); i.value = "${value}"; i.dispatchEvent(new Event("input")); })()`);
}

/** Every relative href/src in every page of the site, as [page, target] pairs. */
function siteLinks(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) { if (e.name !== "mathjax") walk(p); continue; }
      if (!e.name.endsWith(".html")) continue;
      for (const m of readFileSync(p, "utf8").matchAll(/\s(?:href|src)="([^"#?]+)[^"]*"/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) {
          // a script, stylesheet or image from elsewhere would break the site offline and on a static host
          if (/^\s(?:src|href)="[^"]*"/.test(m[0]) && (/src=/.test(m[0]) || /\.(css|js)$/.test(target))) out.push([relative(dir, p), `absolute: ${target}`]);
          continue;
        }
        out.push([relative(dir, p), resolve(dirname(p), target)]);
      }
    }
  };
  walk(dir);
  return out;
}

describe("the book in headless Chromium", () => {
  let browser: Browser;
  let fixtureSite: string;
  let realSite: string | null = null;
  let ids: string[];
  let catalogue: Catalogue[];

  beforeAll(async () => {
    expect(existsSync(chromium), "Chromium is installed by `npm test` (tools/setup.mjs --for test)").toBe(true);
    const book = await load();
    ids = (await runner()).listNotebooks(join(root, "notebooks"));
    fixtureSite = mkdtempSync(join(tmpdir(), "hs-book-"));
    await book.book({
      buildDir: fixtureSite, outDir: fixtureSite, report: JSON.parse(readFileSync(join(fixtures, "report.json"), "utf8")),
      htmlDir: join(fixtures, "html"), ledgerDir: join(fixtures, "ledger"),
    });
    if (existsSync(join(root, "build", "report.json"))) {
      realSite = mkdtempSync(join(tmpdir(), "hs-book-real-"));
      await book.book({ buildDir: join(root, "build"), outDir: realSite });
    }
    catalogue = await book.explorableCatalogue();
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", `--user-data-dir=${mkdtempSync(join(tmpdir(), "hs-chromium-"))}`],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const d of [fixtureSite, realSite]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    (page as unknown as { errors: string[] }).errors = errors;
    await page.setViewport({ width: 1200, height: 900 });
    await page.goto(url, { waitUntil: "load" });
    return page;
  }

  it("the home page links every notebook, and every link of the site resolves", async () => {
    for (const site of [fixtureSite, realSite].filter((s): s is string => s !== null)) {
      const page = await open(`file://${join(site, "index.html")}`);
      const hrefs = (await page.evaluate(`Array.from(document.querySelectorAll("a"), (a) => a.href)`)) as string[];
      await page.close();
      const linked = new Set(hrefs.filter((h) => h.startsWith("file://")).map((h) => relative(site, fileURLToPath(h)).replace(/\.html$/, "")).filter((p) => ids.includes(p)));
      expect([...linked].sort()).toEqual([...ids].sort());
      for (const h of hrefs) expect(existsSync(fileURLToPath(h)), h).toBe(true);
      const links = siteLinks(site);
      const broken = links.filter(([, target]) => !existsSync(target));
      expect(broken, broken.slice(0, 5).map(([p, t]) => `${p} -> ${relative(site, t)}`).join("\n")).toEqual([]);
      console.log(`${site === fixtureSite ? "fixture" : "build/report.json"} site: ${linked.size} notebooks linked from the home page, ${links.length} links checked`);
    }
  }, 60_000);

  it("the paper pages show quick and paper verdicts, the disagreements page their numbers", () => {
    const paper = readFileSync(join(fixtureSite, "cracking-the-hessian", "index.html"), "utf8");
    expect(paper).toMatch(/<a href="theorem-3\.1\.html">[^<]+<\/a>/);
    expect(paper).toContain("01234567"); // the ledger entry's commit
    expect(paper).toMatch(/not run at paper scale/);
    const dis = readFileSync(join(fixtureSite, "disagreements.html"), "utf8");
    expect(dis).toContain("fixture disagreement: off by 3 % at the quick size");
    expect(dis).toMatch(/measured 1\.030, claim 1 ± 0\.01000 \(relative\)/);
  });

  it("a notebook page draws its plot under the book's header, with prev / next / up links", async () => {
    const page = await open(`file://${join(fixtureSite, "cracking-the-hessian", "theorem-3.1.html")}`);
    await page.waitForSelector("svg.main-svg", { timeout: 30_000 });
    expect(await page.$$eval(".scatterlayer .point", (ps) => ps.length)).toBe(4);
    expect(await page.$eval("#hs-book-head h1", (h) => h.textContent)).toMatch(/^Theorem 3\.1: /);
    const rels = await page.$$eval("#hs-book-head nav a", (as) => as.map((a) => a.getAttribute("rel")));
    expect(rels).toEqual(["prev", "up", "next"]);
    expect((page as unknown as { errors: string[] }).errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("each explorable recomputes on a slider move and agrees within its claim's tolerance", async () => {
    mkdirSync(screenshots, { recursive: true });
    expect(catalogue).toHaveLength(8);
    for (const e of catalogue) {
      const page = await open(`file://${join(fixtureSite, "explorables", `${e.name}.html`)}`);
      const status = async () => (await page.evaluate(`(() => { const s = document.getElementById("hs-status"); return { ...s.dataset, text: s.textContent }; })()`)) as Record<string, string>;
      const plotted = async () => (await page.evaluate(`Array.from(document.getElementById("hs-plot").data[0].y)`)) as number[];
      await page.waitForFunction(`document.getElementById("hs-status")?.dataset.updates === "1"`, { timeout: 30_000 });
      const first = await status();
      expect(await page.evaluate(`document.querySelector(".hs-backend").textContent`)).toMatch(/kernels: (wasm|js), in a Web Worker/);
      expect(first.state, `${e.name}: ${first.text}`).toBe("ok");
      expect(Number(first.agreement)).toBeLessThanOrEqual(Number(first.tolerance));
      const before = await plotted();
      // one step of the first slider (a size: m, T, L or d_0)
      const p = e.params[0];
      const next = p.value + p.step <= p.max ? p.value + p.step : p.value - p.step;
      await slide(page, p.key, next);
      await page.waitForFunction(`(() => { const d = document.getElementById("hs-status").dataset; return d.updates === "2" && d.state !== "computing"; })()`, { timeout: 30_000 });
      const second = await status();
      expect(second.state, `${e.name}: ${second.text}`).toBe("ok");
      expect(Number(second.agreement)).toBeLessThanOrEqual(Number(second.tolerance));
      const after = await plotted();
      expect(after.length !== before.length || after.some((v, i) => v !== before[i]), `${e.name}: the plotted eigenvalues did not change`).toBe(true);
      expect((page as unknown as { errors: string[] }).errors).toEqual([]);
      await page.screenshot({ path: join(screenshots, `${e.name}.png`), fullPage: true });
      console.log(`${e.name}: ${p.key} ${p.value} -> ${next}: ${after.length} eigenvalues, agreement ${Number(second.agreement).toExponential(2)} (tol ${second.tolerance}); update ${second.updateMs} ms (first draw ${first.updateMs} ms)`);
      await page.close();
    }
  }, 240_000);

  it("without WebAssembly (and without Web Workers) the page computes with the JavaScript kernels", async () => {
    const page = await browser.newPage();
    // a worker would bring its own WebAssembly: take both away, as in a browser that has neither
    await page.evaluateOnNewDocument(`delete globalThis.WebAssembly; delete globalThis.Worker;`);
    await page.goto(`file://${join(fixtureSite, "explorables", "cracking-theorem-3.5.html")}`, { waitUntil: "load" });
    await page.waitForFunction(`document.getElementById("hs-status")?.dataset.updates === "1"`, { timeout: 30_000 });
    const s = (await page.evaluate(`(() => { const d = document.getElementById("hs-status").dataset; return { state: d.state, agreement: d.agreement, tolerance: d.tolerance, ms: d.updateMs, backend: document.querySelector(".hs-backend").textContent }; })()`)) as Record<string, string>;
    expect(s.backend).toMatch(/kernels: js/);
    expect(s.state).toBe("ok");
    expect(Number(s.agreement)).toBeLessThanOrEqual(Number(s.tolerance));
    console.log(`cracking-theorem-3.5 without WebAssembly: first draw ${s.ms} ms`);
    await page.close();
  }, 60_000);

  it("a slider setting the claim excludes says which assumption fails and hides the plot", async () => {
    const page = await open(`file://${join(fixtureSite, "explorables", "cracking-theorem-3.4.html")}`);
    await page.waitForFunction(`document.getElementById("hs-status")?.dataset.updates === "1"`, { timeout: 30_000 });
    await slide(page, "v1", 0);
    await page.waitForFunction(`document.getElementById("hs-status").dataset.updates === "2"`, { timeout: 30_000 });
    const s = (await page.evaluate(`(() => { const el = document.getElementById("hs-status"); return { state: el.dataset.state, text: el.textContent }; })()`)) as { state: string; text: string };
    expect(s.state).toBe("assumption");
    expect(s.text).toMatch(/Assumption fails: Theorem 3\.4 assumes no unit sits on a ReLU kink, but v_1 = 0/);
    expect(await page.evaluate(`document.getElementById("hs-plot").style.visibility`)).toBe("hidden");
    await page.close();
  }, 60_000);
});
