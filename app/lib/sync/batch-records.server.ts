import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { runSql } from "../database/raw-sql.server";
import { bindDirectConnection } from "../database/pg-direct.server";
import { databaseKind, type Db, type Tx } from "../database/client.server";
import { forgetDeletedCustomers } from "../insights/deleted-customers.server";
import { addNewOrders } from "../shops/training-state.server";
import { writeOrdersColumnWise } from "./batch-orders-postgres.server";
import {
  deleteCustomersColumnWise,
  tombstoneProductsColumnWise,
  upsertCustomersColumnWise,
  upsertProductsColumnWise,
  type KeyedItem,
  type WrittenRow,
} from "./batch-catalog-postgres.server";
import type { CustomerRecord, OrderRecord, ProductRecord } from "./records";
import type { ColumnWiseEngine } from "./unnest-columns";
import {
  columnList,
  CUSTOMER_COLUMNS,
  CUSTOMER_CONFLICT_UPDATE,
  ORDER_COLUMNS,
  ORDER_CONFLICT_UPDATE,
  ORDER_LINE_COLUMNS,
  ORDER_LINE_CONFLICT_UPDATE,
  PRODUCT_COLUMNS,
  PRODUCT_CONFLICT_UPDATE,
  TOMBSTONE_COLUMNS,
  TOMBSTONE_CONFLICT_UPDATE,
  VARIANT_COLUMNS,
  VARIANT_CONFLICT_UPDATE,
} from "./record-upsert-sql";

/** One record write from one job; a batch holds many, from many jobs and shops. */
export type BatchWrite =
  | { kind: "customer"; shopId: string; record: CustomerRecord }
  | { kind: "customerDelete"; shopId: string; shopifyId: string }
  | { kind: "product"; shopId: string; record: ProductRecord }
  | { kind: "productDelete"; shopId: string; shopifyId: string; deletedAt: Date }
  | { kind: "order"; shopId: string; record: OrderRecord };

/**
 * Rows per INSERT statement. SQLite allows 32,766 bound parameters per statement and a product
 * row binds 17, so 500 rows stay well inside it; PostgreSQL's limit (65,535) is higher.
 */
const ROWS_PER_STATEMENT = 500;

/** A record's identity across shops. */
export const recordKey = (shopId: string, shopifyId: string) => `${shopId}\u0000${shopifyId}`;
const key = recordKey;

/**
 * Keeps the newest version per (shop, id). One statement cannot update a row twice (PostgreSQL
 * refuses it), and the newest is what the conditional update would keep anyway.
 */
