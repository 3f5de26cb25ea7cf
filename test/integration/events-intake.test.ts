import { Readable } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordExposure } from "../../app/lib/events/exposure.server";
import { respondToEvents, type EventsHttpDeps } from "../../app/lib/endpoints/events-endpoint.server";
import { storefrontEvent } from "../../app/lib/events/event-schema";
import { readBodyWithLimit } from "../../app/lib/http/read-body.server";
import { refusedCounts } from "../helpers/store-reads";
import { createLogger } from "../../app/lib/logger.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { isConnected } from "../../app/lib/redis.server";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "intake.myshopify.com";
// A pinned clock: the rate limits count per minute, and a minute must not turn mid-test.
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
const visitor = (n: number) => `${String(n).padStart(8, "0")}aaaabbbbccccdddd0000eeee`;
const beacon = (overrides: Record<string, unknown> = {}) => ({
  type: "click",
  recommendationId: "rec_1",
  productId: "101",
  at: NOW.toISOString(),
  visitorId: visitor(1),
  ...overrides,
});
// The body as the app reads it off the socket: streamed in 1 KB chunks, with no Content-Length
// (as a chunked upload would come), so the size limit has to be enforced while reading.
const post = (body: string) => (maxBytes: number) => {
  const bytes = Buffer.from(body);
  const chunks = Array.from({ length: Math.ceil(bytes.length / 1024) }, (_, i) =>
    bytes.subarray(i * 1024, (i + 1) * 1024),
  );
  return readBodyWithLimit(Readable.from(chunks), maxBytes);
};
const installed = { shop: SHOP, loggedInCustomerId: "", installed: true };
const today = () => new Date().toISOString().slice(0, 10);

describe("POST /apps/affinity/events (intake)", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  const queue = createQueue(QUEUE_NAMES.events, redis, prefix);
  const deps: EventsHttpDeps = {
    redis,
    queue,
    prefix,
    limits: { perVisitorPerMinute: 5, perShopPerMinute: 12 },
    maxBytes: 4096,
    connected: () => isConnected(redis),
    log: createLogger("silent"),
    now: () => NOW,
  };
  const send = (body: unknown, identity = installed) =>
    respondToEvents(deps, post(typeof body === "string" ? body : JSON.stringify(body)), identity);

  beforeAll(async () => {
    await queue.waitUntilReady();
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await cleanup();
  });

  it("queues a valid batch (202) and the same batch sent again is one job", async () => {
    const body = { events: [beacon(), beacon({ type: "impression", productId: undefined })] };
    const first = await send(body);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ accepted: 2 });
    expect((await send(body)).status).toBe(202);
    const jobs = await queue.getJobs(["waiting"]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toMatchObject({
      shop: SHOP,
      events: [{ type: "click", productId: "101", customerId: null }, { type: "impression" }],
    });
  });

  it("takes the customer id from the signed proxy query, never from the body", async () => {
    const response = await send(
      { events: [beacon({ visitorId: visitor(50), customerId: "999" })] },
      {
        ...installed,
        loggedInCustomerId: "4242",
      },
    );
    // Unknown keys inside an event are dropped by the schema; the proxy's customer id is used.
    expect(response.status).toBe(202);
    const jobs = await queue.getJobs(["waiting"]);
    const job = jobs.find((j) => j.data.events[0].visitorId === visitor(50));
    expect(job!.data.events[0].customerId).toBe("4242");
  });

  it("refuses a shop without the app (404), counted as refused", async () => {
    const response = await send(
      { events: [beacon()] },
      { ...installed, shop: "stranger.myshopify.com", installed: false },
    );
    expect(response.status).toBe(404);
    expect(await refusedCounts(redis, prefix, today(), "stranger.myshopify.com")).toEqual({ unknown_shop: 1 });
  });

  it("refuses a huge payload (413) without reading it all, counted as refused", async () => {
    const huge = JSON.stringify({
      events: Array.from({ length: 40 }, () => beacon({ recommendationId: "r".repeat(80) })),
    });
    expect(huge.length).toBeGreaterThan(deps.maxBytes);
    expect((await send(huge)).status).toBe(413);
    expect((await refusedCounts(redis, prefix, today(), SHOP)).too_large).toBe(1);
  });

  it("refuses a future timestamp, malformed JSON and invalid events (400), each counted", async () => {
    const future = new Date(NOW.getTime() + 3600_000).toISOString();
    expect((await send({ events: [beacon({ at: future })] })).status).toBe(400);
    expect((await send("{not json")).status).toBe(400);
    expect((await send({ events: [beacon({ productId: "1; DROP TABLE" })] })).status).toBe(400);
    expect((await send({ events: [] })).status).toBe(400);
    const counts = await refusedCounts(redis, prefix, today(), SHOP);
    expect(counts).toMatchObject({ future_timestamp: 1, malformed: 1, invalid: 2 });
  });

  it("refuses a flood from one visitor (429) while other visitors still get through", async () => {
    const shop = { ...installed, shop: "flood.myshopify.com" };
    const flooder = visitor(7);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const at = new Date(NOW.getTime() - i).toISOString();
      statuses.push((await send({ events: [beacon({ visitorId: flooder, at })] }, shop)).status);
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect((await refusedCounts(redis, prefix, today(), shop.shop)).rate_limited_visitor).toBe(3);
    expect((await send({ events: [beacon({ visitorId: visitor(8) })] }, shop)).status).toBe(202);
  });

  it("refuses once the shop's budget for the minute is spent (429)", async () => {
    const shop = { ...installed, shop: "busy.myshopify.com" };
    const statuses: number[] = [];
    for (let i = 0; i < 14; i += 1) {
      statuses.push((await send({ events: [beacon({ visitorId: visitor(100 + i) })] }, shop)).status);
    }
    // 12 events a minute for the shop: the 13th and 14th are refused, whoever sends them.
    expect(statuses).toEqual([...Array(12).fill(202), 429, 429]);
    expect((await refusedCounts(redis, prefix, today(), shop.shop)).rate_limited_shop).toBe(2);
  });

  it("answers 503 with Retry-After while Redis is unreachable, and queues nothing", async () => {
    const down = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on("error", () => undefined);
    const before = await queue.count();
    const response = await respondToEvents(
      { ...deps, redis: down, connected: () => isConnected(down, 50), prefix: `${prefix}x` },
      post(JSON.stringify({ events: [beacon({ visitorId: visitor(200) })] })),
      installed,
    );
    expect(response.status).toBe(503);
    expect(response.headers["Retry-After"]).toBe("5");
    expect(await queue.count()).toBe(before);
    down.disconnect();
  });
});

describe("recordExposure (for the recommendations route)", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  const queue = createQueue(QUEUE_NAMES.events, redis, prefix);
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await cleanup();
  });

  it("queues one exposure per visitor and experiment, for either arm, whatever the page views", async () => {
    const exposure = { shop: SHOP, experimentId: "exp1", visitorId: visitor(3), customerId: null };
    expect(await recordExposure({ redis, queue, prefix }, { ...exposure, recommendationId: "rec_a" })).toBe(true);
    expect(await recordExposure({ redis, queue, prefix }, { ...exposure, recommendationId: "rec_b" })).toBe(false);
    expect(await recordExposure({ redis, queue, prefix }, { ...exposure, experimentId: "exp2" })).toBe(true);
    const jobs = await queue.getJobs(["waiting"]);
    expect(jobs.map((j) => j.data.events[0].type)).toEqual(["exposure", "exposure"]);
    expect(jobs.every((j) => storefrontEvent.safeParse(j.data.events[0]).success)).toBe(true);
  });
});
