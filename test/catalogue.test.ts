// The catalogue of claims comes from each notebook's metadata.claim; every notebook must carry one and the
// committed CATALOGUE.md must be what the notebooks give.
import { describe, expect, it } from "vitest";
import { readFileSync } from "fs";
import { join } from "path";

const root = join(__dirname, "..");

interface Entry { id: string; claim: unknown }
interface Catalogue {
  readClaims(root?: string): Entry[];
  claimProblems(entries: Entry[]): string[];
  renderCatalogue(entries: Entry[]): string;
}
const load = async (): Promise<Catalogue> => (await import(join(root, "tools", "catalogue.mjs"))) as Catalogue;

describe("catalogue of claims", () => {
  it("every notebook has metadata.claim = { paper, section, title, statement, check }", async () => {
    const { readClaims, claimProblems } = await load();
    const entries = readClaims(root);
    expect(entries.length).toBeGreaterThan(0);
    const problems = claimProblems(entries);
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("CATALOGUE.md is generated from the notebooks (npm run catalogue)", async () => {
    const { readClaims, renderCatalogue } = await load();
    expect(readFileSync(join(root, "CATALOGUE.md"), "utf8")).toBe(renderCatalogue(readClaims(root)));
  });

  it("a missing, empty or misplaced claim is named", async () => {
    const { claimProblems, renderCatalogue } = await load();
    const good = { paper: "depth-not-data", section: "Section 3", title: "Lemma 3.4", statement: "s", check: "c" };
    expect(claimProblems([{ id: "depth-not-data/x", claim: good }])).toEqual([]);
    expect(claimProblems([{ id: "depth-not-data/x", claim: undefined }])).toEqual([
      "depth-not-data/x: metadata.claim is missing (expected { paper, section, title, statement, check })",
    ]);
    expect(claimProblems([{ id: "depth-not-data/x", claim: { ...good, check: " " } }])).toEqual(["depth-not-data/x: metadata.claim.check must be a non-empty string"]);
    expect(claimProblems([{ id: "data-dependence/x", claim: good }])).toEqual(['data-dependence/x: metadata.claim.paper must be "data-dependence", got "depth-not-data"']);
    expect(() => renderCatalogue([{ id: "depth-not-data/x", claim: undefined }])).toThrow(/catalogue: notebooks without a valid metadata.claim/);
    expect(claimProblems([{ id: "depth-not-data/x", claim: { ...good, formerly: "../y" } }])).toEqual(['depth-not-data/x: metadata.claim.formerly must be a former notebook id like "eq-7-trace", got "../y"']);
  });

  it("one id scheme: <kind>-<number>, the kind one of the papers' own words; a renamed notebook names its former id", async () => {
    const { readClaims, renderCatalogue } = await load();
    const entries = readClaims(root);
    const bad = entries.map((e) => e.id.split("/")[1]).filter((name) => !/^(theorem|lemma|corollary|remark|equation|figure|appendix)-[0-9A-Z][0-9A-Z.]*(-\d+)?$/.test(name));
    expect(bad, `ids outside the scheme: ${bad.join(", ")}`).toEqual([]);
    const good = { paper: "data-dependence", section: "eq. (7)", title: "t", statement: "s", check: "c", formerly: "eq-7-trace" };
    expect(renderCatalogue([{ id: "data-dependence/equation-7", claim: good }])).toContain("| [data-dependence/equation-7](notebooks/data-dependence/equation-7.ipynb) (formerly `eq-7-trace`) |");
  });

  it("every notebook shows its own paper-scale ledger entry (paperRun with its id, in its last code cell, beside the summary)", async () => {
    const { readClaims } = await load();
    const missing = readClaims(root).map((e) => e.id).filter((id) => {
      const nb = JSON.parse(readFileSync(join(root, "notebooks", `${id}.ipynb`), "utf8")) as { cells: { cell_type: string; source: string[] }[] };
      const last = nb.cells.filter((c) => c.cell_type === "code").pop();
      return !last || !last.source.join("").includes(`paperRun("${id}")`);
    });
    expect(missing, `notebooks without paperRun("<their id>") in the last code cell: ${missing.join(", ")}`).toEqual([]);
  });
});
