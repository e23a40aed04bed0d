// Every explorable bundles for the browser (esbuild, platform browser) with no Node built-in inside: a
// built-in imported by any module the explorable reaches fails the build, and the bundles carry no
// require/import of one (file loading stays in lib/data/loaders, which no explorable reaches).
import { describe, expect, it } from "vitest";
import { builtinModules } from "module";
import { join } from "path";

const root = join(__dirname, "..", "..");
interface BookModule {
  bundleExplorable(name: string): Promise<{ code: string; metafile: { inputs: Record<string, unknown> }; stubbed: Array<{ module: string; importer: string }> }>;
  bundleForBrowser(contents: string, resolveDir: string, sourcefile?: string): Promise<unknown>;
  explorableCatalogue(): Promise<Array<{ name: string }>>;
  NODE_BOUNDARY: string[];
}
const load = (): Promise<BookModule> => import(join(root, "tools", "book.mjs"));
const builtin = new RegExp(`(?:require\\(\\s*|from\\s*|import\\(\\s*)["'](?:node:)?(?:${builtinModules.filter((m) => !m.startsWith("_")).map((m) => m.replace(/[/]/g, "\\/")).join("|")})["']`);

describe("explorable bundles", () => {
  it("each bundle builds for the browser without a Node built-in", async () => {
    const book = await load();
    const names = (await book.explorableCatalogue()).map((e) => e.name);
    expect(names).toHaveLength(8);
    for (const name of names) {
      const b = await book.bundleExplorable(name);
      expect(b.code.length).toBeGreaterThan(1000);
      expect(b.code, `${name}: a Node built-in is required or imported in the bundle`).not.toMatch(builtin);
      expect(b.code).not.toMatch(/require\(\s*["']koffi["']\)/);
      for (const input of Object.keys(b.metafile.inputs)) expect(input, `${name}: ${input}`).not.toMatch(/^node:|^(fs|path|os|zlib|child_process)$/);
      for (const s of b.stubbed) expect(book.NODE_BOUNDARY, `${name}: ${s.module} from ${s.importer}`).toContain(s.importer);
      expect(book.NODE_BOUNDARY).toEqual([]); // nothing may be stubbed: lib/ reaches the explorables browser-safe
      const stubs = [...new Set(b.stubbed.map((s) => `${s.module} via ${s.importer}`))];
      console.log(`${name}: ${(b.code.length / 1024).toFixed(0)} kB${stubs.length ? `; stubbed at the file-loading boundary: ${stubs.join(", ")}` : ""}`);
    }
  }, 60_000);

  it("a Node built-in imported outside the boundary fails the bundle", async () => {
    const book = await load();
    await expect(book.bundleForBrowser(`import { readFileSync } from "node:fs"; console.log(readFileSync);`, join(root, "site"))).rejects.toThrow(/node:fs/);
    await expect(book.bundleForBrowser(`import * as os from "os"; console.log(os);`, join(root, "site"))).rejects.toThrow(/"os"/);
    // lib/data's index re-exports the file loaders: reaching it from an explorable must fail
    await expect(book.bundleForBrowser(`import { whiten } from "../lib/data"; console.log(whiten);`, join(root, "site"))).rejects.toThrow(/lib\/data\/loaders\.ts.*node:fs/s);
  });
});
