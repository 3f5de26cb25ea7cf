import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignArm } from "../../app/lib/conversion/assignment";
import { currentExperiment } from "../../app/lib/conversion/experiments.server";
import { dailyFunnel, experimentResult } from "../../app/lib/conversion/reports.server";
import { experimentDays } from "../helpers/store-reads";
import { productViewHistory } from "../../app/lib/events/product-views.server";
import { recordCustomerDataRequest, redactCustomer } from "../../app/lib/sync/compliance.server";
import { startEventsWorker, storefrontEvents } from "../helpers/events-harness";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { createTestPrefix } from "../helpers/test-redis";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { orderPayload } from "../fixtures/shopify-payloads";

const SHOP = "events-store.myshopify.com";
const AT = "2026-02-01T10:00:00.000Z"; // before orderPayload's orders (14:30 UTC)
const visitor = (n: number) => `v${String(n).padStart(31, "0")}`;

describe("events worker: storage, rollups and the holdout experiment", () => {
  let t: TestDb;
  let events: Awaited<ReturnType<typeof startEventsWorker>>;
  let ingest: Awaited<ReturnType<typeof startIngest>>;
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  const deps = () => ({ db: t.db, redis, prefix });
  const shopId = async () => (await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).id;

  beforeAll(async () => {
    t = createSqliteTestDb();
    events = await startEventsWorker(t.db);
    ingest = await startIngest(t.db);
  });
  afterAll(async () => {
    await Promise.all([events.stop(), ingest.stop()]);
    await t.drop();
    redis.disconnect();
    await cleanup();
  });

  it("runs one experiment per split, cached in Redis; a new split starts a new experiment", async () => {
    const start = new Date("2026-01-01T00:00:00Z");
    const first = await currentExperiment(deps(), SHOP, 50, start);
    expect(await currentExperiment(deps(), SHOP, 50)).toEqual(first);
    expect(await redis.get(`${prefix}:experiment:{${SHOP}}`)).toContain(first.id);
    const second = await currentExperiment(deps(), SHOP, 20, new Date("2026-01-15T00:00:00Z"));
    expect(second.id).not.toBe(first.id);
    const ended = await t.db.experiment.findUniqueOrThrow({ where: { id: first.id } });
    expect(ended.endedAt).toEqual(new Date("2026-01-15T00:00:00Z"));
    // Back to 50%: a third experiment, not the first one resumed.
    const third = await currentExperiment(deps(), SHOP, 50, new Date("2026-01-20T00:00:00Z"));
    expect([first.id, second.id]).not.toContain(third.id);
  });

  it("stores a duplicate event once and counts it once, across jobs", async () => {
    const batch = storefrontEvents(SHOP, [
      { type: "impression", recommendationId: "rec_1", at: AT, visitorId: visitor(1) },
      { type: "click", recommendationId: "rec_1", productId: "101", at: AT, visitorId: visitor(1) },
      { type: "product_viewed", id: "pixel-1", productId: "101", at: AT, visitorId: visitor(1) },
    ]);
    expect((await events.process(SHOP, batch)).returnvalue).toMatchObject({ stored: 3, duplicates: 0 });
    expect((await events.process(SHOP, batch)).returnvalue).toMatchObject({ stored: 0, duplicates: 3 });
    expect(await t.db.event.count({ where: { shopId: await shopId() } })).toBe(3);
    const [day] = await dailyFunnel(t.db, await shopId(), new Date("2026-02-01"), new Date("2026-02-01"));
    expect(day).toMatchObject({
      day: "2026-02-01",
      visitors: 1,
      exposedVisitors: 1,
      impressions: 1,
      clicks: 1,
      productViews: 1,
    });
  });

  it("counts visitors, exposures and conversions per arm, and reports the lift from two rows", async () => {
    const experiment = await currentExperiment(deps(), SHOP, 50);
    const arm = (n: number) =>
      assignArm({ shop: SHOP, experimentId: experiment.id, visitorId: visitor(n), holdoutPercent: 50 });
    const ids = Array.from({ length: 40 }, (_, i) => i + 10);
    const treated = ids.find((n) => arm(n) === "treatment")!;
    const held = ids.find((n) => arm(n) === "control")!;
    // Every visitor is exposed (both arms report exposure); two of them check out an order.
    await events.process(
      SHOP,
      storefrontEvents(SHOP, [
        ...ids.map((n) => ({ type: "exposure" as const, at: AT, visitorId: visitor(n) })),
        {
          type: "checkout_completed",
          id: "co-1",
          orderId: "501",
          at: "2026-02-01T14:31:00Z",
          visitorId: visitor(treated),
        },
        {
          type: "checkout_completed",
          id: "co-2",
          orderId: "502",
          at: "2026-02-01T14:31:00Z",
          visitorId: visitor(held),
        },
      ]),
    );
    await ingest.ingest(delivery(SHOP, "orders/create", orderPayload(501, { customer: null })));
    await ingest.ingest(delivery(SHOP, "orders/create", orderPayload(502, { customer: null })));
    // Redelivered: still one order each.
    await ingest.ingest(delivery(SHOP, "orders/create", orderPayload(501, { customer: null })));

    const result = (await experimentResult(t.db, experiment.id))!;
    // visitor(1) saw the block in the test above, inside this experiment too.
    const everyone = [1, ...ids];
    const exposed = everyone.filter((n) => arm(n) === "treatment").length;
    expect(result.arms.treatment).toMatchObject({
      exposedVisitors: exposed,
      convertedVisitors: 1,
      orders: 1,
      revenue: 37.5,
    });
    expect(result.arms.control).toMatchObject({
      exposedVisitors: 41 - exposed,
      convertedVisitors: 1,
      orders: 1,
      revenue: 37.5,
    });
    expect(result.arms.treatment.revenueSquares).toBeCloseTo(37.5 ** 2, 6);
    expect(result.lift.conversion!.significant).toBe(false);
    expect(result.lift.conversion!.moreVisitorsNeeded).toBeGreaterThan(0);

    const days = await experimentDays(t.db, experiment.id);
    const treatmentDay = days.find((d) => d.arm === "treatment")!;
    expect(treatmentDay).toMatchObject({ day: "2026-02-01", exposedVisitors: exposed, orders: 1 });
    expect(treatmentDay.conversionRate).toBeCloseTo(1 / exposed, 10);

    // Cancelling the control order takes it back out of the experiment.
    await ingest.ingest(
      delivery(
        SHOP,
        "orders/cancelled",
        orderPayload(502, { customer: null, updated_at: "2026-02-03T00:00:00Z", cancelled_at: "2026-02-03T00:00:00Z" }),
      ),
    );
    const after = (await experimentResult(t.db, experiment.id))!;
    expect(after.arms.control).toMatchObject({ convertedVisitors: 0, orders: 0, revenue: 0 });
    expect(after.arms.control.revenueSquares).toBeCloseTo(0, 6);
  });

  it("a buyer without an id (no consent): the _affinity_rec line is attributed, neither arm counts the order", async () => {
    const experiment = await currentExperiment(deps(), SHOP, 50);
    const arms = async () => (await experimentResult(t.db, experiment.id))!.arms;
    const attributedToday = async () => {
      const rows = await t.db.dailyRollup.findMany({ where: { shopId: await shopId(), day: new Date("2026-02-01") } });
      return rows.map((r) => ({ experimentId: r.experimentId, arm: r.arm, attributed: Number(r.attributedRevenue) }));
    };
    const armsBefore = await arms();
    const outside = async () => (await attributedToday()).find((r) => r.experimentId === "")?.attributed ?? 0;
    const outsideBefore = await outside();

    // No checkout_completed (the pixel does not run without analytics consent), no customer: only
    // the line property, which the block adds whatever the consent, ties the order to the block.
    await ingest.ingest(delivery(SHOP, "orders/create", orderPayload(503, { customer: null })));

    const row = await t.db.orderAttribution.findUniqueOrThrow({
      where: { shopId_orderShopifyId: { shopId: await shopId(), orderShopifyId: "503" } },
    });
    expect(row).toMatchObject({ visitorId: null, experimentId: "", arm: "" });
    expect(Number(row.attributedRevenue)).toBe(25);
    expect(await outside()).toBe(outsideBefore + 25);
    expect(await arms()).toEqual(armsBefore);
  });

  it("keeps product views for the model's history features", async () => {
    await events.process(
      SHOP,
      storefrontEvents(
        SHOP,
        [
          { type: "product_viewed", id: "pv-a", productId: "201", at: "2026-02-02T10:00:00Z", visitorId: visitor(90) },
          {
            type: "product_viewed",
            id: "pv-b",
            productId: "gid://shopify/Product/202",
            at: "2026-02-02T10:05:00Z",
            visitorId: visitor(90),
          },
        ],
        "777",
      ),
    );
    const history = await productViewHistory(t.db, await shopId(), { since: new Date("2026-02-02") });
    expect(history.get("777")!.map((v) => v.productId)).toEqual(["201", "202"]);
  });

  it("customers/data_request reports the customer's events; customers/redact deletes them, the daily counts stay", async () => {
    await recordCustomerDataRequest(t.db, await shopId(), "777", "data-request-1");
    const request = await t.db.dataRequest.findUniqueOrThrow({ where: { webhookId: "data-request-1" } });
    const report = JSON.parse(request.report) as { events: Array<{ type: string; productShopifyId: string }> };
    expect(report.events.map((e) => [e.type, e.productShopifyId])).toEqual([
      ["product_viewed", "201"],
      ["product_viewed", "202"],
    ]);
    // The browser they used while logged in is theirs to see; another visitor's is not in it.
    expect(request.report).toContain(visitor(90));
    expect(request.report).not.toContain(visitor(1));
    const before = await dailyFunnel(t.db, await shopId(), new Date("2026-02-02"), new Date("2026-02-02"));
    await redactCustomer(t.db, await shopId(), "777");
    expect(await t.db.event.count({ where: { customerShopifyId: "777" } })).toBe(0);
    expect(await dailyFunnel(t.db, await shopId(), new Date("2026-02-02"), new Date("2026-02-02"))).toEqual(before);
  });
});
