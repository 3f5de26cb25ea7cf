import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WEBHOOK_HANDLERS } from "../../app/lib/sync/webhook-handlers.server";

function subscribedTopics(toml: string): string[] {
  const lists = [...toml.matchAll(/^\s*(?:compliance_)?topics\s*=\s*\[([^\]]*)\]/gm)].map((m) => m[1] ?? "");
  return lists.flatMap((list) => [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!)).sort();
}

describe("shopify.app.toml webhook subscriptions", () => {
  const toml = readFileSync("shopify.app.toml", "utf8");

  it("subscribes to exactly the topics the ingest worker handles", () => {
    expect(subscribedTopics(toml)).toEqual(Object.keys(WEBHOOK_HANDLERS).sort());
  });

  it("includes the three mandatory compliance topics", () => {
    expect(toml).toMatch(/compliance_topics = \["customers\/data_request", "customers\/redact", "shop\/redact"\]/);
  });

  it("sends every topic to the intake route, on the API version the app pins", () => {
    for (const uri of toml.matchAll(/^uri = "([^"]+)"/gm)) expect(uri[1]).toBe("/webhooks");
    expect(toml).toContain('api_version = "2026-10"');
  });
});
