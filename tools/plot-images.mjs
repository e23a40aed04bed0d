// Static images of Plotly figures, for previews that drop scripts (GitHub, nbviewer): headless Chromium
// draws each figure with the installed plotly.js and returns a PNG.
//   node tools/plot-images.mjs <figures.json> <images.json>
// figures.json holds [{ data, layout, config }]; images.json receives [base64 PNG | null], one per figure
// (null where that figure could not be drawn). Exit code 0 with images written; 1 when Chromium is missing
// or did not start (the caller then keeps the figures without images).
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run",
];

/** Launch Debian's Chromium through puppeteer-core with a fresh profile; returns { browser, close() }. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`plot-images: ${CHROMIUM} is missing (Debian package chromium)`);
  const puppeteer = require("puppeteer-core");
  const profile = mkdtempSync(join(tmpdir(), "hs-chromium-"));
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, `--user-data-dir=${profile}`] });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** PNGs (base64, no data: prefix) of the figures; null for a figure plotly.js refused. */
export async function plotImages(figures) {
  if (!Array.isArray(figures)) throw new TypeError("plotImages: figures must be an array of { data, layout }");
  if (figures.length === 0) return [];
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.addScriptTag({ path: require.resolve("plotly.js-dist/plotly.js") });
    const images = [];
    for (const fig of figures) {
      const url = await page.evaluate(async (f) => {
        try {
          const layout = { ...(f.layout || {}) };
          const width = Number(layout.width) || 800;
          const height = Number(layout.height) || 450;
          return await window.Plotly.toImage({ data: f.data, layout }, { format: "png", width, height });
        } catch {
          return null;
        }
      }, fig);
      images.push(typeof url === "string" ? url.replace(/^data:image\/png;base64,/, "") : null);
    }
    return images;
  } finally {
    await chromium.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error("usage: node tools/plot-images.mjs <figures.json> <images.json>");
    process.exit(2);
  }
  plotImages(JSON.parse(readFileSync(input, "utf8")))
    .then((images) => {
      writeFileSync(`${output}.tmp`, JSON.stringify(images));
      renameSync(`${output}.tmp`, output);
    })
    .catch((e) => {
      console.error(`plot-images: ${e.message}`);
      process.exit(1);
    });
}
