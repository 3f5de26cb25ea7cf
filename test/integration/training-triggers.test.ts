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

describe("retraining triggers from webhooks", () => {
  let t: TestDb;
  let harness: Awaited<ReturnType<typeof startIngest>>;
  const requests: string[] = [];
  beforeAll(async () => {
    t = createSqliteTestDb();
    harness = await startIngest(t.db, { trainingRequests: requests, trainAfterOrders: 3 });
  });
  afterAll(async () => {
    await harness.stop();
    await t.drop();
  });

  it("asks for a retrain once every TRAIN_AFTER_ORDERS new orders, not for updates", async () => {
    for (let i = 1; i <= 7; i++) await harness.ingest(delivery(SHOP, "orders/create", orderPayload(i)));
    await harness.ingest(delivery(SHOP, "orders/updated", orderPayload(1, { updated_at: "2027-01-01T00:00:00Z" })));
    await harness.ingest(delivery(SHOP, "orders/create", orderPayload(1))); // a duplicate create
    expect(requests).toEqual([`orders@${SHOP}`, `orders@${SHOP}`]);
    expect((await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).ordersSinceTraining).toBe(1);
  });

  it("asks for a retrain after customers/redact", async () => {
    await harness.ingest(
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
