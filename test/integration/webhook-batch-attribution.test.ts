import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/lib/database/client.server";
import { webhookJobId, type WebhookDelivery } from "../../app/lib/webhooks/webhook-queue.server";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { orderPayload } from "../fixtures/shopify-payloads";
import { replaceContributions } from "../../app/lib/conversion/batch-attribution-sql.server";
import { storedContribution } from "../../app/lib/conversion/contribution";
import {
  EXPERIMENT_ID,
  firstDeliveries,
  INSIDE_WINDOW_ORDER,
  laterDeliveries,
  OUTSIDE_WINDOW_ORDER,
  seedActivity,
} from "../helpers/attribution-scenario";

const SHOP = "batch-attribution.myshopify.com";
type Ingest = Awaited<ReturnType<typeof startIngest>>;

/** Queues deliveries while the queue is paused, so the worker finds them all waiting and batches them. */
const ingestTogether = (harness: Ingest, deliveries: WebhookDelivery[]) =>
  harness.ingestTogether(deliveries, { timeoutMs: 60_000 });

const money = (v: { toString(): string }) => Number(v.toString()).toFixed(4);

/**
 * Every row attribution writes, keyed without the database's own ids. Left out: `updatedAt`, and
 * OrderAttribution's `version` (an optimistic-lock counter: one by one, an order created and
 * updated is written twice, in a batch once). revenueSquares is a float column summed in a
 * different order, so it is compared to 6 decimals.
 */
async function attributionRows(db: Db, shop: string) {
  const { id: shopId } = await db.shop.findUniqueOrThrow({ where: { domain: shop } });
  const attributions = await db.orderAttribution.findMany({ where: { shopId }, orderBy: { orderShopifyId: "asc" } });
  const rollups = await db.dailyRollup.findMany({
    where: { shopId },
    orderBy: [{ day: "asc" }, { experimentId: "asc" }, { arm: "asc" }],
  });
  const visitors = await db.experimentVisitor.findMany({
    where: { experimentId: EXPERIMENT_ID },
    orderBy: { visitorId: "asc" },
  });
  const arms = await db.experimentArmTotal.findMany({
    where: { experimentId: EXPERIMENT_ID },
    orderBy: { arm: "asc" },
  });
  const refunds = await db.refundLine.findMany({ where: { shopId }, orderBy: { shopifyId: "asc" } });
  return {
    attributions: attributions.map(({ shopId: _s, updatedAt: _u, version: _v, ...a }) => ({
      ...a,
      revenue: money(a.revenue),
      attributedRevenue: money(a.attributedRevenue),
    })),
    rollups: rollups.map(({ shopId: _s, updatedAt: _u, ...r }) => ({
      ...r,
      revenue: money(r.revenue),
      attributedRevenue: money(r.attributedRevenue),
    })),
    visitors: visitors.map((v) => ({ ...v, revenue: money(v.revenue) })),
    arms: arms.map((a) => ({ ...a, revenue: money(a.revenue), revenueSquares: a.revenueSquares.toFixed(6) })),
    refunds: refunds.map(({ shopId: _s, ...r }) => r),
  };
}

