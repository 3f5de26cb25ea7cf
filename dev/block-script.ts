import { transformSync } from "esbuild";

/** Where the block's script is written and where it is deployed from. */
export const BLOCK_SCRIPT = {
  source: "extensions-src/recommendations/recommendations.js",
  asset: "extensions/recommendations/assets/recommendations.js",
};

/**
 * The deployed script: minified (theme check allows 10,000 bytes on disk, and every storefront
 * page view downloads it), for the browsers Shopify themes support, with a first line that says
 * where it comes from.
 */
export function buildBlockScript(source: string): string {
  const { code } = transformSync(source, { minify: true, target: "es2020", charset: "utf8" });
  return `// Built from ${BLOCK_SCRIPT.source} by npm run build:block. Edit that file, not this one.\n${code}`;
}
