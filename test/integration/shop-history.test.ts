import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { applyOrder } from "../../app/lib/sync/store-orders.server";
import { applyProduct, deleteProduct } from "../../app/lib/sync/store-products.server";
import { orderPayload as orderSchema, productPayload as productSchema } from "../../app/lib/sync/webhook-payloads";
import { loadCatalog, loadOrderHistory } from "../../app/lib/training/shop-history.server";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { orderPayload, productPayload } from "../fixtures/shopify-payloads";

describe.each(DATABASE_KINDS)("training data from %s", (kind) => {
  let t: TestDb;
  let shopId: string;
  beforeAll(async () => {
    t = await createTestDb(kind);
    shopId = await ensureShopId(t.db, "history.myshopify.com");
    const other = await ensureShopId(t.db, "other.myshopify.com");
    await applyOrder(t.db, shopId, orderSchema.parse(orderPayload(1)));
    await applyOrder(t.db, shopId, orderSchema.parse(orderPayload(2, { customer: null })));
    await applyOrder(t.db, shopId, orderSchema.parse(orderPayload(3, { cancelled_at: "2026-02-02T00:00:00Z" })));
    await applyOrder(t.db, shopId, orderSchema.parse(orderPayload(4, { test: true })));
    await applyOrder(t.db, other, orderSchema.parse(orderPayload(5)));
    await applyProduct(t.db, shopId, productSchema.parse(productPayload(101)));
    await applyProduct(t.db, shopId, productSchema.parse(productPayload(102, { status: "draft" })));
    await applyProduct(t.db, shopId, productSchema.parse(productPayload(103)));
    await deleteProduct(t.db, shopId, "103", new Date());
  });
  afterAll(async () => {
    await t.drop();
  });

  it("loads the shop's real purchases only: no guests, cancellations, test orders or other shops", async () => {
    const history = await loadOrderHistory(t.db, shopId);
    expect(history.map((o) => o.orderId)).toEqual(["1"]);
    expect(history[0]).toMatchObject({
      customerId: "555",
      items: [
        { productId: "101", quantity: 2, price: 12.5 },
        { productId: "102", quantity: 1, price: 12.5 },
      ],
    });
  });

  it("loads the live catalog with availability: drafts unavailable, deleted products absent", async () => {
    const catalog = await loadCatalog(t.db, shopId);
    expect(catalog.map((c) => [c.productId, c.available, c.price]).sort()).toEqual([
      ["101", true, 12.5],
      ["102", false, 12.5],
    ]);
    expect(catalog[0]?.tags).toEqual(["gift", "red"]);
  });
});
