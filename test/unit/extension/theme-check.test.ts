import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { themeCheckRun, type Offense } from "@shopify/theme-check-node";

const EXTENSION = resolve("extensions/recommendations");

// Pin theme check to the Liquid docs bundled with the installed version. Without this it tries
// to download the latest docs from GitHub, so results would depend on the network and the day.
beforeAll(() => {
  const docsUpdater = createRequire(import.meta.url).resolve("@shopify/theme-check-docs-updater/package.json");
  process.env.SHOPIFY_TLD_ROOT = join(dirname(docsUpdater), "data");
});

function describeOffenses(offenses: Offense[]): string {
  const names = ["error", "warning", "info"];
  return offenses
    .map(
      (o) =>
        `${names[o.severity]} ${o.check} ${o.uri.replace(/^.*recommendations\//, "")}:${o.start.line + 1} ${o.message}`,
    )
    .join("\n");
}

describe("theme check on the theme app extension", () => {
  it("uses the theme-app-extension rules and finds no offense at all, suggestions included", async () => {
    const run = await themeCheckRun(EXTENSION);

    // shopify.extension.toml makes theme check pick its theme-app-extension config.
    expect(run.config.context).toBe("app");
    expect(run.config.checks.map((c) => c.meta.code)).toEqual(
      expect.arrayContaining([
        "AppBlockValidTags",
        "AssetSizeAppBlockJavaScript",
        "ValidSchema",
        "TranslationKeyExists",
      ]),
    );
    // Issue 19 asks for 0 offenses: errors, warnings and INFO suggestions alike.
    expect(run.offenses, `theme check offenses:\n${describeOffenses(run.offenses)}`).toEqual([]);
  });

  it("would catch a mistake (a {% javascript %} tag and a missing translation) in a copy of the block", async () => {
    const copy = mkdtempSync(join(tmpdir(), "affinity-theme-check-"));
    try {
      cpSync(EXTENSION, copy, { recursive: true });
      const block = join(copy, "blocks/recommendations.liquid");
      const broken = readFileSync(block, "utf8").replace(
        "{% schema %}",
        "{{ 'recommendations.no_such_key' | t }}\n{% javascript %}console.log(1){% endjavascript %}\n{% schema %}",
      );
      writeFileSync(block, broken);

      const { offenses } = await themeCheckRun(copy);

      expect(offenses.map((o) => o.check)).toEqual(
        expect.arrayContaining(["AppBlockValidTags", "TranslationKeyExists"]),
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
