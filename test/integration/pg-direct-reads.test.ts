import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Prisma } from "@prisma/client";
import { createDb } from "../../app/lib/database/client.server";
import { bindDirectConnection } from "../../app/lib/database/pg-direct.server";
import { readStoredAttribution } from "../../app/lib/conversion/batch-attribution-reads.server";
import { storedContribution } from "../../app/lib/conversion/contribution";
import { cardFromProduct } from "../../app/lib/storefront-store/card";
import { catalogSelect, readCatalogProducts } from "../../app/lib/storefront-store/catalog-read.server";
import { writeRecordBatch } from "../../app/lib/sync/batch-records.server";
import { productPayload as parseProduct } from "../../app/lib/sync/webhook-payloads";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { productPayload } from "../fixtures/shopify-payloads";
import { createPostgresTestDb, type TestDb } from "../helpers/test-db";

/**
 * The webhook batch's reads that go around Prisma on PostgreSQL (catalog-read.server.ts,
 * batch-attribution-reads.server.ts) must give what Prisma's findMany gives for the same rows,
 * read in a process whose time zone is not UTC (pg reads timestamps as local time by itself).
 */
describe("pg-direct reads match Prisma's", () => {
  let t: TestDb;
  let shopId: string;
  let zone: string | undefined;
  beforeAll(async () => {
    t = await createPostgresTestDb();
    shopId = await ensureShopId(t.db, "direct-reads.myshopify.com");
    zone = process.env.TZ;
    process.env.TZ = "America/New_York";
  });
  afterAll(async () => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
    await t.drop();
  });

  it("builds the same cards as Prisma's catalog read", async () => {
    const variant = (id: number, position: number, price: string, compareAt: string | null, quantity: number) => ({
      ...productPayload(1).variants[0]!,
      id,
      position,
      price,
      compare_at_price: compareAt,
      inventory_quantity: quantity,
    });
    const products = [
      // Several variants out of position order, the first sold out: the card takes the second.
      productPayload(1, {
        variants: [
          variant(13, 3, "9.00", null, 4),
          variant(11, 1, "12.50", "15.00", 0),
          variant(12, 2, "1234567.89", "1234568.00", 3),
        ],
      }),
      productPayload(2, { status: "draft", image: null, images: [], published_at: null, tags: "" }),
      productPayload(3, { variants: [], updated_at: "2026-03-08T01:59:59.999-05:00" }),
      productPayload(4),
    ].map((p) => ({ kind: "product" as const, shopId, record: parseProduct.parse(p) }));
    await writeRecordBatch(t.db, [
      ...products,
      { kind: "productDelete", shopId, shopifyId: "4", deletedAt: new Date("2026-07-01T23:30:00.125Z") },
    ]);
    const ids = ["1", "2", "3", "4", "404"];
    const byPrisma = await t.db.product.findMany({ where: { shopId, shopifyId: { in: ids } }, select: catalogSelect });
    // Around Prisma: neither its raw query (runRead's fallback) nor its findMany is used. Spied on
    // a client of its own, since a spy restored on t.db would break the transactions made from it.
    const watched = createDb(t.url);
    const raw = vi.spyOn(watched, "$queryRaw");
    const findMany = vi.spyOn(watched.product, "findMany");
    const direct = await readCatalogProducts(watched, shopId, ids);
    expect(raw).not.toHaveBeenCalled();
    expect(findMany).not.toHaveBeenCalled();
    await watched.$disconnect();
    const cards = (list: typeof direct) => list.map(cardFromProduct).sort((a, b) => a.id.localeCompare(b.id));
    expect(direct).toHaveLength(4);
    expect(cards(direct)).toEqual(cards(byPrisma));
    // The cases above are the ones the comparison is for.
    const [one, two, three, four] = cards(direct);
    expect(one).toMatchObject({ variantId: "12", price: 1234567.89, compareAtPrice: 1234568, available: true });
    expect(two).toMatchObject({ visible: false, image: null, tags: [] });
    expect(three).toMatchObject({ variantId: null, version: Date.parse("2026-03-08T06:59:59.999Z") });
    expect(four).toMatchObject({ visible: false, version: Date.parse("2026-07-01T23:30:00.125Z") });
    expect(await readCatalogProducts(t.db, shopId, [])).toEqual([]);
  });

  it("reads the stored attribution and refunds Prisma reads, in the batch's transaction", async () => {
    const day = new Date("2026-07-02T03:00:00.000Z");
    await t.db.orderAttribution.createMany({
      data: [
        {
          shopId,
          orderShopifyId: "501",
          day,
          visitorId: "v1",
          experimentId: "e1",
          arm: "treatment",
          counted: true,
          revenue: new Prisma.Decimal("12345678.91"),
          attributedRevenue: new Prisma.Decimal("0.10"),
          attributedLines: '[{"lineId":"1"}]',
          version: 3,
        },
        { shopId, orderShopifyId: "502", day, counted: false },
      ],
    });
    await t.db.refundLine.createMany({
      data: [
        { shopId, shopifyId: "r1", refundShopifyId: "rf1", orderShopifyId: "501", lineShopifyId: "1", quantity: 2 },
        { shopId, shopifyId: "r2", refundShopifyId: "rf2", orderShopifyId: "501", lineShopifyId: "1", quantity: 1 },
      ],
    });
    const ids = ["501", "502", "503"];
    const shape = ({ refunds, stored }: Awaited<ReturnType<typeof readStoredAttribution>>) => ({
      refunds: refunds.map((r) => ({ ...r })).sort((a, b) => a.quantity - b.quantity),
      // As the batch takes each row: its contribution (storedContribution) and its version.
      stored: stored
        .map((s) => ({ orderShopifyId: s.orderShopifyId, version: s.version, ...storedContribution(s) }))
        .sort((a, b) => a.orderShopifyId.localeCompare(b.orderShopifyId)),
    });
    const [viaPrisma, direct] = await t.db.$transaction(async (tx) => {
      const before = await readStoredAttribution(tx, shopId, ids);
      expect(await bindDirectConnection(t.db, tx)).toBe(true);
      return [before, await readStoredAttribution(tx, shopId, ids, "postgres")] as const;
    });
    expect(shape(direct)).toEqual(shape(viaPrisma));
    expect(shape(direct).stored).toHaveLength(2);
    // Money in units of 1/10,000: 12,345,678.91 and 0.10.
    expect(shape(direct).stored[0]).toMatchObject({
      day,
      revenue: 123_456_789_100,
      attributedRevenue: 1_000,
      version: 3,
    });
    expect(shape(direct).refunds.map((r) => r.quantity)).toEqual([1, 2]);
  });
});
