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
  });
});
