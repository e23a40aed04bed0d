// The kernel that every front-end starts (registered by tools/setup.mjs): tslab, run from the project root.
// tslab compiles cells with TypeScript's rootDir set to the kernel's working directory, and Jupyter starts a
// kernel in the notebook's own folder; starting it from the root lets every notebook import "./lib/...".
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const configPath = process.argv[2];
if (!configPath) {
  console.error("kernel: expected the Jupyter connection file as the first argument");
  process.exit(2);
}
process.chdir(root);
const require = createRequire(join(root, "package.json"));
require("tslab/dist/main.js").startKernel({ configPath, enableFindLocal: false });
