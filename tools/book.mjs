// The book: a static site under build/site/ that works opened from disk and from any static host.
//
//   npm run book [-- --build <dir>] [--report <report.json>] [--out <dir>] [--notebooks-dir <dir>] [--ledger <dir>]
//
// Home page: the three papers, each with its claims in the paper's order (every notebook linked); per paper a
// table with title, one-line statement, quick verdict (build/report.json), paper verdict (the committed ledger
// results/paper/<paper>/<id>.json when it exists), run time and the disagreements with their numbers; every
// notebook page (the runner's build/html page) wrapped with a header (paper, section, claim) and prev / next /
// up links; a page of every disagreement; the explorables, bundled from site/ with esbuild. Titles and
// statements come from each notebook's metadata.claim = {paper, section, title, statement, check}; a notebook
// without it shows its first Markdown heading and "statement missing". Called by tools/notebooks.mjs at the
// end of a run.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { holds, listNotebooks } from "./notebooks.mjs";
import { entryStaleness } from "./ledger.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Home-page order and titles of the three papers; a paper id not listed here is shown by its id. */
export const PAPERS = [
  { id: "depth-not-data", title: "Depth, Not Data", subtitle: "in a deep linear network trained on whitened data the Hessian splits into a dominant and a bulk cluster whose ratio is the depth L" },
  { id: "data-dependence", title: "How the Hessian-Spectrum of Linear Networks Depends on Data", subtitle: "closed-form GGN/NTK eigenvalues of deep linear networks; sharpness set by the largest class proportion" },
  { id: "cracking-the-hessian", title: "Cracking the Hessian", subtitle: "exact eigenvalues and eigenvectors of two-layer linear and ReLU networks and of a single self-attention layer" },
];

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** Write a file atomically: a temp file next to it, then rename (a reader never sees half a page). */
function writeAtomic(file, content) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

function copyIfChanged(src, dest) {
  if (existsSync(dest) && statSync(dest).size === statSync(src).size) return;
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, `${dest}.${process.pid}.tmp`);
  renameSync(`${dest}.${process.pid}.tmp`, dest);
}

// ---------------------------------------------------------------------------------------------- claims

/** "theorem-3.1" -> "Theorem 3.1", "equation-15-16" -> "Equation 15-16" (the label when metadata has no section). */
export function labelFromName(name) {
  const m = name.match(/^(theorem|lemma|corollary|remark|figure|equation|eq|appendix)-([0-9A-Z.]+(?:-\d+)?)/i);
  if (!m) return name;
  const kind = m[1].toLowerCase() === "eq" ? "Eq." : m[1][0].toUpperCase() + m[1].slice(1).toLowerCase();
  return `${kind} ${m[2]}`;
}

/**
 * Sort key for the paper's order: statements and equations by number (main text before the appendices, whose
 * numbers start with a letter), then figures by number; metadata's section, when present, comes first.
 */
export function paperOrderKey(claim, name) {
  const num = (s) => {
    for (const tok of String(s ?? "").replace(/§/g, " ").split(/[\s(),:]+/)) {
      let m = tok.match(/^(\d+(?:\.\d+)*)\.?$/);
      if (m) return [0, ...m[1].split(".").map(Number)];
      m = tok.match(/^([A-Z])(?:\.(\d+(?:\.\d+)*))?\.?$/);
      if (m) return [100 + m[1].charCodeAt(0) - 65, ...(m[2] ? m[2].split(".").map(Number) : [])];
    }
    return [9999];
  };
  const isFigure = /^figure-/.test(name) ? 1 : 0;
  const kind = ["theorem", "lemma", "corollary", "remark", "equation", "eq", "appendix", "figure"].indexOf(name.split("-")[0]);
  const own = num(name.replace(/^(theorem|lemma|corollary|remark|figure|equation|eq|appendix)-/, " ").replace(/-/g, " "));
  // fixed-length section part, so claims with and without metadata compare position by position
  const pad = (k) => [...k, -1, -1, -1, -1].slice(0, 4);
  const section = claim.section ? num(claim.section) : isFigure ? [9000] : own;
  return [...pad(section), isFigure, ...pad(own), kind];
}

