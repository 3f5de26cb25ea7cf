import { Prisma } from "@prisma/client";
import type { Db } from "../database/client.server";
import { runSql } from "../database/raw-sql.server";
import type { CatalogItem, HistoryOrder } from "../model/types";
import { productViewHistory, type ProductView } from "../events/product-views.server";
import {
  chooseWindow,
  windowed,
  type HistoryCounts,
  type TrainingWindow,
  type WindowCaps,
  type WindowRule,
} from "../model/window";

export interface TrainingInput {
  orders: HistoryOrder[];
  catalog: CatalogItem[];
  views: Map<string, ProductView[]>;
  /** What was kept, when the shop's history is larger than the budget allows. */
  window: TrainingWindow | null;
}

/**
 * Everything one run learns from, cut to the run's memory budget: the window is chosen from
 * counts first, so a big shop never loads more history than it can train on. Training and
 * restore both read through here, so a restored run sees the history it was trained on.
 * Recommendation training keeps whole customers (rule "customers", model/window.ts); a restore
 * passes the rule its run recorded.
 */
export async function loadTrainingInput(
  db: Db,
  shopId: string,
  budgetMb: number,
  caps?: WindowCaps,
  rule: WindowRule = "customers",
): Promise<TrainingInput> {
  const chosen = await chooseHistoryWindow(db, shopId, budgetMb, caps, rule);
  const since = chosen?.window.since ?? null;
  const keep = chosen?.keep ?? null;
  const [orders, catalog, views] = await Promise.all([
    loadOrderHistory(db, shopId, { rule, since, keep }),
    loadCatalog(db, shopId, keep),
    // Logged-in shoppers' product views (issue 6): keyed by customer id like the orders. Read
    // from the window's cut on under either rule, so a big shop's views stay bounded too.
    productViewHistory(db, shopId, { since: since ?? new Date(0) }),
  ]);
  const window = chosen && (chosen.window.since || chosen.window.items !== null) ? chosen.window : null;
  return { orders, catalog, views, window };
}

/**
 * The window a budget allows for a shop's history (model/window.ts), from counts alone; null
 * when the shop has no learnable orders. The recommender cuts by customers, the churn step by
 * days (its labels need a time cut).
 */
export async function chooseHistoryWindow(
  db: Db,
  shopId: string,
  budgetMb: number,
  caps: WindowCaps | undefined,
  rule: WindowRule,
): Promise<{ window: TrainingWindow; keep: ReadonlySet<string> | null } | null> {
  const counts = await historyCounts(db, shopId, rule);
  if (!counts) return null;
  const chosen = await chooseWindow(counts, budgetMb, caps);
  if (chosen.keep) return chosen;
  const keep = await catalogCap(db, shopId, chosen.window.since, chosen.window.caps.maxItems, counts);
  if (!keep) return chosen;
  return { window: { ...chosen.window, items: keep.size, unboughtLeftOut: keep.leftOut }, keep };
}

/**
 * The product cap holds for the catalog too: every live product is modelled, so a 50,000-product
 * shop whose window bought only 5,000 would otherwise build 50,000² tables. When the bought
 * products fit the cap but the live catalog does not, every product bought in the window stays
 * (no order line is dropped) and the newest of the others fill the rest. Holds one id per live
 * product while choosing.
 */
async function catalogCap(
  db: Db,
  shopId: string,
  since: Date | null,
  maxItems: number,
  counts: HistoryCounts,
): Promise<(Set<string> & { leftOut: number }) | null> {
  const live = await db.product.count({ where: { shopId, deletedAt: null } });
  if (live <= maxItems) return null;
  const keep = new Set((await counts.linesPerProduct(since)).keys());
  const newest = await db.product.findMany({
    where: { shopId, deletedAt: null },
    select: { shopifyId: true },
    orderBy: [{ shopifyCreatedAt: { sort: "desc", nulls: "last" } }, { shopifyId: "desc" }],
  });
  let leftOut = 0;
  for (const { shopifyId } of newest) {
    if (keep.has(shopifyId)) continue;
    if (keep.size < maxItems) keep.add(shopifyId);
    else leftOut++;
  }
  return Object.assign(keep, { leftOut });
}