function newestPerKey<T extends { shopId: string; record: { shopifyId: string; updatedAt: Date } }>(items: T[]): T[] {
  const kept = new Map<string, T>();
  for (const item of items) {
    const k = key(item.shopId, item.record.shopifyId);
    const seen = kept.get(k);
    if (!seen || item.record.updatedAt > seen.record.updatedAt) kept.set(k, item);
  }
  // In key order: concurrent batches then lock shared rows (a product updated by two batches) in
  // one order, so PostgreSQL makes one wait for the other instead of deadlocking them.
  return [...kept.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
}

function chunks<T>(items: T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Writes a batch of records in one transaction with multi-row upserts, keeping the rules of the
 * one-record path (store-products.server.ts, store-orders.server.ts): an update applies only when
 * its updated_at is newer than the stored one, a deleted product stays deleted (its tombstone is
 * written even for a product we never saw), and every row is keyed by its shop. Either all of the
 * batch is committed or none of it, so the caller may retry the whole batch.
 * Returns, by recordKey, the orders, products and customers it stored and whether each was new;
 * a record missing from them was older than the stored version (or than another version in the
 * batch), or, for a product, deleted.
 */
export async function writeRecordBatch(
  db: Db,
  writes: BatchWrite[],
  options: {
    /**
     * Adds each shop's new orders to its count towards a retrain (Shop.ordersSinceTraining) in the
     * same transaction, one statement per shop: a stored order is counted exactly once, also when
     * its job is retried after the commit (the retry finds it stored). The webhook path sets it;
     * the backfill does not, as the one-job path never counted backfilled orders.
     */
    countNewOrders?: boolean;
    /**
     * Runs in the batch's transaction after its orders are written, with the orders it stored
     * (each the version kept for its shop and id): the webhook path attributes them here, so
     * their attribution commits with them or not at all. @defaultValue none (the backfill)
     */
    afterOrders?: (tx: Tx, stored: OrderWrite[], engine: ColumnWiseEngine | undefined) => Promise<void>;
    /** Runs last in the batch's transaction: the backfill's checkpoint, which then commits with its rows or not at all. */
    beforeCommit?: (tx: Tx) => Promise<void>;
    /** The transaction's time limit. @defaultValue Prisma's interactive-transaction default (5 s) */
    timeoutMs?: number;
  } = {},
): Promise<RecordBatchStored> {
  // Each kept product and customer gets its row id now: a row that comes back with another id
  // existed before (the upsert updated it), so "created" or "updated" needs no lookup.
  const customers = keyed(newestPerKey(writes.filter((w) => w.kind === "customer")));
  const customerDeletes = writes.filter((w) => w.kind === "customerDelete");
  const products = keyed(newestPerKey(writes.filter((w) => w.kind === "product")));
  const productDeletes = writes.filter((w) => w.kind === "productDelete");
  const orders = newestPerKey(writes.filter((w) => w.kind === "order"));
  const now = new Date();
  // A client made by createDb writes column-wise (unnest-columns.ts: PostgreSQL's arrays, one
  // JSON parameter on SQLite); any other client binds every value (the portable path below).
  const engine = databaseKind(db);
  const limit = options.timeoutMs === undefined ? undefined : { timeout: options.timeoutMs };
  return db.$transaction(async (tx) => {
    // PostgreSQL: the column-wise writes go on this transaction's own connection (pg-direct).
    if (engine === "postgres") await bindDirectConnection(db, tx);
    let writtenCustomers: WrittenRow[] = [];
    if (engine) writtenCustomers = await upsertCustomersColumnWise(engine, tx, customers, now);
    else for (const part of chunks(customers)) writtenCustomers.push(...(await upsertCustomers(tx, part, now)));
    const storedCustomers = outcomes(customers, writtenCustomers);
    // Deletes after upserts: a customer created and deleted in one batch ends deleted.
    if (engine) await deleteCustomersColumnWise(engine, tx, customerDeletes);
    else for (const part of chunks(customerDeletes)) await deleteCustomers(tx, part);
    await forgetDeletedCustomers(tx, customerDeletes);
    let writtenProducts: WrittenRow[] = [];
    if (engine) writtenProducts = await upsertProductsColumnWise(engine, tx, products, now);
    else {
      for (const part of chunks(products)) {
        const rows = await upsertProducts(tx, part, now);
        await replaceVariants(tx, part, rows, now);
        writtenProducts.push(...rows);
      }
    }
    const storedProducts = outcomes(products, writtenProducts);
    if (engine) await tombstoneProductsColumnWise(engine, tx, productDeletes, now);
    else for (const part of chunks(productDeletes)) await tombstoneProducts(tx, part, now);
    const stored = new Map<string, "created" | "updated">();
    if (engine) {
      for (const row of await writeOrdersColumnWise(engine, tx, orders, now))
        stored.set(key(row.shopId, row.shopifyId), row.inserted ? "created" : "updated");
    } else await writeOrdersPortable(tx, orders, now, stored);
    if (options.afterOrders)
      await options.afterOrders(
        tx,
        orders.filter((o) => stored.has(key(o.shopId, o.record.shopifyId))),
        engine,
      );
    // Last: every batch of a shop updates this one Shop row, and a row lock is held until commit,
    // so taking it at the end keeps concurrent batches from queueing behind each other's whole
    // attribution (on PostgreSQL, about 270 ms a batch with 8 batches in flight).
    if (options.countNewOrders) await countCreated(tx, orders, stored);
    await options.beforeCommit?.(tx);
    return { orders: stored, products: storedProducts, customers: storedCustomers };
  }, limit);
}

/** What a batch stored, per kind, by recordKey: each record written, and whether its row was new. */
export interface RecordBatchStored {
  orders: Map<string, "created" | "updated">;
  products: Map<string, "created" | "updated">;
  customers: Map<string, "created" | "updated">;
}

function keyed<R extends { shopifyId: string }>(items: Array<{ shopId: string; record: R }>): KeyedItem<R>[] {
  return items.map(({ shopId, record }) => ({ id: randomUUID(), shopId, record }));
}

/** A written row whose id is the one proposed was inserted; any other was updated. */
function outcomes<R extends { shopifyId: string }>(
  items: KeyedItem<R>[],
  written: WrittenRow[],
): Map<string, "created" | "updated"> {
  const proposed = new Map(items.map((i) => [key(i.shopId, i.record.shopifyId), i.id]));
  return new Map(
    written.map((w) => {
      const k = key(w.shopId, w.shopifyId);
      return [k, proposed.get(k) === w.id ? "created" : "updated"] as const;
    }),
  );
}

/**
 * The order path of a client createDb did not make: upserts, then the lines of the orders written.
 * Each order is proposed with a fresh row id, as products and customers are, so whether it was
 * new needs no lookup: a row that comes back with another id existed before.
 */
async function writeOrdersPortable(
  tx: Tx,
  orders: OrderWrite[],
  now: Date,
  stored: Map<string, "created" | "updated">,
): Promise<void> {
  for (const part of chunks(orders)) {
    const proposed = part.map((o) => ({ id: randomUUID(), ...o }));
    const applied = await upsertOrders(tx, proposed, now);
    await replaceLines(tx, part, applied);
    for (const [k, outcome] of outcomes(proposed, applied)) stored.set(k, outcome);
  }
}

/**
 * Prisma model queries on SQLite refuse more than 999 bound parameters (it does not split them),
 * and each record of a delete by (shop, id) binds two, so a 500-row part is split.
 */
const KEYS_PER_QUERY = 400;

async function countCreated(tx: Tx, orders: OrderWrite[], stored: Map<string, "created" | "updated">) {
  const perShop = new Map<string, number>();
  for (const { shopId, record } of orders) {
    if (stored.get(key(shopId, record.shopifyId)) === "created") perShop.set(shopId, (perShop.get(shopId) ?? 0) + 1);
  }
  for (const [shopId, n] of perShop) {
    await addNewOrders(tx, shopId, n);
  }
}

/** Inserts or updates customers, newest updated_at wins; returns the rows it wrote. */
async function upsertCustomers(tx: Tx, part: KeyedItem<CustomerRecord>[], now: Date) {
  const rows = part.map(
    ({ id, shopId, record: r }) =>
      Prisma.sql`(${id}, ${shopId}, ${r.shopifyId}, ${r.createdAt}, ${r.updatedAt}, ${now}, ${now})`,
  );
  return runSql<WrittenRow[]>(
    tx,
    Prisma.sql`
    INSERT INTO "Customer" ${columnList(CUSTOMER_COLUMNS)}
    VALUES ${Prisma.join(rows)}
    ${CUSTOMER_CONFLICT_UPDATE}
    RETURNING "id", "shopId", "shopifyId"`,
  );
}

async function deleteCustomers(tx: Tx, part: Extract<BatchWrite, { kind: "customerDelete" }>[]) {
  // Two parameters a customer: split under the 999 Prisma allows a model query on SQLite.
  for (const piece of chunks(part, KEYS_PER_QUERY)) {
    await tx.customer.deleteMany({ where: { OR: piece.map(({ shopId, shopifyId }) => ({ shopId, shopifyId })) } });
  }
}

type AppliedRow = WrittenRow;

/** Inserts or updates products; returns the rows it wrote (RETURNING skips rows the WHERE kept). */
async function upsertProducts(tx: Tx, part: KeyedItem<ProductRecord>[], now: Date) {
  const rows = part.map(({ id, shopId, record: r }) => {
    const image = r.image;
    return Prisma.sql`(${id}, ${shopId}, ${r.shopifyId}, ${r.title}, ${r.handle}, ${r.productType},
      ${r.vendor}, ${r.tags.join(", ")}, ${r.status}, ${r.isGiftCard}, ${r.publishedAt}, ${image?.url ?? null},
      ${image?.width ?? null}, ${image?.height ?? null}, ${image?.alt ?? null}, ${r.createdAt}, ${r.updatedAt},
      ${now}, ${now})`;
  });
  return runSql<AppliedRow[]>(
    tx,
    Prisma.sql`
    INSERT INTO "Product" ${columnList(PRODUCT_COLUMNS)}
    VALUES ${Prisma.join(rows)}
    ${PRODUCT_CONFLICT_UPDATE}
    RETURNING "id", "shopId", "shopifyId"`,
  );
}

/** For each product just written, its variants become exactly the ones in its record. */
async function replaceVariants(tx: Tx, part: KeyedItem<ProductRecord>[], applied: AppliedRow[], now: Date) {
  if (applied.length === 0) return;
  const byKey = new Map(part.map((p) => [key(p.shopId, p.record.shopifyId), p.record]));
  await tx.variant.deleteMany({ where: { productId: { in: applied.map((a) => a.id) } } });
  const rows = applied.flatMap((a) =>
    (byKey.get(key(a.shopId, a.shopifyId))?.variants ?? []).map(
      (v) => Prisma.sql`(${randomUUID()}, ${a.shopId}, ${a.id}, ${v.shopifyId}, ${v.title}, ${v.sku},
        CAST(${v.price} AS DECIMAL), CAST(${v.compareAtPrice} AS DECIMAL), ${v.position}, ${v.available},
        ${v.inventoryQuantity}, ${now})`,
    ),
  );
  for (const rowsPart of chunks(rows)) {
    // A variant moved between products keeps its id and follows the product that now lists it.
    await runSql(
      tx,
      Prisma.sql`
      INSERT INTO "Variant" ${columnList(VARIANT_COLUMNS)}
      VALUES ${Prisma.join(rowsPart)}
      ${VARIANT_CONFLICT_UPDATE}`,
    );
  }
}

/** Tombstones products (also ones never seen) and drops their variants. */
async function tombstoneProducts(tx: Tx, part: Extract<BatchWrite, { kind: "productDelete" }>[], now: Date) {
  const unique = [...new Map(part.map((p) => [key(p.shopId, p.shopifyId), p])).values()];
  const rows = unique.map(
    (p) =>
      Prisma.sql`(${randomUUID()}, ${p.shopId}, ${p.shopifyId}, '', '', 'archived', ${p.deletedAt}, ${p.deletedAt}, ${now}, ${now})`,
  );
  const deleted = await runSql<AppliedRow[]>(
    tx,
    Prisma.sql`
    INSERT INTO "Product" ${columnList(TOMBSTONE_COLUMNS)}
    VALUES ${Prisma.join(rows)}
    ${TOMBSTONE_CONFLICT_UPDATE}
    RETURNING "id", "shopId", "shopifyId"`,
  );
  if (deleted.length > 0) await tx.variant.deleteMany({ where: { productId: { in: deleted.map((d) => d.id) } } });
}

export type OrderWrite = Extract<BatchWrite, { kind: "order" }>;

/** Inserts or updates orders, newest updated_at wins; returns the rows it wrote. */
async function upsertOrders(tx: Tx, part: Array<OrderWrite & { id: string }>, now: Date) {
  const rows = part.map(
    ({ id, shopId, record: r }) =>
      Prisma.sql`(${id}, ${shopId}, ${r.shopifyId}, ${r.name}, ${r.customerShopifyId}, ${r.currency},
      CAST(${r.subtotalPrice} AS DECIMAL), CAST(${r.totalPrice} AS DECIMAL), ${r.financialStatus}, ${r.sourceName},
      ${JSON.stringify(r.noteAttributes)}, ${r.test}, ${r.processedAt}, ${r.createdAt}, ${r.updatedAt},
      ${r.cancelledAt}, ${now}, ${now})`,
  );
  return runSql<AppliedRow[]>(
    tx,
    Prisma.sql`
    INSERT INTO "Order" ${columnList(ORDER_COLUMNS)}
    VALUES ${Prisma.join(rows)}
    ${ORDER_CONFLICT_UPDATE}
    RETURNING "id", "shopId", "shopifyId"`,
  );
}

/** For each order just written, its lines become exactly the ones in its record (no table refers to a line's id). */
async function replaceLines(tx: Tx, part: OrderWrite[], applied: AppliedRow[]) {
  if (applied.length === 0) return;
  const byKey = new Map(part.map((p) => [key(p.shopId, p.record.shopifyId), p.record]));
  await tx.orderLine.deleteMany({ where: { orderId: { in: applied.map((a) => a.id) } } });
  const rows = applied.flatMap((a) =>
    (byKey.get(key(a.shopId, a.shopifyId))?.lines ?? []).map(
      (l) => Prisma.sql`(${randomUUID()}, ${a.shopId}, ${a.id}, ${l.shopifyId}, ${l.productShopifyId},
        ${l.variantShopifyId}, ${l.title}, ${l.quantity}, CAST(${l.price} AS DECIMAL), ${JSON.stringify(l.properties)})`,
    ),
  );
  for (const rowsPart of chunks(rows)) {
    // A line listed under another order before (not expected from Shopify) follows the order that lists it now.
    await runSql(
      tx,
      Prisma.sql`
      INSERT INTO "OrderLine" ${columnList(ORDER_LINE_COLUMNS)}
      VALUES ${Prisma.join(rowsPart)}
      ${ORDER_LINE_CONFLICT_UPDATE}`,
    );
  }
}