function compareKeys(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1, y = b[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}

/** The first Markdown heading of a notebook, without the leading #s and the paper's name. */
function firstHeading(nb) {
  const cell = (nb.cells ?? []).find((c) => c.cell_type === "markdown");
  const text = cell ? (Array.isArray(cell.source) ? cell.source.join("") : String(cell.source ?? "")) : "";
  const line = text.split("\n").find((l) => /^#/.test(l)) ?? text.split("\n")[0] ?? "";
  return line.replace(/^#+\s*/, "").replace(/^(Cracking the Hessian|data-dependence\s*\/[^:]*?(?=:)|Depth, Not Data)\s*[—:-]\s*/i, "").trim();
}

/** A title without a leading repeat of its label ("Theorem 3.1: the spectrum ..." -> "the spectrum ..."). */
function stripLabel(title) {
  return splitLabel(title).rest;
}

/** "Equation (8)-(9): the spectrum ..." -> { label: "Equation (8)-(9)", rest: "the spectrum ..." }; label null when none leads. */
function splitLabel(title) {
  const t = String(title ?? "").trim();
  const m = t.match(/^((?:theorem|lemma|corollary|remark|figure|equations?|eq\.?|appendix)\s+\(?[0-9A-Z.]+\)?(?:\s*[-–]\s*\(?[0-9A-Z.]+\)?)?(?:\s+\([^)]*\))?)\s*[—:]\s*(.*)$/i);
  return m ? { label: m[1], rest: m[2].trim() } : { label: null, rest: t };
}

/** A notebook's claim: metadata.claim when there, else its first heading with "statement missing". */
export function readClaim(notebooksDir, id) {
  const [paper, ...rest] = id.split("/");
  const name = rest.join("/");
  let nb;
  try {
    nb = JSON.parse(readFileSync(join(notebooksDir, `${id}.ipynb`), "utf8"));
  } catch (e) {
    return { id, paper, name, label: labelFromName(name), section: null, title: name, statement: null, check: null, fromMetadata: false, problem: `unreadable notebook: ${e.message}` };
  }
  const c = nb.metadata?.claim;
  if (c && typeof c === "object" && typeof c.title === "string") {
    // the label the notebook's own title gives ("Equation (8)-(9)"), else one from the id
    const split = splitLabel(c.title);
    return { id, paper: c.paper || paper, name, label: split.label ?? labelFromName(name), section: c.section ? String(c.section) : null, title: split.rest || c.title, statement: c.statement || null, check: c.check || null, fromMetadata: true };
  }
  // the heading usually repeats the label ("Theorem 3.1: ..."): keep what follows it
  return { id, paper, name, label: labelFromName(name), section: null, title: stripLabel(firstHeading(nb)) || name, statement: null, check: null, fromMetadata: false };
}

// ---------------------------------------------------------------------------------------------- verdicts

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/** Verdict of one report or ledger entry: status, checks holding, seconds, disagreements with numbers. */
function verdict(entry) {
  if (!entry) return null;
  const checks = Array.isArray(entry.checks) ? entry.checks : [];
  return {
    status: entry.status,
    holding: checks.filter(holds).length,
    total: checks.length,
    seconds: entry.seconds,
    error: entry.error?.message ?? null,
    disagreements: checks.filter((c) => c.disagreement && !c.passed),
    commit: entry.commit ?? null,
    date: entry.date ?? entry.generated ?? null,
    machine: entry.machine ?? null,
  };
}

const fmtNum = (x) => (typeof x === "number" ? (Number.isInteger(x) ? String(x) : Math.abs(x) !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) ? x.toExponential(3) : x.toPrecision(4)) : esc(x));

/**
 * A paper-scale entry is stale when the notebook's code or a lib file it imports changed after the entry's
 * commit (the runner's rule, tools/ledger.mjs). Null when there is no commit to compare with.
 */
function ledgerStale(notebooksDir, id, commit) {
  return commit ? entryStaleness({ commit }, join(notebooksDir, `${id}.ipynb`)).stale : null;
}

function verdictHtml(v, scale) {
  if (!v) return `<span class="v none">${scale === "paper" ? "not run at paper scale" : "not run"}</span>`;
  const cls = v.status === "ok" ? "ok" : "bad";
  const extra = scale === "paper" && v.commit ? ` <span class="meta">${esc(String(v.commit).slice(0, 8))}${v.date ? ` · ${esc(String(v.date).slice(0, 10))}` : ""}${v.stale ? ` · <b class="stale" title="the notebook's code or a lib file it imports changed after this run">stale</b>` : ""}</span>` : "";
  return `<span class="v ${cls}" title="${esc(v.error ?? "")}">${esc(v.status)} ${v.holding}/${v.total}</span>${extra}`;
}

function disagreementHtml(d) {
  const rel = d.kind === "relative" ? " (relative)" : "";
  return `<b>${esc(d.name)}</b>: measured ${fmtNum(d.measured)}, claim ${fmtNum(d.expected)} ± ${fmtNum(d.tolerance)}${rel} — ${esc(d.disagreement)}`;
}

// ---------------------------------------------------------------------------------------------- pages

const CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#222;line-height:1.45}
main,.hs-book-head{max-width:70em;margin:0 auto;padding:1em 2em}
.hs-book-head{border-bottom:1px solid #ccc;background:#f7f7f9;max-width:none}
.hs-book-head a{color:#0645ad;text-decoration:underline}.hs-book-head nav a{margin-right:1.2em}.hs-book-head .crumbs{font-size:.9em;color:#555}
h1{font-size:1.6em;margin:.3em 0}h2{margin-top:1.6em}
table{border-collapse:collapse;width:100%}td,th{padding:.35em .6em;text-align:left;vertical-align:top;border-bottom:1px solid #e3e3e3}
.v{padding:0 .35em;border-radius:3px;white-space:nowrap}.v.ok{background:#e2f5e2;color:#185c18}.v.bad{background:#fbe3e3;color:#8a1010}.v.none{color:#888}
.meta{color:#777;font-size:.85em}.stale{color:#a60}.missing{color:#a60;font-style:italic}.dis{font-size:.9em;color:#6a3d00}
ol.claims li{margin:.15em 0}.paper{margin-bottom:2em}
.hs-sliders{display:grid;grid-template-columns:repeat(auto-fill,minmax(27em,1fr));gap:.3em 2em;margin:1em 0}
.hs-slider{display:grid;grid-template-columns:12em 1fr 4em;align-items:center;gap:.5em}.hs-slider label{font-size:.9em}
#hs-status{padding:.5em .8em;border-radius:4px;margin:.5em 0;background:#eee}#hs-status.hs-ok{background:#e2f5e2}#hs-status.hs-error{background:#fbe3e3}#hs-status.hs-assumption{background:#fff1d6}
.hs-backend{color:#777;font-size:.85em}`;

let pagesHaveMathJax = false;

function page({ title, depth, crumbs = [], body, head = "", nav = "" }) {
  const up = depth === 0 ? "" : "../".repeat(depth);
  if (pagesHaveMathJax) head += `<script type="text/x-mathjax-config">MathJax.Hub.Config({ tex2jax: { inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true } });</script><script src="${up}mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"></script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · hessian-spectra</title><link rel="stylesheet" href="${up}book.css">${head}</head><body>
<header class="hs-book-head"><div class="crumbs"><a href="${up}index.html">hessian-spectra</a>${crumbs.map((c) => ` › ${c}`).join("")}</div>${nav}</header>
<main>${body}</main></body></html>\n`;
}

function prevNextNav(list, i, up) {
  const link = (c, rel, text) => (c ? `<a rel="${rel}" href="${up}${esc(c.id)}.html">${text}: ${esc(c.label)}</a>` : "");
  return `<nav>${link(list[i - 1], "prev", "← previous")}<a rel="up" href="index.html">↑ ${esc(paperTitle(list[i].paper))}</a>${link(list[i + 1], "next", "next →")}</nav>`;
}

function paperTitle(id) {
  return PAPERS.find((p) => p.id === id)?.title ?? id;
}

function statementHtml(c) {
  return c.statement ? esc(c.statement) : `<span class="missing">statement missing (no metadata.claim in the notebook)</span>`;
}

/** The header placed on top of a notebook page: paper, section, claim, verdicts, navigation. */
function notebookHeader(c, list, i, quick, paper, explorable) {
  const up = "../";
  return `<header class="hs-book-head" id="hs-book-head"><link rel="stylesheet" href="${up}book.css">
<div class="crumbs"><a href="${up}index.html">hessian-spectra</a> › <a href="index.html">${esc(paperTitle(c.paper))}</a> › ${esc(c.label)}</div>
<h1>${esc(c.label)}: ${esc(c.title)}</h1>${c.section ? `<p class="meta">${esc(paperTitle(c.paper))} · ${esc(c.section)}</p>` : ""}<p>${statementHtml(c)}</p>
<p>quick: ${verdictHtml(quick, "quick")} · paper: ${verdictHtml(paper, "paper")}${quick?.seconds != null ? ` · ${quick.seconds} s` : ""}${explorable ? ` · <a href="${up}explorables/${esc(explorable.name)}.html">explore it live</a>` : ""}</p>
${prevNextNav(list, i, up)}</header>`;
}

/** Wrap the runner's nbconvert page (or say it was not executed) and point its scripts at the site's copies. */
function notebookPage(htmlFile, header, c, assets) {
  if (!existsSync(htmlFile)) {
    return page({ title: c.title, depth: 1, crumbs: [], body: `${header}<p>This notebook has not been executed in this build: run <code>npm run notebooks -- ${esc(c.id)}</code>.</p>` }).replace(/<header class="hs-book-head"><div class="crumbs">.*?<\/header>\n/s, "");
  }
  let html = readFileSync(htmlFile, "utf8");
  if (assets.mathjax) html = html.replace(/file:\/\/\/usr\/share\/javascript\/mathjax\//g, "../mathjax/");
  if (assets.requirejs) html = html.replace(/file:\/\/\/usr\/share\/javascript\/requirejs\/require\.min\.js/g, "../require.min.js");
  html = html.replace(/<title>[^<]*<\/title>/, `<title>${esc(c.label)}: ${esc(c.title)} · hessian-spectra</title>`);
  const at = html.search(/<body[^>]*>/);
  if (at < 0) return page({ title: c.title, depth: 1, body: `${header}${html}` });
  const end = at + html.slice(at).indexOf(">") + 1;
  return html.slice(0, end) + header + html.slice(end);
}

// ---------------------------------------------------------------------------------------------- bundles

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/**
 * Modules whose Node built-ins may be stubbed in a browser bundle (a stopgap for a file-loading module pulled
 * in by accident). Empty: what the explorables import from lib/ needs no Node built-in, so any built-in fails
 * the bundle.
 */
export const NODE_BOUNDARY = [];

/**
 * esbuild plugin: a Node built-in imported by a boundary module resolves to a stub that throws when used (a
 * browser cannot read files); imported from anywhere else it stays unresolved, so the bundle fails to build.
 * `stubbed` collects what was stubbed, for the bundle test and the build log.
 */
function nodeBoundary(stubbed) {
  return {
    name: "node-boundary",
    setup(build) {
      build.onResolve({ filter: /^[a-z:_/]+$/ }, (args) => {
        if (!NODE_BUILTINS.has(args.path)) return undefined;
        const importer = relative(root, args.importer).split("\\").join("/");
        if (!NODE_BOUNDARY.includes(importer)) return undefined; // esbuild then reports it (platform browser)
        stubbed.push({ module: args.path, importer });
        return { path: args.path, namespace: "node-stub" };
      });
      build.onLoad({ filter: /.*/, namespace: "node-stub" }, (args) => ({
        contents: `module.exports = new Proxy({}, { get: (_, k) => k === "__esModule" ? false : () => { throw new Error(${JSON.stringify(`${args.path} is Node-only: not available in the browser`)} + " (" + String(k) + ")"); } });`,
        loader: "js",
      }));
    },
  };
}

/**
 * Bundle one explorable for the browser: site/explorables/<name>.ts mounted by site/runtime.ts, the lib/ code
 * it imports included. Returns { code, metafile, stubbed }. Throws (esbuild's message) when a module outside
 * the boundary imports a Node built-in.
 */
export async function bundleExplorable(name) {
  const site = join(root, "site");
  // the worker (computation) is bundled first and embedded in the page's bundle as a string
  const worker = await bundleForBrowser(`import { explorable } from "./explorables/${name}";\nimport { serve } from "./worker";\nserve(explorable);\n`, site, `${name}.worker.ts`);
  const page = await bundleForBrowser(`import { explorable } from "./explorables/${name}";\nimport { mount } from "./runtime";\nmount(explorable);\n`, site, `${name}.entry.ts`, { HS_WORKER_SOURCE: JSON.stringify(worker.code) });
  return { code: page.code, metafile: page.metafile, stubbed: [...worker.stubbed, ...page.stubbed] };
}

/** Bundle TypeScript source `contents` (imports resolved from resolveDir) for the browser, as the book does. */
export async function bundleForBrowser(contents, resolveDir, sourcefile = "entry.ts", define = {}) {
  const esbuild = await import("esbuild");
  const stubbed = [];
  const result = await esbuild.build({
    stdin: { contents, resolveDir, sourcefile, loader: "ts" },
    bundle: true, platform: "browser", format: "iife", target: "es2020", write: false, metafile: true, minify: true, legalComments: "none",
    logLevel: "silent", plugins: [nodeBoundary(stubbed)], define,
  });
  return { code: result.outputFiles[0].text, metafile: result.metafile, stubbed };
}

/** The explorables' descriptions (name, notebook, title, claim, params), read from site/explorables/index.ts. */
export async function explorableCatalogue() {
  const esbuild = await import("esbuild");
  const stubbed = [];
  const result = await esbuild.build({
    entryPoints: [join(root, "site", "explorables", "index.ts")], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent", plugins: [nodeBoundary(stubbed)],
  });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString("base64")}`);
  return mod.explorables.map((e) => ({ name: e.name, notebook: e.notebook, title: e.title, claim: e.claim, matrix: e.matrix, params: e.params }));
}

// ---------------------------------------------------------------------------------------------- assets

const MATHJAX = "/usr/share/javascript/mathjax";
const MATHJAX_PARTS = ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "config/local", "extensions", "jax/input/TeX", "jax/element", "jax/output/CommonHTML", "fonts/HTML-CSS/TeX/woff", "localization/en"];
const REQUIREJS = "/usr/share/javascript/requirejs/require.min.js";

/** plotly.js, the MathJax subset the nbconvert pages use, require.js, the stylesheet: what makes pages work offline. */
function copyAssets(outDir) {
  copyIfChanged(join(root, "node_modules", "plotly.js-dist", "plotly.js"), join(outDir, "plotly.js"));
  const assets = { mathjax: false, requirejs: false };
  if (existsSync(join(MATHJAX, "MathJax.js"))) {
    for (const part of MATHJAX_PARTS) {
      const src = join(MATHJAX, part);
      if (!existsSync(src)) continue;
      if (statSync(src).isDirectory()) cpSync(src, join(outDir, "mathjax", part), { recursive: true, dereference: true });
      else copyIfChanged(src, join(outDir, "mathjax", part));
    }
    assets.mathjax = true;
  }
  if (existsSync(REQUIREJS)) {
    copyIfChanged(REQUIREJS, join(outDir, "require.min.js"));
    assets.requirejs = true;
  }
  writeAtomic(join(outDir, "book.css"), CSS);
  return assets;
}

// ---------------------------------------------------------------------------------------------- the book

/**
 * Write the site. Options: buildDir (default build/; report.json, html/ come from there), report (an object,
 * overrides buildDir/report.json), reportFile, outDir (default <buildDir>/site), notebooksDir (default
 * notebooks/), ledgerDir (default results/paper). Returns { outDir, notebooks, explorables, stubbed }.
 */
export async function book(options = {}) {
  const buildDir = resolve(options.buildDir ?? join(root, "build"));
  const notebooksDir = resolve(options.notebooksDir ?? join(root, "notebooks"));
  const outDir = resolve(options.outDir ?? join(buildDir, "site"));
  const htmlDir = resolve(options.htmlDir ?? join(buildDir, "html"));
  const ledgerDir = resolve(options.ledgerDir ?? join(root, "results", "paper"));
  const report = options.report ?? readJson(options.reportFile ?? join(buildDir, "report.json")) ?? { notebooks: [], generated: null };
  const quickById = new Map((report.notebooks ?? []).map((e) => [e.id, e]));

  const ids = listNotebooks(notebooksDir);
  const claims = ids.map((id) => readClaim(notebooksDir, id));
  const paperIds = [...PAPERS.map((p) => p.id).filter((p) => claims.some((c) => c.paper === p)), ...new Set(claims.map((c) => c.paper).filter((p) => !PAPERS.some((q) => q.id === p)))];
  const byPaper = new Map(paperIds.map((p) => [p, claims.filter((c) => c.paper === p).sort((a, b) => compareKeys(paperOrderKey(a, a.name), paperOrderKey(b, b.name)) || a.name.localeCompare(b.name, "en", { numeric: true }))]));

  const assets = copyAssets(outDir);
  pagesHaveMathJax = assets.mathjax;
  const catalogue = await explorableCatalogue();
  const explorableOf = new Map(catalogue.map((e) => [e.notebook, e]));
  const info = (c) => {
    const paper = verdict(readJson(join(ledgerDir, `${c.id}.json`)));
    if (paper) paper.stale = ledgerStale(notebooksDir, c.id, paper.commit);
    return { quick: verdict(quickById.get(c.id)), paper };
  };
  const all = new Map(claims.map((c) => [c.id, info(c)]));

  // notebook pages and paper pages
  for (const [paper, list] of byPaper) {
    list.forEach((c, i) => {
      const v = all.get(c.id);
      const header = notebookHeader(c, list, i, v.quick, v.paper, explorableOf.get(c.id));
      writeAtomic(join(outDir, `${c.id}.html`), notebookPage(join(htmlDir, `${c.id}.html`), header, c, assets));
    });
    const rows = list.map((c) => {
      const v = all.get(c.id);
      const dis = [...(v.quick?.disagreements ?? []).map((d) => `quick: ${disagreementHtml(d)}`), ...(v.paper?.disagreements ?? []).map((d) => `paper: ${disagreementHtml(d)}`)];
      const ex = explorableOf.get(c.id);
      return `<tr id="${esc(c.name)}"><td>${esc(c.label)}${c.section ? `<br><span class="meta">${esc(c.section)}</span>` : ""}</td><td><a href="${esc(c.name)}.html">${esc(c.title)}</a>${ex ? ` <a class="meta" href="../explorables/${esc(ex.name)}.html">(explore)</a>` : ""}</td><td>${statementHtml(c)}</td><td>${verdictHtml(v.quick, "quick")}</td><td>${verdictHtml(v.paper, "paper")}</td><td>${v.quick?.seconds ?? ""}</td><td class="dis">${dis.join("<br>")}</td></tr>`;
    });
    const p = PAPERS.find((q) => q.id === paper);
    writeAtomic(join(outDir, paper, "index.html"), page({
      title: paperTitle(paper), depth: 1, crumbs: [esc(paperTitle(paper))],
      body: `<h1>${esc(paperTitle(paper))}</h1>${p ? `<p>${esc(p.subtitle)}</p>` : ""}<p>${list.length} claims in the paper's order. Quick scale: this build's run; paper scale: the committed ledger <code>results/paper/${esc(paper)}/</code>.</p>
<table><tr><th>claim</th><th>title</th><th>statement</th><th>quick</th><th>paper</th><th>seconds (quick)</th><th>disagreements</th></tr>${rows.join("\n")}</table>`,
    }));
  }

  // every disagreement, quick and paper
  const dRows = [];
  for (const [paper, list] of byPaper) {
    for (const c of list) {
      const v = all.get(c.id);
      for (const [scale, ver] of [["quick", v.quick], ["paper", v.paper]]) {
        for (const d of ver?.disagreements ?? []) dRows.push(`<tr><td>${esc(paperTitle(paper))}</td><td><a href="${esc(c.id)}.html">${esc(c.label)}</a></td><td>${scale}</td><td>${disagreementHtml(d)}</td></tr>`);
      }
    }
  }
  writeAtomic(join(outDir, "disagreements.html"), page({
    title: "Where the papers and the numbers disagree", depth: 0, crumbs: ["disagreements"],
    body: `<h1>Where the papers and the numbers disagree (${dRows.length})</h1><p>Each row is a check kept exactly as the paper states the claim, which the numbers do not meet; the notebook says why.</p>${dRows.length ? `<table><tr><th>paper</th><th>claim</th><th>scale</th><th>check</th></tr>${dRows.join("\n")}</table>` : "<p>None recorded in this build.</p>"}`,
  }));

  // explorables
  const stubbed = [];
  for (const e of catalogue) {
    const b = await bundleExplorable(e.name);
    stubbed.push(...b.stubbed.map((s) => ({ ...s, explorable: e.name })));
    writeAtomic(join(outDir, "explorables", `${e.name}.js`), b.code);
    const c = claims.find((q) => q.id === e.notebook);
    writeAtomic(join(outDir, "explorables", `${e.name}.html`), page({
      title: e.title, depth: 1, crumbs: [`<a href="index.html">explorables</a>`, esc(e.title)],
      head: `<script src="../plotly.js"></script>`,
      body: `<h1>${esc(e.title)}</h1><p>${esc(e.claim)}</p><p>Every slider change rebuilds the network, takes the exact dense ${esc(e.matrix)} (float64, from exact derivatives), its eigenvalues, and the closed form, with the same library code the notebook ${c ? `<a href="../${esc(e.notebook)}.html">${esc(c.label)}</a>` : esc(e.notebook)} uses, here in your browser.</p><div id="hs-app"></div><script src="${esc(e.name)}.js"></script>`,
    }));
  }
  writeAtomic(join(outDir, "explorables", "index.html"), page({
    title: "Explorables", depth: 1, crumbs: ["explorables"],
    body: `<h1>Theorems to play with</h1><p>Closed-form claims recomputed live: move a slider and the exact Hessian, its eigenvalues and the closed form are recomputed and compared. No install, no kernel.</p><ul>${catalogue.map((e) => `<li><a href="${esc(e.name)}.html">${esc(e.title)}</a> <span class="meta">(${esc(paperTitle(e.notebook.split("/")[0]))})</span></li>`).join("")}</ul>`,
  }));

  // home
  const papersHtml = [...byPaper].map(([paper, list]) => {
    const p = PAPERS.find((q) => q.id === paper);
    const q = list.map((c) => all.get(c.id).quick);
    const ok = q.filter((v) => v?.status === "ok").length, ran = q.filter(Boolean).length;
    const paperRan = list.filter((c) => all.get(c.id).paper).length;
    const items = list.map((c) => { const v = all.get(c.id); return `<li><a href="${esc(c.id)}.html">${esc(c.label)}: ${esc(c.title)}</a> ${verdictHtml(v.quick, "quick")}${v.paper ? ` ${verdictHtml(v.paper, "paper")}` : ""}</li>`; });
    return `<section class="paper"><h2><a href="${esc(paper)}/index.html">${esc(paperTitle(paper))}</a></h2>${p ? `<p>${esc(p.subtitle)}</p>` : ""}<p>${list.length} claims · quick: ${ok}/${ran} ok of ${ran} run · paper scale: ${paperRan} recorded</p><ol class="claims">${items.join("")}</ol></section>`;
  });
  const nDis = dRows.length;
  writeAtomic(join(outDir, "index.html"), page({
    title: "The book", depth: 0,
    body: `<h1>hessian-spectra: three papers on Hessian eigenvalues, checked claim by claim</h1>
<p>Every theorem, lemma, corollary, key equation and figure has a notebook that states the claim, steps through it numerically against a dense float64 Hessian, and plots what it found. ${report.generated ? `Quick-scale run of ${esc(report.generated)}.` : "No quick-scale report in this build."}</p>
<p><a href="explorables/index.html">Explorables</a>: ${catalogue.length} closed-form theorems to play with in the browser · <a href="disagreements.html">Where the papers and the numbers disagree (${nDis})</a></p>
${papersHtml.join("\n")}`,
  }));
  return { outDir, notebooks: claims.length, explorables: catalogue.map((e) => e.name), stubbed };
}

function parseArgs(argv) {
  const opts = {};
  const keys = { "--build": "buildDir", "--report": "reportFile", "--out": "outDir", "--notebooks-dir": "notebooksDir", "--ledger": "ledgerDir", "--html": "htmlDir" };
  for (let i = 0; i < argv.length; i++) {
    const k = keys[argv[i]];
    if (!k) throw new Error(`book: unknown option ${argv[i]} (options: ${Object.keys(keys).join(", ")})`);
    if (i + 1 >= argv.length) throw new Error(`book: ${argv[i]} needs a value`);
    opts[k] = resolve(argv[++i]);
  }
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  book(opts).then((r) => {
    const stubs = [...new Set(r.stubbed.map((s) => `${s.module} (from ${s.importer})`))];
    console.log(`book: ${r.notebooks} notebook pages, ${r.explorables.length} explorables; open ${relative(process.cwd(), join(r.outDir, "index.html"))}${stubs.length ? `\nbook: Node built-ins stubbed in the browser bundles (file loading only): ${stubs.join(", ")}` : ""}`);
  }, (e) => {
    console.error(`book: ${e.message}`);
    process.exit(1);
  });
}
