import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HistoryOrder } from "../../app/lib/model/types";
import { createLogger } from "../../app/lib/logger.server";
import { createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { BackfillError } from "../../app/lib/sync/backfill-errors";
import { runBackfill, type BackfillProgress, type RunBackfillOptions } from "../../app/lib/sync/backfill.server";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { bigShopCatalog, bigShopOrders, type BigShopOptions, type BigShopSource } from "../../bench/bigshop/generate";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import {
  bigShopOrderJsonl,
  bigShopProductJsonl,
  countBigShopOrders,
  countBigShopProducts,
  DEMO_ONLINE_RETAIL,
  loadOnlineRetail,
} from "../helpers/bigshop-bulk";
import { redirectShopifyTo, type ShopifyRedirect } from "../helpers/shopify-network";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";

const TOKEN = "shpat_offline_test_token";
const log = createLogger("silent");
/** A few hundred orders of the big shop, over two copies of the real catalog. */
const SHAPE: BigShopOptions = { orders: 300, catalogCopies: 2 };
let source: BigShopSource;
let expected: { orders: HistoryOrder[]; products: string[]; lineItems: number };
let shopNumber = 0;

beforeAll(() => {
  source = loadOnlineRetail(DEMO_ONLINE_RETAIL);
  const orders = [...bigShopOrders(source, SHAPE)];
  expected = {
    orders,
    products: [...bigShopCatalog(source, SHAPE)].map((p) => p.productId),
    lineItems: orders.reduce((sum, o) => sum + o.items.length, 0),
  };
});

describe("the generator-fed bulk result", () => {
  it("is Shopify's grouped JSONL: objects, each child directly below its parent, counted as served", () => {
    const lines = [...bigShopOrderJsonl(source, SHAPE)].map((l) => JSON.parse(l) as Record<string, unknown>);
    const counted = countBigShopOrders(source, SHAPE);
    expect(lines).toHaveLength(counted.orders + counted.lineItems);
    expect(counted).toMatchObject({ orders: 300, lineItems: expected.lineItems });
    let parent: string | undefined;
    for (const line of lines) {
      if (line.__parentId === undefined) parent = String(line.id);
      else expect(line.__parentId).toBe(parent);
    }
    expect(lines.filter((l) => String(l.id).startsWith("gid://shopify/Order/"))).toHaveLength(300);
    const products = [...bigShopProductJsonl(source, SHAPE)];
    expect(products).toHaveLength(countBigShopProducts(source, SHAPE).lines);
  });
});

describe.each(DATABASE_KINDS)("backfill of the generated big shop through the stand-in, on %s", (kind) => {
  let t: TestDb;
  let standIn: AdminApiStandIn;
  let network: ShopifyRedirect;
  let shop: string;
  let shopId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(async () => {
    await t.drop();
  });
  beforeEach(async () => {
    standIn = await startAdminApiStandIn({
      accessToken: TOKEN,
      bulkResults: (root, since) => {
        if (root === "products") {
          return {
            lineCount: countBigShopProducts(source, SHAPE).lines,
            lines: () => bigShopProductJsonl(source, SHAPE),
          };
        }
        const { orders, lineItems } = countBigShopOrders(source, SHAPE, since);
        return { lineCount: orders + lineItems, lines: () => bigShopOrderJsonl(source, SHAPE, since) };
      },
    });
    network = redirectShopifyTo(standIn.origin);
    shop = `bigshop-${kind}-${++shopNumber}.myshopify.com`;
    shopId = await ensureShopId(t.db, shop);
  });
  afterEach(async () => {
    network.restore();
    await standIn.close();
    expect(network.blocked).toEqual([]);
  });

  function run(resource: RunBackfillOptions["resource"], extra: Partial<RunBackfillOptions> = {}) {
    const { request } = createAdminGraphql({ shop, accessToken: TOKEN });
    const since = new Date("2009-01-01T00:00:00Z"); // before the first online-retail order
    return runBackfill({ db: t.db, admin: request, shopId, resource, since, log, pollIntervalMs: 5, ...extra });
  }
  const counts = async () => ({
    products: await t.db.product.count({ where: { shopId } }),
    variants: await t.db.variant.count({ where: { shopId } }),
    orders: await t.db.order.count({ where: { shopId } }),
    lines: await t.db.orderLine.count({ where: { shopId } }),
  });

  it("imports every product, order and order line the generator made, with the generator's values", async () => {
    await run("products");
    await run("orders", { checkpointEveryLines: 1_000 });
    const products = expected.products.length;
    expect(await counts()).toEqual({ products, variants: products, orders: 300, lines: expected.lineItems });

    const sample = expected.orders[137]!;
    const stored = await t.db.order.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId, shopifyId: sample.orderId } },
      include: { lines: { orderBy: { shopifyId: "asc" } } },
    });
    expect(stored.customerShopifyId).toBe(sample.customerId);
    expect(stored.processedAt).toEqual(sample.at);
    expect(stored.lines.map((l) => [l.productShopifyId, l.quantity, Number(l.price)])).toEqual(
      sample.items.map((i) => [i.productId, i.quantity, Number(i.price.toFixed(2))]),
    );
    // Every line names a product of the imported catalog, as a real shop's would.
    const known = new Set(expected.products);
    const named = await t.db.orderLine.findMany({ where: { shopId }, select: { productShopifyId: true } });
    expect(named.every((l) => known.has(l.productShopifyId ?? ""))).toBe(true);
  });

  it("resumes a download cut off part-way without duplicating a line", async () => {
    const total = countBigShopOrders(source, SHAPE);
    standIn.config.dropDownloadAfterLines = Math.floor((total.orders + total.lineItems) / 2);
    await expect(run("orders", { checkpointEveryLines: 500 })).rejects.toMatchObject({ retryable: true });
    const partial = await counts();
    expect(partial.lines).toBeGreaterThan(0);
    expect(partial.lines).toBeLessThan(expected.lineItems);

    await run("orders", { checkpointEveryLines: 500 });
    expect(await counts()).toMatchObject({ orders: 300, lines: expected.lineItems });
    const row = await t.db.backfill.findUniqueOrThrow({ where: { shopId_resource: { shopId, resource: "orders" } } });
    expect(row).toMatchObject({
      status: "completed",
      recordsImported: 300,
      linesImported: total.orders + total.lineItems,
    });
    expect(standIn.downloads).toHaveLength(2);
  });

  it("a batch the database refuses rolls back the batch written beside it, and the import resumes exactly", async () => {
    // A trigger refuses one order in the middle of the file. On PostgreSQL the batch after it is
    // already in the database (two batches are written at once): it must not commit either.
    const refused = expected.orders[150]!.orderId;
    const trigger =
      kind === "postgres"
        ? [
            `CREATE FUNCTION refuse_order() RETURNS trigger AS $$ BEGIN
               IF NEW."shopifyId" = '${refused}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
               RETURN NEW; END $$ LANGUAGE plpgsql`,
            `CREATE TRIGGER refuse_order BEFORE INSERT ON "Order" FOR EACH ROW EXECUTE FUNCTION refuse_order()`,
          ]
        : [
            `CREATE TRIGGER refuse_order BEFORE INSERT ON "Order" WHEN NEW."shopifyId" = '${refused}'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
          ];
    const untrigger =
      kind === "postgres"
        ? [`DROP TRIGGER refuse_order ON "Order"`, `DROP FUNCTION refuse_order()`]
        : [`DROP TRIGGER refuse_order`];
    for (const sql of trigger) await t.db.$executeRawUnsafe(sql);
    try {
      await expect(run("orders", { checkpointEveryLines: 200 })).rejects.toThrow();
    } finally {
      for (const sql of untrigger) await t.db.$executeRawUnsafe(sql);
    }
    const row = await t.db.backfill.findUniqueOrThrow({ where: { shopId_resource: { shopId, resource: "orders" } } });
    // Stored: exactly the orders of the lines up to the checkpoint, none from the refused batch or after it.
    const lines = [...bigShopOrderJsonl(source, SHAPE)].slice(0, row.linesImported);
    const checkpointed = lines.filter((l) => !l.includes('"__parentId"')).length;
    expect(checkpointed).toBeGreaterThan(0);
    expect(checkpointed).toBeLessThanOrEqual(150);
    expect(row.recordsImported).toBe(checkpointed);
    const stored = await t.db.order.findMany({ where: { shopId }, select: { shopifyId: true } });
    expect(stored).toHaveLength(checkpointed);
    const firstOrders = new Set(expected.orders.slice(0, checkpointed).map((o) => o.orderId));
    expect(stored.every((o) => firstOrders.has(o.shopifyId))).toBe(true);

    await run("orders", { checkpointEveryLines: 200 });
    expect(await counts()).toMatchObject({ orders: 300, lines: expected.lineItems });
  });

  it("stops at a batch that fails with no checkpoint after it, though the next was being read, and resumes exactly", async () => {
    // The third checkpoint's follow-up fails, as a worker losing its job would, while the import
    // is already reading the batch after it (batches are written while the next is read).
    let checkpoints = 0;
    let failedAt = -1;
    const failing = (p: BackfillProgress) => {
      if (p.status !== "importing" || p.linesImported === 0 || ++checkpoints !== 3) return;
      failedAt = p.linesImported;
      throw new BackfillError("worker stopped", true);
    };
    await expect(run("orders", { checkpointEveryLines: 500, onProgress: failing })).rejects.toThrow("worker stopped");
    const orders = () =>
      t.db.backfill.findUniqueOrThrow({ where: { shopId_resource: { shopId, resource: "orders" } } });
    expect(await orders()).toMatchObject({ status: "importing", linesImported: failedAt });
    const stored = await counts();
    expect(stored.orders).toBeLessThan(300);

    await run("orders", { checkpointEveryLines: 500 });
    expect(await counts()).toMatchObject({ orders: 300, lines: expected.lineItems });
    expect(await orders()).toMatchObject({ status: "completed", recordsImported: 300 });
  });
});
