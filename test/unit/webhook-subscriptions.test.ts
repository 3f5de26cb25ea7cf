import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { z, type ZodType } from "zod";
import { HANDLER_PAYLOADS, WEBHOOK_HANDLERS } from "../../app/lib/sync/webhook-handlers.server";

interface Subscription {
  topics?: string[];
  compliance_topics?: string[];
  include_fields?: string[];
}

/**
 * Every field path a zod schema reads, "a.b" for field b of an object (or of each item of a list)
 * a, as Shopify's include_fields names nested fields. A leaf is a field whose value is not an
 * object; wrappers (optional, default, transform…) are seen through.
 */
function schemaFields(schema: ZodType, prefix = ""): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const inner = (key: string) => schemaFields(def[key] as ZodType, prefix);
  switch (def.type) {
    case "object":
      return Object.entries(def.shape as Record<string, ZodType>).flatMap(([key, child]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        const nested = schemaFields(child, path);
        return nested.length > 0 ? nested : [path];
      });
    case "pipe":
      return inner("in");
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "catch":
    case "readonly":
      return inner("innerType");
    case "array":
      return inner("element");
    case "union":
      return [...new Set((def.options as ZodType[]).flatMap((option) => schemaFields(option, prefix)))];
    default:
      return [];
  }
}

/** The fields a schema reads that the list leaves out; a listed parent ("line_items") covers its children. */
function missingFields(schemas: ZodType[], included: string[]): string[] {
  const covered = (path: string) => included.some((field) => path === field || path.startsWith(`${field}.`));
  return [...new Set(schemas.flatMap((schema) => schemaFields(schema)))].filter((path) => !covered(path));
}

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

describe("include_fields on the webhook subscriptions", () => {
  const config = parse(readFileSync("shopify.app.toml", "utf8")) as unknown as {
    webhooks: { subscriptions: Subscription[] };
  };
  const subscriptions = config.webhooks.subscriptions;

  it("lists, for every topic of a subscription, each field its handler's zod schemas read", () => {
    const missing = subscriptions
      .filter((s) => s.include_fields)
      .flatMap((s) =>
        (s.topics ?? []).map((topic) => ({
          topic,
          fields: missingFields(HANDLER_PAYLOADS[topic] ?? [], s.include_fields!),
        })),
      )
      .filter((entry) => entry.fields.length > 0);
    expect(missing).toEqual([]);
  });

  it("knows the schemas of exactly the topics there are handlers for", () => {
    expect(Object.keys(HANDLER_PAYLOADS).sort()).toEqual(Object.keys(WEBHOOK_HANDLERS).sort());
  });

  it("trims the resource topics, and leaves the compliance topics whole (Shopify does not allow it there)", () => {
    const trimmed = subscriptions.filter((s) => s.include_fields).flatMap((s) => s.topics ?? []);
    for (const topic of ["products/update", "orders/updated", "refunds/create", "customers/update", "shop/update"]) {
      expect(trimmed).toContain(topic);
    }
    expect(subscriptions.filter((s) => s.compliance_topics && s.include_fields)).toEqual([]);
  });

  it("catches a nested field left out, and accepts a parent that covers its children", () => {
    const schema = z.object({ id: z.string(), line_items: z.array(z.object({ id: z.string(), price: z.string() })) });
    expect(missingFields([schema], ["id", "line_items.id"])).toEqual(["line_items.price"]);
    expect(missingFields([schema], ["id", "line_items"])).toEqual([]);
    expect(missingFields([schema.transform((o) => o.id).nullish()], ["id"])).toEqual([
      "line_items.id",
      "line_items.price",
    ]);
  });
});
