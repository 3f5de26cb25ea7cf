import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { requestTraining } from "../../app/lib/training/train-queue.server";
import { productPayload } from "../fixtures/shopify-payloads";
import { appProxyUrl } from "../helpers/app-proxy";
import { freePort, spawnProcess, type Spawned } from "../helpers/child-process";
import { eventually, startAppProcess, startWorkerProcess } from "../helpers/stack";
import { catalogProduct, seedServedShop } from "../helpers/storefront-seed";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";
import { deliverWebhook, signWebhook } from "../helpers/webhooks";

const SHOP = "metrics.myshopify.com";
const TOKEN = "metrics-test-token-0123456789";
/** A network the test machine is not on: scrapes from its own non-loopback address fall outside it. */
const ALLOWED = "10.250.250.0/24";

/** The port a process printed in its "metrics on http://host:port/metrics" line. */
async function metricsPort(process: Spawned): Promise<number> {
  const line = await process.waitFor(/metrics on http:\/\/[^:]+:\d+\/metrics/);
  return Number(/:(\d+)\/metrics/.exec(line)![1]);
}

/** The sum of every sample of `name` whose labels include `labels` (0 when there is none). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(match[3]);
  }
  return total;
}

/** The machine's own non-loopback IPv4 address, to scrape as a host outside the allowed network would. */
function outsideAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
  if (!address) throw new Error("this test needs a non-loopback IPv4 address to scrape from");
  return address;
}

