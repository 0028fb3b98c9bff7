// Copies the few browser files the service serves out of node_modules into static/vendor/
// (gitignored), with each package's licence beside them. Run by `npm run build` after `npm ci`.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "static", "vendor");

// package -> files it ships that the pages load (paths inside the package)
const FILES = {
  "cytoscape": ["dist/cytoscape.min.js"],
  // the fCoSE layout and the two libraries it is built on, each a browser global
  "layout-base": ["layout-base.js"],
  "cose-base": ["cose-base.js"],
  "cytoscape-fcose": ["cytoscape-fcose.js"],
  "chart.js": ["dist/chart.umd.min.js"],
  "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"],
  "redoc": ["bundles/redoc.standalone.js"],
};

rmSync(vendor, { recursive: true, force: true });
const versions = {};
for (const [name, files] of Object.entries(FILES)) {
  const root = join(here, "node_modules", name);
  const target = join(vendor, name);
  mkdirSync(target, { recursive: true });
  const licence = existsSync(join(root, "LICENSE")) ? "LICENSE" : "LICENSE.md";
  for (const file of [...files, licence]) {
    const base = file.split("/").pop();
    copyFileSync(join(root, file), join(target, base));
  }
  versions[name] = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
}
// The server reads this to know the assets are there (and which versions it serves).
writeFileSync(join(vendor, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`explorer assets copied to ${vendor}: ${JSON.stringify(versions)}`);
