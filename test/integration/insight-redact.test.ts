import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Worker, type Job } from "bullmq";
import { createLogger } from "../../app/lib/logger.server";
import { createRedis, type RedisClient } from "../../app/lib/redis.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { createOfflineTokens } from "../../app/lib/shopify/offline-tokens.server";
import { tokenApi, type TokenApiConfig } from "../../app/lib/shopify/shopify-api.server";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { saveChurnSettings } from "../../app/lib/churn/store.server";
import { DEFAULT_CHURN_SETTINGS } from "../../app/lib/churn/settings";
import { runInsightWrite } from "../../app/lib/insights/write.server";
import { INSIGHT_REDACT_JOB_NAME, requestInsightRedactIfWritten } from "../../app/lib/insights/write-job.server";
import { WEBHOOK_HANDLERS, type HandlerContext } from "../../app/lib/sync/webhook-handlers.server";
import { createInsightRedactProcessor } from "../../workers/processors/insight-redact";
import { storeOfflineSession } from "../helpers/admin-session";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import { createCustomerStore } from "../helpers/customer-insights-stand-in";
import { redirectShopifyTo, type ShopifyRedirect } from "../helpers/shopify-network";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const TOKEN = "shpat_offline_test_token"; // what storeOfflineSession stores
const NS = "$app:affinity";
const log = createLogger("silent");
const gid = (id: string) => `gid://shopify/Customer/${id}`;
let shopNumber = 0;

/*
 * customers/redact → the removal job on the backfill queue → a real BullMQ worker running the
 * processor → the Admin API stand-in. Only Shopify is faked.
 */
