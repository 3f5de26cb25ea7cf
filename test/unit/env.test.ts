import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../app/lib/env.server";

const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://affinity.example.com",
};

function configErrorOf(source: Record<string, string | undefined>): ConfigError {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseEnv", () => {
  it("given only the secrets, fills safe local defaults", () => {
    const env = parseEnv(valid);
    expect(env.DATABASE_URL).toBe("file:./var/affinity.db");
    expect(env.REDIS_URL).toBe("redis://127.0.0.1:6379");
    expect(env.QUEUE_PREFIX).toBe("{affinity}");
    expect(env.TF_BACKEND).toBe("auto");
    expect(env.WORKER_CONCURRENCY).toBe(4);
    expect(env.WEB_CONCURRENCY).toBe(Math.min(availableParallelism(), 8));
  });

  it("coerces numbers from strings", () => {
    expect(parseEnv({ ...valid, WORKER_CONCURRENCY: "8" }).WORKER_CONCURRENCY).toBe(8);
  });

  it("names a missing secret, says it is not set, and says where to find it", () => {
    const error = configErrorOf({ ...valid, SHOPIFY_API_SECRET: undefined });
    expect(error.problems).toEqual([{ variable: "SHOPIFY_API_SECRET", problem: "is not set" }]);
    expect(error.message).toContain("SHOPIFY_API_SECRET: is not set");
    expect(error.message).toContain("Partner Dashboard");
    expect(error.message).toContain(".env.example");
  });

  it("reports every bad variable at once", () => {
    const error = configErrorOf({
      SHOPIFY_API_KEY: "key",
      SHOPIFY_APP_URL: "not a url",
      REDIS_URL: "http://127.0.0.1:6379",
      DATABASE_URL: "mysql://db",
      WORKER_CONCURRENCY: "0",
      TF_BACKEND: "gpu",
    });
    expect(error.problems.map((p) => p.variable).sort()).toEqual(
      ["DATABASE_URL", "REDIS_URL", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "TF_BACKEND", "WORKER_CONCURRENCY"].sort(),
    );
    expect(error.message).toContain("REDIS_URL: must start with redis://, rediss:// or redis+cluster://");
    expect(error.message).toMatch(/DATABASE_URL: DATABASE_URL must start with file: .* or postgresql:/);
  });

  it("refuses a queue prefix with characters Redis keys should not carry", () => {
    const error = configErrorOf({ ...valid, QUEUE_PREFIX: "my prefix" });
    expect(error.problems[0]?.variable).toBe("QUEUE_PREFIX");
  });

  it("takes SHOP_CUSTOM_DOMAIN as a bare domain and refuses a URL or a pattern", () => {
    expect(parseEnv({ ...valid, SHOP_CUSTOM_DOMAIN: "shop.example.dev" }).SHOP_CUSTOM_DOMAIN).toBe("shop.example.dev");
    for (const bad of ["https://shop.example.dev", "*.example.dev", "localhost"]) {
      const error = configErrorOf({ ...valid, SHOP_CUSTOM_DOMAIN: bad });
      expect(error.message).toContain("SHOP_CUSTOM_DOMAIN: must be a domain such as shop.example.dev");
    }
  });
});
