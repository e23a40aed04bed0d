#!/usr/bin/env node
// Writes CATALOGUE.md, the project's catalogue of claims, from each notebook's `metadata.claim`
// ({ paper, section, title, statement, check }): adding a notebook never means editing a list elsewhere.
//
//   node tools/catalogue.mjs           write CATALOGUE.md
//   node tools/catalogue.mjs --check   exit 1 (and say which) if CATALOGUE.md is not what the notebooks give
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CLAIM_FIELDS = ["paper", "section", "title", "statement", "check"];
export const PAPERS = {
  "depth-not-data": "Depth, Not Data",
  "data-dependence": "How the Hessian-Spectrum of Linear Networks Depends on Data",
  "cracking-the-hessian": "Cracking the Hessian",
};

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ipynb") ? [p] : [];
  });
}

/** Every notebook's id and claim, in the runner's natural order (figure-2 before figure-10). */
export function readClaims(root = ROOT) {
  const dir = join(root, "notebooks");
  return walk(dir)
    .map((file) => {
      const id = relative(dir, file).replace(/\\/g, "/").replace(/\.ipynb$/, "");
      const nb = JSON.parse(readFileSync(file, "utf8"));
      return { id, claim: nb.metadata?.claim };
    })
    .sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
}

/** Problems with the claims: missing fields, empty strings, a paper that is not the notebook's folder. */
export function claimProblems(entries) {
  const problems = [];
  for (const { id, claim } of entries) {
    if (!claim || typeof claim !== "object") {
      problems.push(`${id}: metadata.claim is missing (expected { ${CLAIM_FIELDS.join(", ")} })`);
      continue;
    }
    for (const k of CLAIM_FIELDS) {
      if (typeof claim[k] !== "string" || claim[k].trim() === "") problems.push(`${id}: metadata.claim.${k} must be a non-empty string`);
      else if (/\n/.test(claim[k])) problems.push(`${id}: metadata.claim.${k} must be one line`);
    }
    if (claim.paper !== id.split("/")[0]) problems.push(`${id}: metadata.claim.paper must be "${id.split("/")[0]}", got ${JSON.stringify(claim.paper)}`);
    // optional: the id a renamed notebook had (without the paper folder), so that old ids stay findable
    if (claim.formerly !== undefined && (typeof claim.formerly !== "string" || !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(claim.formerly))) problems.push(`${id}: metadata.claim.formerly must be a former notebook id like "eq-7-trace", got ${JSON.stringify(claim.formerly)}`);
  }
  return problems;
}

const cell = (s) => String(s).replace(/\|/g, "\\|");

/** The catalogue's Markdown. */
export function renderCatalogue(entries) {
  const problems = claimProblems(entries);
  if (problems.length > 0) throw new Error(`catalogue: notebooks without a valid metadata.claim:\n  ${problems.join("\n  ")}`);
  const lines = [
    "# Catalogue of claims",
    "",
    "One notebook per theorem, lemma, corollary, remark, key equation and figure of the three papers. Generated",
    "by `npm run catalogue` from each notebook's `metadata.claim`; do not edit by hand.",
    "",
  ];
  for (const paper of Object.keys(PAPERS)) {
    const rows = entries.filter((e) => e.claim.paper === paper);
    if (rows.length === 0) continue;
    lines.push(`## ${PAPERS[paper]} (${rows.length})`, "", "| notebook | section | claim | statement | the check |", "|---|---|---|---|---|");
    for (const { id, claim } of rows) {
      const former = claim.formerly ? ` (formerly \`${claim.formerly}\`)` : "";
      lines.push(`| [${id}](notebooks/${id}.ipynb)${former} | ${cell(claim.section)} | ${cell(claim.title)} | ${cell(claim.statement)} | ${cell(claim.check)} |`);
    }
    lines.push("");
  }
  const unknown = entries.filter((e) => !(e.claim.paper in PAPERS));
  if (unknown.length > 0) throw new Error(`catalogue: unknown paper in ${unknown.map((e) => e.id).join(", ")} (known: ${Object.keys(PAPERS).join(", ")})`);
  return lines.join("\n");
}

function main() {
  const out = join(ROOT, "CATALOGUE.md");
  const text = renderCatalogue(readClaims());
  if (process.argv.includes("--check")) {
    const current = existsSync(out) ? readFileSync(out, "utf8") : "";
    if (current !== text) {
      console.error("catalogue: CATALOGUE.md is out of date with the notebooks' metadata.claim; run npm run catalogue");
      process.exit(1);
    }
    console.log("catalogue: CATALOGUE.md is up to date");
    return;
  }
  // Temp file + rename: a reader never sees half a catalogue.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, out);
  console.log(`catalogue: wrote ${relative(process.cwd(), out) || out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
}
