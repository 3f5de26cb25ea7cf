import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { runSql } from "../database/raw-sql.server";
import { databaseKind, type Db, type Tx } from "../database/client.server";
import { addNewOrders } from "../shops/training-state.server";
import { writeOrdersPostgres } from "./batch-orders-postgres.server";
import type { CustomerRecord, OrderRecord, ProductRecord } from "./records";
import { ORDER_CONFLICT_UPDATE, ORDER_INSERT_COLUMNS } from "./order-upsert-sql";

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
  return [...kept.values()];
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
 * Returns, by recordKey, the orders it stored and whether each was new; an order missing from
 * it was older than the stored version (or than another version in the batch).
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
    afterOrders?: (tx: Tx, stored: OrderWrite[]) => Promise<void>;
  } = {},
): Promise<Map<string, "created" | "updated">> {
  const customers = newestPerKey(writes.filter((w) => w.kind === "customer"));
  const customerDeletes = writes.filter((w) => w.kind === "customerDelete");
  const products = newestPerKey(writes.filter((w) => w.kind === "product"));
  const productDeletes = writes.filter((w) => w.kind === "productDelete");
  const orders = newestPerKey(writes.filter((w) => w.kind === "order"));
  const now = new Date();
  // Orders are most of a backfill's rows; PostgreSQL writes them column-wise (batch-orders-postgres).
  const postgres = databaseKind(db) === "postgres";
  return db.$transaction(async (tx) => {
    for (const part of chunks(customers)) await upsertCustomers(tx, part, now);
    // Deletes after upserts: a customer created and deleted in one batch ends deleted.
    for (const part of chunks(customerDeletes)) await deleteCustomers(tx, part);
    for (const part of chunks(products)) await replaceVariants(tx, part, await upsertProducts(tx, part, now), now);
    for (const part of chunks(productDeletes)) await tombstoneProducts(tx, part, now);
    const stored = new Map<string, "created" | "updated">();
    if (postgres) {
      for (const row of await writeOrdersPostgres(tx, orders, now))
        stored.set(key(row.shopId, row.shopifyId), row.inserted ? "created" : "updated");
    } else await writeOrdersPortable(tx, orders, now, stored);
    if (options.countNewOrders) await countCreated(tx, orders, stored);
    if (options.afterOrders)
      await options.afterOrders(
        tx,
        orders.filter((o) => stored.has(key(o.shopId, o.record.shopifyId))),
      );
    return stored;
  });
}

/** SQLite's (and any other client's) order path: a lookup of the known orders, then upserts. */
async function writeOrdersPortable(
  tx: Tx,
  orders: OrderWrite[],
  now: Date,
  stored: Map<string, "created" | "updated">,
): Promise<void> {
  for (const part of chunks(orders)) {
    const before = await knownOrders(tx, part);
    const applied = await upsertOrders(tx, part, now);
    await replaceLines(tx, part, applied);
    for (const row of applied) {
      const k = key(row.shopId, row.shopifyId);
      stored.set(k, before.has(k) ? "updated" : "created");
    }
  }
}

/**
 * Prisma model queries on SQLite refuse more than 999 bound parameters (it does not split them),
 * and each record of a lookup or delete by (shop, id) binds two, so a 500-row part is split.
 */
const KEYS_PER_QUERY = 400;

