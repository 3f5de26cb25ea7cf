import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The layer rule is only worth having if it really fires; this keeps it honest.
async function lintAs(filePath: string, code: string, rule = "no-restricted-imports") {
  const eslint = new ESLint();
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule);
}

describe("the layer rule", () => {
  it("stops a worker from importing a route", async () => {
    const messages = await lintAs(
      "workers/processors/bad.ts",
      'import { loader } from "../../app/routes/app._index";\nvoid loader;\n',
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]?.message).toMatch(/Routes are the HTTP edge/);
  });

  it("stops shared code from importing a route", async () => {
    const messages = await lintAs("app/lib/bad.ts", 'import { loader } from "../routes/healthz";\nvoid loader;\n');
    expect(messages).toHaveLength(1);
  });

  it("stops storefront code from importing server code", async () => {
    const messages = await lintAs(
      "extensions/recs/assets/bad.js",
      'import { env } from "../../../app/lib/env.server";\nvoid env;\n',
    );
    expect(messages).toHaveLength(1);
  });

  it("lets a worker import shared code", async () => {
    expect(
      await lintAs(
        "workers/processors/good.ts",
        'import { createLogger } from "../../app/lib/logger.server";\nvoid createLogger;\n',
      ),
    ).toEqual([]);
  });
});

describe("the owners' rules", () => {
  it("stops a worker from importing the admin folder", async () => {
    const messages = await lintAs(
      "workers/processors/bad.ts",
      'import { dashboard } from "../../app/lib/admin/dashboard.server";\nvoid dashboard;\n',
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]?.message).toMatch(/admin pages need/);
  });

  it("stops any module but shops from querying the shop table", async () => {
    for (const code of [
      "export const f = (db) => db.shop.findMany();\n",
      "export const f = (deps) => deps.db.shop.update({});\n",
      "export const f = (tx) => tx.shop.delete({});\n",
    ]) {
      const messages = await lintAs("app/lib/recommendations/bad.ts", code, "no-restricted-syntax");
      expect(messages.map((m) => m.message)).toEqual([expect.stringMatching(/Only app\/lib\/shops/)]);
    }
    expect(
      await lintAs("app/lib/shops/good.ts", "export const f = (db) => db.shop.findMany();\n", "no-restricted-syntax"),
    ).toEqual([]);
  });

  it("stops a module from spelling a Redis key, and lets keys.ts", async () => {
    const code = "export const k = (prefix, shop) => `${prefix}:recs:{${shop}}`;\n";
    const messages = await lintAs("app/lib/recommendations/bad.ts", code, "no-restricted-syntax");
    expect(messages[0]?.message).toMatch(/storefront-store\/keys.ts/);
    expect(await lintAs("app/lib/storefront-store/keys.ts", code, "no-restricted-syntax")).toEqual([]);
    // A path built from the App Proxy's prefix is not a key.
    const path = "export const p = (c) => `/${c.app_proxy.prefix}/${c.sub}`;\n";
    expect(await lintAs("app/lib/pixel/good.ts", path, "no-restricted-syntax")).toEqual([]);
  });
});
