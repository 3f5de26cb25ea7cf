/**
 * Builds the storefront block's script: extensions-src/recommendations/recommendations.js,
 * minified, into the theme app extension's assets (which Shopify deploys as they are, so the
 * built file is committed). `--check` only says whether the committed file is up to date.
 *
 *   npm run build:block            writes the asset
 *   npm run build:block -- --check exits 1 if the asset is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildBlockScript, BLOCK_SCRIPT } from "../dev/block-script";

const root = path.resolve(import.meta.dirname, "..");
const built = buildBlockScript(readFileSync(path.join(root, BLOCK_SCRIPT.source), "utf8"));
const target = path.join(root, BLOCK_SCRIPT.asset);
if (process.argv.includes("--check")) {
  const current = readFileSync(target, "utf8");
  if (current !== built) {
    process.stderr.write(`${BLOCK_SCRIPT.asset} is stale: run npm run build:block\n`);
    process.exit(1);
  }
} else {
  writeFileSync(target, built);
  process.stdout.write(`${BLOCK_SCRIPT.asset}: ${Buffer.byteLength(built)} B\n`);
}