/** Which of these orders were stored before, so the caller can tell a new order (it counts towards a retrain). */
async function knownOrders(tx: Tx, part: OrderWrite[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (const piece of chunks(part, KEYS_PER_QUERY)) {
    const rows = await tx.order.findMany({
      where: { OR: piece.map(({ shopId, record }) => ({ shopId, shopifyId: record.shopifyId })) },
      select: { shopId: true, shopifyId: true },
    });
    for (const o of rows) known.add(key(o.shopId, o.shopifyId));
  }
  return known;
}

async function countCreated(tx: Tx, orders: OrderWrite[], stored: Map<string, "created" | "updated">) {
  const perShop = new Map<string, number>();
  for (const { shopId, record } of orders) {
    if (stored.get(key(shopId, record.shopifyId)) === "created") perShop.set(shopId, (perShop.get(shopId) ?? 0) + 1);
  }
  for (const [shopId, n] of perShop) {
    await addNewOrders(tx, shopId, n);
  }
}

async function upsertCustomers(tx: Tx, part: Extract<BatchWrite, { kind: "customer" }>[], now: Date) {
  const rows = part.map(
    ({ shopId, record: r }) =>
      Prisma.sql`(${randomUUID()}, ${shopId}, ${r.shopifyId}, ${r.createdAt}, ${r.updatedAt}, ${now}, ${now})`,
  );
  await runSql(
    tx,
    Prisma.sql`
    INSERT INTO "Customer" ("id", "shopId", "shopifyId", "shopifyCreatedAt", "shopifyUpdatedAt", "createdAt", "updatedAt")
    VALUES ${Prisma.join(rows)}
    ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "shopifyCreatedAt" = excluded."shopifyCreatedAt",
      "shopifyUpdatedAt" = excluded."shopifyUpdatedAt",
      "updatedAt" = excluded."updatedAt"
    WHERE excluded."shopifyUpdatedAt" > "Customer"."shopifyUpdatedAt"`,
  );
}

async function deleteCustomers(tx: Tx, part: Extract<BatchWrite, { kind: "customerDelete" }>[]) {
  // Two parameters a customer: split under the 999 Prisma allows a model query on SQLite.
  for (const piece of chunks(part, KEYS_PER_QUERY)) {
    await tx.customer.deleteMany({ where: { OR: piece.map(({ shopId, shopifyId }) => ({ shopId, shopifyId })) } });
  }
}

interface AppliedRow {
  id: string;
  shopId: string;
  shopifyId: string;
}

/** Inserts or updates products; returns the rows it wrote (RETURNING skips rows the WHERE kept). */
async function upsertProducts(tx: Tx, part: Extract<BatchWrite, { kind: "product" }>[], now: Date) {
  const rows = part.map(({ shopId, record: r }) => {
    const image = r.image;
    return Prisma.sql`(${randomUUID()}, ${shopId}, ${r.shopifyId}, ${r.title}, ${r.handle}, ${r.productType},
      ${r.vendor}, ${r.tags.join(", ")}, ${r.status}, ${r.isGiftCard}, ${r.publishedAt}, ${image?.url ?? null},
      ${image?.width ?? null}, ${image?.height ?? null}, ${image?.alt ?? null}, ${r.createdAt}, ${r.updatedAt},
      ${now}, ${now})`;
  });
  return runSql<AppliedRow[]>(
    tx,
    Prisma.sql`
    INSERT INTO "Product" ("id", "shopId", "shopifyId", "title", "handle", "productType", "vendor", "tags",
      "status", "isGiftCard", "publishedAt", "imageUrl", "imageWidth", "imageHeight", "imageAlt",
      "shopifyCreatedAt", "shopifyUpdatedAt", "createdAt", "updatedAt")
    VALUES ${Prisma.join(rows)}
    ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
      "title" = excluded."title", "handle" = excluded."handle", "productType" = excluded."productType",
      "vendor" = excluded."vendor", "tags" = excluded."tags", "status" = excluded."status",
      "isGiftCard" = excluded."isGiftCard", "publishedAt" = excluded."publishedAt",
      "imageUrl" = excluded."imageUrl", "imageWidth" = excluded."imageWidth",
      "imageHeight" = excluded."imageHeight", "imageAlt" = excluded."imageAlt",
      "shopifyCreatedAt" = excluded."shopifyCreatedAt", "shopifyUpdatedAt" = excluded."shopifyUpdatedAt",
      "updatedAt" = excluded."updatedAt"
    WHERE "Product"."deletedAt" IS NULL AND excluded."shopifyUpdatedAt" > "Product"."shopifyUpdatedAt"
    RETURNING "id", "shopId", "shopifyId"`,
  );
}

/** For each product just written, its variants become exactly the ones in its record. */
async function replaceVariants(
  tx: Tx,
  part: Extract<BatchWrite, { kind: "product" }>[],
  applied: AppliedRow[],
  now: Date,
) {
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
      INSERT INTO "Variant" ("id", "shopId", "productId", "shopifyId", "title", "sku", "price", "compareAtPrice",
        "position", "available", "inventoryQuantity", "updatedAt")
      VALUES ${Prisma.join(rowsPart)}
      ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
        "productId" = excluded."productId", "title" = excluded."title", "sku" = excluded."sku",
        "price" = excluded."price", "compareAtPrice" = excluded."compareAtPrice",
        "position" = excluded."position", "available" = excluded."available",
        "inventoryQuantity" = excluded."inventoryQuantity", "updatedAt" = excluded."updatedAt"`,
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
    INSERT INTO "Product" ("id", "shopId", "shopifyId", "title", "handle", "status", "shopifyUpdatedAt",
      "deletedAt", "createdAt", "updatedAt")
    VALUES ${Prisma.join(rows)}
    ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET "deletedAt" = excluded."deletedAt", "updatedAt" = excluded."updatedAt"
    WHERE "Product"."deletedAt" IS NULL
    RETURNING "id", "shopId", "shopifyId"`,
  );
  if (deleted.length > 0) await tx.variant.deleteMany({ where: { productId: { in: deleted.map((d) => d.id) } } });
}

export type OrderWrite = Extract<BatchWrite, { kind: "order" }>;

/** Inserts or updates orders, newest updated_at wins; returns the rows it wrote. */
async function upsertOrders(tx: Tx, part: OrderWrite[], now: Date) {
  const rows = part.map(
    ({ shopId, record: r }) =>
      Prisma.sql`(${randomUUID()}, ${shopId}, ${r.shopifyId}, ${r.name}, ${r.customerShopifyId}, ${r.currency},
      CAST(${r.subtotalPrice} AS DECIMAL), CAST(${r.totalPrice} AS DECIMAL), ${r.financialStatus}, ${r.sourceName},
      ${JSON.stringify(r.noteAttributes)}, ${r.test}, ${r.processedAt}, ${r.createdAt}, ${r.updatedAt},
      ${r.cancelledAt}, ${now}, ${now})`,
  );
  return runSql<AppliedRow[]>(
    tx,
    Prisma.sql`
    INSERT INTO "Order" ${ORDER_INSERT_COLUMNS}
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
      INSERT INTO "OrderLine" ("id", "shopId", "orderId", "shopifyId", "productShopifyId", "variantShopifyId",
        "title", "quantity", "price", "properties")
      VALUES ${Prisma.join(rowsPart)}
      ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET
        "orderId" = excluded."orderId", "productShopifyId" = excluded."productShopifyId",
        "variantShopifyId" = excluded."variantShopifyId", "title" = excluded."title",
        "quantity" = excluded."quantity", "price" = excluded."price", "properties" = excluded."properties"`,
    );
  }
}
