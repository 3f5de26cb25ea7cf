import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { UnrecoverableError, type Job } from "bullmq";
import { createLogger } from "../../app/lib/logger.server";
import { createRedis, type RedisClient } from "../../app/lib/redis.server";
import { createAdminGraphql, AdminApiError } from "../../app/lib/shopify/admin-client.server";
import { createOfflineTokens } from "../../app/lib/shopify/offline-tokens.server";
import { tokenApi, type TokenApiConfig } from "../../app/lib/shopify/shopify-api.server";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { saveChurnSettings } from "../../app/lib/churn/store.server";
import { DEFAULT_CHURN_SETTINGS } from "../../app/lib/churn/settings";
import { customerReport, redactCustomer } from "../../app/lib/sync/compliance.server";
import { BulkOperationEndedError } from "../../app/lib/sync/backfill-errors";
import { runInsightWrite } from "../../app/lib/insights/write.server";
import type { InsightWriteJobData } from "../../app/lib/insights/write-job.server";
import { createInsightWriteProcessor } from "../../workers/processors/insight-write";
import { activateRun, writeRunLists } from "../../app/lib/storefront-store/run-lists.server";
import { storeOfflineSession } from "../helpers/admin-session";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import { createCustomerStore, MAX_TAGS } from "../helpers/customer-insights-stand-in";
import { redirectShopifyTo, type ShopifyRedirect } from "../helpers/shopify-network";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const TOKEN = "shpat_offline_test_token"; // what storeOfflineSession stores
const NS = "$app:affinity";
const log = createLogger("silent");
let shopNumber = 0;

const gid = (id: string) => `gid://shopify/Customer/${id}`;

