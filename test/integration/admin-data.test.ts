import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runKey, shopKey } from "../../app/lib/storefront-store/keys";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { loadDashboard } from "../../app/lib/admin/dashboard.server";
import { dayStart, parseDateRange } from "../../app/lib/admin/date-range";
import { topProducts } from "../../app/lib/admin/top-products.server";
import { shopRepeatRate } from "../../app/lib/admin/repeat-rate.server";
import { NothingToRollBackError, restoreRun, rollBackModel } from "../../app/lib/training/rollback.server";
import { createLogger } from "../../app/lib/logger.server";
import { ShopNotFoundError } from "../../app/lib/shops/registry.server";
import { requestRetrain, trainingProgress } from "../../app/lib/admin/training-progress.server";
import { QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { SEED_PRODUCTS, seedConversion, seedModelRuns, seedOrders, seedShop } from "../helpers/admin-seed";
import { DATABASE_KINDS, createTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "data-shop.myshopify.com";

describe.each(DATABASE_KINDS)("admin data on %s", (kind) => {
  let t: TestDb;
  let shopId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
    shopId = await seedShop(t.db, SHOP);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("measures the repeat rate as the data README does: latest order's products bought before, per repeat customer", async () => {
    expect(await shopRepeatRate(t.db, shopId)).toBeNull();
    await seedOrders(t.db, shopId, [
      // Customer 1: latest order {1, 3, 5}; only 1 was bought before (5 only in a cancelled order).
      { customer: "1", at: "2026-01-01T10:00:00Z", products: ["1"] },
      { customer: "1", at: "2026-01-02T10:00:00Z", products: ["5"], cancelled: true },
      { customer: "1", at: "2026-01-03T10:00:00Z", products: ["2"] },
      { customer: "1", at: "2026-01-09T10:00:00Z", products: ["1", "3", "5", "3"] },
      // Customer 2: latest order {4}, new.
      { customer: "2", at: "2026-01-04T10:00:00Z", products: ["6"] },
      { customer: "2", at: "2026-01-05T10:00:00Z", products: ["4"] },
      // One order only, and a guest: not repeat customers.
      { customer: "3", at: "2026-01-06T10:00:00Z", products: ["1"] },
      { customer: null, at: "2026-01-07T10:00:00Z", products: ["1", "2"] },
    ]);
    // 1 repeated of 4 distinct latest-order products.
    expect(await shopRepeatRate(t.db, shopId)).toEqual({
      share: 0.25,
      items: 4,
      customers: 2,
      suggestIncludePurchased: true,
    });
  });

  it("builds the dashboard from rollup and attribution rows, per range, in the shop's currency", async () => {
    const other = await seedShop(t.db, "other-shop.myshopify.com");
    const now = new Date();
    const seeded = await seedConversion(t.db, shopId, now, 10, "GBP");
    await seedConversion(t.db, other, now, 10, "USD");
    const shop = await t.db.shop.findUniqueOrThrow({ where: { id: shopId } });
    const dashboard = await loadDashboard(t.db, shop, parseDateRange(new URLSearchParams("range=7d"), now));
    const week = seeded.days.slice(-7);
    expect(dashboard.currency).toBe("GBP");
    expect(dashboard.totals.impressions).toBe(week.reduce((s, d) => s + d.impressions, 0));
    expect(dashboard.totals.attributedRevenue).toBeCloseTo(
      week.reduce((s, d) => s + d.attributedRevenue, 0),
      6,
    );
    expect(dashboard.totals.attributedOrders).toBe(week.reduce((s, d) => s + d.attributedOrders, 0));
    expect(dashboard.chart).toHaveLength(7);
    expect(dashboard.chart.map((d) => d.attributedRevenue)).toEqual(week.map((d) => d.attributedRevenue));
    expect(dashboard.experiment?.conversion.kind).toBe("significant");
    expect(dashboard.topProducts.map((p) => p.revenue)).toEqual(
      [...dashboard.topProducts.map((p) => p.revenue)].sort((a, b) => b - a),
    );
    expect(dashboard.topProducts.length).toBeLessThanOrEqual(10);
    // Every attributed line belongs to one product: over all products, they add up to the total.
    const all = await topProducts(t.db, shopId, dayStart(dashboard.range.from), dayStart(dashboard.range.to), 100);
    expect(all.reduce((s, p) => s + p.revenue, 0)).toBeCloseTo(dashboard.totals.attributedRevenue, 6);
    expect(all.slice(0, dashboard.topProducts.length)).toEqual(dashboard.topProducts);
    expect(SEED_PRODUCTS.map((p) => p.title)).toContain(dashboard.topProducts[0]?.title);
  });
});

describe("training progress and rollback", () => {
  const keys = createTestPrefix();
  let t: TestDb;
  let redis: Redis;
  let queue: Queue;
  let shopId: string;

  beforeEach(async () => {
    t = await createTestDb("sqlite");
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAMES.train, { connection: redis, prefix: keys.prefix });
    shopId = await seedShop(t.db, SHOP);
  });
  afterEach(async () => {
    await queue.close();
    redis.disconnect();
    await keys.cleanup();
    await t.drop();
  });

  it("reports idle, queued, preparing, epochs and the final pass from the shop's job", async () => {
    expect(await trainingProgress(queue, SHOP)).toMatchObject({ state: "idle", percent: null });
    expect(await requestRetrain(queue, SHOP)).toMatchObject({ state: "queued" });
    // A second click joins the waiting request instead of queueing another.
    await requestRetrain(queue, SHOP);
    expect(await queue.getWaitingCount()).toBe(1);

    const seen: unknown[] = [];
    const reports = [
      undefined,
      { epoch: 2, epochs: 5, etaSeconds: 61.4, loss: 1, examplesPerSecond: 1, stage: "training" },
      { epoch: 6, epochs: 5, etaSeconds: 0, loss: 1, examplesPerSecond: 1, stage: "training" },
    ];
    const worker = new Worker(
      QUEUE_NAMES.train,
      async (job) => {
        for (const report of reports) {
          if (report) await job.updateProgress(report);
          seen.push(await trainingProgress(queue, SHOP));
        }
      },
      { connection: redis.duplicate(), prefix: keys.prefix },
    );
    await new Promise<void>((resolve) => worker.once("completed", () => resolve()));
    await worker.close();
    expect(seen).toEqual([
      expect.objectContaining({ state: "running", stage: "preparing", percent: 0 }),
      expect.objectContaining({
        state: "running",
        stage: "training",
        epoch: 2,
        epochs: 5,
        etaSeconds: 61,
        percent: 40,
      }),
      expect.objectContaining({ state: "running", stage: "finishing", epoch: 5, percent: 99, etaSeconds: null }),
    ]);
    expect(await trainingProgress(queue, SHOP)).toMatchObject({ state: "idle" });
  });

  it("rolls back to the previous run and can undo itself; lost lists are rebuilt by a job, then served", async () => {
    const deps = { db: t.db, redis, prefix: keys.prefix, trainQueue: () => queue };
    await expect(rollBackModel(deps, "missing.myshopify.com")).rejects.toBeInstanceOf(ShopNotFoundError);
    await expect(rollBackModel(deps, SHOP)).rejects.toBeInstanceOf(NothingToRollBackError);
    const { older, current } = await seedModelRuns(t.db, redis, keys.prefix, SHOP, shopId);

    expect(await rollBackModel(deps, SHOP)).toEqual({ kind: "served", runId: older.id });
    expect(await rollBackModel(deps, SHOP)).toEqual({ kind: "served", runId: current.id });
    const row = await t.db.shop.findUniqueOrThrow({ where: { id: shopId } });
    expect([row.activeModelRunId, row.previousModelRunId]).toEqual([current.id, older.id]);

    // Redis lost the earlier run's lists and its run pointers: the rollback becomes a job.
    await redis.del(
      runKey(keys.prefix, SHOP, older.id, "popular"),
      shopKey(keys.prefix, SHOP, "active"),
      shopKey(keys.prefix, SHOP, "previous"),
    );
    expect(await rollBackModel(deps, SHOP)).toEqual({ kind: "restoring", runId: older.id });
    expect(await rollBackModel(deps, SHOP)).toEqual({ kind: "restoring", runId: older.id });
    const jobs = await queue.getJobs(["waiting"]);
    expect(jobs.map((j) => [j.name, j.data])).toEqual([["restore", { shop: SHOP, runId: older.id }]]);
    const unchanged = await t.db.shop.findUniqueOrThrow({ where: { id: shopId } });
    expect(unchanged.activeModelRunId).toBe(current.id);

    const log = createLogger("silent", {});
    expect(await restoreRun({ ...deps, log }, SHOP, older.id)).toMatchObject({ served: true });
    expect(await redis.get(shopKey(keys.prefix, SHOP, "active"))).toBe(older.id);
    expect(await redis.exists(runKey(keys.prefix, SHOP, older.id, "popular"))).toBe(1);
    const restored = await t.db.shop.findUniqueOrThrow({ where: { id: shopId } });
    expect([restored.activeModelRunId, restored.previousModelRunId]).toEqual([older.id, current.id]);
    // A late or repeated restore job for a run that is no longer the previous one serves nothing.
    expect(await restoreRun({ ...deps, log }, SHOP, older.id)).toMatchObject({ served: false });
    expect(await redis.get(shopKey(keys.prefix, SHOP, "active"))).toBe(older.id);
  });
});
