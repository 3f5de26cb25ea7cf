import { existsSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { envSchema } from "../../app/lib/env.server";

/** The README's "Scopes" table: scope → the code that needs it. */
function readmeScopes(): Map<string, string[]> {
  const readme = readFileSync("README.md", "utf8");
  const section = /^## Scopes\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
  const rows = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const scope = /^`([a-z_]+)`$/.exec(cells[1] ?? "")?.[1];
    if (scope)
      rows.set(
        scope,
        [...(cells[3] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      );
  }
  return rows;
}

const split = (scopes: string) =>
  scopes
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();

describe("access scopes", () => {
  const toml = parse(readFileSync("shopify.app.toml", "utf8")) as {
    access_scopes: { scopes: string };
    app_proxy?: { url: string; prefix: string; subpath: string };
  };
  const asked = split(toml.access_scopes.scopes);

  it("the README table lists exactly the scopes shopify.app.toml asks for", () => {
    expect([...readmeScopes().keys()].sort()).toEqual(asked);
  });

  it("each table row names code that exists", () => {
    for (const [scope, files] of readmeScopes()) {
      expect(files, scope).not.toHaveLength(0);
      for (const file of files) expect(existsSync(file), `${scope}: ${file}`).toBe(true);
    }
  });

  it("SCOPES in .env.example and the env default are the same set", () => {
    const example = /^SCOPES=(.*)$/m.exec(readFileSync(".env.example", "utf8"))?.[1] ?? "";
    expect(split(example)).toEqual(asked);
    expect(split(envSchema.shape.SCOPES.parse(undefined))).toEqual(asked);
  });

  it("asks for write_app_proxy, which configuring [app_proxy] requires, and uses Shopify's relative proxy url", () => {
    expect(asked).toContain("write_app_proxy");
    expect(toml.app_proxy).toEqual({ url: "/apps/affinity", prefix: "apps", subpath: "affinity" });
  });
});
