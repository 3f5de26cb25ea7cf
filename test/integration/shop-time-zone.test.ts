import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDashboard } from "../../app/lib/admin/dashboard.server";
import { parseDateRange } from "../../app/lib/admin/date-range";
import { currentExperiment } from "../../app/lib/conversion/experiments.server";
import { dailyFunnel } from "../../app/lib/conversion/reports.server";
import { experimentDays } from "../helpers/store-reads";
import { storeEvents } from "../../app/lib/conversion/store-events.server";
import { createLogger } from "../../app/lib/logger.server";
import { applyShopTimeZone } from "../../app/lib/sync/shop-time-zone.server";
import { storefrontEvents } from "../helpers/events-harness";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { orderPayload } from "../fixtures/shopify-payloads";

const visitor = (n: number) => `v${String(n).padStart(31, "0")}`;
let shopNumber = 0;

/** Days with orders or visitors, as the dashboard reads them: [day, orders, visitors]. */
async function days(t: TestDb, shopId: string, from = "2026-01-01", to = "2026-12-31") {
  const rows = await dailyFunnel(t.db, shopId, new Date(from), new Date(to));
  return rows.filter((d) => d.orders > 0 || d.visitors > 0).map((d) => [d.day, d.orders, d.visitors]);
}

describe.each(DATABASE_KINDS)("the shop's time zone on %s", (kind) => {
  let t: TestDb;
  let ingest: Awaited<ReturnType<typeof startIngest>>;
  let shop: string;
  const shopId = async () => (await t.db.shop.findUniqueOrThrow({ where: { domain: shop } })).id;
  const order = (id: number, at: string) =>
    ingest.ingest(
      delivery(shop, "orders/create", orderPayload(id, { created_at: at, processed_at: at, updated_at: at })),
    );
  const shopUpdate = (zone: unknown) => ingest.ingest(delivery(shop, "shop/update", { id: 1, iana_timezone: zone }));

  beforeAll(async () => {
    t = await createTestDb(kind);
    ingest = await startIngest(t.db);
  });
  afterAll(async () => {
    await ingest.stop();
    await t.drop();
  });

  it("moves orders and visitors around midnight to the shop's day at UTC−8 and at UTC+10", async () => {
    shop = `zone-${kind}-${++shopNumber}.myshopify.com`;
    // 23:30 on the 14th in Los Angeles (10:30 on the 15th in Sydney) and 05:30 on the 15th in
    // Los Angeles (00:30 on the 16th in Sydney).
    await order(1, "2026-01-15T07:30:00Z");
    await order(2, "2026-01-15T13:30:00Z");
    await storeEvents(t.db, {
      shop,
      events: storefrontEvents(shop, [
        { type: "impression", recommendationId: "rec_1", at: "2026-01-15T07:30:00Z", visitorId: visitor(1) },
        { type: "impression", recommendationId: "rec_1", at: "2026-01-15T13:30:00Z", visitorId: visitor(1) },
      ]),
    });
    expect(await days(t, await shopId())).toEqual([["2026-01-15", 2, 1]]); // UTC: one day

    expect((await shopUpdate("America/Los_Angeles")).returnvalue).toEqual({
      timeZone: "America/Los_Angeles",
      rebuilt: true,
    });
    expect(await days(t, await shopId())).toEqual([
      ["2026-01-14", 1, 1],
      ["2026-01-15", 1, 1],
    ]);

    await shopUpdate("Australia/Sydney");
    expect(await days(t, await shopId())).toEqual([
      ["2026-01-15", 1, 1],
      ["2026-01-16", 1, 1],
    ]);
    // Orders arriving from now on land on Sydney days directly: 00:59 on the 17th there.
    await order(3, "2026-01-16T13:59:00Z");
    expect((await days(t, await shopId())).at(-1)).toEqual(["2026-01-17", 1, 0]);
    const rows = await t.db.orderAttribution.findMany({ where: { shopId: await shopId() }, orderBy: { day: "asc" } });
    expect(rows.map((r) => r.day.toISOString().slice(0, 10))).toEqual(["2026-01-15", "2026-01-16", "2026-01-17"]);

    // The dashboard's "today" and days are Sydney's: 01:30 on the 17th there.
    const row = await t.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    const range = parseDateRange(new URLSearchParams("range=7d"), new Date("2026-01-16T14:30:00Z"), row.timeZone);
    const dashboard = await loadDashboard(t.db, row, range);
    expect(dashboard.timeZone).toEqual({ zone: "Australia/Sydney", rejected: null });
    expect(dashboard.chart.map((d) => d.day).slice(-3)).toEqual(["2026-01-15", "2026-01-16", "2026-01-17"]);
    expect(dashboard.totals.impressions).toBe(2);

    // The same zone again changes nothing.
    expect((await shopUpdate("Australia/Sydney")).returnvalue).toEqual({
      timeZone: "Australia/Sydney",
      rebuilt: false,
    });
  });

  it("reports the holdout experiment per day of the shop, and the day it started on", async () => {
    shop = `zone-${kind}-${++shopNumber}.myshopify.com`;
    await shopUpdate("America/Los_Angeles");
    const redis = ingest.redis;
    // Started 20:00 on 1 February in Los Angeles, which is already the 2nd in UTC.
    const experiment = await currentExperiment(
      { db: t.db, redis, prefix: ingest.prefix },
      shop,
      50,
      new Date("2026-02-02T04:00:00Z"),
    );
    await storeEvents(t.db, {
      shop,
      events: storefrontEvents(shop, [
        { type: "exposure", recommendationId: "rec_2", at: "2026-02-02T07:30:00Z", visitorId: visitor(2) },
        { type: "exposure", recommendationId: "rec_2", at: "2026-02-02T08:30:00Z", visitorId: visitor(3) },
      ]),
    });
    const report = await experimentDays(t.db, experiment.id);
    expect([...new Set(report.map((d) => d.day))]).toEqual(["2026-02-01", "2026-02-02"]);
    const row = await t.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    const dashboard = await loadDashboard(
      t.db,
      row,
      parseDateRange(new URLSearchParams("range=7d"), new Date("2026-02-03T00:00:00Z"), row.timeZone),
    );
    expect(dashboard.experiment?.startedAt).toBe("2026-02-01");
  });

  it("rebuilds exactly the rows the workers would have written had the zone been known from the start", async () => {
    const batch = (domain: string) =>
      storefrontEvents(domain, [
        { type: "exposure", recommendationId: "rec_3", at: "2026-03-08T07:50:00Z", visitorId: visitor(4) },
        { type: "impression", recommendationId: "rec_3", at: "2026-03-08T08:10:00Z", visitorId: visitor(4) },
        {
          type: "click",
          recommendationId: "rec_3",
          productId: "101",
          at: "2026-03-08T08:11:00Z",
          visitorId: visitor(4),
        },
        { type: "product_viewed", id: "pv-1", productId: "102", at: "2026-03-09T06:59:00Z", visitorId: visitor(5) },
        { type: "impression", recommendationId: "rec_4", at: "2026-03-09T07:01:00Z", visitorId: visitor(5) },
      ]);
    const fill = async (domain: string) => {
      shop = domain;
      await storeEvents(t.db, { shop, events: batch(shop) });
      await order(21, "2026-03-08T07:59:00Z");
      await order(22, "2026-03-09T07:30:00Z");
      return shopId();
    };
    shop = `zone-${kind}-${++shopNumber}.myshopify.com`;
    await shopUpdate("America/Los_Angeles"); // known from the start
    const known = await fill(shop);
    const later = await fill(`zone-${kind}-${++shopNumber}.myshopify.com`); // written as UTC days
    await shopUpdate("America/Los_Angeles"); // then rebuilt
    const funnel = async (id: string) =>
      (await dailyFunnel(t.db, id, new Date("2026-03-01"), new Date("2026-03-31"))).map((d) => JSON.stringify(d));
    expect(await funnel(later)).toEqual(await funnel(known));
    expect((await funnel(known)).map((d) => JSON.parse(d).day)).toEqual(["2026-03-07", "2026-03-08", "2026-03-09"]);
    const visitorDays = async (id: string) =>
      (await t.db.visitorDay.findMany({ where: { shopId: id }, orderBy: [{ day: "asc" }, { visitorId: "asc" }] })).map(
        (v) => [v.day.toISOString(), v.visitorId, v.exposed],
      );
    expect(await visitorDays(later)).toEqual(await visitorDays(known));
  });

  it("counts a 23-hour and a 25-hour day in Los Angeles by the shop's clock, not by 24-hour steps", async () => {
    shop = `zone-${kind}-${++shopNumber}.myshopify.com`;
    await shopUpdate("America/Los_Angeles");
    // 2026-03-08 (23 h): 00:30 and 23:30 local; 24 h after its start is already 01:00 on the 9th.
    await order(11, "2026-03-08T08:30:00Z");
    await order(12, "2026-03-09T06:30:00Z");
    await order(13, "2026-03-09T07:30:00Z");
    // 2026-11-01 (25 h): 00:30 and 23:30 local; 24 h after its start is still 23:00 on the 1st.
    await order(14, "2026-11-01T07:30:00Z");
    await order(15, "2026-11-02T07:30:00Z");
    await order(16, "2026-11-02T08:30:00Z");
    expect(await days(t, await shopId())).toEqual([
      ["2026-03-08", 2, 0],
      ["2026-03-09", 1, 0],
      ["2026-11-01", 2, 0],
      ["2026-11-02", 1, 0],
    ]);
  });

  it("falls back to UTC for a zone Shopify sends that we do not know, logs it once and keeps it to show", async () => {
    shop = `zone-${kind}-${++shopNumber}.myshopify.com`;
    await shopUpdate("Europe/Paris");
    const lines: string[] = [];
    const log = createLogger("info", {}, (line) => lines.push(line));
    expect(await applyShopTimeZone(t.db, shop, "Mars/Olympus_Mons", log)).toEqual({ timeZone: "UTC", rebuilt: true });
    expect(await applyShopTimeZone(t.db, shop, "Mars/Olympus_Mons", log)).toEqual({ timeZone: "UTC", rebuilt: false });
    const warnings = lines
      .map((l) => JSON.parse(l) as { event: string })
      .filter((l) => l.event === "shop.time_zone_unknown");
    expect(warnings).toHaveLength(1);
    expect(await t.db.shop.findUniqueOrThrow({ where: { domain: shop } })).toMatchObject({
      timeZone: "UTC",
      timeZoneRejected: "Mars/Olympus_Mons",
    });
    // A malformed payload value is the same case, not a dead letter.
    const job = await shopUpdate(12);
    expect(await job.getState()).toBe("completed");
    expect((await t.db.shop.findUniqueOrThrow({ where: { domain: shop } })).timeZoneRejected).toBe("12");
    await shopUpdate("Europe/Paris");
    expect(await t.db.shop.findUniqueOrThrow({ where: { domain: shop } })).toMatchObject({
      timeZone: "Europe/Paris",
      timeZoneRejected: null,
    });
  });
});
