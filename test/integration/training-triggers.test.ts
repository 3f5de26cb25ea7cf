import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createQueue } from "../../app/lib/jobs/queues";
import { removeShopSchedulers } from "../../app/lib/schedules.server";
import { scheduleDailyTraining } from "../../app/lib/training/schedule.server";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";
import { orderPayload } from "../fixtures/shopify-payloads";

const SHOP = "triggers.myshopify.com";

/**
 * A worker on a new database for the block's tests, recording what it asks for: retrains as
 * `trigger@shop`, list refreshes as `shop for customer,…`.
 */
function ingestFor(options: { trainAfterOrders: number; batchSize?: number }) {
  const requests: string[] = [];
  const refreshes: string[] = [];
  const state = { requests, refreshes } as {
    requests: string[];
    refreshes: string[];
    t: TestDb;
    harness: Awaited<ReturnType<typeof startIngest>>;
  };
  beforeAll(async () => {
    state.t = createSqliteTestDb();
    state.harness = await startIngest(state.t.db, { ...options, trainingRequests: requests, listRefreshes: refreshes });
  });
  afterAll(async () => {
    await state.harness.stop();
    await state.t.drop();
  });
  return state;
}

describe("retraining triggers from webhooks", () => {
  const ingest = ingestFor({ trainAfterOrders: 3 });
  const { requests, refreshes } = ingest;

  it("asks for a retrain once every TRAIN_AFTER_ORDERS new orders, not for updates", async () => {
    for (let i = 1; i <= 7; i++) await ingest.harness.ingest(delivery(SHOP, "orders/create", orderPayload(i)));
    await ingest.harness.ingest(
      delivery(SHOP, "orders/updated", orderPayload(1, { updated_at: "2027-01-01T00:00:00Z" })),
    );
    await ingest.harness.ingest(delivery(SHOP, "orders/create", orderPayload(1))); // a duplicate create
    expect(requests).toEqual([`orders@${SHOP}`, `orders@${SHOP}`]);
    expect((await ingest.t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).ordersSinceTraining).toBe(1);
    // Every other new order asks for the served lists to be refreshed; updates and duplicates do not.
    expect(refreshes).toEqual(Array.from({ length: 5 }, () => `${SHOP} for 555`));
  });

  it("asks for a retrain after customers/redact", async () => {
    await ingest.harness.ingest(
      delivery(SHOP, "customers/redact", { shop_domain: SHOP, customer: { id: 555 }, orders_to_redact: [] }),
    );
    expect(requests.at(-1)).toBe(`redact@${SHOP}`);
  });
});

describe("a shop's daily training schedule", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const system = createQueue("system", redis, prefix);
  afterAll(async () => {
    await system.close();
    redis.disconnect();
    await cleanup();
  });

  it("is created once however often the shop is imported, and removed on uninstall", async () => {
    await scheduleDailyTraining(system, SHOP, "17 3 * * *", "request-training");
    await scheduleDailyTraining(system, SHOP, "17 3 * * *", "request-training");
    await scheduleDailyTraining(system, "other.myshopify.com", "17 3 * * *", "request-training");
    const schedulers = await system.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual([`train@other.myshopify.com`, `train@${SHOP}`]);
    expect(schedulers.find((s) => s.key === `train@${SHOP}`)?.pattern).toBe("17 3 * * *");
    expect(await removeShopSchedulers([system], SHOP)).toBe(1);
    expect((await system.getJobSchedulers()).map((s) => s.key)).toEqual([`train@other.myshopify.com`]);
  });
});

describe("list refresh requests from a batch of orders", () => {
  const ingest = ingestFor({ trainAfterOrders: 1_000, batchSize: 50 });
  const { requests, refreshes } = ingest;

  it("asks once per shop and batch, for the customers of its new orders", async () => {
    const other = "other-refresh.myshopify.com";
    const by = (customer: number) => ({ customer: { id: customer, state: "enabled" } });
    const jobs = await ingest.harness.ingestTogether([
      delivery(SHOP, "orders/create", orderPayload(1, by(701))),
      delivery(SHOP, "orders/create", orderPayload(2, by(702))),
      delivery(SHOP, "orders/create", orderPayload(3, by(701))),
      delivery(SHOP, "orders/create", orderPayload(5, { ...by(703), test: true })),
      delivery(other, "orders/create", orderPayload(4)),
    ]);
    expect(jobs.map((j) => j.finishedOn !== undefined && !j.failedReason)).toEqual([true, true, true, true, true]);
    expect(requests).toEqual([]);
    // Each customer once; a test order's customer is not asked for (training never reads it).
    expect(refreshes.sort()).toEqual([`${other} for 555`, `${SHOP} for 701,702`].sort());
    // The same order again is not new: no refresh.
    await ingest.harness.ingestTogether([delivery(SHOP, "orders/create", orderPayload(2))]);
    expect(refreshes).toHaveLength(2);
    // Nor are orders training never reads: a guest's, a test order, a cancelled one.
    const unlearnable = await ingest.harness.ingestTogether([
      delivery(SHOP, "orders/create", orderPayload(20, { customer: null })),
      delivery(SHOP, "orders/create", orderPayload(21, { test: true })),
      delivery(SHOP, "orders/create", orderPayload(22, { cancelled_at: "2026-01-02T00:00:00Z" })),
    ]);
    expect(unlearnable.map((j) => j.returnvalue?.outcome)).toEqual(["created", "created", "created"]);
    expect(refreshes).toHaveLength(2);
  });
});
