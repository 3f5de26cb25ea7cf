import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryOrder } from "../../app/lib/model/types";
import { describeWindow } from "../../app/lib/model/window";
import {
  activeCustomersCountSql,
  activeCustomersPageSql,
  chooseHistoryWindow,
  customerLinesSql,
  historyCounts,
  learnableLinesSql,
  loadTrainingInput,
  readOrderHistory,
} from "../../app/lib/training/shop-history.server";
import { seedShop } from "../helpers/history-seed";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { Prisma } from "@prisma/client";
import { runSql } from "../../app/lib/database/raw-sql.server";

const at = (d: number) => new Date(Date.UTC(2026, 2, 1 + d, 15));
/** Ten days, one order a day: A and B every day, a third product of its own, C bought most of all late. */
const history: HistoryOrder[] = Array.from({ length: 10 }, (_, d) => ({
  orderId: `${9000 + d}`,
  customerId: `${100 + (d % 3)}`,
  at: at(d),
  items: [
    { productId: "A", quantity: 1, price: 5 },
    { productId: "B", quantity: 1, price: 5 },
    { productId: d >= 6 ? "C" : `P${d}`, quantity: 1, price: 5 },
  ],
}));
/** Bought ones, then four never bought (U1..U4). */
const bought = ["A", "B", "C", ...Array.from({ length: 6 }, (_, d) => `P${d}`)];
const products = [...bought, "U1", "U2", "U3", "U4"];

describe.each(DATABASE_KINDS)("the training window read from the database (%s)", (kind) => {
  let t: TestDb;
  let shopId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
    shopId = await seedShop(t.db, `window-${kind}.myshopify.com`, history, products);
  });
  afterAll(() => t.drop());

  it("loads everything, with no window, when the history fits the budget", async () => {
    const input = await loadTrainingInput(t.db, shopId, 1_536);
    expect(input.window).toBeNull();
    expect(input.orders).toHaveLength(10);
    expect(input.catalog).toHaveLength(products.length);
  });

  it("by days: keeps the newest days that fit the line cap and the most bought products in them", async () => {
    // 12 lines fit: the last four days (days 6..9), whose products are A, B and C.
    const input = await loadTrainingInput(t.db, shopId, 1_536, { maxLines: 12, maxItems: 2 }, "days");
    expect(input.window?.since?.toISOString()).toBe("2026-03-07T00:00:00.000Z");
    // 12 lines in the day window, C's four dropped with the product cap: 8 trained on.
    expect(input.window).toMatchObject({ linesTotal: 30, linesKept: 8, items: 2, budgetMb: 1_536 });
    const held = input.orders.reduce((sum, o) => sum + o.items.length, 0);
    expect(held).toBe(input.window?.linesKept);
    expect(input.orders.map((o) => o.orderId).sort()).toEqual(["9006", "9007", "9008", "9009"]);
    // A, B and C are tied at four lines each; ties go by id, so A and B stay.
    for (const order of input.orders) expect(order.items.map((i) => i.productId).sort()).toEqual(["A", "B"]);
    expect(input.catalog.map((c) => c.productId).sort()).toEqual(["A", "B"]);
  });

  it("by customers: keeps the most recently active customers whole, as many as the line cap allows", async () => {
    // Customer 100 ordered on days 0, 3, 6, 9 (12 lines), 102 on days 2, 5, 8 (9), 101 on 1, 4, 7 (9).
    // 21 lines fit 100 and 102 whole; 101 (last active day 7) would make 30.
    const caps = { maxLines: 21, maxItems: 100 };
    const input = await loadTrainingInput(t.db, shopId, 1_536, caps);
    expect(input.window).toMatchObject({
      rule: "customers",
      customersKept: 2,
      customersTotal: 3,
      linesKept: 21,
      linesTotal: 30,
      items: null,
    });
    // The cut is a day boundary: customers last active from day 8 (March 9) on.
    expect(input.window?.since?.toISOString()).toBe("2026-03-09T00:00:00.000Z");
    expect(input.orders.map((o) => o.orderId).sort()).toEqual(["9000", "9002", "9003", "9005", "9006", "9008", "9009"]);
    expect(input.orders.reduce((sum, o) => sum + o.items.length, 0)).toBe(input.window?.linesKept);
    expect(describeWindow(input.window!)).toBe(
      "Trained on the whole history of the 2 customers (of 3) last active from 2026-03-09 on (21 of 30 order lines) to stay within 1536 MB.",
    );
    // 12 lines: customer 100 alone.
    const one = await loadTrainingInput(t.db, shopId, 1_536, { maxLines: 12, maxItems: 100 });
    expect(one.window).toMatchObject({ customersKept: 1, linesKept: 12 });
    expect(new Set(one.orders.map((o) => o.customerId))).toEqual(new Set(["100"]));
  });

  it("reads a customer window a page of customers at a time, each customer once", async () => {
    const since = at(7); // 100 and 102 were last active after day 7's order; 101's last order is day 7 itself.
    for (const perPage of [1, 2, 500]) {
      const orders = [];
      for await (const o of readOrderHistory(t.db, shopId, { rule: "customers", since, keep: null }, perPage)) {
        orders.push(o);
      }
      expect(orders.map((o) => o.orderId).sort()).toEqual([
        "9000",
        "9001",
        "9002",
        "9003",
        "9004",
        "9005",
        "9006",
        "9007",
        "9008",
        "9009",
      ]);
    }
    const later = [];
    for await (const o of readOrderHistory(t.db, shopId, { rule: "customers", since: at(9), keep: null }, 1))
      later.push(o);
    expect(later.map((o) => o.orderId)).toEqual(["9000", "9003", "9006", "9009"]);
  });

  it("the same caps by days keep a time cut (the churn step's rule)", async () => {
    const chosen = await chooseHistoryWindow(t.db, shopId, 1_536, { maxLines: 21, maxItems: 100 }, "days");
    // Days 3..9: 21 lines.
    expect(chosen?.window).toMatchObject({ rule: "days", linesKept: 21 });
    expect(chosen?.window.since?.toISOString()).toBe("2026-03-04T00:00:00.000Z");
    expect(chosen?.window.customersKept).toBeUndefined();
  });

  it("caps the catalog too: every bought product stays and the newest unbought ones fill the cap", async () => {
    // Nine products bought fit a cap of ten, but thirteen live products do not.
    const input = await loadTrainingInput(t.db, shopId, 1_536, { maxLines: 100, maxItems: 10 });
    expect(input.window).toMatchObject({ since: null, items: 10, unboughtLeftOut: 3, linesTotal: 30, linesKept: 30 });
    expect(input.orders).toHaveLength(10);
    // Same creation time for all: ties go to the highest id.
    expect(input.catalog.map((c) => c.productId).sort()).toEqual([...bought, "U4"].sort());
    expect(describeWindow(input.window!)).toBe(
      "Trained on 10 products (every product bought, then the newest; 3 never bought left out) (30 of 30 order lines) to stay within 1536 MB.",
    );
  });

  it("counts an order placed exactly at the window's first instant, and none before it", async () => {
    const counts = (await historyCounts(t.db, shopId))!;
    // Day 6 15:00 is an order's own time: its three lines and the three days after it.
    expect(await counts.linesSince(at(6))).toBe(12);
    expect(await counts.linesSince(new Date(at(6).getTime() + 1))).toBe(9);
    const perProduct = await counts.linesPerProduct(at(6));
    expect(Object.fromEntries(perProduct)).toEqual({ A: 4, B: 4, C: 4 });
  });
});

