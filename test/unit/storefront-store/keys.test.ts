import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  eventRateKey,
  RUN_PARTS,
  runKey,
  shopKey,
  shopSpace,
  trainLockKey,
} from "../../../app/lib/storefront-store/keys";

const OWNER = path.normalize("app/lib/storefront-store/keys.ts");
/** The product's code: what runs in the app and the workers, and the scripts that drive them. */
const SCANNED = ["app", "workers", "scripts"];

/*
 * What spelling a key looks like: a template that puts a prefix variable in front of a colon, or
 * one of the namespaces keys.ts owns written out in a string.
 */
const SPELLINGS = [
  /\$\{[\w.?]*prefix\}:/i,
  /["'`][^"'`\n]*:(recs|experiment|exposed|events:rate|events:refused|train-lock|offline-token-lock)[:{]/,
];

function keySpellings(file: string, source: string): string[] {
  return source
    .split("\n")
    .flatMap((line, i) => (SPELLINGS.some((re) => re.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

/** Redis Cluster hashes the first non-empty `{…}` of a key, when there is one. */
const hashTag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1] ?? key;

describe("the Redis keyspace has one owner", () => {
  it("spells no key outside storefront-store/keys.ts", () => {
    const found = SCANNED.flatMap(sourceFiles)
      .filter((file) => path.normalize(file) !== OWNER)
      .flatMap((file) => keySpellings(file, readFileSync(file, "utf8")));
    expect(found).toEqual([]);
  });

  it("recognises a key spelled by hand, in a template or a string", () => {
    expect(keySpellings("a.ts", "const k = `${deps.prefix}:cards:{${shop}}`;")).toHaveLength(1);
    expect(keySpellings("a.ts", 'redis.get("affinity:recs:{s.myshopify.com}:active")')).toHaveLength(1);
    expect(keySpellings("a.ts", "const url = `/${config.app_proxy.prefix}/${subpath}`;")).toEqual([]);
  });

  it("keeps every key of a shop's storefront in that shop's cluster slot, away from the queues'", () => {
    const shop = "s.myshopify.com";
    const keys = [
      shopKey("{affinity}", shop, "state"),
      shopKey("{affinity}", shop, "cards"),
      ...RUN_PARTS.map((part) => runKey("{affinity}", shop, "run1", part)),
      trainLockKey("affinity", shop),
      eventRateKey("affinity", shop, 1, "shop"),
    ];
    for (const key of keys) expect(hashTag(key)).toBe(shop);
    for (const key of keys.slice(0, 2)) expect(key.startsWith(shopSpace("{affinity}", shop))).toBe(true);
  });
});
