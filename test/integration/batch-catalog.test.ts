import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { writeRecordBatch, type BatchWrite } from "../../app/lib/sync/batch-records.server";
import { applyProduct, deleteProduct } from "../../app/lib/sync/store-products.server";
import { applyCustomer } from "../../app/lib/sync/store-orders.server";
import {
  customerPayload as customerSchema,
  productPayload as productSchema,
} from "../../app/lib/sync/webhook-payloads";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { customerPayload, productPayload } from "../fixtures/shopify-payloads";

const ONE_BY_ONE = "catalog-one.myshopify.com";
const BATCHED = "catalog-batch.myshopify.com";

/**
 * The batch's hand-written upserts (column-wise: unnest on PostgreSQL, one JSON parameter on SQLite) hold
 * to what the one-record path writes through Prisma's own queries: the same records, in the
 * same order of arrival, leave the same rows. Left out: ids, shop ids and our own timestamps.
 */
const products = [
  productSchema.parse(productPayload(1, { image: null, tags: "", published_at: null })),
  productSchema.parse(
    productPayload(2, {
      variants: [
        { ...productPayload(2).variants[0]!, sku: null, compare_at_price: null, inventory_quantity: null },
        { ...productPayload(2).variants[0]!, id: 22, position: 2, inventory_policy: "continue", price: "0.10" },
      ],
    }),
  ),
  productSchema.parse(productPayload(3, { title: 'Ünïcode ‘quotes’ and "double"', status: "draft" })),
  // A newer version of 2 with a variant dropped, and an older version of 3 that must not win.
  productSchema.parse(
    productPayload(2, { updated_at: "2026-02-02T00:00:00Z", variants: [productPayload(2).variants[0]!] }),
  ),
  productSchema.parse(productPayload(3, { title: "Older", updated_at: "2025-01-01T00:00:00Z" })),
];
const customers = [
  customerSchema.parse(customerPayload(1, { created_at: null })),
  customerSchema.parse(customerPayload(2)),
  customerSchema.parse(customerPayload(2, { updated_at: "2026-03-01T00:00:00.123Z" })),
];

describe.each(DATABASE_KINDS)("batched catalog writes against the one-record path on %s", (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(async () => {
    await t.drop();
  });

  async function rows(domain: string) {
    const shopId = await ensureShopId(t.db, domain);
    const found = await t.db.product.findMany({
      where: { shopId },
      include: { variants: { orderBy: { shopifyId: "asc" } } },
      orderBy: { shopifyId: "asc" },
    });
    const plainProducts = found.map(({ id: _i, shopId: _s, createdAt: _c, updatedAt: _u, variants, ...p }) => ({
      ...p,
      variants: variants.map(
        ({ id: _vi, shopId: _vs, productId: _vp, updatedAt: _vu, price, compareAtPrice, ...v }) => ({
          ...v,
          price: price.toString(),
          compareAtPrice: compareAtPrice?.toString() ?? null,
        }),
      ),
    }));
    const plainCustomers = (await t.db.customer.findMany({ where: { shopId }, orderBy: { shopifyId: "asc" } })).map(
      ({ id: _i, shopId: _s, createdAt: _c, updatedAt: _u, ...c }) => c,
    );
    return { products: plainProducts, customers: plainCustomers };
  }

  it("leaves the same rows as applyProduct, deleteProduct and applyCustomer", async () => {
    const one = await ensureShopId(t.db, ONE_BY_ONE);
    for (const record of products) await applyProduct(t.db, one, record);
    for (const record of customers) await applyCustomer(t.db, one, record);
    const deletedAt = new Date("2026-04-01T00:00:00Z");
    await deleteProduct(t.db, one, "1", deletedAt);
    await deleteProduct(t.db, one, "99", deletedAt);

    const batched = await ensureShopId(t.db, BATCHED);
    // The first versions in one batch, the later ones and the deletes in the next.
    const write = (records: BatchWrite[]) => writeRecordBatch(t.db, records);
    await write([
      ...products.slice(0, 3).map((record): BatchWrite => ({ kind: "product", shopId: batched, record })),
      ...customers.slice(0, 2).map((record): BatchWrite => ({ kind: "customer", shopId: batched, record })),
    ]);
    await write([
      ...products.slice(3).map((record): BatchWrite => ({ kind: "product", shopId: batched, record })),
      ...customers.slice(2).map((record): BatchWrite => ({ kind: "customer", shopId: batched, record })),
      { kind: "productDelete", shopId: batched, shopifyId: "1", deletedAt },
      { kind: "productDelete", shopId: batched, shopifyId: "99", deletedAt },
    ]);

    const expected = await rows(ONE_BY_ONE);
    expect(expected.products.map((p) => p.shopifyId)).toEqual(["1", "2", "3", "99"]);
    expect(expected.products.find((p) => p.shopifyId === "3")?.title).toContain("Ünïcode");
    expect(await rows(BATCHED)).toEqual(expected);
  });

  it("keeps the time limit it is given, and a batch past it stores nothing", async () => {
    const shopId = await ensureShopId(t.db, "catalog-limit.myshopify.com");
    const records = products.slice(0, 3).map((record): BatchWrite => ({ kind: "product", shopId, record }));
    // The backfill passes a longer limit than Prisma's 5 s; here a short one, passed while waiting.
    const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    await expect(writeRecordBatch(t.db, records, { timeoutMs: 200, beforeCommit: () => wait(1_500) })).rejects.toThrow(
      /transaction|timeout|expired/i,
    );
    expect(await t.db.product.count({ where: { shopId } })).toBe(0);
    await writeRecordBatch(t.db, records, { timeoutMs: 10_000, beforeCommit: () => wait(300) });
    expect(await t.db.product.count({ where: { shopId } })).toBe(3);
  });
});
