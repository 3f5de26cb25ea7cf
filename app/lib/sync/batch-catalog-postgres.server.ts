import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { runWrite } from "../database/pg-direct.server";
import type { Tx } from "../database/client.server";
import type { CustomerRecord, ProductRecord } from "./records";
import {
  CUSTOMER_COLUMNS,
  CUSTOMER_CONFLICT_UPDATE,
  PRODUCT_COLUMNS,
  PRODUCT_CONFLICT_UPDATE,
  TOMBSTONE_COLUMNS,
  TOMBSTONE_CONFLICT_UPDATE,
  VARIANT_COLUMNS,
  VARIANT_CONFLICT_UPDATE,
} from "./record-upsert-sql";
import { columnWiseInsert, inIds, slices, type ColumnWiseEngine, type UnnestColumn } from "./unnest-columns";

/**
 * Products (with their variants), product tombstones, customers and customer deletes,
 * column-wise (unnest-columns.ts: PostgreSQL's unnest arrays, SQLite's one JSON parameter): one
 * statement per table per 2,000 records, where the portable path (batch-records.server.ts)
 * binds every value of every row. Same SQL rules,
 * from record-upsert-sql.ts: the conditional updated_at, tombstones that stay, per-shop keys.
 */

/** A record to upsert, with the row id it gets if the statement inserts it. */
export interface KeyedItem<R> {
  id: string;
  shopId: string;
  record: R;
}

/** A row a statement wrote; its `id` differs from the one proposed when the row existed already. */
export interface WrittenRow {
  id: string;
  shopId: string;
  shopifyId: string;
}

type At<T> = T & { now: Date };

const PRODUCT_ROW: Record<(typeof PRODUCT_COLUMNS)[number], UnnestColumn<At<KeyedItem<ProductRecord>>>> = {
  id: { type: "text", value: (p) => p.id },
  shopId: { type: "text", value: (p) => p.shopId },
  shopifyId: { type: "text", value: (p) => p.record.shopifyId },
  title: { type: "text", value: (p) => p.record.title },
  handle: { type: "text", value: (p) => p.record.handle },
  productType: { type: "text", value: (p) => p.record.productType },
  vendor: { type: "text", value: (p) => p.record.vendor },
  tags: { type: "text", value: (p) => p.record.tags.join(", ") },
  status: { type: "text", value: (p) => p.record.status },
  isGiftCard: { type: "boolean", value: (p) => p.record.isGiftCard },
  publishedAt: { type: "timestamp(3)", value: (p) => p.record.publishedAt },
  imageUrl: { type: "text", value: (p) => p.record.image?.url ?? null },
  imageWidth: { type: "integer", value: (p) => p.record.image?.width ?? null },
  imageHeight: { type: "integer", value: (p) => p.record.image?.height ?? null },
  imageAlt: { type: "text", value: (p) => p.record.image?.alt ?? null },
  shopifyCreatedAt: { type: "timestamp(3)", value: (p) => p.record.createdAt },
  shopifyUpdatedAt: { type: "timestamp(3)", value: (p) => p.record.updatedAt },
  createdAt: { type: "timestamp(3)", value: (p) => p.now },
  updatedAt: { type: "timestamp(3)", value: (p) => p.now },
};

type VariantItem = { product: WrittenRow; variant: ProductRecord["variants"][number]; now: Date };

const VARIANT_ROW: Record<(typeof VARIANT_COLUMNS)[number], UnnestColumn<VariantItem>> = {
  id: { type: "text", value: () => randomUUID() },
  shopId: { type: "text", value: (v) => v.product.shopId },
  productId: { type: "text", value: (v) => v.product.id },
  shopifyId: { type: "text", value: (v) => v.variant.shopifyId },
  title: { type: "text", value: (v) => v.variant.title },
  sku: { type: "text", value: (v) => v.variant.sku },
  price: { type: "numeric", value: (v) => v.variant.price },
  compareAtPrice: { type: "numeric", value: (v) => v.variant.compareAtPrice },
  position: { type: "integer", value: (v) => v.variant.position },
  available: { type: "boolean", value: (v) => v.variant.available },
  inventoryQuantity: { type: "integer", value: (v) => v.variant.inventoryQuantity },
  updatedAt: { type: "timestamp(3)", value: (v) => v.now },
};

const CUSTOMER_ROW: Record<(typeof CUSTOMER_COLUMNS)[number], UnnestColumn<At<KeyedItem<CustomerRecord>>>> = {
  id: { type: "text", value: (c) => c.id },
  shopId: { type: "text", value: (c) => c.shopId },
  shopifyId: { type: "text", value: (c) => c.record.shopifyId },
  shopifyCreatedAt: { type: "timestamp(3)", value: (c) => c.record.createdAt },
  shopifyUpdatedAt: { type: "timestamp(3)", value: (c) => c.record.updatedAt },
  createdAt: { type: "timestamp(3)", value: (c) => c.now },
  updatedAt: { type: "timestamp(3)", value: (c) => c.now },
};

interface Tombstone {
  shopId: string;
  shopifyId: string;
  deletedAt: Date;
  now: Date;
}

const TOMBSTONE_ROW: Record<(typeof TOMBSTONE_COLUMNS)[number], UnnestColumn<Tombstone>> = {
  id: { type: "text", value: () => randomUUID() },
  shopId: { type: "text", value: (t) => t.shopId },
  shopifyId: { type: "text", value: (t) => t.shopifyId },
  title: { type: "text", value: () => "" },
  handle: { type: "text", value: () => "" },
  status: { type: "text", value: () => "archived" },
  shopifyUpdatedAt: { type: "timestamp(3)", value: (t) => t.deletedAt },
  deletedAt: { type: "timestamp(3)", value: (t) => t.deletedAt },
  createdAt: { type: "timestamp(3)", value: (t) => t.now },
  updatedAt: { type: "timestamp(3)", value: (t) => t.now },
};