const PAGE = 2_000;

/**
 * The orders the model learns from (see loadOrderHistory), as a Prisma filter; sync/records.ts
 * `isLearnableOrder` is the same rule for one order.
 */
const learnable = (shopId: string, since?: Date | null) => ({
  shopId,
  customerShopifyId: { not: null },
  cancelledAt: null,
  test: false,
  ...(since ? { processedAt: { gte: since } } : {}),
});

/**
 * The counts a training window is chosen from, asked of the database: a handful of COUNTs and
 * one GROUP BY over products, so choosing the window never loads the history. Under "customers"
 * each count is over the lines of the customers whose last learnable order is on or after the
 * cut (activeCustomersSql).
 *
 * Raw SQL on purpose: Prisma's relation filter (`order: {...}`) joins OrderLine to Order in a way
 * that SQLite, without statistics, plans as a scan of every line of the shop per order (through
 * the shopId+product index), so the UCI shop's 15,000 orders took over an hour per COUNT. Joining
 * from the orders, with no condition on the line's own shopId, makes both databases look lines up
 * by orderId. test/integration/training-window.test.ts holds the plan to that index.
 */
export async function historyCounts(db: Db, shopId: string, rule: WindowRule = "days"): Promise<HistoryCounts | null> {
  const range = await db.order.aggregate({
    where: learnable(shopId),
    _min: { processedAt: true },
    _max: { processedAt: true },
  });
  if (!range._min.processedAt || !range._max.processedAt) return null;
  const linesSql = (since: Date | null) =>
    rule === "customers" ? customerLinesSql(shopId, since) : learnableLinesSql(shopId, since);
  return {
    rule,
    firstAt: range._min.processedAt,
    lastAt: range._max.processedAt,
    linesSince: async (since) => {
      const [row] = await runSql<{ n: bigint | number }[]>(db, Prisma.sql`SELECT COUNT(*) AS n ${linesSql(since)}`);
      return Number(row?.n ?? 0);
    },
    linesPerProduct: async (since) => {
      const rows = await runSql<{ product: string; n: bigint | number }[]>(
        db,
        Prisma.sql`SELECT l."productShopifyId" AS product, COUNT(*) AS n ${linesSql(since)}
          GROUP BY l."productShopifyId"`,
      );
      return new Map(rows.map((r) => [r.product, Number(r.n)]));
    },
    ...(rule === "customers"
      ? {
          customersSince: async (since: Date | null) => {
            const [row] = await runSql<{ n: bigint | number }[]>(db, activeCustomersCountSql(shopId, since));
            return Number(row?.n ?? 0);
          },
        }
      : {}),
  };
}

/**
 * The customers a "customers" window keeps: those whose last learnable order is on or after
 * `since` (all with a learnable order when null), one row each, grouped along Order's
 * (shopId, customerShopifyId, processedAt) index (cancelledAt and test are read from the rows).
 * `after` pages by customer id.
 */
export function activeCustomersSql(shopId: string, since: Date | null, after?: string): Prisma.Sql {
  return Prisma.sql`SELECT o."customerShopifyId" AS customer FROM "Order" o
    WHERE o."shopId" = ${shopId} AND o."customerShopifyId" IS NOT NULL AND o."cancelledAt" IS NULL
      AND o."test" = false ${after !== undefined ? Prisma.sql`AND o."customerShopifyId" > ${after}` : Prisma.empty}
    GROUP BY o."customerShopifyId"
    ${since ? Prisma.sql`HAVING MAX(o."processedAt") >= ${since}` : Prisma.empty}`;
}

