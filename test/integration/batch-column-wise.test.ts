import { createRequire } from "node:module";
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/lib/database/client.server";
import { createPrismaAdapter } from "../../app/lib/database/prisma-adapter";
import { parseDatabaseUrl } from "../../app/lib/database/url";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { writeRecordBatch, type BatchWrite } from "../../app/lib/sync/batch-records.server";
import {
  customerPayload as customerSchema,
  orderPayload as orderSchema,
  productPayload as productSchema,
} from "../../app/lib/sync/webhook-payloads";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { customerPayload, orderPayload, productPayload } from "../fixtures/shopify-payloads";

/**
 * The column-wise writes (unnest-columns.ts: PostgreSQL's arrays, SQLite's one JSON parameter)
 * store exactly what the portable multi-row VALUES stores, byte for byte as the engine keeps it
 * (SQLite's quote(), PostgreSQL's text form): unicode, quotes and NULLs in text, decimals beyond a
 * double's digits, booleans, timestamps, out-of-order versions, tombstones, two shops with the
 * same ids. The portable path is what a client createDb did not make takes.
 */

const TRICKY = `Ünïcode ‘quotes’ "double" 'single' \\ back\\slash, emoji 🛍️, NUL-free, [json] {"a":1}`;

const product = (id: number, overrides: Record<string, unknown> = {}) =>
  productSchema.parse(productPayload(id, overrides));
const order = (id: number, overrides: Record<string, unknown> = {}) => orderSchema.parse(orderPayload(id, overrides));
const customer = (id: number, overrides: Record<string, unknown> = {}) =>
  customerSchema.parse(customerPayload(id, overrides));

/** Three batches, each a list of (shop index, write) pairs, so both paths write the same. */
function batches(): Array<Array<(shopId: string) => BatchWrite>> {
  const base = productPayload(2).variants[0]!;
  const line = orderPayload(1).line_items[0]!;
  return [
    [
      (s) => ({
        kind: "product",
        shopId: s,
        record: product(1, { title: TRICKY, image: null, tags: "", published_at: null }),
      }),
      (s) => ({
        kind: "product",
        shopId: s,
        record: product(2, {
          variants: [
            { ...base, sku: null, compare_at_price: null, inventory_quantity: null, title: TRICKY },
            { ...base, id: 22, position: 2, price: "123456789012345.67", compare_at_price: "0.10" },
          ],
        }),
      }),
      (s) => ({ kind: "customer", shopId: s, record: customer(1, { created_at: null }) }),
      (s) => ({ kind: "customer", shopId: s, record: customer(2) }),
      (s) => ({
        kind: "order",
        shopId: s,
        record: order(1, {
          customer: null,
          total_price: "99999999999999.99",
          note_attributes: [{ name: "msg", value: TRICKY }],
          line_items: [
            { ...line, title: TRICKY, price: "1234567890123.45", properties: [{ name: "k", value: "'\"" }] },
            { ...line, id: 12, variant_id: null, product_id: null, sku: null },
          ],
        }),
      }),
      (s) => ({ kind: "order", shopId: s, record: order(2, { cancelled_at: "2026-02-02T10:00:00.123Z", test: true }) }),
    ],
    [
      // Older versions lose; a newer order replaces its lines; deletes, also of a product never seen.
      (s) => ({
        kind: "product",
        shopId: s,
        record: product(1, { title: "Older", updated_at: "2025-01-01T00:00:00Z" }),
      }),
      (s) => ({ kind: "customer", shopId: s, record: customer(1, { updated_at: "2020-01-01T00:00:00Z" }) }),
      (s) => ({
        kind: "order",
        shopId: s,
        record: order(1, { updated_at: "2026-03-01T00:00:00.5Z", line_items: [{ ...line, quantity: 7 }] }),
      }),
      (s) => ({ kind: "order", shopId: s, record: order(2, { updated_at: "2020-01-01T00:00:00Z", name: "Older" }) }),
      (s) => ({ kind: "productDelete", shopId: s, shopifyId: "2", deletedAt: new Date("2026-04-01T00:00:00Z") }),
      (s) => ({ kind: "productDelete", shopId: s, shopifyId: "99", deletedAt: new Date("2026-04-01T00:00:00Z") }),
      (s) => ({ kind: "customerDelete", shopId: s, shopifyId: "2" }),
    ],
    [
      // A newer update after the delete: the product stays deleted.
      (s) => ({
        kind: "product",
        shopId: s,
        record: product(2, { updated_at: "2027-01-01T00:00:00Z", title: "Back?" }),
      }),
      (s) => ({ kind: "productDelete", shopId: s, shopifyId: "2", deletedAt: new Date("2026-05-01T00:00:00Z") }),
    ],
  ];
}

/** A client createDb did not make: writeRecordBatch takes the portable path for it. */
function portableClient(t: TestDb): Db {
  const target = parseDatabaseUrl(t.url);
  const adapter = createPrismaAdapter(target);
  if (target.kind === "sqlite") return new PrismaClient({ adapter });
  const require = createRequire(import.meta.url);
  const generated = path.resolve(process.cwd(), "prisma/generated/postgres");
  const { PrismaClient: PostgresClient } = require(generated) as { PrismaClient: typeof PrismaClient };
  return new PostgresClient({ adapter } as ConstructorParameters<typeof PrismaClient>[0]);
}

