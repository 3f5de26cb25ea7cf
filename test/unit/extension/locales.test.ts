import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const EXTENSION = resolve("extensions/recommendations");
const LOCALES = join(EXTENSION, "locales");

type Tree = { [key: string]: string | Tree };

function readJson(file: string): Tree {
  return JSON.parse(readFileSync(join(LOCALES, file), "utf8")) as Tree;
}

/** Dotted paths of every string in a locale file, with its value. */
function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const files = readdirSync(LOCALES);
const storefront = files.filter((f) => !f.endsWith(".schema.json"));
const schema = files.filter((f) => f.endsWith(".schema.json"));

describe("the block's translations", () => {
  it("ships English (default), French, German and Spanish, for the storefront and the theme editor", () => {
    expect(storefront.sort()).toEqual(["de.json", "en.default.json", "es.json", "fr.json"]);
    expect(schema.sort()).toEqual(["de.schema.json", "en.default.schema.json", "es.schema.json", "fr.schema.json"]);
  });

  it.each([
    ["storefront", "en.default.json", storefront],
    ["theme editor", "en.default.schema.json", schema],
  ])("gives every %s locale the same keys as the default, none empty", (_kind, base, group) => {
    const expected = [...flatten(readJson(base)).keys()].sort();
    for (const file of group) {
      const strings = flatten(readJson(file));
      expect([...strings.keys()].sort(), file).toEqual(expected);
      for (const [key, value] of strings) expect(value.trim(), `${file} ${key}`).not.toBe("");
    }
  });

  it("keeps the [title] placeholder the script fills in", () => {
    for (const file of storefront) {
      expect(flatten(readJson(file)).get("recommendations.added_status"), file).toContain("[title]");
    }
  });

  it("defines every key the block uses, in the block and in its schema", () => {
    // The blocks, and the snippet that holds their shared markup.
    const block = ["blocks/recommendations.liquid", "blocks/cart-drawer.liquid", "snippets/affinity-recs.liquid"]
      .map((file) => readFileSync(join(EXTENSION, file), "utf8"))
      .join("\n");
    const used = [...block.matchAll(/'([\w.]+)'\s*\|\s*t\b/g)].map((m) => m[1]!);
    const schemaKeys = [...block.matchAll(/"t:([\w.]+)"/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(5);
    expect(schemaKeys.length).toBeGreaterThan(5);
    const strings = flatten(readJson("en.default.json"));
    const schemaStrings = flatten(readJson("en.default.schema.json"));
    expect(used.filter((key) => !strings.has(key))).toEqual([]);
    expect(schemaKeys.filter((key) => !schemaStrings.has(key))).toEqual([]);
  });
});