describe("Prometheus metrics of the app and the worker (real processes, Redis, SQLite)", () => {
  let t: TestDb;
  let app: Spawned;
  let worker: Spawned;
  let origin: string;
  let appMetrics: string;
  let workerPort: number;
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const events = new QueueEvents(QUEUE_NAMES.train, {
    connection: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }),
    prefix,
  });

  const scrapeApp = async () => {
    const response = await fetch(appMetrics, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    return response.text();
  };
  const scrapeWorker = async () => {
    const response = await fetch(`http://127.0.0.1:${workerPort}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };

  beforeAll(async () => {
    t = createSqliteTestDb();
    await seedServedShop(t.db, redis, prefix, SHOP, {
      products: ["1", "2", "3", "4"].map((id) => catalogProduct(id)),
      lists: { popular: ["1", "2", "3", "4"], related: new Map([["1", ["2", "3"]]]) },
    });
    const env = { DATABASE_URL: t.url, QUEUE_PREFIX: prefix, METRICS_PORT: "0", TF_BACKEND: "wasm" };
    const started = await startAppProcess({ ...env, METRICS_TOKEN: TOKEN });
    ({ app, origin } = started);
    appMetrics = `http://127.0.0.1:${await metricsPort(app)}/metrics`;
    worker = await startWorkerProcess({ ...env, METRICS_ALLOW: ALLOWED });
    workerPort = await metricsPort(worker);
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await app?.stop();
    await worker?.stop();
    await events.close();
    redis.disconnect();
    await cleanup();
    await t?.drop();
  });

  it("counts a webhook by topic and status, a recommendation with its latency and cache reads, and beacons", async () => {
    const before = await scrapeApp();
    const signed = signWebhook({ topic: "products/update", shop: SHOP, payload: productPayload(1) });
    expect((await deliverWebhook(origin, signed)).status).toBe(200);
    const forged = { ...signed, headers: { ...signed.headers, "X-Shopify-Hmac-Sha256": "AAAA" } };
    expect((await deliverWebhook(origin, forged)).status).toBe(401);
    const recommendation = await fetch(
      appProxyUrl(origin, "recommendations", { context: "product", product_id: "1", limit: "2" }, { shop: SHOP }),
    );
    expect(recommendation.status).toBe(200);
    const beacon = JSON.stringify({
      events: [
        {
          type: "click",
          recommendationId: "rec_1",
          productId: "2",
          at: new Date().toISOString(),
          visitorId: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        },
      ],
    });
    const eventsUrl = appProxyUrl(origin, "events", {}, { shop: SHOP });
    expect((await fetch(eventsUrl, { method: "POST", body: beacon })).status).toBe(202);
    expect((await fetch(eventsUrl, { method: "POST", body: "not json" })).status).toBe(400);

    const after = await scrapeApp();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(moved("affinity_webhooks_received_total", { topic: "products/update", status: "200" })).toBe(1);
    expect(moved("affinity_webhooks_received_total", { topic: "unverified", status: "401" })).toBe(1);
    expect(moved("affinity_recommendation_requests_total", { status: "200" })).toBe(1);
    expect(moved("affinity_recommendation_duration_seconds_count")).toBe(1);
    expect(sample(after, "affinity_recommendation_duration_seconds_sum")).toBeGreaterThan(0);
    expect(
      moved("affinity_serving_cache_lookups_total", { result: "hit" }) +
        moved("affinity_serving_cache_lookups_total", { result: "miss" }),
    ).toBeGreaterThan(0);
    expect(moved("affinity_beacon_events_accepted_total")).toBe(1);
    expect(moved("affinity_beacon_events_refused_total")).toBe(1);
    // No series is labelled with a shop.
    expect(after).not.toContain(SHOP);
    expect(after).not.toMatch(/shop="/);
  });

  it("counts a training run by outcome with its duration and peak memory, and the jobs behind it", async () => {
    const before = await scrapeWorker();
    // Counters start at 0 for every queue, so an alert's rate() has a series before any job ends.
    expect(before).toContain('affinity_jobs_completed_total{queue="backfill"} 0');
    expect(before).toContain('affinity_training_runs_total{outcome="failed"} 0');
    const queue = createQueue(QUEUE_NAMES.train, redis, prefix);
    const outcome = await (await requestTraining(queue, SHOP, "manual")).waitUntilFinished(events, 120_000);
    await queue.close();
    expect(outcome.status).toBe("completed");
    // The worker records from its own 'completed' event, which may follow the queue's event.
    await eventually(
      async () => sample(await scrapeWorker(), "affinity_training_runs_total", { outcome: "completed" }) > 0,
      "the training run to be counted",
    );
    const after = await scrapeWorker();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(moved("affinity_training_runs_total", { outcome: "completed" })).toBe(1);
    expect(moved("affinity_training_duration_seconds_count", { outcome: "completed" })).toBe(1);
    expect(moved("affinity_training_peak_memory_bytes_count")).toBe(1);
    expect(sample(after, "affinity_training_peak_memory_bytes_sum")).toBeGreaterThan(50 * 1024 * 1024);
    expect(moved("affinity_jobs_completed_total", { queue: "train" })).toBe(1);
    expect(moved("affinity_job_duration_seconds_count", { queue: "train" })).toBe(1);
    // The webhook of the first test was drained by the same worker.
    expect(sample(after, "affinity_jobs_completed_total", { queue: "webhooks" })).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/affinity_queue_jobs\{queue="webhooks",state="waiting"\} \d+/);
    expect(after).toContain("process_resident_memory_bytes");
  });

  it("counts a failed job, and shows it in the failed queue's depth and age", async () => {
    const webhooks = createQueue(QUEUE_NAMES.webhooks, redis, prefix);
    // Not a webhook delivery: the processor refuses it for good (UnrecoverableError).
    await webhooks.add("products/update", { nonsense: true }, { jobId: "metrics-broken", attempts: 1 });
    await webhooks.close();
    await eventually(
      async () => sample(await scrapeWorker(), "affinity_jobs_failed_total", { queue: "webhooks" }) === 1,
      "the failed job to be counted",
    );
    const text = await scrapeWorker();
    expect(sample(text, "affinity_queue_jobs", { queue: "webhooks", state: "failed" })).toBe(1);
    expect(
      sample(text, "affinity_queue_oldest_job_age_seconds", { queue: "webhooks", state: "failed" }),
    ).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/affinity_queue_oldest_job_age_seconds\{queue="webhooks",state="failed"\}/);

    // The operator's command lists it, with why, and retries it (the worker fails it again).
    const cli = (args: string[]) =>
      spawnProcess(process.execPath, ["--import", "tsx", "scripts/failed-jobs.ts", ...args], { QUEUE_PREFIX: prefix });
    const listing = cli(["webhooks"]);
    expect((await listing.exited).code).toBe(0);
    expect(listing.stdout()).toMatch(
      /^webhooks: 1 failed\n {2}metrics-broken {2}products\/update {2}attempts 1 .*(not a webhook delivery|payload does not match the expected shape)/,
    );
    const retried = cli(["webhooks", "--retry"]);
    expect((await retried.exited).code).toBe(0);
    expect(retried.stdout()).toBe("webhooks: 1 failed job(s) moved back to waiting\n");
    await eventually(
      async () => sample(await scrapeWorker(), "affinity_jobs_failed_total", { queue: "webhooks" }) === 2,
      "the retried job to run and fail again",
    );
    const refused = cli(["nonsense", "--retry"]);
    expect((await refused.exited).code).toBe(2);
    expect(refused.stderr()).toContain("unknown queue: nonsense");
  });

  it("refuses a scrape without the token (401) and from outside METRICS_ALLOW (403); readiness says what answers", async () => {
    expect((await fetch(appMetrics)).status).toBe(401);
    expect((await fetch(appMetrics, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    const outside = await fetch(`http://${outsideAddress()}:${workerPort}/metrics`);
    expect(outside.status).toBe(403);
    expect(await outside.text()).not.toContain("affinity_");
    const ready = await fetch(`${origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, redis: true, database: true });
  });

  it("a metrics port in use: the process says so in one line and exits 1", async () => {
    const holder: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    try {
      const env = { DATABASE_URL: t.url, QUEUE_PREFIX: prefix, METRICS_PORT: String(port) };
      const blocked = spawnProcess(process.execPath, ["--import", "tsx", "workers/main.ts"], env);
      const { code } = await blocked.exited;
      expect(code).toBe(1);
      expect(blocked.stderr().trim()).toBe(
        `affinity worker: METRICS_PORT 127.0.0.1:${port} is already in use. ` +
          "Stop what holds it or set METRICS_PORT to another port.",
      );
    } finally {
      holder.close();
    }
  });
});

describe("metrics of an app running several processes (Node cluster)", () => {
  it("the primary answers for every process: their counts add up", async () => {
    const t = createSqliteTestDb();
    const { prefix, cleanup } = createTestPrefix();
    const { app, origin } = await startAppProcess({
      DATABASE_URL: t.url,
      QUEUE_PREFIX: prefix,
      METRICS_PORT: "0",
      WEB_CONCURRENCY: "2",
    });
    try {
      const port = await metricsPort(app);
      // Each request on a new connection, so the primary hands them to both processes in turn.
      for (let i = 0; i < 6; i++) {
        const url = appProxyUrl(origin, "recommendations", { context: "home" }, { shop: "nobody.myshopify.com" });
        expect((await fetch(url, { headers: { Connection: "close" } })).status).toBe(404);
      }
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(sample(text, "affinity_recommendation_requests_total", { status: "404" })).toBe(6);
      expect(sample(text, "affinity_recommendation_duration_seconds_count")).toBe(6);
    } finally {
      await app.stop();
      await cleanup();
      await t.drop();
    }
  });
});

describe("readiness with Redis down", () => {
  it("/readyz answers 503 and names Redis, while /healthz still answers 200", async () => {
    const t = createSqliteTestDb();
    const { app, origin } = await startAppProcess({
      DATABASE_URL: t.url,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    try {
      const ready = await fetch(`${origin}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, redis: false, database: true });
      expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    } finally {
      await app.stop();
      await t.drop();
    }
  });
});