describe.each(DATABASE_KINDS)("writing customer insights to Shopify through bulk mutations, on %s", (kind) => {
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
    // Customers 1–4 exist in Shopify; 5 was deleted there after its orders were imported.
    standIn = await startAdminApiStandIn({
      accessToken: TOKEN,
      pollsUntilDone: 2,
      customers: createCustomerStore(["1", "2", "3", "4"]),
    });
    network = redirectShopifyTo(standIn.origin);
    shop = `insights-${kind}-${++shopNumber}.myshopify.com`;
    shopId = (await recordInstall(t.db, shop)).id;
    await predict({
      "1": ["at_risk", 0.81234, "2026-12-20"],
      "2": ["champion", 0.1, "2026-12-10"],
      "3": ["new", 0.5, "2027-01-05"],
      "5": ["lapsed", 0.9, "2026-10-01"],
    });
  });
  afterEach(async () => {
    network.restore();
    await standIn.close();
    expect(network.blocked).toEqual([]);
  });

  /** Replaces the shop's predictions, as a churn run does. */
  async function predict(rows: Record<string, [string, number, string]>) {
    const run = await t.db.churnRun.create({ data: { shopId, horizonDays: 60, served: "model", reason: "test" } });
    await t.db.churnPrediction.deleteMany({ where: { shopId } });
    await t.db.churnPrediction.createMany({
      data: Object.entries(rows).map(([id, [segment, risk, next]]) => ({
        shopId,
        customerShopifyId: id,
        runId: run.id,
        segment,
        risk,
        expectedNextAt: new Date(`${next}T00:00:00Z`),
        value: 100,
      })),
    });
  }
  const optIn = (tags: boolean, metafields: boolean) =>
    saveChurnSettings(t.db, shopId, { ...DEFAULT_CHURN_SETTINGS, tagsEnabled: tags, metafieldsEnabled: metafields });
  const write = () => {
    const { request } = createAdminGraphql({ shop, accessToken: TOKEN });
    return runInsightWrite({ db: t.db, admin: request, shopId, log, pollIntervalMs: 5 });
  };
  const tagsOf = (id: string) => [...(standIn.config.customers.get(id)?.tags ?? [])].sort();
  const metafieldsOf = (id: string) =>
    Object.fromEntries([...(standIn.config.customers.get(id)?.metafields ?? [])].map(([k, v]) => [k, v.value]));
  const writtenRows = () =>
    t.db.customerInsightWrite.findMany({ where: { shopId }, orderBy: { customerShopifyId: "asc" } });

  it("with nothing opted in (the default), sends nothing", async () => {
    const run = await write();
    expect(run).toMatchObject({ status: "completed", written: 0, failed: 0 });
    expect(standIn.bulkMutations()).toEqual([]);
    expect(standIn.requests).toEqual([]);
  });

  it("sends exactly one tagsAdd and one metafieldsSet operation for a small shop, and records the deleted customer", async () => {
    await optIn(true, true);
    const run = await write();

    expect(standIn.bulkMutations()).toEqual([
      {
        mutation: "tagsAdd",
        lines: [
          { id: gid("1"), tags: ["affinity:at-risk"] },
          { id: gid("2"), tags: ["affinity:champion"] },
          { id: gid("3"), tags: ["affinity:new"] },
          { id: gid("5"), tags: ["affinity:lapsed"] },
        ],
      },
      {
        mutation: "metafieldsSet",
        lines: ["1", "2", "3"].map((id) => ({
          metafields: [
            { ownerId: gid(id), namespace: NS, key: "churn_risk", type: "number_decimal", value: expect.any(String) },
            {
              ownerId: gid(id),
              namespace: NS,
              key: "segment",
              type: "single_line_text_field",
              value: expect.any(String),
            },
            { ownerId: gid(id), namespace: NS, key: "expected_next_order", type: "date", value: expect.any(String) },
          ],
        })),
      },
    ]);
    // The staged file went through stagedUploadsCreate and a multipart upload, once per operation.
    expect(standIn.requests.filter((r) => r.kind === "stage")).toHaveLength(2);
    expect(standIn.requests.find((r) => r.kind === "stage")?.variables).toEqual({
      input: [
        {
          resource: "BULK_MUTATION_VARIABLES",
          filename: "affinity-insights.jsonl",
          mimeType: "text/jsonl",
          httpMethod: "POST",
        },
      ],
    });
    expect(tagsOf("1")).toEqual(["affinity:at-risk"]);
    expect(metafieldsOf("1")).toEqual({
      [`${NS}.churn_risk`]: "0.812",
      [`${NS}.segment`]: "at_risk",
      [`${NS}.expected_next_order`]: "2026-12-20",
    });
    expect(tagsOf("4")).toEqual([]);
    expect(run).toMatchObject({ status: "completed", written: 6, failed: 1, bulkOperationId: null });
    const rows = await writtenRows();
    expect(rows.map((r) => [r.customerShopifyId, r.tag, r.gone])).toEqual([
      ["1", "affinity:at-risk", false],
      ["2", "affinity:champion", false],
      ["3", "affinity:new", false],
      ["5", null, true],
    ]);
    expect(rows[3]!.lastError).toBe("Customer does not exist");
    // A data request shows what was written to the customer in Shopify.
    const report = await customerReport(t.db, shopId, "1", {});
    expect(report.writtenToShopify).toEqual([
      expect.objectContaining({ customerShopifyId: "1", tag: "affinity:at-risk", redacted: false, gone: false }),
    ]);
  });

  it("a second run sends only what changed: the old segment tag removed, the new one added", async () => {
    await optIn(true, true);
    await write();
    const before = standIn.operations.length;
    await predict({
      "1": ["active", 0.3, "2026-12-20"], // no longer at risk
      "2": ["champion", 0.1, "2026-12-10"],
      "3": ["new", 0.5, "2027-01-05"],
      "5": ["lapsed", 0.9, "2026-10-01"],
    });
    await write();

    expect(standIn.bulkMutations().slice(before)).toEqual([
      { mutation: "tagsRemove", lines: [{ id: gid("1"), tags: ["affinity:at-risk"] }] },
      { mutation: "tagsAdd", lines: [{ id: gid("1"), tags: ["affinity:active"] }] },
      {
        mutation: "metafieldsSet",
        lines: [{ metafields: expect.arrayContaining([expect.objectContaining({ key: "segment", value: "active" })]) }],
      },
    ]);
    expect(tagsOf("1")).toEqual(["affinity:active"]);

    // Nothing changed: nothing sent, and the deleted customer is not tried again.
    const settled = standIn.requests.length;
    expect(await write()).toMatchObject({ status: "completed", written: 0, failed: 0 });
    expect(standIn.requests.slice(settled)).toEqual([]);
  });

  it("a customer Shopify refuses for another reason keeps its error, the rest is written, and the next run tries it again", async () => {
    // Customer 2 already carries as many tags as Shopify allows: its tagsAdd line is refused.
    const full = standIn.config.customers.get("2")!;
    for (let i = 0; i < MAX_TAGS; i++) full.tags.add(`merchant-tag-${i}`);
    await optIn(true, false);
    const run = await write();
    expect(run).toMatchObject({ status: "completed", written: 2, failed: 2 });
    expect(tagsOf("1")).toEqual(["affinity:at-risk"]);
    expect(tagsOf("3")).toEqual(["affinity:new"]);
    const refused = (await writtenRows()).find((r) => r.customerShopifyId === "2")!;
    expect([refused.tag, refused.gone, refused.lastError]).toEqual([null, false, `Tags can't exceed ${MAX_TAGS}`]);

    // The merchant frees a tag: the next run sends customer 2 alone, and not the deleted customer 5.
    full.tags.delete("merchant-tag-0");
    const before = standIn.operations.length;
    expect(await write()).toMatchObject({ status: "completed", written: 1, failed: 0 });
    expect(standIn.bulkMutations().slice(before)).toEqual([
      { mutation: "tagsAdd", lines: [{ id: gid("2"), tags: ["affinity:champion"] }] },
    ]);
    const retried = (await writtenRows()).find((r) => r.customerShopifyId === "2")!;
    expect([retried.tag, retried.lastError]).toEqual(["affinity:champion", null]);
  });

  it("turning an action off removes what it wrote", async () => {
    await optIn(true, true);
    await write();
    await optIn(false, true);
    await write();
    expect(standIn.bulkMutations().at(-1)).toEqual({
      mutation: "tagsRemove",
      lines: [
        { id: gid("1"), tags: ["affinity:at-risk"] },
        { id: gid("2"), tags: ["affinity:champion"] },
        { id: gid("3"), tags: ["affinity:new"] },
      ],
    });
    expect(["1", "2", "3"].map(tagsOf)).toEqual([[], [], []]);
    expect(Object.keys(metafieldsOf("2"))).toHaveLength(3);

    await optIn(false, false);
    await write();
    expect(standIn.bulkMutations().at(-1)?.mutation).toBe("metafieldsDelete");
    expect(["1", "2", "3"].map(metafieldsOf)).toEqual([{}, {}, {}]);
    // Only the deleted customer's record is kept, so it is never tried again.
    expect((await writtenRows()).map((r) => r.customerShopifyId)).toEqual(["5"]);
  });

  it("customers/redact removes the customer's tag and metafields at the next write, then forgets the customer", async () => {
    await optIn(true, true);
    await write();
    await redactCustomer(t.db, shopId, "2");
    expect(
      await t.db.customerInsightWrite.findUnique({
        where: { shopId_customerShopifyId: { shopId, customerShopifyId: "2" } },
      }),
    ).toMatchObject({ redacted: true, tag: "affinity:champion" });
    await write();

    expect(tagsOf("2")).toEqual([]);
    expect(metafieldsOf("2")).toEqual({});
    expect(tagsOf("1")).toEqual(["affinity:at-risk"]);
    expect((await writtenRows()).map((r) => r.customerShopifyId)).not.toContain("2");
    expect(await t.db.churnPrediction.count({ where: { shopId, customerShopifyId: "2" } })).toBe(0);
  });

  it("a bulk mutation that fails halfway: what it confirmed is kept, and the next run sends only the rest", async () => {
    await optIn(true, false);
    standIn.config.failMutationAfterLines = 2;
    const failure = await write().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BulkOperationEndedError);
    expect(failure).toMatchObject({ retryable: true });
    expect((await writtenRows()).map((r) => [r.customerShopifyId, r.tag])).toEqual([
      ["1", "affinity:at-risk"],
      ["2", "affinity:champion"],
    ]);
    const run = await t.db.insightWriteRun.findFirstOrThrow({ where: { shopId } });
    expect(run).toMatchObject({ status: "running", written: 2 });
    expect(run.error).toContain("FAILED (INTERNAL_SERVER_ERROR)");

    await write();
    expect(standIn.bulkMutations().at(-1)).toEqual({
      mutation: "tagsAdd",
      lines: [
        { id: gid("3"), tags: ["affinity:new"] },
        { id: gid("5"), tags: ["affinity:lapsed"] },
      ],
    });
    expect(await t.db.insightWriteRun.findFirstOrThrow({ where: { id: run.id } })).toMatchObject({
      status: "completed",
      written: 3,
      failed: 1,
    });
  });

  it("a job that died while its bulk mutation ran: the retry reads that operation's results, and sends nothing again", async () => {
    await optIn(true, false);
    // The operation is started, then the job's first poll fails: the job ends with the operation in flight.
    standIn.config.failNextPoll = 500;
    expect(await write().catch((e: unknown) => e)).toMatchObject({ retryable: true, status: 500 });
    const inFlight = await t.db.insightWriteRun.findFirstOrThrow({ where: { shopId } });
    expect(inFlight).toMatchObject({ status: "running", step: "tagsAdd", bulkOperationId: expect.any(String) });
    expect(await writtenRows()).toEqual([]);

    const run = await write();
    // One tagsAdd operation in all: the retry finished the one in flight rather than starting another.
    expect(standIn.bulkMutations().map((m) => m.mutation)).toEqual(["tagsAdd"]);
    expect(run).toMatchObject({ id: inFlight.id, status: "completed", written: 3, failed: 1, bulkOperationId: null });
    expect((await writtenRows()).map((r) => [r.customerShopifyId, r.tag, r.gone])).toEqual([
      ["1", "affinity:at-risk", false],
      ["2", "affinity:champion", false],
      ["3", "affinity:new", false],
      ["5", null, true],
    ]);
  });

  it("a throttled or failing Admin API stops the run with a retryable error and loses nothing", async () => {
    await optIn(true, false);
    standIn.config.failNext.push("THROTTLED");
    const throttled = await write().catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(AdminApiError);
    expect(throttled).toMatchObject({ retryable: true, codes: ["THROTTLED"] });

    standIn.config.failNext.push(500);
    expect(await write().catch((e: unknown) => e)).toMatchObject({ retryable: true, status: 500 });
    expect(await writtenRows()).toEqual([]);

    expect(await write()).toMatchObject({ status: "completed", written: 3, failed: 1 });
    expect(tagsOf("3")).toEqual(["affinity:new"]);
  });

  describe("the job", () => {
    let redis: RedisClient;
    let prefix: string;
    let cleanup: () => Promise<void>;
    beforeAll(() => {
      redis = createRedis(process.env.REDIS_URL!, "worker");
    });
    afterAll(() => redis.disconnect());
    beforeEach(() => {
      ({ prefix, cleanup } = createTestPrefix());
    });
    afterEach(async () => cleanup());

    const tokens = () =>
      createOfflineTokens({
        db: t.db,
        redis,
        prefix,
        api: tokenApi(process.env as unknown as TokenApiConfig, log),
        log,
      });
    const job = (data: InsightWriteJobData) =>
      ({
        id: `insight-write-${data.shop}`,
        name: "insight-write",
        data,
        timestamp: Date.now(),
        opts: { attempts: 6 },
        attemptsMade: 0,
        updateProgress: vi.fn(async () => undefined),
        moveToDelayed: vi.fn(async () => undefined),
      }) as unknown as Job<InsightWriteJobData> & { moveToDelayed: ReturnType<typeof vi.fn> };

    it("writes through the kept-fresh token, with each customer's served recommendations still in the catalog, and reports progress", async () => {
      await storeOfflineSession(t.db, shop);
      await optIn(true, true);
      for (const [id, deletedAt] of [
        ["7001", null],
        ["7002", new Date()],
        ["7003", null],
      ] as const) {
        await t.db.product.create({
          data: { shopId, shopifyId: id, title: `P${id}`, handle: `p${id}`, shopifyUpdatedAt: new Date(), deletedAt },
        });
      }
      await writeRunLists(redis, prefix, shop, "run-1", {
        forCustomer: new Map([["1", ["7003", "7002", "7001"]]]),
        related: new Map(),
        popular: [],
      });
      await activateRun(redis, prefix, shop, "run-1");
      const queued = job({ shop });
      const result = await createInsightWriteProcessor({
        db: t.db,
        redis,
        prefix,
        log,
        tokens: tokens(),
        pollIntervalMs: 5,
      })(queued, "lock");
      expect(result).toMatchObject({ written: 6, failed: 1 });
      // 7002 was deleted from the catalog: Shopify would refuse the reference, so it is left out.
      expect(metafieldsOf("1")[`${NS}.recommended_products`]).toBe(
        JSON.stringify(["gid://shopify/Product/7003", "gid://shopify/Product/7001"]),
      );
      // No list for customer 2: no recommended_products metafield, the other three are written.
      expect(Object.keys(metafieldsOf("2"))).toHaveLength(3);
      expect(queued.updateProgress).toHaveBeenCalledWith(expect.objectContaining({ step: "tagsAdd" }));
    });

    it("a shop with no row (redacted after uninstall) fails for good, naming the shop, without calling Shopify", async () => {
      const failure = await createInsightWriteProcessor({ db: t.db, redis, prefix, log, tokens: tokens() })(
        job({ shop: "gone-shop.myshopify.com" }),
        "lock",
      ).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(UnrecoverableError);
      expect((failure as Error).message).toContain("gone-shop.myshopify.com");
      expect(standIn.requests).toEqual([]);
    });

    it("a revoked grant puts the shop in the reconnect state; the job waits, and its run resumes later", async () => {
      await storeOfflineSession(t.db, shop);
      await optIn(true, false);
      const fresh = tokens();
      await fresh.accessToken(shop);
      standIn.tokens.revoke(shop);
      const queued = job({ shop });
      const failure = await createInsightWriteProcessor({
        db: t.db,
        redis,
        prefix,
        log,
        tokens: fresh,
        pollIntervalMs: 5,
      })(queued, "lock").catch((e: unknown) => e);
      expect((failure as Error).name).toBe("DelayedError");
      expect(queued.moveToDelayed).toHaveBeenCalledOnce();
      expect(await t.db.shop.findUniqueOrThrow({ where: { domain: shop } })).toMatchObject({
        reconnectReason: "revoked",
      });
      expect(await writtenRows()).toEqual([]);
      expect(tagsOf("1")).toEqual([]);
    });
  });
});
