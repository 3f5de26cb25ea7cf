import { describe, expect, it } from "vitest";
import { parseRedisTarget } from "../../app/lib/redis.server";

describe("parseRedisTarget", () => {
  it("passes a single Redis URL through", () => {
    expect(parseRedisTarget("redis://:pw@10.0.0.1:6380/2")).toEqual({
      kind: "single",
      url: "redis://:pw@10.0.0.1:6380/2",
    });
  });

  it("reads a cluster's seed nodes, credentials and TLS", () => {
    expect(parseRedisTarget("rediss+cluster://app:s%40cret@a.internal:7000,b.internal:7001,c.internal")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "a.internal", port: 7000 },
        { host: "b.internal", port: 7001 },
        { host: "c.internal", port: 6379 },
      ],
      username: "app",
      password: "s@cret",
      tls: true,
    });
  });

  it("refuses a node that is not host:port", () => {
    expect(() => parseRedisTarget("redis+cluster://a:7000,:7001")).toThrow(/host:port/);
  });
});