/** How many customers a customer window with this cut keeps (one COUNT per probe of its search). */
export function activeCustomersCountSql(shopId: string, since: Date | null): Prisma.Sql {
  return Prisma.sql`SELECT COUNT(*) AS n FROM (${activeCustomersSql(shopId, since)}) active`;
}

/** One page of a customer window's customers, in id order, after `after`. */
export function activeCustomersPageSql(
  shopId: string,
  since: Date | null,
  after: string | undefined,
  perPage: number,
): Prisma.Sql {
  return Prisma.sql`${activeCustomersSql(shopId, since, after)} ORDER BY o."customerShopifyId" LIMIT ${perPage}`;
}

/** FROM … WHERE of the learnable lines of the customers a "customers" window keeps. */
export function customerLinesSql(shopId: string, since: Date | null): Prisma.Sql {
  if (!since) return learnableLinesSql(shopId, null);
  return Prisma.sql`${learnableLinesSql(shopId, null)}
      AND o."customerShopifyId" IN (SELECT customer FROM (${activeCustomersSql(shopId, since)}) active)`;
}

/**
 * FROM … WHERE of the lines the model reads: a product and a positive quantity, on a learnable
 * order (see `learnable`). Both adapters bind a Date in the format they store it in.
 */
export function learnableLinesSql(shopId: string, since: Date | null): Prisma.Sql {
  return Prisma.sql`FROM "Order" o JOIN "OrderLine" l ON l."orderId" = o."id"
    WHERE o."shopId" = ${shopId} AND o."customerShopifyId" IS NOT NULL AND o."cancelledAt" IS NULL
      AND o."test" = false ${since ? Prisma.sql`AND o."processedAt" >= ${since}` : Prisma.empty}
      AND l."productShopifyId" IS NOT NULL AND l."quantity" > 0`;
}

/**
 * A shop's purchase history as the model reads it: orders with a known customer, not cancelled,
 * not test orders, with their product lines. Read in pages by id so a large shop never needs one
 * giant query. Guest orders carry no customer to learn a sequence from, so they are left out.
 */
export async function loadOrderHistory(
  db: Db,
  shopId: string,
  window: HistoryCut = { since: null, keep: null },
): Promise<HistoryOrder[]> {
  const history: HistoryOrder[] = [];
  for await (const order of readOrderHistory(db, shopId, window)) history.push(order);
  return history;
}

/** The cut a history read applies: the window's rule and day, and the products kept (null: all). */
export interface HistoryCut {
  /** Absent: "days". */
  rule?: WindowRule;
  since: Date | null;
  keep: ReadonlySet<string> | null;
}

/** Customers per page of a "customers" read: their orders are one query. */
const CUSTOMER_PAGE = 500;

const orderSelect = {
  id: true,
  shopifyId: true,
  customerShopifyId: true,
  processedAt: true,
  subtotalPrice: true,
  lines: { select: { productShopifyId: true, quantity: true, price: true } },
} as const;

type Money = Prisma.Decimal | number | string;
type OrderRow = {
  shopifyId: string;
  customerShopifyId: string | null;
  processedAt: Date;
  subtotalPrice: Money;
  lines: { productShopifyId: string | null; quantity: number; price: Money }[];
};

/**
 * The order's discounts: its lines at their prices before discounts (every line, custom ones
 * too) minus its subtotal, which Shopify gives after discounts. Never negative: an order stored
 * with its total as subtotal (a payload without one) counts no discount.
 */
function discountOf(order: OrderRow): number {
  let gross = 0;
  for (const line of order.lines) gross += Math.max(0, line.quantity) * Number(line.price);
  const discount = gross - Number(order.subtotalPrice);
  // Cents: a float's last digits are not a discount.
  return discount > 0.005 ? Math.round(discount * 100) / 100 : 0;
}