describe("the window's line counts on SQLite", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb("sqlite");
  });
  afterAll(() => t.drop());

  // Counting through Prisma's relation filter scanned every line of the shop once per order (the
  // whole UCI shop never finished preparing); the plan must look lines up by their order.
  const planOf = async (sql: Prisma.Sql) =>
    (await runSql<{ detail: string }[]>(t.db, Prisma.sql`EXPLAIN QUERY PLAN ${sql}`)).map((row) => row.detail);

  it("looks lines up by order id, not by scanning the shop's lines", async () => {
    const plan = await planOf(Prisma.sql`SELECT COUNT(*) ${learnableLinesSql("shop", at(0))}`);
    const lines = plan.filter((d) => / l /.test(`${d} `) || d.includes("OrderLine"));
    expect(lines).toEqual(["SEARCH l USING INDEX OrderLine_orderId_idx (orderId=?)"]);
  });

  // The "customers" rule's counts run once per probe of the window's binary search, and a page of
  // the history read once per 500 customers: each must walk Order's (shop, customer, time) index
  // in customer order, with no sort of the shop's orders and no scan of its lines.
  const customerIndex = "Order_shopId_customerShopifyId_processedAt_idx";

  it("groups a customer window's customers along the order index, without sorting or scanning orders", async () => {
    const count = await planOf(activeCustomersCountSql("shop", at(0)));
    const page = await planOf(activeCustomersPageSql("shop", at(0), "123", 500));
    for (const plan of [count, page]) {
      expect(plan.filter((d) => / o /.test(`${d} `))).toEqual([
        `SEARCH o USING INDEX ${customerIndex} (shopId=? AND customerShopifyId>?)`,
      ]);
      expect(plan.filter((d) => d.includes("TEMP B-TREE"))).toEqual([]);
    }
  });

  it("looks a customer window's lines up by order id", async () => {
    const plan = await planOf(Prisma.sql`SELECT COUNT(*) ${customerLinesSql("shop", at(0))}`);
    expect(plan.filter((d) => / l /.test(`${d} `))).toEqual(["SEARCH l USING INDEX OrderLine_orderId_idx (orderId=?)"]);
    expect(plan.filter((d) => d.includes("TEMP B-TREE") || /^SCAN (o|l)\b/.test(d))).toEqual([]);
  });
});