describe.each(DATABASE_KINDS)("customers/redact removes what Affinity wrote to that customer, on %s", (kind) => {
  let t: TestDb;
  let redis: RedisClient;
  let standIn: AdminApiStandIn;
  let network: ShopifyRedirect;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let shop: string;
  let shopId: string;

  beforeAll(async () => {
    t = await createTestDb(kind);
    redis = createRedis(process.env.REDIS_URL!, "worker");
  });
  afterAll(async () => {
    redis.disconnect();
    await t.drop();
  });
  beforeEach(async () => {
    // Customers 1–3 exist in Shopify.
    standIn = await startAdminApiStandIn({
      accessToken: TOKEN,
      pollsUntilDone: 2,
      customers: createCustomerStore(["1", "2", "3"]),
    });
    network = redirectShopifyTo(standIn.origin);
    ({ prefix, cleanup } = createTestPrefix());
    shop = `redact-${kind}-${++shopNumber}.myshopify.com`;
    shopId = (await recordInstall(t.db, shop)).id;
    await storeOfflineSession(t.db, shop);
    const run = await t.db.churnRun.create({ data: { shopId, horizonDays: 60, served: "model", reason: "test" } });
    await t.db.churnPrediction.createMany({
      data: [
        ["1", "at_risk"],
        ["2", "champion"],
        ["3", "new"],
      ].map(([id, segment]) => ({
        shopId,
        customerShopifyId: id!,
        runId: run.id,
        segment: segment!,
        risk: 0.4,
        expectedNextAt: new Date("2026-12-20T00:00:00Z"),
        value: 100,
      })),
    });
  });
  afterEach(async () => {
    network.restore();
    await standIn.close();
    await cleanup();
    expect(network.blocked).toEqual([]);
  });

  const optIn = (tags: boolean, metafields: boolean) =>
    saveChurnSettings(t.db, shopId, { ...DEFAULT_CHURN_SETTINGS, tagsEnabled: tags, metafieldsEnabled: metafields });
  const bulkWrite = () =>
    runInsightWrite({
      db: t.db,
      admin: createAdminGraphql({ shop, accessToken: TOKEN }).request,
      shopId,
      log,
      pollIntervalMs: 5,
    });
  const tagsOf = (id: string) => [...(standIn.config.customers.get(id)?.tags ?? [])].sort();
  const metafieldKeysOf = (id: string) => [...(standIn.config.customers.get(id)?.metafields.keys() ?? [])].sort();
  const direct = () => standIn.requests.filter((r) => r.kind === "customerMutation");

  /** Delivers customers/redact as the webhook worker does, wired to the real queue as workers/main.ts wires it. */
  async function deliverRedact(customer: string) {
    const queue = createQueue(QUEUE_NAMES.backfill, redis, prefix);
    const ctx = {
      db: t.db,
      delivery: {
        topic: "customers/redact",
        shop,
        webhookId: `wh-${customer}`,
        apiVersion: "2026-10",
        triggeredAt: null,
        eventId: null,
        payload: { shop_domain: shop, customer: { id: Number(customer) }, orders_to_redact: [] },
      },
      requestTraining: async () => undefined,
      removeWrittenInsights: (s, id) => requestInsightRedactIfWritten(t.db, queue, s, id, 10),
    } as Partial<HandlerContext> as HandlerContext;
    await WEBHOOK_HANDLERS["customers/redact"]!(ctx);
    return queue;
  }

  /** Runs the backfill queue's redaction jobs with a real worker until `count` have completed. */
  async function drain(count: number): Promise<Array<Job>> {
    const tokens = createOfflineTokens({
      db: t.db,
      redis,
      prefix,
      api: tokenApi(process.env as unknown as TokenApiConfig, log),
      log,
    });
    const processor = createInsightRedactProcessor({ db: t.db, log, tokens });
    const worker = new Worker(
      QUEUE_NAMES.backfill,
      async (job: Job) => {
        if (job.name !== INSIGHT_REDACT_JOB_NAME) throw new Error(`unexpected job ${job.name}`);
        return processor(job, job.token);
      },
      { connection: redis.duplicate(), prefix },
    );
    const done: Job[] = [];
    const failures: Job[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        worker.on("completed", (job) => {
          done.push(job);
          if (done.length === count) resolve();
        });
        worker.on("failed", (job, error) => {
          if (job) failures.push(job);
          // Only a failure with no attempt left ends the wait; others are retried.
          if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) reject(error);
        });
      });
    } finally {
      await worker.close();
    }
    return done;
  }

  it("sends exactly one tagsRemove and one metafieldsDelete for what was written, then forgets the customer", async () => {
    await optIn(true, true);
    await bulkWrite();
    expect(tagsOf("2")).toEqual(["affinity:champion"]);
    const before = standIn.requests.length;

    const queue = await deliverRedact("2");
    expect(await queue.getJobCounts("waiting")).toMatchObject({ waiting: 1 });
    await drain(1);
    await queue.close();

    const keys = ["churn_risk", "expected_next_order", "segment"];
    expect(standIn.requests.slice(before).map((r) => r.kind)).toEqual(["customerMutation", "customerMutation"]);
    const [tags, metafields] = direct();
    expect(tags!.query).toMatch(/\btagsRemove\s*\(/);
    expect(tags!.variables).toEqual({ id: gid("2"), tags: ["affinity:champion"] });
    expect(metafields!.query).toMatch(/\bmetafieldsDelete\s*\(/);
    expect((metafields!.variables.metafields as Array<{ key: string }>).map((m) => m.key).sort()).toEqual(keys);
    expect(metafields!.variables.metafields).toContainEqual({ ownerId: gid("2"), namespace: NS, key: "segment" });
    expect(tagsOf("2")).toEqual([]);
    expect(metafieldKeysOf("2")).toEqual([]);
    // The other customers keep theirs, and the redacted one's id is gone from our records.
    expect(tagsOf("1")).toEqual(["affinity:at-risk"]);
    expect(await t.db.customerInsightWrite.count({ where: { shopId, customerShopifyId: "2" } })).toBe(0);
    expect(await t.db.customerInsightWrite.count({ where: { shopId } })).toBe(2);
  });

  it("removes only what was recorded: a tag alone when only tags were written", async () => {
    await optIn(true, false);
    await bulkWrite();
    await deliverRedact("3").then((q) => drain(1).finally(() => q.close()));
    expect(direct().map((r) => r.variables)).toEqual([{ id: gid("3"), tags: ["affinity:new"] }]);
    expect(tagsOf("3")).toEqual([]);
  });

  it("queues nothing and calls Shopify for nothing when the shop never opted in", async () => {
    const queue = await deliverRedact("1");
    expect(await queue.getJobCounts("waiting", "delayed", "active")).toEqual({ waiting: 0, delayed: 0, active: 0 });
    await queue.close();
    expect(standIn.requests).toEqual([]);
    expect(await t.db.customer.count({ where: { shopId, shopifyId: "1" } })).toBe(0);
  });

  it("a customer Shopify no longer has counts as done, and the record goes", async () => {
    await optIn(true, true);
    await bulkWrite();
    standIn.config.customers.delete("2"); // deleted in Shopify after the write
    const queue = await deliverRedact("2");
    const [job] = await drain(1);
    await queue.close();
    expect(job!.returnvalue).toEqual({ sent: 1, gone: true });
    // The tag removal already told us; no metafield delete is sent for a customer that is not there.
    expect(direct()).toHaveLength(1);
    expect(await t.db.customerInsightWrite.count({ where: { shopId, customerShopifyId: "2" } })).toBe(0);
  });

  it("a 5xx from Shopify fails the attempt, BullMQ retries it, and nothing is lost", async () => {
    await optIn(true, true);
    await bulkWrite();
    const queue = await deliverRedact("1");
    standIn.config.failNext.push(500);
    const [job] = await drain(1);
    await queue.close();
    expect(job!.attemptsMade).toBe(2);
    // The failed tagsRemove, then its retry and the metafield delete.
    expect(direct().map((r) => r.variables.id ?? "metafields")).toEqual([gid("1"), gid("1"), "metafields"]);
    expect(tagsOf("1")).toEqual([]);
    expect(metafieldKeysOf("1")).toEqual([]);
    expect(await t.db.customerInsightWrite.count({ where: { shopId, customerShopifyId: "1" } })).toBe(0);
  });

  it("Shopify throttling (THROTTLED) is retried the same way, and the record goes only once Shopify confirmed", async () => {
    await optIn(true, false);
    await bulkWrite();
    const queue = await deliverRedact("3");
    standIn.config.failNext.push("THROTTLED");
    const [job] = await drain(1);
    await queue.close();
    expect(job!.attemptsMade).toBe(2);
    expect(direct()).toHaveLength(2);
    expect(tagsOf("3")).toEqual([]);
    expect(await t.db.customerInsightWrite.count({ where: { shopId, customerShopifyId: "3" } })).toBe(0);
  });
});