const key = (shopId: string, shopifyId: string) => `${shopId}\u0000${shopifyId}`;

/**
 * Upserts products (one version per (shop, id): the caller keeps the newest) and makes each
 * written product's variants exactly those of its record. Returns the rows written; a product
 * the WHERE kept (older, or deleted) is not among them.
 */
export async function upsertProductsColumnWise(
  engine: ColumnWiseEngine,
  tx: Tx,
  products: KeyedItem<ProductRecord>[],
  now: Date,
): Promise<WrittenRow[]> {
  const written: WrittenRow[] = [];
  for (const part of slices(products)) {
    const rows = await runWrite<WrittenRow[]>(
      tx,
      Prisma.sql`${columnWiseInsert(
        engine,
        "Product",
        PRODUCT_COLUMNS,
        PRODUCT_ROW,
        part.map((p) => ({ ...p, now })),
      )}
      ${PRODUCT_CONFLICT_UPDATE}
      RETURNING "id", "shopId", "shopifyId"`,
    );
    await replaceVariants(engine, tx, part, rows, now);
    written.push(...rows);
  }
  return written;
}

async function replaceVariants(
  engine: ColumnWiseEngine,
  tx: Tx,
  part: KeyedItem<ProductRecord>[],
  written: WrittenRow[],
  now: Date,
) {
  if (written.length === 0) return;
  const proposed = new Map(part.map((p) => [key(p.shopId, p.record.shopifyId), p]));
  // A row that kept an id other than the one proposed existed before: only its old variants go.
  const updated = written.filter((w) => proposed.get(key(w.shopId, w.shopifyId))?.id !== w.id).map((w) => w.id);
  if (updated.length > 0)
    await runWrite(tx, Prisma.sql`DELETE FROM "Variant" WHERE ${inIds(engine, `"productId"`, updated)}`);
  const variants = new Map<string, VariantItem>();
  for (const product of written) {
    for (const variant of proposed.get(key(product.shopId, product.shopifyId))?.record.variants ?? []) {
      // One statement may not update a row twice: a variant listed twice keeps its last product.
      variants.set(key(product.shopId, variant.shopifyId), { product, variant, now });
    }
  }
  if (variants.size === 0) return;
  await runWrite(
    tx,
    Prisma.sql`${columnWiseInsert(engine, "Variant", VARIANT_COLUMNS, VARIANT_ROW, [...variants.values()])}
    ${VARIANT_CONFLICT_UPDATE}`,
  );
}

/** Tombstones products (also ones never seen) and drops their variants. */
export async function tombstoneProductsColumnWise(
  engine: ColumnWiseEngine,
  tx: Tx,
  deletes: Array<{ shopId: string; shopifyId: string; deletedAt: Date }>,
  now: Date,
): Promise<void> {
  const unique = [...new Map(deletes.map((d) => [key(d.shopId, d.shopifyId), { ...d, now }])).values()];
  for (const part of slices(unique)) {
    const deleted = await runWrite<WrittenRow[]>(
      tx,
      Prisma.sql`${columnWiseInsert(engine, "Product", TOMBSTONE_COLUMNS, TOMBSTONE_ROW, part)}
      ${TOMBSTONE_CONFLICT_UPDATE}
      RETURNING "id", "shopId", "shopifyId"`,
    );
    const ids = deleted.map((d) => d.id);
    if (ids.length > 0)
      await runWrite(tx, Prisma.sql`DELETE FROM "Variant" WHERE ${inIds(engine, `"productId"`, ids)}`);
  }
}

/** Upserts customers, newest updated_at wins; returns the rows written. */
export async function upsertCustomersColumnWise(
  engine: ColumnWiseEngine,
  tx: Tx,
  customers: KeyedItem<CustomerRecord>[],
  now: Date,
): Promise<WrittenRow[]> {
  const written: WrittenRow[] = [];
  for (const part of slices(customers)) {
    written.push(
      ...(await runWrite<WrittenRow[]>(
        tx,
        Prisma.sql`${columnWiseInsert(
          engine,
          "Customer",
          CUSTOMER_COLUMNS,
          CUSTOMER_ROW,
          part.map((c) => ({ ...c, now })),
        )}
        ${CUSTOMER_CONFLICT_UPDATE}
        RETURNING "id", "shopId", "shopifyId"`,
      )),
    );
  }
  return written;
}

/** Deletes customers by (shop, id), each key matching only its own shop's row. */
export async function deleteCustomersColumnWise(
  engine: ColumnWiseEngine,
  tx: Tx,
  deletes: Array<{ shopId: string; shopifyId: string }>,
) {
  for (const part of slices(deletes)) {
    if (engine === "sqlite") {
      const pairs = JSON.stringify(part.map((d) => [d.shopId, d.shopifyId]));
      await runWrite(
        tx,
        Prisma.sql`DELETE FROM "Customer" WHERE ("shopId", "shopifyId") IN (
          SELECT json_extract(d.value, '$[0]'), json_extract(d.value, '$[1]') FROM json_each(${pairs}) AS d)`,
      );
      continue;
    }
    const shops = part.map((d) => d.shopId);
    const ids = part.map((d) => d.shopifyId);
    await runWrite(
      tx,
      Prisma.sql`DELETE FROM "Customer" c
      USING unnest(${shops}::text[], ${ids}::text[]) AS d("shopId", "shopifyId")
      WHERE c."shopId" = d."shopId" AND c."shopifyId" = d."shopifyId"`,
    );
  }
}
