import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../../app/lib/env.server";
import { createAccessCheck, metricsHost, parseNetwork } from "../../../app/lib/metrics/access";

const TOKEN = "s3cret-scrape-token-0123";

describe("who may read /metrics", () => {
  it("without METRICS_ALLOW: loopback only, listening on 127.0.0.1", () => {
    const check = createAccessCheck({ allow: [] });
    expect(metricsHost({ allow: [] })).toBe("127.0.0.1");
    expect(check("127.0.0.1", undefined)).toBe("allowed");
    expect(check("::1", undefined)).toBe("allowed");
    expect(check("::ffff:127.0.0.1", undefined)).toBe("allowed");
    expect(check("10.1.2.3", undefined)).toBe("forbidden");
    expect(check(undefined, undefined)).toBe("forbidden");
  });

  it("with METRICS_ALLOW: the listed networks too, on every interface, and nobody else", () => {
    const config = { allow: ["10.0.0.0/8", "192.168.1.7", "fd00::/8"] };
    const check = createAccessCheck(config);
    expect(metricsHost(config)).toBe("0.0.0.0");
    expect(check("10.200.3.4", undefined)).toBe("allowed");
    expect(check("::ffff:10.200.3.4", undefined)).toBe("allowed");
    expect(check("192.168.1.7", undefined)).toBe("allowed");
    expect(check("192.168.1.8", undefined)).toBe("forbidden");
    expect(check("fd12::1", undefined)).toBe("allowed");
    expect(check("11.0.0.1", undefined)).toBe("forbidden");
  });

  it("with METRICS_TOKEN: the exact bearer token or 401; a stranger is refused 403 before the token is looked at", () => {
    const check = createAccessCheck({ allow: [], token: TOKEN });
    expect(check("127.0.0.1", `Bearer ${TOKEN}`)).toBe("allowed");
    expect(check("127.0.0.1", undefined)).toBe("unauthorized");
    expect(check("127.0.0.1", `Bearer ${TOKEN}x`)).toBe("unauthorized");
    expect(check("127.0.0.1", TOKEN)).toBe("unauthorized");
    expect(check("8.8.8.8", `Bearer ${TOKEN}`)).toBe("forbidden");
  });

  it("parses networks and says what is wrong with a bad one", () => {
    expect(parseNetwork("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseNetwork("::1")).toEqual({ address: "::1", prefix: 128, family: "ipv6" });
    expect(parseNetwork("10.0.0.0/33")).toContain("prefix outside 0-32");
    expect(parseNetwork("10.0.0.0/x")).toContain("prefix");
    expect(parseNetwork("intranet")).toContain("not an address");
  });
});

describe("METRICS_* in the environment", () => {
  const valid = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://a.example.com" };

  it("is off by default: no port, no networks, no token", () => {
    const env = parseEnv(valid);
    expect(env.METRICS_PORT).toBeUndefined();
    expect(env.METRICS_ALLOW).toEqual([]);
    expect(env.METRICS_TOKEN).toBeUndefined();
  });

  it("reads a port, a network list and a token", () => {
    const env = parseEnv({
      ...valid,
      METRICS_PORT: "9464",
      METRICS_ALLOW: " 10.0.0.0/8, 192.168.1.7 ",
      METRICS_TOKEN: TOKEN,
    });
    expect(env).toMatchObject({
      METRICS_PORT: 9464,
      METRICS_ALLOW: ["10.0.0.0/8", "192.168.1.7"],
      METRICS_TOKEN: TOKEN,
    });
  });

  it("names each bad value", () => {
    const bad = { ...valid, METRICS_PORT: "70000", METRICS_ALLOW: "10.0.0.0/8,office", METRICS_TOKEN: "short" };
    let error: unknown;
    try {
      parseEnv(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(["METRICS_ALLOW", "METRICS_PORT", "METRICS_TOKEN"]);
    expect((error as ConfigError).message).toContain('"office" is not an address');
  });
});
