import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { runWrite } from "../database/pg-direct.server";
import type { Tx } from "../database/client.server";
import type { OrderRecord } from "./records";
import {
  ORDER_COLUMNS,
  ORDER_CONFLICT_UPDATE,
  ORDER_LINE_COLUMNS,
  ORDER_LINE_CONFLICT_UPDATE,
} from "./record-upsert-sql";
import { columnWiseInsert, inIds, slices, type ColumnWiseEngine, type UnnestColumn } from "./unnest-columns";

/**
 * Orders and their lines in two or three statements per 2,000 orders (issue 18: the backfill
 * must write at bulk speed), column-wise (unnest-columns.ts): PostgreSQL's unnest arrays, or one
 * JSON parameter on SQLite. The rules are those of the portable path in batch-records.server.ts,
 * from the same SQL (record-upsert-sql.ts): the conditional updated_at, per-shop keys, and an
 * order's lines replaced only when its row was written.
 */

export interface OrderBatchItem {
  shopId: string;
  record: OrderRecord;
}

type Proposed = OrderBatchItem & { id: string; now: Date };

/** A written order row, and whether the statement inserted it (rather than updating it). */
export interface WrittenOrder {
  id: string;
  shopId: string;
  shopifyId: string;
  inserted: boolean;
}

/**
 * Upserts the orders (newest updated_at wins) and replaces the lines of those written. Returns
 * the rows written. Each order is proposed with a fresh row id, so `inserted` needs no lookup
 * (nor PostgreSQL's `xmax`, which SQLite lacks): a row that comes back with another id existed
 * before, as the upsert never changes a stored row's id.
 */
export async function writeOrdersColumnWise(
  engine: ColumnWiseEngine,
  tx: Tx,
  orders: OrderBatchItem[],
  now: Date,
): Promise<WrittenOrder[]> {
  const written: WrittenOrder[] = [];
  for (const slice of slices(orders)) {
    const part = slice.map((o) => ({ ...o, id: randomUUID(), now }));
    const applied = await upsertOrders(engine, tx, part);
    const updated = applied.filter((a) => !a.inserted).map((a) => a.id);
    // A new row has no lines yet; only an updated order's old lines go.
    if (updated.length > 0)
      await runWrite(tx, Prisma.sql`DELETE FROM "OrderLine" WHERE ${inIds(engine, `"orderId"`, updated)}`);
    await insertLines(engine, tx, part, applied);
    written.push(...applied);
  }
  return written;
}

/** The order row's columns, from its record. */
const ORDER_ROW: Record<(typeof ORDER_COLUMNS)[number], UnnestColumn<Proposed>> = {
  id: { type: "text", value: (o) => o.id },
  shopId: { type: "text", value: (o) => o.shopId },
  shopifyId: { type: "text", value: (o) => o.record.shopifyId },
  name: { type: "text", value: (o) => o.record.name },
  customerShopifyId: { type: "text", value: (o) => o.record.customerShopifyId },
  currency: { type: "text", value: (o) => o.record.currency },
  subtotalPrice: { type: "numeric", value: (o) => o.record.subtotalPrice },
  totalPrice: { type: "numeric", value: (o) => o.record.totalPrice },
  financialStatus: { type: "text", value: (o) => o.record.financialStatus },
  sourceName: { type: "text", value: (o) => o.record.sourceName },
  noteAttributes: { type: "text", value: (o) => JSON.stringify(o.record.noteAttributes) },
  test: { type: "boolean", value: (o) => o.record.test },
  processedAt: { type: "timestamp(3)", value: (o) => o.record.processedAt },
  shopifyCreatedAt: { type: "timestamp(3)", value: (o) => o.record.createdAt },
  shopifyUpdatedAt: { type: "timestamp(3)", value: (o) => o.record.updatedAt },
  cancelledAt: { type: "timestamp(3)", value: (o) => o.record.cancelledAt },
  createdAt: { type: "timestamp(3)", value: (o) => o.now },
  updatedAt: { type: "timestamp(3)", value: (o) => o.now },
};

async function upsertOrders(engine: ColumnWiseEngine, tx: Tx, part: Proposed[]): Promise<WrittenOrder[]> {
  const rows = await runWrite<Array<Omit<WrittenOrder, "inserted">>>(
    tx,
    Prisma.sql`${columnWiseInsert(engine, "Order", ORDER_COLUMNS, ORDER_ROW, part)}
    ${ORDER_CONFLICT_UPDATE}
    RETURNING "id", "shopId", "shopifyId"`,
  );
  const proposed = new Set(part.map((o) => o.id));
  return rows.map((r) => ({ ...r, inserted: proposed.has(r.id) }));
}

type LineItem = { order: WrittenOrder; line: OrderRecord["lines"][number] };

const LINE_ROW: Record<(typeof ORDER_LINE_COLUMNS)[number], UnnestColumn<LineItem>> = {
  id: { type: "text", value: () => randomUUID() },
  shopId: { type: "text", value: (l) => l.order.shopId },
  orderId: { type: "text", value: (l) => l.order.id },
  shopifyId: { type: "text", value: (l) => l.line.shopifyId },
  productShopifyId: { type: "text", value: (l) => l.line.productShopifyId },
  variantShopifyId: { type: "text", value: (l) => l.line.variantShopifyId },
  title: { type: "text", value: (l) => l.line.title },
  quantity: { type: "integer", value: (l) => l.line.quantity },
  price: { type: "numeric", value: (l) => l.line.price },
  properties: { type: "text", value: (l) => JSON.stringify(l.line.properties) },
};

/** The lines of the orders just written, in one statement; a line id seen twice keeps its last. */
async function insertLines(engine: ColumnWiseEngine, tx: Tx, part: OrderBatchItem[], applied: WrittenOrder[]) {
  if (applied.length === 0) return;
  const byKey = new Map(part.map((p) => [`${p.shopId}\u0000${p.record.shopifyId}`, p.record]));
  const lines = new Map<string, LineItem>();
  for (const order of applied) {
    for (const line of byKey.get(`${order.shopId}\u0000${order.shopifyId}`)?.lines ?? []) {
      // One statement may not update a row twice; Shopify never lists a line under two orders.
      lines.set(`${order.shopId}\u0000${line.shopifyId}`, { order, line });
    }
  }
  if (lines.size === 0) return;
  await runWrite(
    tx,
    Prisma.sql`${columnWiseInsert(engine, "OrderLine", ORDER_LINE_COLUMNS, LINE_ROW, [...lines.values()])}
    ${ORDER_LINE_CONFLICT_UPDATE}`,
  );
}