/** An order row as the model reads it, cut to the kept products; null when nothing is left. */
function historyOrderOf(order: OrderRow, since: Date | null, keep: ReadonlySet<string> | null): HistoryOrder | null {
  const items = order.lines
    .filter((line) => line.productShopifyId !== null && line.quantity > 0)
    .map((line) => ({ productId: line.productShopifyId!, quantity: line.quantity, price: Number(line.price) }));
  const kept = windowed(
    {
      orderId: order.shopifyId,
      customerId: order.customerShopifyId!,
      at: order.processedAt,
      items,
      discount: discountOf(order),
    },
    since,
    keep,
  );
  return kept && kept.items.length > 0 ? kept : null;
}

/**
 * The same orders as loadOrderHistory, one at a time: only one page of rows is held, so a
 * caller that keeps less per order than a HistoryOrder (the churn step) holds only that. A
 * "customers" cut is read a page of customers at a time (CUSTOMER_PAGE, by id), each page's
 * orders in one query, so memory holds one page whatever the shop's size.
 */
export async function* readOrderHistory(
  db: Db,
  shopId: string,
  window: HistoryCut = { since: null, keep: null },
  customersPerPage = CUSTOMER_PAGE,
): AsyncGenerator<HistoryOrder> {
  if (window.rule === "customers" && window.since) {
    yield* readCustomerWindow(db, shopId, window.since, window.keep, customersPerPage);
    return;
  }
  let cursor: string | undefined;
  for (;;) {
    const page = await db.order.findMany({
      where: learnable(shopId, window.since),
      orderBy: { id: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: orderSelect,
    });
    for (const order of page) {
      const kept = historyOrderOf(order, window.since, window.keep);
      if (kept) yield kept;
    }
    if (page.length < PAGE) return;
    cursor = page[page.length - 1]!.id;
  }
}

/** Every learnable order of the customers last active on or after `since`, a page of customers at a time. */
async function* readCustomerWindow(
  db: Db,
  shopId: string,
  since: Date,
  keep: ReadonlySet<string> | null,
  perPage: number,
): AsyncGenerator<HistoryOrder> {
  let after: string | undefined;
  for (;;) {
    const rows = await runSql<{ customer: string }[]>(db, activeCustomersPageSql(shopId, since, after, perPage));
    if (rows.length === 0) return;
    const customers = rows.map((r) => r.customer);
    const orders = await db.order.findMany({
      where: { ...learnable(shopId), customerShopifyId: { in: customers } },
      orderBy: [{ customerShopifyId: "asc" }, { processedAt: "asc" }, { id: "asc" }],
      select: orderSelect,
    });
    for (const order of orders) {
      // The whole history of a kept customer: no day cut on their orders.
      const kept = historyOrderOf(order, null, keep);
      if (kept) yield kept;
    }
    if (rows.length < perPage) return;
    after = customers[customers.length - 1]!;
  }
}

/** The live catalog: products that are not deleted, with their lowest price and availability. */
export async function loadCatalog(
  db: Db,
  shopId: string,
  keep: ReadonlySet<string> | null = null,
): Promise<CatalogItem[]> {
  const rows = await db.product.findMany({
    where: { shopId, deletedAt: null },
    select: {
      shopifyId: true,
      title: true,
      productType: true,
      vendor: true,
      tags: true,
      status: true,
      isGiftCard: true,
      variants: { select: { price: true, available: true } },
    },
  });
  // Past the product cap only the window's most bought products are modelled (see model/window.ts).
  const products = keep ? rows.filter((p) => keep.has(p.shopifyId)) : rows;
  return products.map((p) => {
    const prices = p.variants.map((v) => Number(v.price));
    return {
      productId: p.shopifyId,
      title: p.title,
      productType: p.productType,
      vendor: p.vendor,
      tags: p.tags
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
      ...(prices.length > 0 ? { price: Math.min(...prices) } : {}),
      available: p.status === "active" && !p.isGiftCard && p.variants.some((v) => v.available),
    };
  });
}
