import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { storeOfflineSession } from "../helpers/admin-session";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { customerPayload, orderPayload, productPayload } from "../fixtures/shopify-payloads";

const SHOP = "ingest-a.myshopify.com";
const OTHER = "ingest-b.myshopify.com";

describe.each(DATABASE_KINDS)("webhook ingest on %s", (kind) => {
  let t: TestDb;
  let harness: Awaited<ReturnType<typeof startIngest>>;
  const removedSchedules: string[] = [];
  const forgottenShops: string[] = [];
  const ingest = (topic: string, payload: unknown, extra = {}) => harness.ingest(delivery(SHOP, topic, payload, extra));
  const shopId = async (domain = SHOP) => (await t.db.shop.findUniqueOrThrow({ where: { domain } })).id;

  beforeAll(async () => {
    t = await createTestDb(kind);
    harness = await startIngest(t.db, { removedSchedules, forgottenShops });
  });
  afterAll(async () => {
    await harness.stop();
    await t.drop();
  });

  it("creates a product with its variants, then applies a newer update and ignores an older one", async () => {
    expect((await ingest("products/create", productPayload(1))).returnvalue).toEqual({ outcome: "created" });
    const newer = productPayload(1, { title: "Newest", updated_at: "2026-03-01T00:00:00Z", variants: [] });
    const older = productPayload(1, { title: "Older", updated_at: "2026-02-01T00:00:00Z" });
    expect((await ingest("products/update", newer)).returnvalue).toEqual({ outcome: "updated" });
    expect((await ingest("products/update", older)).returnvalue).toEqual({ outcome: "stale" });
    const product = await t.db.product.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId: await shopId(), shopifyId: "1" } },
      include: { variants: true },
    });
    expect(product.title).toBe("Newest");
    expect(product.variants).toEqual([]);
  });

  it("stores tags, image, price and availability as Shopify sent them", async () => {
    await ingest("products/create", productPayload(2));
    const product = await t.db.product.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId: await shopId(), shopifyId: "2" } },
      include: { variants: true },
    });
    expect(product).toMatchObject({ tags: "gift, red", imageWidth: 800, productType: "Homewares", status: "active" });
    expect(product.variants).toHaveLength(1);
    expect(product.variants[0]).toMatchObject({ shopifyId: "21", available: true, inventoryQuantity: 7 });
    expect(product.variants[0]!.price.toString()).toBe("12.5");
  });

  it("tombstones a deleted product, and a late older update does not bring it back", async () => {
    await ingest("products/create", productPayload(3));
    await ingest("products/delete", { id: 3 });
    await ingest("products/update", productPayload(3, { updated_at: "2026-01-03T00:00:00Z" }));
    await ingest("products/delete", { id: 4 }); // never seen: tombstone so a late create is ignored
    await ingest("products/create", productPayload(4));
    const rows = await t.db.product.findMany({
      where: { shopId: await shopId(), shopifyId: { in: ["3", "4"] } },
      include: { variants: true },
    });
    expect(rows.map((r) => [r.shopifyId, r.deletedAt !== null, r.variants.length]).sort()).toEqual([
      ["3", true, 0],
      ["4", true, 0],
    ]);
  });

  it("stores an order with its lines and hidden properties, applies updates and cancellation", async () => {
    await ingest("orders/create", orderPayload(10));
    const updated = orderPayload(10, {
      updated_at: "2026-02-02T00:00:00Z",
      line_items: [orderPayload(10).line_items[0]],
    });
    await ingest("orders/updated", updated);
    await ingest(
      "orders/cancelled",
      orderPayload(10, {
        updated_at: "2026-02-03T00:00:00Z",
        cancelled_at: "2026-02-03T00:00:00Z",
        line_items: updated.line_items,
      }),
    );
    const order = await t.db.order.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId: await shopId(), shopifyId: "10" } },
      include: { lines: true },
    });
    expect(order).toMatchObject({ customerShopifyId: "555", currency: "GBP", name: "#1010" });
    expect(order.cancelledAt?.toISOString()).toBe("2026-02-03T00:00:00.000Z");
    expect(order.totalPrice.toString()).toBe("41.5");
    expect(JSON.parse(order.noteAttributes)).toEqual([{ name: "gift_message", value: "Happy birthday" }]);
    expect(order.lines.map((l) => [l.productShopifyId, l.quantity, JSON.parse(l.properties)])).toEqual([
      ["101", 2, [{ name: "_affinity_rec", value: "rec_abc" }]],
    ]);
  });

  it("keeps the newest customer version and applies deletes", async () => {
    await ingest("customers/update", customerPayload(600, { updated_at: "2026-03-01T00:00:00Z" }));
    expect((await ingest("customers/update", customerPayload(600))).returnvalue).toEqual({ outcome: "stale" });
    await ingest("customers/update", customerPayload(601));
    // What the churn step and an insight write left for 601 (issue 21).
    const id = await shopId();
    await t.db.churnPrediction.create({
      data: {
        shopId: id,
        customerShopifyId: "601",
        runId: "r",
        risk: 0.5,
        expectedNextAt: new Date(),
        segment: "active",
        value: 1,
      },
    });
    await t.db.customerInsightWrite.create({ data: { shopId: id, customerShopifyId: "601", tag: "affinity:active" } });
    await ingest("customers/delete", { id: 601 });
    const ids = (await t.db.customer.findMany({ where: { shopId: id } })).map((c) => c.shopifyId);
    expect(ids).toEqual(["600"]);
    // Off the Customers page at once; never written to again (Shopify removed the tag with them).
    expect(await t.db.churnPrediction.count({ where: { shopId: id, customerShopifyId: "601" } })).toBe(0);
    const written = await t.db.customerInsightWrite.findUniqueOrThrow({
      where: { shopId_customerShopifyId: { shopId: id, customerShopifyId: "601" } },
    });
    expect([written.gone, written.tag]).toEqual([true, null]);
  });

  it("customers/data_request gathers the customer's orders into a stored report", async () => {
    await ingest("customers/update", customerPayload(555));
    const d = delivery(SHOP, "customers/data_request", {
      shop_id: 1,
      shop_domain: SHOP,
      orders_requested: [10],
      customer: { id: 555, email: "a@example.com", phone: null },
      data_request: { id: 9 },
    });
    expect((await harness.ingest(d)).returnvalue).toEqual({ orders: 1 });
    const request = await t.db.dataRequest.findUniqueOrThrow({ where: { webhookId: d.webhookId } });
    const report = JSON.parse(request.report);
    expect(report.customer.shopifyId).toBe("555");
    expect(report.orders.map((o: { shopifyId: string }) => o.shopifyId)).toEqual(["10"]);
    expect(request.report).not.toContain("a@example.com");
  });

  it("customers/redact removes the customer and their link to orders, and asks for retraining", async () => {
    await ingest("customers/redact", { shop_id: 1, shop_domain: SHOP, customer: { id: 555 }, orders_to_redact: [10] });
    const id = await shopId();
    expect(await t.db.customer.count({ where: { shopId: id, shopifyId: "555" } })).toBe(0);
    expect(await t.db.order.count({ where: { shopId: id, customerShopifyId: "555" } })).toBe(0);
    expect(await t.db.order.count({ where: { shopId: id, shopifyId: "10" } })).toBe(1);
    expect(await t.db.dataRequest.count({ where: { shopId: id, customerShopifyId: "555" } })).toBe(0);
    expect((await t.db.shop.findUniqueOrThrow({ where: { id } })).retrainRequestedAt).not.toBeNull();
  });

  it("app/scopes_update and app/uninstalled update sessions, stop schedules and mark the shop", async () => {
    await storeOfflineSession(t.db, SHOP);
    await ingest("app/scopes_update", {
      id: 1,
      previous: ["read_products"],
      current: ["read_products", "read_orders"],
      updated_at: "2026-03-01T00:00:00Z",
    });
    expect((await t.db.session.findFirstOrThrow({ where: { shop: SHOP } })).scope).toBe("read_products,read_orders");
    await ingest("app/uninstalled", { id: 1, name: "Ingest A", domain: SHOP, myshopify_domain: SHOP });
    expect(await t.db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({ status: "uninstalled" });
    expect(removedSchedules).toEqual([SHOP]);
  });

  it("dead-letters a payload it cannot parse, with the reason, and does not retry it", async () => {
    const d = delivery(SHOP, "orders/create", { id: 11, line_items: "not a list" });
    const job = await harness.ingest(d);
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    const letter = await t.db.webhookDeadLetter.findUniqueOrThrow({ where: { webhookId: d.webhookId } });
    expect(letter.reason).toMatch(/currency|line_items/);
    expect(JSON.parse(letter.payload)).toEqual({ id: 11, line_items: "not a list" });
  });

  it("dead-letters a topic it has no handler for", async () => {
    const d = delivery(SHOP, "inventory_levels/update", { inventory_item_id: 1 });
    expect(await (await harness.ingest(d)).getState()).toBe("failed");
    expect((await t.db.webhookDeadLetter.findUniqueOrThrow({ where: { webhookId: d.webhookId } })).reason).toMatch(
      /no handler/,
    );
  });

  it("never touches another shop's rows, for any topic, and shop/redact removes only its own shop", async () => {
    const other = await recordInstall(t.db, OTHER);
    await storeOfflineSession(t.db, OTHER);
    const otherIngest = (topic: string, payload: unknown) => harness.ingest(delivery(OTHER, topic, payload));
    await otherIngest("products/create", productPayload(1));
    await otherIngest("orders/create", orderPayload(10));
    await otherIngest("customers/update", customerPayload(555));
    const snapshot = async () => ({
      shop: await t.db.shop.findUniqueOrThrow({
        where: { id: other.id },
        select: { status: true, retrainRequestedAt: true },
      }),
      products: await t.db.product.findMany({
        where: { shopId: other.id },
        include: { variants: true },
        orderBy: { shopifyId: "asc" },
      }),
      orders: await t.db.order.findMany({ where: { shopId: other.id }, include: { lines: true } }),
      customers: await t.db.customer.findMany({ where: { shopId: other.id } }),
      sessions: await t.db.session.findMany({ where: { shop: OTHER } }),
    });
    const before = await snapshot();

    // Every topic for SHOP, with ids that collide with OTHER's rows.
    for (const [topic, payload] of [
      ["products/update", productPayload(1, { title: "A only", updated_at: "2027-01-01T00:00:00Z" })],
      ["products/delete", { id: 1 }],
      ["orders/updated", orderPayload(10, { updated_at: "2027-01-01T00:00:00Z", line_items: [] })],
      [
        "orders/cancelled",
        orderPayload(10, { updated_at: "2027-01-02T00:00:00Z", cancelled_at: "2027-01-02T00:00:00Z" }),
      ],
      ["customers/update", customerPayload(555, { updated_at: "2027-01-01T00:00:00Z" })],
      ["customers/delete", { id: 555 }],
      ["customers/data_request", { shop_domain: SHOP, customer: { id: 555 }, orders_requested: [10] }],
      ["customers/redact", { shop_domain: SHOP, customer: { id: 555 }, orders_to_redact: [10] }],
      ["app/scopes_update", { current: ["read_products"] }],
      ["app/uninstalled", { domain: SHOP }],
      ["shop/redact", { shop_id: 1, shop_domain: SHOP }],
    ] as const) {
      expect(await (await ingest(topic, payload)).getState(), topic).toBe("completed");
    }
    expect(await snapshot()).toEqual(before);
    expect(await t.db.shop.count({ where: { domain: SHOP } })).toBe(0);
    expect(forgottenShops).toEqual([SHOP]);
    expect(await t.db.product.count({ where: { shop: { domain: SHOP } } })).toBe(0);
  });
});
