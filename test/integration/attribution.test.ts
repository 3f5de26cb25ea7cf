import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { startEventsWorker, storefrontEvents } from "../helpers/events-harness";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { orderPayload } from "../fixtures/shopify-payloads";

const SHOP = "attribution.myshopify.com";
// orderPayload's orders are processed at 2026-02-01T14:30:00Z.
const PLACED = Date.parse("2026-02-01T14:30:00Z");
const before = (days: number) => new Date(PLACED - days * 24 * 3600_000).toISOString();
const VISITOR = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

/** An order without the hidden property, from a guest (no customer): only events can attribute it. */
const guestOrder = (id: number, overrides: Record<string, unknown> = {}) => {
  const base = orderPayload(id);
  return orderPayload(id, {
    customer: null,
    line_items: base.line_items.map((l) => ({ ...l, properties: [] })),
    ...overrides,
  });
};

describe.each(DATABASE_KINDS)("order attribution on %s", (kind) => {
  let t: TestDb;
  let ingest: Awaited<ReturnType<typeof startIngest>>;
  let events: Awaited<ReturnType<typeof startEventsWorker>>;
  const webhook = (topic: string, payload: unknown) => ingest.ingest(delivery(SHOP, topic, payload));
  const shopId = async () => (await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).id;
  const attribution = async (order: number) =>
    t.db.orderAttribution.findUnique({
      where: { shopId_orderShopifyId: { shopId: await shopId(), orderShopifyId: String(order) } },
    });
  const day = async () => {
    const rows = await t.db.dailyRollup.findMany({ where: { shopId: await shopId(), day: new Date("2026-02-01") } });
    return {
      orders: rows.reduce((s, r) => s + r.orders, 0),
      revenue: rows.reduce((s, r) => s + Number(r.revenue), 0),
      attributedOrders: rows.reduce((s, r) => s + r.attributedOrders, 0),
      attributedRevenue: rows.reduce((s, r) => s + Number(r.attributedRevenue), 0),
    };
  };
  const checkout = (order: number, visitorId = VISITOR) =>
    storefrontEvents(SHOP, [
      {
        type: "checkout_completed",
        id: `pixel-${order}-${visitorId}`,
        orderId: String(order),
        at: before(0),
        visitorId,
      },
    ]);
  const click = (productId: string, at: string, visitorId = VISITOR) =>
    storefrontEvents(SHOP, [{ type: "click", recommendationId: "rec_click", productId, at, visitorId }]);

  beforeAll(async () => {
    t = await createTestDb(kind);
    ingest = await startIngest(t.db);
    events = await startEventsWorker(t.db);
  });
  afterAll(async () => {
    // Each stop waits for its worker's blocking read to return: side by side, not one after the other.
    await Promise.all([events.stop(), ingest.stop()]);
    await t.drop();
  });

  it("direct: the line with _affinity_rec is attributed; a mixed order's other line is not", async () => {
    await webhook("orders/create", orderPayload(1));
    const row = await attribution(1);
    expect(Number(row!.attributedRevenue)).toBe(25);
    expect(Number(row!.revenue)).toBe(37.5);
    expect(JSON.parse(row!.attributedLines)).toEqual([
      { lineId: "11", productId: "101", kind: "direct", recommendationId: "rec_abc", revenue: "25.0000" },
    ]);
    expect(await day()).toEqual({ orders: 1, revenue: 37.5, attributedOrders: 1, attributedRevenue: 25 });
  });

  it("duplicate and updated order webhooks never count twice", async () => {
    await webhook("orders/create", orderPayload(1)); // a redelivery under a new webhook id
    await webhook("orders/updated", orderPayload(1, { updated_at: "2026-02-02T00:00:00Z" }));
    expect(await day()).toEqual({ orders: 1, revenue: 37.5, attributedOrders: 1, attributedRevenue: 25 });
    // The merchant edits the order: one unit of the recommended line is removed.
    const edited = orderPayload(1, { updated_at: "2026-02-03T00:00:00Z" });
    edited.line_items[0]!.quantity = 1;
    await webhook("orders/updated", edited);
    expect(await day()).toEqual({ orders: 1, revenue: 25, attributedOrders: 1, attributedRevenue: 12.5 });
  });

  it("click-through inside the window, whichever arrives first: the order or the events", async () => {
    await webhook("orders/create", guestOrder(2));
    expect(Number((await attribution(2))!.attributedRevenue)).toBe(0);
    await events.process(SHOP, [...click("102", before(6)), ...checkout(2)]);
    expect(JSON.parse((await attribution(2))!.attributedLines)).toMatchObject([{ productId: "102", kind: "click" }]);
    expect(Number((await attribution(2))!.attributedRevenue)).toBe(12.5);

    // Events first this time: the order, when it comes, finds them.
    const visitor = "ffeeddccbbaa99887766554433221100";
    await events.process(SHOP, [...click("101", before(1), visitor), ...checkout(3, visitor)]);
    await webhook("orders/create", guestOrder(3));
    expect(Number((await attribution(3))!.attributedRevenue)).toBe(25);
  });

  it("click-through outside the window is not attributed", async () => {
    const visitor = "0123456789abcdef0123456789abcdef";
    await events.process(SHOP, [...click("101", before(8), visitor), ...checkout(4, visitor)]);
    await webhook("orders/create", guestOrder(4));
    const row = await attribution(4);
    expect(Number(row!.attributedRevenue)).toBe(0);
    expect(Number(row!.revenue)).toBe(37.5);
  });

  it("a partial refund takes back the refunded units, once however often it is delivered", async () => {
    await webhook("orders/create", orderPayload(5));
    const refund = { id: 9005, order_id: 5, refund_line_items: [{ id: 90051, line_item_id: 51, quantity: 1 }] };
    await webhook("refunds/create", refund);
    await webhook("refunds/create", refund);
    const row = await attribution(5);
    expect(Number(row!.attributedRevenue)).toBe(12.5);
    expect(Number(row!.revenue)).toBe(25);
    // orders/updated lists the same refund: still counted once.
    await webhook("orders/updated", orderPayload(5, { updated_at: "2026-02-02T00:00:00Z", refunds: [refund] }));
    expect(Number((await attribution(5))!.attributedRevenue)).toBe(12.5);
  });

  it("a cancellation removes the order and its attributed revenue from the rollups", async () => {
    const dayBefore = await day();
    await webhook("orders/create", orderPayload(6));
    await webhook(
      "orders/cancelled",
      orderPayload(6, { updated_at: "2026-02-05T00:00:00Z", cancelled_at: "2026-02-05T00:00:00Z" }),
    );
    expect(await day()).toEqual(dayBefore);
    expect((await attribution(6))!.counted).toBe(false);
  });
});
