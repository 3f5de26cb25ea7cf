import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { webhookJobId } from "../../app/lib/webhooks/webhook-queue.server";
import { freePort, type Spawned } from "../helpers/child-process";
import { startAppProcess } from "../helpers/stack";
import { createTestPrefix } from "../helpers/test-redis";
import { TEST_SHOP } from "../helpers/test-env";
import { deliverWebhook, signWebhook } from "../helpers/webhooks";
import { productPayload } from "../fixtures/shopify-payloads";

const MAX_BYTES = 16_384;

const startApp = (env: Record<string, string>) => startAppProcess({ WEBHOOK_MAX_BYTES: String(MAX_BYTES), ...env });

describe("POST /webhooks (the built app, real Redis)", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const queue = createQueue(QUEUE_NAMES.webhooks, redis, prefix);
  let app: Spawned;
  let origin: string;

  beforeAll(async () => {
    ({ app, origin } = await startApp({ QUEUE_PREFIX: prefix }));
  });
  afterAll(async () => {
    await app.stop();
    await queue.close();
    redis.disconnect();
    await cleanup();
  });

  const jobCount = () => queue.getJobCountByTypes("waiting", "prioritized", "active", "completed", "failed", "delayed");

  it("verifies and queues a signed delivery under its webhook id, then answers 200", async () => {
    const webhook = signWebhook({ topic: "products/update", shop: TEST_SHOP, payload: productPayload(1) });
    const response = await deliverWebhook(origin, webhook);
    expect(response.status).toBe(200);
    const job = await queue.getJob(webhookJobId(webhook.headers["X-Shopify-Webhook-Id"]!));
    expect(job?.name).toBe("products/update");
    expect(job?.data).toMatchObject({ topic: "products/update", shop: TEST_SHOP, apiVersion: "2026-10" });
    expect(job?.data.payload.id).toBe(1);
  });

  it("given the same delivery five times, queues one job", async () => {
    const before = await jobCount();
    const webhook = signWebhook({ topic: "products/update", shop: TEST_SHOP, payload: productPayload(2) });
    for (let i = 0; i < 5; i++) expect((await deliverWebhook(origin, webhook)).status).toBe(200);
    expect((await jobCount()) - before).toBe(1);
  });

  it("refuses a bad HMAC with 401 and queues nothing", async () => {
    const before = await jobCount();
    const webhook = signWebhook({
      topic: "products/update",
      shop: TEST_SHOP,
      payload: productPayload(3),
      secret: "wrong-secret",
    });
    expect((await deliverWebhook(origin, webhook)).status).toBe(401);
    expect(await jobCount()).toBe(before);
  });

  it("refuses a missing HMAC with 401 and queues nothing", async () => {
    const before = await jobCount();
    const webhook = signWebhook({ topic: "products/update", shop: TEST_SHOP, payload: productPayload(4) });
    delete webhook.headers["X-Shopify-Hmac-Sha256"];
    expect((await deliverWebhook(origin, webhook)).status).toBe(401);
    expect(await jobCount()).toBe(before);
  });

  it("refuses missing headers with 400, naming them", async () => {
    const webhook = signWebhook({ topic: "products/update", shop: TEST_SHOP, payload: productPayload(5) });
    delete webhook.headers["X-Shopify-Topic"];
    delete webhook.headers["X-Shopify-Webhook-Id"];
    const response = await deliverWebhook(origin, webhook);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(
      /Missing webhook headers: .*Topic.*Webhook-Id|Missing webhook headers: .*Webhook-Id.*Topic/i,
    );
  });

  it("refuses a correctly signed body that is not JSON with 400", async () => {
    const before = await jobCount();
    const webhook = signWebhook({ topic: "products/update", shop: TEST_SHOP, payload: {} });
    const broken = signWebhook({ topic: "products/update", shop: TEST_SHOP, payload: {} });
    // Re-sign a truncated body so the HMAC is valid and only the JSON is wrong.
    const body = '{"id": 6, "title": ';
    const { createHmac } = await import("node:crypto");
    broken.headers["X-Shopify-Hmac-Sha256"] = createHmac("sha256", process.env.SHOPIFY_API_SECRET!)
      .update(body)
      .digest("base64");
    const response = await fetch(`${origin}/webhooks`, { method: "POST", headers: broken.headers, body });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/not valid JSON/);
    expect(webhook.body).toBe("{}");
    expect(await jobCount()).toBe(before);
  });

  it("refuses a body over the size limit with 413 and queues nothing", async () => {
    const before = await jobCount();
    const webhook = signWebhook({
      topic: "products/update",
      shop: TEST_SHOP,
      payload: productPayload(7, { body_html: "x".repeat(MAX_BYTES) }),
    });
    expect((await deliverWebhook(origin, webhook)).status).toBe(413);
    expect(await jobCount()).toBe(before);
  });

  it("answers GET with 405", async () => {
    expect((await fetch(`${origin}/webhooks`)).status).toBe(405);
  });
});

describe("POST /webhooks while Redis is unreachable", () => {
  it("answers 503 with Retry-After, so Shopify delivers it again later", async () => {
    const deadPort = await freePort();
    const { app, origin } = await startApp({ REDIS_URL: `redis://127.0.0.1:${deadPort}` });
    try {
      const webhook = signWebhook({ topic: "products/update", shop: TEST_SHOP, payload: productPayload(8) });
      const response = await deliverWebhook(origin, webhook);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(app.stderr()).toContain(`Cannot reach Redis at redis://127.0.0.1:${deadPort}`);
      expect(app.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      await app.stop();
    }
  });
});
