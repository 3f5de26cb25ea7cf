import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadChurnEvents, loadChurnOrders } from "../../app/lib/churn/store.server";
import { churnOrdersFromHistory } from "../../app/lib/churn/from-history";
import type { HistoryOrder } from "../../app/lib/model/types";
import { loadCatalog, loadOrderHistory } from "../../app/lib/training/shop-history.server";
import { seedShop } from "../helpers/history-seed";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";

const at = (d: number) => new Date(Date.UTC(2026, 2, 1 + d, 15));
/** Ten days, one order a day of three lines: A and B every day, a third product of its own. */
const history: HistoryOrder[] = Array.from({ length: 10 }, (_, d) => ({
  orderId: `${7000 + d}`,
  customerId: `${200 + (d % 3)}`,
  at: at(d),
  items: [
    { productId: "A", quantity: 2, price: 5 },
    { productId: "B", quantity: 1, price: 5 },
    { productId: d >= 6 ? "C" : `P${d}`, quantity: 1, price: 5 },
  ],
}));
const products = ["A", "B", "C", ...Array.from({ length: 6 }, (_, d) => `P${d}`)];

describe.each(DATABASE_KINDS)("the churn step's orders, cut by the training window (%s)", (kind) => {
  let t: TestDb;
  let shopId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
    shopId = await seedShop(t.db, `churn-window-${kind}.myshopify.com`, history, products);
    await t.db.product.updateMany({ where: { shopId, shopifyId: { in: ["A", "C"] } }, data: { productType: "Tea" } });
    await t.db.product.updateMany({ where: { shopId, shopifyId: "B" }, data: { productType: "Cups" } });
  });
  afterAll(() => t.drop());

  it("loads exactly what the whole-history load gave when the history fits the budget", async () => {
    const { orders, window } = await loadChurnOrders(t.db, shopId, 1_536);
    expect(window).toBeNull();
    const whole = churnOrdersFromHistory(await loadOrderHistory(t.db, shopId), await loadCatalog(t.db, shopId));
    expect(orders).toEqual(whole);
    expect(orders).toHaveLength(10);
    expect(orders[0]).toMatchObject({ total: 20, categories: ["Tea", "Cups"] });
  });

  it("reads each order's discount (lines before discounts minus the subtotal) and what was refunded on it", async () => {
    const shop = await seedShop(t.db, `churn-money-${kind}.myshopify.com`, history.slice(0, 3), products);
    // Order 7000: lines of 20.00 before discounts, sold for 15.00; one unit of A (5.00) refunded twice
    // over two refunds. Order 7001 was not discounted; 7002's subtotal is its total with shipping.
    await t.db.order.updateMany({ where: { shopId: shop, shopifyId: "7000" }, data: { subtotalPrice: "15.00" } });
    await t.db.order.updateMany({ where: { shopId: shop, shopifyId: "7002" }, data: { subtotalPrice: "24.95" } });
    const refund = (id: string, quantity: number) => ({
      shopId: shop,
      shopifyId: id,
      refundShopifyId: `refund-${id}`,
      orderShopifyId: "7000",
      lineShopifyId: "7000-0",
      quantity,
    });
    await t.db.refundLine.createMany({ data: [refund("r1", 1), refund("r2", 1)] });
    const { orders } = await loadChurnOrders(t.db, shop, 1_536);
    expect(orders.map((o) => [o.total, o.discount ?? 0, o.refunded ?? 0])).toEqual([
      [15, 5, 10],
      [20, 0, 0],
      [20, 0, 0],
    ]);
  });

  it("keeps only the window's days, with every line of each order, when the history is over the line cap", async () => {
    // 12 lines fit: days 6..9. The product cap (2) would drop C, but churn keeps every line.
    const { orders, window } = await loadChurnOrders(t.db, shopId, 1_536, { maxLines: 12, maxItems: 2 });
    expect(window).toMatchObject({ since: new Date("2026-03-07T00:00:00.000Z"), linesTotal: 30, budgetMb: 1_536 });
    expect(orders.map((o) => o.at.getTime())).toEqual([6, 7, 8, 9].map((d) => at(d).getTime()));
    for (const order of orders) expect(order).toMatchObject({ total: 20, categories: ["Tea", "Cups"] });
  });

  it("reads logged-in customers' storefront events since the window's start, not exposures or anonymous visitors", async () => {
    const event = (id: string, type: string, day: number, customer: string | null) => ({
      id: `churn-window-${kind}-${id}`,
      shopId,
      type,
      visitorId: "v1",
      customerShopifyId: customer,
      occurredAt: at(day),
    });
    await t.db.event.createMany({
      data: [
        event("1", "product_viewed", 2, "200"),
        event("2", "click", 8, "201"),
        event("3", "exposure", 8, "201"),
        event("4", "product_viewed", 8, null),
        event("5", "add_to_cart", 9, "200"),
      ],
    });
    const all = await loadChurnEvents(t.db, shopId, null);
    expect(all).toEqual([
      { customerId: "200", at: at(9) },
      { customerId: "201", at: at(8) },
      { customerId: "200", at: at(2) },
    ]);
    expect(await loadChurnEvents(t.db, shopId, at(5))).toEqual(all.slice(0, 2));
  });
});
