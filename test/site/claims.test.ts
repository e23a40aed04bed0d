// The book's titles and statements come from each notebook's metadata.claim; without it, from the first
// Markdown heading with "statement missing". Claims sort in the paper's order.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const root = join(__dirname, "..", "..");
interface Claim { id: string; paper: string; name: string; label: string; section: string | null; title: string; statement: string | null; fromMetadata: boolean }
interface BookModule {
  readClaim(dir: string, id: string): Claim;
  paperOrderKey(claim: Claim, name: string): number[];
  book(options: Record<string, unknown>): Promise<{ outDir: string; notebooks: number }>;
}
const load = (): Promise<BookModule> => import(join(root, "tools", "book.mjs"));

function notebook(dir: string, id: string, heading: string, claim?: Record<string, string>) {
  mkdirSync(join(dir, id, ".."), { recursive: true });
  writeFileSync(join(dir, `${id}.ipynb`), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: claim ? { claim } : {}, cells: [{ cell_type: "markdown", metadata: {}, source: [`# ${heading}\n`, "text\n"] }] }));
}

describe("claims from notebook metadata", () => {
  const dir = mkdtempSync(join(tmpdir(), "hs-claims-"));
  const out = mkdtempSync(join(tmpdir(), "hs-claims-site-"));
  afterAll(() => { for (const d of [dir, out]) rmSync(d, { recursive: true, force: true }); });
  notebook(dir, "cracking-the-hessian/theorem-3.4", "Cracking the Hessian — Theorem 3.4: the ReLU network's spectrum splits by cell");
  notebook(dir, "cracking-the-hessian/theorem-3.1", "ignored heading", { paper: "cracking-the-hessian", section: "3.1", title: "Theorem 3.1: the spectrum of a two-layer scalar linear network", statement: "m - 1 eigenvalues at each of ±deltaX and two outliers", check: "dense vs closed form, 1e-10" });
  notebook(dir, "cracking-the-hessian/corollary-B.2", "Cracking the Hessian — Corollary B.2: multi-dimensional output");
  notebook(dir, "cracking-the-hessian/figure-2", "Cracking the Hessian — Figure 2: query/key norms");
  notebook(dir, "cracking-the-hessian/figure-10", "Cracking the Hessian — Figure 10: paired eigenvalues");

  it("metadata.claim gives title, statement and section", async () => {
    const { readClaim } = await load();
    expect(readClaim(dir, "cracking-the-hessian/theorem-3.1")).toMatchObject({ label: "Theorem 3.1", section: "3.1", title: "the spectrum of a two-layer scalar linear network", statement: "m - 1 eigenvalues at each of ±deltaX and two outliers", fromMetadata: true });
  });

  it("without metadata: the first heading, and no statement", async () => {
    const { readClaim } = await load();
    expect(readClaim(dir, "cracking-the-hessian/theorem-3.4")).toMatchObject({ label: "Theorem 3.4", title: "the ReLU network's spectrum splits by cell", statement: null, fromMetadata: false });
  });

  it("the paper's order: statements by number, appendices after, figures by number", async () => {
    const { book } = await load();
    await book({ buildDir: out, outDir: out, notebooksDir: dir, report: { notebooks: [] }, ledgerDir: join(out, "none") });
    const home = readFileSync(join(out, "index.html"), "utf8") as string;
    const order = [...home.matchAll(/<li><a href="cracking-the-hessian\/([^"]+)\.html">/g)].map((m) => m[1]);
    expect(order).toEqual(["theorem-3.1", "theorem-3.4", "corollary-B.2", "figure-2", "figure-10"]);
    const paper = readFileSync(join(out, "cracking-the-hessian", "index.html"), "utf8") as string;
    expect(paper).toContain("m - 1 eigenvalues at each of ±deltaX and two outliers");
    expect(paper.match(/statement missing/g)).toHaveLength(4);
  });
});