/** Every row of the record tables for a shop, each column as the engine stores it, ids and our own timestamps left out. */
async function stored(t: TestDb, shopId: string) {
  const tables: Record<string, string[]> = {
    Product: [
      "shopifyId",
      "title",
      "handle",
      "productType",
      "vendor",
      "tags",
      "status",
      "isGiftCard",
      "publishedAt",
      "imageUrl",
      "imageWidth",
      "imageHeight",
      "imageAlt",
      "shopifyCreatedAt",
      "shopifyUpdatedAt",
      "deletedAt",
    ],
    Variant: ["shopifyId", "title", "sku", "price", "compareAtPrice", "position", "available", "inventoryQuantity"],
    Customer: ["shopifyId", "shopifyCreatedAt", "shopifyUpdatedAt"],
    Order: [
      "shopifyId",
      "name",
      "customerShopifyId",
      "currency",
      "subtotalPrice",
      "totalPrice",
      "financialStatus",
      "sourceName",
      "noteAttributes",
      "test",
      "processedAt",
      "shopifyCreatedAt",
      "shopifyUpdatedAt",
      "cancelledAt",
    ],
    OrderLine: ["shopifyId", "productShopifyId", "variantShopifyId", "title", "quantity", "price", "properties"],
  };
  // Our own timestamps differ between the two writes; their form (type and length) must not.
  const stamps: Record<string, string[]> = {
    Product: ["createdAt", "updatedAt"],
    Variant: ["updatedAt"],
    Customer: ["createdAt", "updatedAt"],
    Order: ["createdAt", "updatedAt"],
    OrderLine: [],
  };
  const exact = (c: string) => (t.kind === "sqlite" ? `quote("${c}")` : `"${c}"::text`);
  // (PostgreSQL's text form of a timestamp drops trailing zeros of its milliseconds: its type only.)
  const form = (c: string) => (t.kind === "sqlite" ? `typeof("${c}") || length("${c}")` : `pg_typeof("${c}")::text`);
  const out: Record<string, unknown[]> = {};
  for (const [table, columns] of Object.entries(tables)) {
    const selected = [
      ...columns.map((c) => `${exact(c)} AS "${c}"`),
      ...stamps[table]!.map((c) => `${form(c)} AS "${c}Form"`),
    ];
    out[table] = await t.db.$queryRawUnsafe(
      `SELECT ${selected.join(", ")} FROM "${table}" WHERE "shopId" = ${t.kind === "sqlite" ? "?" : "$1"}
       ORDER BY "shopifyId"`,
      shopId,
    );
  }
  return out;
}

describe.each(DATABASE_KINDS)("column-wise batch writes against the portable VALUES on %s", (kind) => {
  let t: TestDb;
  let portable: Db;
  beforeAll(async () => {
    t = await createTestDb(kind);
    portable = portableClient(t);
  });
  afterAll(async () => {
    await portable.$disconnect();
    await t.drop();
  });

  it("stores the same bytes, shop by shop, through out-of-order versions and deletes", async () => {
    // Two shops per path with the same record ids: each must keep its own rows.
    const columnWise = [await ensureShopId(t.db, "cw-a.myshopify.com"), await ensureShopId(t.db, "cw-b.myshopify.com")];
    const values = [await ensureShopId(t.db, "pv-a.myshopify.com"), await ensureShopId(t.db, "pv-b.myshopify.com")];
    for (const batch of batches()) {
      await writeRecordBatch(
        t.db,
        columnWise.flatMap((s) => batch.map((w) => w(s))),
      );
      await writeRecordBatch(
        portable,
        values.flatMap((s) => batch.map((w) => w(s))),
      );
    }
    const expected = await stored(t, values[0]!);
    expect(expected.Product!.length).toBe(3);
    expect(JSON.stringify(expected)).toContain("Ünïcode");
    expect(JSON.stringify(expected)).not.toContain("Back?");
    for (const shopId of [...columnWise, values[1]!]) expect(await stored(t, shopId)).toEqual(expected);
  });

  // The portable path and PostgreSQL's unnest still fail the whole batch on such a string (Prisma
  // refuses the parameter); SQLite's JSON path stores what binding a well-formed string would.
  it.runIf(kind === "sqlite")("stores a lone surrogate in a title as U+FFFD instead of invalid UTF-8", async () => {
    const shopId = await ensureShopId(t.db, "surrogate.myshopify.com");
    await writeRecordBatch(t.db, [{ kind: "product", shopId, record: product(5, { title: "lone \ud800 here" }) }]);
    const rows = await t.db.$queryRawUnsafe<Array<{ title: string; bytes: string }>>(
      `SELECT "title", hex("title") AS "bytes" FROM "Product" WHERE "shopId" = ?`,
      shopId,
    );
    expect(rows).toEqual([
      { title: "lone \ufffd here", bytes: Buffer.from("lone \ufffd here").toString("hex").toUpperCase() },
    ]);
  });
});
