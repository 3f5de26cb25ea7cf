import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const ASSETS = resolve("extensions/recommendations/assets");

/** Our budget for the block's script, gzipped: it runs on every storefront page view. */
const JS_GZIP_BUDGET = 6144;
/** Theme check's AssetSizeAppBlockJavaScript limit. It measures the file on disk, not gzipped. */
const THEME_CHECK_JS_BYTES = 10_000;
/** Theme check's AssetSizeAppBlockCSS limit, also on disk. */
const THEME_CHECK_CSS_BYTES = 100_000;

function sizes(file: string): { raw: number; gzip: number } {
  const bytes = readFileSync(resolve(ASSETS, file));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

describe("the storefront block's asset sizes", () => {
  it("keeps the script within its gzip budget and theme check's on-disk limit", () => {
    const js = sizes("recommendations.js");
    console.info(`recommendations.js: ${js.raw} B on disk, ${js.gzip} B gzipped (budget ${JS_GZIP_BUDGET} B)`);
    expect(js.gzip).toBeLessThanOrEqual(JS_GZIP_BUDGET);
    expect(js.raw).toBeLessThanOrEqual(THEME_CHECK_JS_BYTES);
  });

  it("keeps the stylesheet small", () => {
    const css = sizes("recommendations.css");
    console.info(`recommendations.css: ${css.raw} B on disk, ${css.gzip} B gzipped`);
    expect(css.raw).toBeLessThanOrEqual(THEME_CHECK_CSS_BYTES);
    expect(css.gzip).toBeLessThanOrEqual(4096);
  });
});
