/** The storefront block's weight as shoppers download it (gzip), the theme-check budget beside it. */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { result, type BenchResult } from "./lib";

const ASSETS = "extensions/recommendations/assets";

export async function benchBlock(): Promise<BenchResult[]> {
  const gz = (file: string) => gzipSync(readFileSync(`${ASSETS}/${file}`), { level: 9 }).length;
  return [
    result("block.js_gz_bytes", gz("recommendations.js"), "bytes", 6_144, "reference: our 6 KB gzip budget"),
    result("block.css_gz_bytes", gz("recommendations.css"), "bytes"),
  ];
}
