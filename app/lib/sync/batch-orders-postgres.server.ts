import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { runSql } from "../database/raw-sql.server";
import type { Tx } from "../database/client.server";
import type { OrderRecord } from "./records";
import { ORDER_CONFLICT_UPDATE, ORDER_INSERT_COLUMNS } from "./order-upsert-sql";

/**
 * Orders and their lines on PostgreSQL in two or three statements per batch, whatever its size
 * (issue 18: the backfill must write at bulk speed). Each column travels as one array parameter
 * and `unnest` turns the arrays back into rows, so a statement binds a dozen parameters instead
 * of ten per row: nothing to split at the 65,535-parameter limit, and far less for the client
 * and Prisma to serialise. The rules are those of the portable path in batch-records.server.ts:
 * the conditional updated_at, per-shop keys, and an order's lines replaced only when its row
 * was written.
 */

export interface OrderBatchItem {
  shopId: string;
  record: OrderRecord;
}

/** A written order row, and whether the statement inserted it (rather than updating it). */
export interface WrittenOrder {
  id: string;
  shopId: string;
  shopifyId: string;
  inserted: boolean;
}

/** Orders per statement: bounds one statement's arrays (and the lines that come with them). */
const ORDERS_PER_STATEMENT = 2_000;

/** Column-wise arrays of text (null allowed); the statement casts each to its column's type. */
function columns<T>(items: T[], pick: Record<string, (item: T) => string | null>): Record<string, (string | null)[]> {
  const out: Record<string, (string | null)[]> = {};
  for (const name of Object.keys(pick)) out[name] = [];
  for (const item of items) for (const [name, get] of Object.entries(pick)) out[name]!.push(get(item));
  return out;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * Upserts the orders (newest updated_at wins) and replaces the lines of those written. Returns
 * the rows written; `inserted` comes from `xmax = 0`, which holds only for a row this statement
 * inserted (an updated row carries the updating transaction's id), so no lookup beforehand.
 */
export async function writeOrdersPostgres(tx: Tx, orders: OrderBatchItem[], now: Date): Promise<WrittenOrder[]> {
  const written: WrittenOrder[] = [];
  for (let i = 0; i < orders.length; i += ORDERS_PER_STATEMENT) {
    const part = orders.slice(i, i + ORDERS_PER_STATEMENT);
    const applied = await upsertOrders(tx, part, now);
    const updated = applied.filter((a) => !a.inserted).map((a) => a.id);
    // A new row has no lines yet; only an updated order's old lines go.
    if (updated.length > 0)
      await runSql(tx, Prisma.sql`DELETE FROM "OrderLine" WHERE "orderId" = ANY(${updated}::text[])`);
    await insertLines(tx, part, applied);
    written.push(...applied);
  }
  return written;
}

async function upsertOrders(tx: Tx, part: OrderBatchItem[], now: Date): Promise<WrittenOrder[]> {
  const c = columns(part, {
    id: () => randomUUID(),
    shopId: (o) => o.shopId,
    shopifyId: (o) => o.record.shopifyId,
    name: (o) => o.record.name,
    customer: (o) => o.record.customerShopifyId,
    currency: (o) => o.record.currency,
    subtotal: (o) => o.record.subtotalPrice,
    total: (o) => o.record.totalPrice,
    financial: (o) => o.record.financialStatus,
    source: (o) => o.record.sourceName,
    notes: (o) => JSON.stringify(o.record.noteAttributes),
    test: (o) => String(o.record.test),
    processed: (o) => iso(o.record.processedAt),
    created: (o) => iso(o.record.createdAt),
    updated: (o) => iso(o.record.updatedAt),
    cancelled: (o) => iso(o.record.cancelledAt),
  });
  // Timestamps are stored as UTC wall time in timestamp(3) columns, as Prisma stores them; a
  // cast to timestamp (without zone) keeps an ISO string's time as written, ignoring its "Z".
  return runSql<WrittenOrder[]>(
    tx,
    Prisma.sql`
    INSERT INTO "Order" ${ORDER_INSERT_COLUMNS}
    SELECT r.id, r.shop, r.shopify, r.name, r.customer, r.currency, r.subtotal::numeric, r.total::numeric,
      r.financial, r.source, r.notes, r.test::boolean, r.processed::timestamp(3), r.created::timestamp(3),
      r.updated::timestamp(3), r.cancelled::timestamp(3), ${iso(now)}::timestamp(3), ${iso(now)}::timestamp(3)
    FROM unnest(${c.id}::text[], ${c.shopId}::text[], ${c.shopifyId}::text[], ${c.name}::text[],
      ${c.customer}::text[], ${c.currency}::text[], ${c.subtotal}::text[], ${c.total}::text[], ${c.financial}::text[],
      ${c.source}::text[], ${c.notes}::text[], ${c.test}::text[], ${c.processed}::text[], ${c.created}::text[],
      ${c.updated}::text[], ${c.cancelled}::text[])
      AS r(id, shop, shopify, name, customer, currency, subtotal, total, financial, source, notes, test, processed,
        created, updated, cancelled)
    ${ORDER_CONFLICT_UPDATE}
    RETURNING "id", "shopId", "shopifyId", (xmax = 0) AS "inserted"`,
  );
}

/** The lines of the orders just written, in one statement; a line id seen twice keeps its last. */
async function insertLines(tx: Tx, part: OrderBatchItem[], applied: WrittenOrder[]) {
  if (applied.length === 0) return;
  const byKey = new Map(part.map((p) => [`${p.shopId}\u0000${p.record.shopifyId}`, p.record]));
  const lines = new Map<string, { order: WrittenOrder; line: OrderRecord["lines"][number] }>();
  for (const order of applied) {
    for (const line of byKey.get(`${order.shopId}\u0000${order.shopifyId}`)?.lines ?? []) {
      // One statement may not update a row twice; Shopify never lists a line under two orders.
      lines.set(`${order.shopId}\u0000${line.shopifyId}`, { order, line });
    }
  }
  if (lines.size === 0) return;
  const c = columns([...lines.values()], {
    id: () => randomUUID(),
    shopId: (l) => l.order.shopId,
    orderId: (l) => l.order.id,
    shopifyId: (l) => l.line.shopifyId,
    product: (l) => l.line.productShopifyId,
    variant: (l) => l.line.variantShopifyId,
    title: (l) => l.line.title,
    quantity: (l) => String(l.line.quantity),
    price: (l) => l.line.price,
    properties: (l) => JSON.stringify(l.line.properties),
  });
  // A line listed under another order before (not expected from Shopify) follows the order that lists it now.
  await runSql(
    tx,
    Prisma.sql`
    INSERT INTO "OrderLine" ("id", "shopId", "orderId", "shopifyId", "productShopifyId", "variantShopifyId",
      "title", "quantity", "price", "properties")
    SELECT r.id, r.shop, r.order_id, r.shopify, r.product, r.variant, r.title, r.quantity::integer,
      r.price::numeric, r.properties
    FROM unnest(${c.id}::text[], ${c.shopId}::text[], ${c.orderId}::text[], ${c.shopifyId}::text[],
      ${c.product}::text[], ${c.variant}::text[], ${c.title}::text[], ${c.quantity}::text[], ${c.price}::text[],
      ${c.properties}::text[])
      AS r(id, shop, order_id, shopify, product, variant, title, quantity, price, properties)
    ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "orderId" = excluded."orderId", "productShopifyId" = excluded."productShopifyId",
      "variantShopifyId" = excluded."variantShopifyId", "title" = excluded."title",
      "quantity" = excluded."quantity", "price" = excluded."price", "properties" = excluded."properties"`,
  );
}