describe.each(DATABASE_KINDS)("batched attribution on %s", (kind) => {
  let single: TestDb;
  let batched: TestDb;
  let one: Ingest;
  let many: Ingest;
  const deliveries = { first: firstDeliveries(SHOP), later: laterDeliveries(SHOP) };

  beforeAll(async () => {
    [single, batched] = await Promise.all([createTestDb(kind), createTestDb(kind)]);
    await seedActivity(single.db, SHOP);
    await seedActivity(batched.db, SHOP);
    one = await startIngest(single.db);
    many = await startIngest(batched.db, { batchSize: 500 });
  });
  afterAll(async () => {
    await Promise.all([one.stop(), many.stop()]);
    await Promise.all([single.drop(), batched.drop()]);
  });

  it("attributes a batch of orders exactly as the same orders one at a time", async () => {
    for (const d of [...deliveries.first, ...deliveries.later]) await one.ingest(d);
    const firstJobs = await ingestTogether(many, deliveries.first);
    const laterJobs = await ingestTogether(many, deliveries.later);
    expect([...firstJobs, ...laterJobs].filter((j) => j.failedReason)).toEqual([]);
    expect(firstJobs.every((j) => (j.returnvalue as { batched?: boolean }).batched)).toBe(true);

    const expected = await attributionRows(single.db, SHOP);
    const actual = await attributionRows(batched.db, SHOP);
    expect(actual).toEqual(expected);
    // The scenario reaches every rule, so the comparison is not of empty tables.
    const kinds = new Set(
      expected.attributions.flatMap((a) =>
        (JSON.parse(a.attributedLines) as Array<{ kind: string }>).map((l) => l.kind),
      ),
    );
    expect(kinds).toEqual(new Set(["direct", "click"]));
    expect(new Set(expected.attributions.map((a) => a.arm))).toEqual(new Set(["", "treatment", "control"]));
    expect(expected.attributions.some((a) => !a.counted)).toBe(true);
    expect(expected.refunds.length).toBeGreaterThan(0);
    expect(expected.arms.map((a) => a.orders).reduce((s, n) => s + n, 0)).toBeGreaterThan(0);
  });

  it("does not attribute an order whose buyer's click was outside the window", async () => {
    const { id: shopId } = await batched.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const row = (orderShopifyId: string) =>
      batched.db.orderAttribution.findUniqueOrThrow({ where: { shopId_orderShopifyId: { shopId, orderShopifyId } } });
    const outside = await row(OUTSIDE_WINDOW_ORDER);
    expect(outside.attributedLines).toBe("[]");
    expect(money(outside.attributedRevenue)).toBe("0.0000");
    expect(money(outside.revenue)).toBe("37.5000");
    const inside = await row(INSIDE_WINDOW_ORDER);
    expect(JSON.parse(inside.attributedLines)).toMatchObject([{ productId: "101", kind: "click" }]);
  });

  it("adds nothing when the same orders are delivered again in a batch", async () => {
    const before = await attributionRows(batched.db, SHOP);
    const versions = await batched.db.orderAttribution.findMany({ select: { orderShopifyId: true, version: true } });
    const counted = (await batched.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).ordersSinceTraining;
    // New webhook ids, same versions: Shopify's redelivery.
    const again = [...deliveries.first, ...deliveries.later].map((d) => delivery(SHOP, d.topic, d.payload));
    const jobs = await ingestTogether(many, again);
    expect(jobs.filter((j) => j.failedReason)).toEqual([]);
    expect(new Set(jobs.map((j) => (j.returnvalue as { outcome: string }).outcome))).toEqual(new Set(["stale"]));
    expect(await attributionRows(batched.db, SHOP)).toEqual(before);
    expect(await batched.db.orderAttribution.findMany({ select: { orderShopifyId: true, version: true } })).toEqual(
      versions,
    );
    expect((await batched.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).ordersSinceTraining).toBe(counted);
  });

  it("dead-letters only the poison order of a batch and attributes the others", async () => {
    const good = Array.from({ length: 30 }, (_, i) => delivery(SHOP, "orders/create", orderPayload(40_000 + i)));
    const poison = delivery(SHOP, "orders/create", orderPayload(40_999, { updated_at: "not a date" }));
    const jobs = await ingestTogether(many, [...good.slice(0, 15), poison, ...good.slice(15)]);
    const failed = jobs.filter((j) => j.failedReason);
    expect(failed.map((j) => j.id)).toEqual([webhookJobId(poison.webhookId)]);
    expect(failed[0]!.attemptsMade).toBe(1);
    const { id: shopId } = await batched.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const rows = await batched.db.orderAttribution.findMany({
      where: { shopId, orderShopifyId: { startsWith: "40" } },
    });
    expect(rows.map((r) => r.orderShopifyId).sort()).toEqual(good.map((_, i) => String(40_000 + i)).sort());
    // orderPayload's first line carries the hidden property: every good order is attributed directly.
    expect(rows.every((r) => money(r.attributedRevenue) === "25.0000")).toBe(true);
    expect(await batched.db.webhookDeadLetter.count({ where: { webhookId: poison.webhookId } })).toBe(1);
  });

  it("stores and attributes a full batch of 500 orders from many buyers in one transaction", async () => {
    // 500 orders bind more than the 999 parameters Prisma allows a model query on SQLite: every
    // lookup of the batch must be split (the known-orders lookup was not, and failed every such batch).
    const orders = Array.from({ length: 500 }, (_, i) =>
      delivery(
        SHOP,
        "orders/create",
        orderPayload(50_000 + i, { customer: { ...orderPayload(1).customer, id: 70_000 + i } }),
      ),
    );
    const jobs = await ingestTogether(many, orders);
    expect(jobs.filter((j) => j.failedReason)).toEqual([]);
    expect(Math.max(...jobs.map((j) => Number((j.returnvalue as { attributedLines?: number }).attributedLines)))).toBe(
      1,
    );
    const { id: shopId } = await batched.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(await batched.db.orderAttribution.count({ where: { shopId, orderShopifyId: { startsWith: "5" } } })).toBe(
      500,
    );
  });

  it("does not overwrite a contribution another writer replaced since the batch read it", async () => {
    const { id: shopId } = await batched.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const key = { shopId_orderShopifyId: { shopId, orderShopifyId: INSIDE_WINDOW_ORDER } };
    const row = await batched.db.orderAttribution.findUniqueOrThrow({ where: key });
    const next = { ...storedContribution(row), revenue: 1 };
    const write = (version: number | null) =>
      batched.db.$transaction((tx) =>
        replaceContributions(tx, [{ shopId, orderShopifyId: INSIDE_WINDOW_ORDER, next, version }], new Date()),
      );
    // Read at an older version, or read as absent: someone wrote it since; nothing changes.
    expect(await write(row.version - 1)).toBe(0);
    expect(await write(null)).toBe(0);
    expect(await batched.db.orderAttribution.findUniqueOrThrow({ where: key })).toEqual(row);
    // Read at the current version: replaced, and the version moves on.
    expect(await write(row.version)).toBe(1);
    const after = await batched.db.orderAttribution.findUniqueOrThrow({ where: key });
    expect([after.version, money(after.revenue)]).toEqual([row.version + 1, "0.0001"]);
  });
});
