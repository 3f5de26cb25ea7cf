import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookJobId, type WebhookDelivery } from "../../app/lib/webhooks/webhook-queue.server";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { eventually } from "../helpers/stack";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { customerPayload, orderPayload, productPayload } from "../fixtures/shopify-payloads";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { writeRecordBatch } from "../../app/lib/sync/batch-records.server";
import { orderPayload as orderSchema } from "../../app/lib/sync/webhook-payloads";

const SHOP = "batch-a.myshopify.com";
const OTHER = "batch-b.myshopify.com";

describe.each(DATABASE_KINDS)("batched webhook ingest on %s", (kind) => {
  let t: TestDb;
  let harness: Awaited<ReturnType<typeof startIngest>>;
  const shopId = async (domain = SHOP) => (await t.db.shop.findUniqueOrThrow({ where: { domain } })).id;

  const ingestAll = (deliveries: WebhookDelivery[]) => harness.ingestTogether(deliveries);

  beforeAll(async () => {
    t = await createTestDb(kind);
    harness = await startIngest(t.db, { batchSize: 500 });
  });
  afterAll(async () => {
    await harness.stop();
    await t.drop();
  });

  it("stores a batch of products and customers, each job completed as part of a batch", async () => {
    const deliveries = [
      ...Array.from({ length: 40 }, (_, i) => delivery(SHOP, "products/create", productPayload(1000 + i))),
      ...Array.from({ length: 40 }, (_, i) => delivery(SHOP, "customers/create", customerPayload(2000 + i))),
    ];
    const jobs = await ingestAll(deliveries);
    expect(jobs.map((j) => j.finishedOn && !j.failedReason)).toEqual(jobs.map(() => true));
    // Each says what it stored and that it was batched; at least one went in a batch with others
    // (all 80 were waiting when the worker started).
    const results = jobs.map((j) => j.returnvalue as { outcome: string; batched: boolean; batchJobs: number });
    expect(new Set(results.map((r) => `${r.outcome} ${r.batched}`))).toEqual(new Set(["created true"]));
    expect(Math.max(...results.map((r) => r.batchJobs))).toBeGreaterThan(1);
    const id = await shopId();
    expect(await t.db.product.count({ where: { shopId: id, shopifyId: { startsWith: "10" } } })).toBe(40);
    expect(await t.db.customer.count({ where: { shopId: id } })).toBe(40);
    const product = await t.db.product.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId: id, shopifyId: "1003" } },
      include: { variants: true },
    });
    expect(product).toMatchObject({ title: "Product 1003", tags: "gift, red", imageWidth: 800, status: "active" });
    expect(product.variants).toHaveLength(1);
    expect(product.variants[0]).toMatchObject({ shopifyId: "10031", available: true, inventoryQuantity: 7 });
    expect(product.variants[0]!.price.toString()).toBe("12.5");
  });

  it("never lets an older version overwrite a newer one, within a batch and across batches", async () => {
    const newest = productPayload(3000, { title: "Newest", updated_at: "2026-03-01T00:00:00Z", variants: [] });
    const older = productPayload(3000, { title: "Older", updated_at: "2026-02-01T00:00:00Z" });
    // Within one batch, whichever order they arrive in.
    await ingestAll([delivery(SHOP, "products/update", newest), delivery(SHOP, "products/update", older)]);
    // Across batches: the older again, alone.
    await ingestAll([delivery(SHOP, "products/update", older)]);
    const product = await t.db.product.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId: await shopId(), shopifyId: "3000" } },
      include: { variants: true },
    });
    expect(product.title).toBe("Newest");
    expect(product.variants).toEqual([]);
    const customerNew = customerPayload(3001, { updated_at: "2026-05-01T00:00:00Z" });
    const customerOld = customerPayload(3001, { updated_at: "2026-04-01T00:00:00Z" });
    await ingestAll([delivery(SHOP, "customers/update", customerNew)]);
    await ingestAll([delivery(SHOP, "customers/update", customerOld)]);
    const customer = await t.db.customer.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId: await shopId(), shopifyId: "3001" } },
    });
    expect(customer.shopifyUpdatedAt.toISOString()).toBe("2026-05-01T00:00:00.000Z");
  });

  it("keeps a deleted product deleted, also against an older update in the same batch", async () => {
    await ingestAll([delivery(SHOP, "products/create", productPayload(4000))]);
    await ingestAll([
      delivery(SHOP, "products/delete", { id: 4000 }),
      delivery(SHOP, "products/update", productPayload(4000, { title: "Late" })),
      // A tombstone for a product never seen, so a late create cannot bring it back.
      delivery(SHOP, "products/delete", { id: 4001 }),
    ]);
    await ingestAll([delivery(SHOP, "products/create", productPayload(4001))]);
    const id = await shopId();
    const rows = await t.db.product.findMany({
      where: { shopId: id, shopifyId: { in: ["4000", "4001"] } },
      include: { variants: true },
    });
    expect(rows.map((r) => [r.shopifyId, r.deletedAt !== null, r.variants.length]).sort()).toEqual([
      ["4000", true, 0],
      ["4001", true, 0],
    ]);
  });

  it("keeps shops apart: the same product id in two shops is two rows", async () => {
    await ingestAll([
      delivery(SHOP, "products/create", productPayload(5000, { title: "A's" })),
      delivery(OTHER, "products/create", productPayload(5000, { title: "B's" })),
      delivery(OTHER, "customers/delete", { id: 2001 }),
    ]);
    const titles = await t.db.product.findMany({ where: { shopifyId: "5000" }, select: { title: true } });
    expect(titles.map((p) => p.title).sort()).toEqual(["A's", "B's"]);
    // The other shop's customers/delete did not touch this shop's customer 2001.
    expect(await t.db.customer.count({ where: { shopId: await shopId(), shopifyId: "2001" } })).toBe(1);
  });

  it("reports each product and customer job's own outcome: created, updated, stale or deleted", async () => {
    const v1 = productPayload(12_000, { updated_at: "2026-03-01T00:00:00Z" });
    const v2 = productPayload(12_000, {
      title: "Second",
      updated_at: "2026-03-02T00:00:00Z",
      variants: [{ ...v1.variants[0]!, id: 120_009, title: "Only now", price: "9.00" }],
    });
    const first = await ingestAll([
      delivery(SHOP, "products/create", v1),
      delivery(SHOP, "customers/create", customerPayload(12_001, { updated_at: "2026-03-01T00:00:00Z" })),
      delivery(SHOP, "customers/delete", { id: 12_002 }),
    ]);
    const outcome = (j: { returnvalue: unknown }) => (j.returnvalue as { outcome: string }).outcome;
    expect(first.map(outcome)).toEqual(["created", "created", "deleted"]);
    const id = await shopId();
    const stored = () =>
      t.db.product.findUniqueOrThrow({
        where: { shopId_shopifyId: { shopId: id, shopifyId: "12000" } },
        include: { variants: true },
      });
    const before = await stored();
    // The same batch holds the newer version, the older one again and two deliveries of one
    // customer version: one job reports the write, the others "stale".
    const second = await ingestAll([
      delivery(SHOP, "products/update", v1),
      delivery(SHOP, "products/update", v2),
      delivery(SHOP, "customers/update", customerPayload(12_001, { updated_at: "2026-03-05T00:00:00Z" })),
      delivery(SHOP, "customers/update", customerPayload(12_001, { updated_at: "2026-03-05T00:00:00Z" })),
      delivery(SHOP, "products/delete", { id: 12_003 }),
    ]);
    expect(second.map(outcome)).toEqual(["stale", "updated", "updated", "stale", "deleted"]);
    expect((second[4]!.returnvalue as { deleted: string }).deleted).toBe("12003");
    const after = await stored();
    expect(after.title).toBe("Second");
    expect(after.id).toBe(before.id);
    expect(after.variants.map((v) => [v.shopifyId, v.title, v.price.toString()])).toEqual([
      ["120009", "Only now", "9"],
    ]);
    // Redelivering the older version afterwards changes nothing, not even the row's updatedAt.
    const third = await ingestAll([delivery(SHOP, "products/update", v1)]);
    expect(third.map(outcome)).toEqual(["stale"]);
    const untouched = await stored();
    expect(untouched.updatedAt).toEqual(after.updatedAt);
    expect(untouched.variants.map((v) => v.id)).toEqual(after.variants.map((v) => v.id));
  });

  it("dead-letters a poison product among good ones and stores the rest", async () => {
    const deliveries = Array.from({ length: 20 }, (_, i) =>
      delivery(SHOP, "products/create", productPayload(13_000 + i)),
    );
    deliveries[7] = delivery(SHOP, "products/create", { ...productPayload(13_007), variants: "not a list" });
    const jobs = await ingestAll(deliveries);
    expect(jobs.filter((j) => j.failedReason).map((j) => j.id)).toEqual([webhookJobId(deliveries[7]!.webhookId)]);
    const id = await shopId();
    expect(await t.db.product.count({ where: { shopId: id, shopifyId: { startsWith: "130" } } })).toBe(19);
    expect(await t.db.variant.count({ where: { shopId: id, shopifyId: { startsWith: "130" } } })).toBe(19);
  });

  it("stores a lone UTF-16 surrogate as U+FFFD and dead-letters an amount the database would refuse, not the batch", async () => {
    const deliveries = Array.from({ length: 20 }, (_, i) =>
      delivery(SHOP, "products/create", productPayload(14_000 + i)),
    );
    // JSON.parse makes a lone surrogate from a "\ud800" escape; the database refuses it as is.
    deliveries[3] = delivery(SHOP, "products/create", productPayload(14_003, { title: "Mug \ud800 blue" }));
    const bad = productPayload(14_011);
    bad.variants[0]!.price = "12,50";
    deliveries[11] = delivery(SHOP, "products/create", bad);
    const jobs = await ingestAll(deliveries);
    const failed = jobs.filter((j) => j.failedReason);
    expect(failed.map((j) => j.id)).toEqual([webhookJobId(deliveries[11]!.webhookId)]);
    expect(failed[0]!.attemptsMade).toBe(1);
    const id = await shopId();
    expect(await t.db.product.count({ where: { shopId: id, shopifyId: { startsWith: "140" } } })).toBe(19);
    const mug = await t.db.product.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId: id, shopifyId: "14003" } },
    });
    expect(mug.title).toBe("Mug \ufffd blue");
    const letter = await t.db.webhookDeadLetter.findUniqueOrThrow({ where: { webhookId: deliveries[11]!.webhookId } });
    expect(letter.reason).toContain("decimal amount");
  });

  it("dead-letters only the poison job of a batch of 500 and stores the other 499", async () => {
    const deliveries = Array.from({ length: 500 }, (_, i) =>
      delivery(SHOP, "customers/create", customerPayload(10_000 + i)),
    );
    deliveries[250] = delivery(SHOP, "customers/create", { id: 10_250, updated_at: "not a date" });
    const jobs = await ingestAll(deliveries);
    const failed = jobs.filter((j) => j.failedReason);
    expect(failed.map((j) => j.id)).toEqual([webhookJobId(deliveries[250]!.webhookId)]);
    expect(failed[0]!.attemptsMade).toBe(1);
    const stored = await t.db.customer.count({ where: { shopId: await shopId(), shopifyId: { startsWith: "10" } } });
    expect(stored).toBe(499);
    const letter = await t.db.webhookDeadLetter.findUniqueOrThrow({ where: { webhookId: deliveries[250]!.webhookId } });
    expect(letter.reason).toContain("updated_at");
  });

  it("deletes 500 customers in one batch (more keys than one Prisma query may bind on SQLite)", async () => {
    const ids = Array.from({ length: 500 }, (_, i) => 880_000 + i);
    await ingestAll(ids.map((id) => delivery(SHOP, "customers/create", customerPayload(id))));
    const jobs = await ingestAll(ids.map((id) => delivery(SHOP, "customers/delete", { id })));
    expect(jobs.filter((j) => j.failedReason)).toEqual([]);
    expect(await t.db.customer.count({ where: { shopId: await shopId(), shopifyId: { startsWith: "88" } } })).toBe(0);
  });

  it("forgets a deleted customer's prediction, and marks what was written to them gone (issue 21)", async () => {
    const id = await ensureShopId(t.db, SHOP);
    const prediction = (customer: string) => ({
      shopId: id,
      customerShopifyId: customer,
      runId: "run-1",
      risk: 0.7,
      expectedNextAt: new Date("2026-12-01T00:00:00Z"),
      segment: "at_risk",
      value: 120,
    });
    // 890001 carries a tag and metafields; 890002 awaits a redaction's removal; 890003 stays.
    await t.db.churnPrediction.createMany({ data: ["890001", "890002", "890003"].map(prediction) });
    await t.db.customerInsightWrite.createMany({
      data: [
        { shopId: id, customerShopifyId: "890001", tag: "affinity:at-risk", metafields: '{"segment":"at_risk"}' },
        { shopId: id, customerShopifyId: "890002", tag: "affinity:active", redacted: true },
        { shopId: id, customerShopifyId: "890003", tag: "affinity:active" },
      ],
    });
    const jobs = await ingestAll([
      delivery(SHOP, "customers/delete", { id: 890_001 }),
      delivery(SHOP, "customers/delete", { id: 890_002 }),
      // The other shop's delete of the same id leaves this shop's rows alone.
      delivery(OTHER, "customers/delete", { id: 890_003 }),
    ]);
    expect(jobs.filter((j) => j.failedReason)).toEqual([]);
    const predicted = await t.db.churnPrediction.findMany({
      where: { shopId: id, customerShopifyId: { startsWith: "89" } },
    });
    expect(predicted.map((p) => p.customerShopifyId)).toEqual(["890003"]);
    const written = await t.db.customerInsightWrite.findMany({
      where: { shopId: id, customerShopifyId: { startsWith: "89" } },
      orderBy: { customerShopifyId: "asc" },
    });
    expect(written.map((w) => [w.customerShopifyId, w.gone, w.tag, w.metafields])).toEqual([
      ["890001", true, null, null],
      ["890003", false, "affinity:active", null],
    ]);
  });

  it("writes orders with their lines in one batch, newest version winning (the backfill's writer)", async () => {
    const id = await ensureShopId(t.db, SHOP);
    const order = (updatedAt: string, lines: number) => {
      const payload = orderPayload(6000, { updated_at: updatedAt });
      return orderSchema.parse({ ...payload, line_items: payload.line_items.slice(0, lines) });
    };
    await writeRecordBatch(t.db, [
      { kind: "order", shopId: id, record: order("2026-03-01T00:00:00Z", 1) },
      { kind: "order", shopId: id, record: order("2026-02-01T00:00:00Z", 2) },
    ]);
    await writeRecordBatch(t.db, [{ kind: "order", shopId: id, record: order("2026-01-01T00:00:00Z", 2) }]);
    const stored = await t.db.order.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId: id, shopifyId: "6000" } },
      include: { lines: true },
    });
    expect(stored.shopifyUpdatedAt.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(stored.lines.map((l) => l.shopifyId)).toEqual(["60001"]);
    expect(Number(stored.totalPrice)).toBe(Number(orderSchema.parse(orderPayload(6000)).totalPrice));
  });

  it("batches orders webhooks: rows and lines in one transaction, each new order counted once", async () => {
    const id = await ensureShopId(t.db, SHOP);
    const before = (await t.db.shop.findUniqueOrThrow({ where: { id } })).ordersSinceTraining;
    const deliveries = Array.from({ length: 30 }, (_, i) => delivery(SHOP, "orders/create", orderPayload(8000 + i)));
    // The same version again under another webhook id, and an older one: neither counts again.
    deliveries.push(delivery(SHOP, "orders/updated", orderPayload(8000)));
    deliveries.push(delivery(SHOP, "orders/updated", orderPayload(8001, { updated_at: "2025-01-01T00:00:00Z" })));
    const jobs = await ingestAll(deliveries);
    expect(jobs.filter((j) => j.failedReason)).toEqual([]);
    const outcomes = jobs.map((j) => (j.returnvalue as { outcome: string }).outcome);
    expect(outcomes.filter((o) => o === "created")).toHaveLength(30);
    expect(outcomes.slice(30)).toEqual(["stale", "stale"]);
    expect(await t.db.order.count({ where: { shopId: id, shopifyId: { startsWith: "80" } } })).toBe(30);
    expect(await t.db.orderLine.count({ where: { shopId: id, shopifyId: { startsWith: "80" } } })).toBe(60);
    expect((await t.db.shop.findUniqueOrThrow({ where: { id } })).ordersSinceTraining).toBe(before + 30);
  });

  it("retries the whole batch while the database refuses it, then stores everything", async () => {
    // The table is moved away, so every statement of the batch fails, as with a database that is down.
    await t.db.$executeRawUnsafe(`ALTER TABLE "Customer" RENAME TO "CustomerAway"`);
    const deliveries = Array.from({ length: 200 }, (_, i) =>
      delivery(SHOP, "customers/create", customerPayload(70_000 + i)),
    );
    await harness.queue.pause();
    const jobs = await harness.queue.addBulk(
      deliveries.map((d) => ({
        name: d.topic,
        data: d,
        opts: { jobId: webhookJobId(d.webhookId), attempts: 50, backoff: { type: "fixed", delay: 100 } },
      })),
    );
    await harness.queue.resume();
    await eventually(
      async () => ((await harness.queue.getJob(jobs[0]!.id!))?.attemptsMade ?? 0) >= 2,
      "the batch to fail twice",
    );
    await t.db.$executeRawUnsafe(`ALTER TABLE "CustomerAway" RENAME TO "Customer"`);
    await harness.settled(jobs);
    expect(await t.db.customer.count({ where: { shopId: await shopId(), shopifyId: { startsWith: "7" } } })).toBe(200);
    const states = await Promise.all(jobs.map(async (j) => (await harness.queue.getJob(j.id!))!.getState()));
    expect(new Set(states)).toEqual(new Set(["completed"]));
  });
});
