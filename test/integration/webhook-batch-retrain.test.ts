import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "bullmq";
import type { WebhookDelivery } from "../../app/lib/webhooks/webhook-queue.server";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { orderPayload } from "../fixtures/shopify-payloads";

const BIG = "retrain-big.myshopify.com";
const SMALL = "retrain-small.myshopify.com";

describe.each(DATABASE_KINDS)("a batch's new orders towards a retrain on %s", (kind) => {
  let t: TestDb;
  const trainingRequests: string[] = [];
  let harness: Awaited<ReturnType<typeof startIngest>>;

  const ingestAll = (deliveries: WebhookDelivery[]) => harness.ingestTogether(deliveries);
  const counter = async (domain: string) =>
    (await t.db.shop.findUniqueOrThrow({ where: { domain } })).ordersSinceTraining;

  beforeAll(async () => {
    t = await createTestDb(kind);
    harness = await startIngest(t.db, { batchSize: 500, trainAfterOrders: 10, trainingRequests });
  });
  afterAll(async () => {
    await harness.stop();
    await t.drop();
  });

  it("counts each shop's new orders in the batch's transaction and asks once per shop that crossed the threshold", async () => {
    const deliveries = [
      ...Array.from({ length: 12 }, (_, i) => delivery(BIG, "orders/create", orderPayload(9100 + i))),
      ...Array.from({ length: 4 }, (_, i) => delivery(SMALL, "orders/create", orderPayload(9100 + i))),
    ];
    const jobs = await ingestAll(deliveries);

    expect(jobs.filter((j) => j.failedReason)).toEqual([]);
    // BIG crossed 10 and was reset; SMALL, with the same order ids, kept its own 4.
    expect(trainingRequests).toEqual([`orders@${BIG}`]);
    expect(await counter(BIG)).toBe(0);
    expect(await counter(SMALL)).toBe(4);
    const retrain = (j: Job) => (j.returnvalue as { retrain?: boolean }).retrain;
    expect(new Set(jobs.slice(0, 12).map(retrain))).toEqual(new Set([true]));
    expect(new Set(jobs.slice(12).map(retrain))).toEqual(new Set([false]));
    const shopId = await ensureShopId(t.db, BIG);
    expect(await t.db.order.count({ where: { shopId } })).toBe(12);
  });

  it("does not count an order again when it is delivered again, in one batch or the next", async () => {
    const again = [
      delivery(SMALL, "orders/create", orderPayload(9100)),
      delivery(SMALL, "orders/create", orderPayload(9101)),
    ];
    const fresh = [
      delivery(SMALL, "orders/create", orderPayload(9200)),
      delivery(SMALL, "orders/create", orderPayload(9200)),
    ];
    const jobs = await ingestAll([...again, ...fresh]);

    expect(jobs.map((j) => (j.returnvalue as { outcome: string }).outcome)).toEqual([
      "stale",
      "stale",
      "created",
      "stale",
    ]);
    expect(await counter(SMALL)).toBe(5);
    expect(trainingRequests).toEqual([`orders@${BIG}`]);
  });
});
