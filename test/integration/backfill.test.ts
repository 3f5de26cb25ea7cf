import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { createLogger } from "../../app/lib/logger.server";
import { createOfflineTokens } from "../../app/lib/shopify/offline-tokens.server";
import { tokenApi, type TokenApiConfig } from "../../app/lib/shopify/shopify-api.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createRedis } from "../../app/lib/redis.server";
import { createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { BulkOperationEndedError } from "../../app/lib/sync/backfill-errors";
import { runBackfill, type BackfillProgress, type RunBackfillOptions } from "../../app/lib/sync/backfill.server";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { createBackfillProcessor, enqueueBackfill, type BackfillJobData } from "../../workers/processors/backfill";
import { storeOfflineSession } from "../helpers/admin-session";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import { graphqlOrder, graphqlProduct } from "../helpers/bulk-fixtures";
import { redirectShopifyTo, type ShopifyRedirect } from "../helpers/shopify-network";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const TOKEN = "shpat_offline_test_token"; // what storeOfflineSession stores
const SINCE = new Date("2025-12-01T00:00:00Z");
const log = createLogger("silent");
let shopNumber = 0;

describe.each(DATABASE_KINDS)("install backfill against the Admin API stand-in, on %s", (kind) => {
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
      products: [graphqlProduct(1), graphqlProduct(2), graphqlProduct(3)],
      orders: [
        graphqlOrder(1, { createdAt: "2026-01-15T10:00:00Z" }),
        graphqlOrder(2, { createdAt: "2026-06-01T10:00:00Z", lines: 3 }),
        graphqlOrder(3, { createdAt: "2026-11-20T10:00:00Z", lines: 1 }),
        graphqlOrder(4, { createdAt: "2025-03-01T10:00:00Z" }), // older than SINCE
      ],
    });
    network = redirectShopifyTo(standIn.origin);
    shop = `backfill-${kind}-${++shopNumber}.myshopify.com`;
    shopId = await ensureShopId(t.db, shop);
  });
  afterEach(async () => {
    network.restore();
    await standIn.close();
    expect(network.blocked).toEqual([]);
  });

  function run(resource: RunBackfillOptions["resource"], extra: Partial<RunBackfillOptions> = {}) {
    const { request } = createAdminGraphql({ shop, accessToken: TOKEN });
    return runBackfill({ db: t.db, admin: request, shopId, resource, since: SINCE, log, pollIntervalMs: 5, ...extra });
  }
  const row = (resource: string) =>
    t.db.backfill.findUniqueOrThrow({ where: { shopId_resource: { shopId, resource } } });
  const counts = async () => ({
    products: await t.db.product.count({ where: { shopId } }),
    variants: await t.db.variant.count({ where: { shopId } }),
    orders: await t.db.order.count({ where: { shopId } }),
    lines: await t.db.orderLine.count({ where: { shopId } }),
  });

  it("imports products with variants and recent orders with lines into this shop, recording progress", async () => {
    const progress: BackfillProgress[] = [];
    await run("products", { onProgress: (p) => void progress.push(p) });
    await run("orders");

    expect(await counts()).toEqual({ products: 3, variants: 6, orders: 3, lines: 6 });
    const product = await t.db.product.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId, shopifyId: "1002" } },
      include: { variants: true },
    });
    expect(product).toMatchObject({
      title: "Product 2",
      tags: "summer, cotton",
      status: "active",
      imageUrl: "https://cdn.shopify.com/p2.jpg",
    });
    expect(product.variants.map((v) => [v.shopifyId, v.price.toString(), v.available]).sort()).toEqual([
      ["10021", "19.9", true],
      ["10022", "19.9", false],
    ]);
    const order = await t.db.order.findUniqueOrThrow({
      where: { shopId_shopifyId: { shopId, shopifyId: "5002" } },
      include: { lines: true },
    });
    expect(order).toMatchObject({ name: "#1002", customerShopifyId: "702", financialStatus: "paid", currency: "EUR" });
    expect(order.lines).toHaveLength(3);

    expect(await row("products")).toMatchObject({
      status: "completed",
      objectCount: 9,
      linesImported: 9,
      recordsImported: 3,
      error: null,
    });
    expect(await row("orders")).toMatchObject({
      status: "completed",
      objectCount: 9,
      linesImported: 9,
      recordsImported: 3,
      since: SINCE,
    });
    const counted = progress.map((p) => p.objectCount);
    expect(counted).toEqual([...counted].sort((a, b) => a - b));
    expect(new Set(counted).size).toBeGreaterThan(2); // it grew while the operation ran
    expect(progress.at(-1)).toMatchObject({ status: "completed", recordsImported: 3 });

    expect(standIn.requests.every((r) => r.shop === shop)).toBe(true);
    expect(standIn.operations.every((op) => op.groupObjects)).toBe(true);
    // The result file is fetched from storage without the shop's token.
    expect(standIn.downloads).toHaveLength(2);
    expect(standIn.downloads.every((headers) => headers["x-shopify-access-token"] === undefined)).toBe(true);
  });

  it("asks Shopify only for orders created since the cut-off", async () => {
    await run("orders");
    expect(standIn.bulkQueries()).toHaveLength(1);
    expect(standIn.bulkQueries()[0]).toContain('orders(query: "created_at:>=2025-12-01T00:00:00Z")');
    expect(await t.db.order.findUnique({ where: { shopId_shopifyId: { shopId, shopifyId: "5004" } } })).toBeNull();
  });

  it("run twice, imports once: no second bulk operation and no duplicates; force re-imports in place", async () => {
    await run("products");
    const requests = standIn.requests.length;
    expect(await run("products")).toMatchObject({ status: "completed", recordsImported: 3 });
    expect(standIn.requests).toHaveLength(requests);

    await run("products", { force: true });
    expect(standIn.operations).toHaveLength(2);
    expect(await counts()).toMatchObject({ products: 3, variants: 6 });
    expect(await row("products")).toMatchObject({ status: "completed", recordsImported: 3 });
  });

  it("resumes an import whose download was cut off, from its last checkpoint", async () => {
    standIn.config.dropDownloadAfterLines = 5; // product 1 (lines 1-3) complete, product 2 cut short
    await expect(run("products", { checkpointEveryLines: 1 })).rejects.toMatchObject({
      name: "BackfillError",
      retryable: true,
    });
    expect(await row("products")).toMatchObject({
      status: "importing",
      linesImported: 3,
      recordsImported: 1,
      error: expect.stringContaining("download broke off"),
    });
    expect((await counts()).products).toBe(1);

    await run("products", { checkpointEveryLines: 1 });
    expect(await row("products")).toMatchObject({
      status: "completed",
      linesImported: 9,
      recordsImported: 3,
      error: null,
    });
    expect(await counts()).toMatchObject({ products: 3, variants: 6 });
    expect(standIn.operations).toHaveLength(1);
    expect(standIn.downloads).toHaveLength(2);
  });

  it("marks the row failed when the operation fails, and starts a new one on the next run", async () => {
    standIn.config.failWith = { errorCode: "INTERNAL_SERVER_ERROR" };
    const failure = await run("products").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BulkOperationEndedError);
    expect(failure).toMatchObject({ retryable: true });
    expect(await row("products")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/ended FAILED \(INTERNAL_SERVER_ERROR\)/),
    });

    standIn.config.failWith = undefined;
    await run("products");
    expect(standIn.operations).toHaveLength(2);
    expect(await row("products")).toMatchObject({ status: "completed", recordsImported: 3, error: null });
  });

  it("treats ACCESS_DENIED as final", async () => {
    standIn.config.failWith = { errorCode: "ACCESS_DENIED" };
    await expect(run("orders")).rejects.toMatchObject({ name: "BulkOperationEndedError", retryable: false });
    expect(await row("orders")).toMatchObject({ status: "failed", error: expect.stringContaining("ACCESS_DENIED") });
  });

  it("given an operation already in progress for the same query, polls that one instead of failing", async () => {
    standIn.config.alreadyInProgress = true;
    await run("orders");
    expect(standIn.operations).toHaveLength(1);
    expect(standIn.requests.filter((r) => r.kind === "list")).toHaveLength(1);
    expect(await row("orders")).toMatchObject({
      status: "completed",
      bulkOperationId: standIn.operations[0]!.id,
      recordsImported: 3,
    });
  });

  it("completes with zero records when Shopify has nothing (no result file)", async () => {
    standIn.config.products = [];
    expect(await run("products")).toMatchObject({ status: "completed", objectCount: 0, recordsImported: 0 });
    expect(standIn.downloads).toHaveLength(0);
  });

  describe("the backfill job", () => {
    const job = (data: BackfillJobData) =>
      ({
        id: `backfill-${data.shop}`,
        name: "backfill",
        data,
        timestamp: Date.now(),
        opts: { attempts: 5 },
        attemptsMade: 0,
        updateProgress: vi.fn(async () => undefined),
      }) as unknown as Job<BackfillJobData> & {
        updateProgress: ReturnType<typeof vi.fn>;
      };
    const redis = createRedis(process.env.REDIS_URL!, "worker");
    const { prefix, cleanup } = createTestPrefix();
    afterAll(async () => {
      redis.disconnect();
      await cleanup();
    });
    const processor = () =>
      createBackfillProcessor({
        db: t.db,
        log,
        tokens: createOfflineTokens({
          db: t.db,
          redis,
          prefix,
          api: tokenApi(process.env as unknown as TokenApiConfig),
        }),
        months: 12,
        pollIntervalMs: 5,
        now: () => new Date("2026-11-28T00:00:00Z"),
      });

    it("without an offline session, fails for good, naming the shop", async () => {
      const failure = await processor()(job({ shop: "never-installed.myshopify.com" }), "token").catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(UnrecoverableError);
      expect((failure as Error).message).toContain("never-installed.myshopify.com");
      expect(standIn.requests).toHaveLength(0);
    });

    it("imports products, then orders of the last BACKFILL_MONTHS months, reporting both on the job", async () => {
      await storeOfflineSession(t.db, shop);
      const queued = job({ shop });
      const result = await processor()(queued, "token");
      expect(result).toMatchObject({
        products: { status: "completed", recordsImported: 3 },
        orders: { status: "completed", recordsImported: 3 },
      });
      expect(standIn.bulkQueries()[1]).toContain("created_at:>=2025-11-28T00:00:00Z");
      expect(queued.updateProgress).toHaveBeenLastCalledWith(result);
      expect(await counts()).toEqual({ products: 3, variants: 6, orders: 3, lines: 6 });
    });

    it("reads the shop's IANA time zone from the Admin API before importing, and keeps UTC when it is unknown", async () => {
      await storeOfflineSession(t.db, shop);
      standIn.config.ianaTimezone = "Australia/Sydney";
      await processor()(job({ shop }), "token");
      expect(standIn.requests[0]?.kind).toBe("shop");
      expect(await t.db.shop.findUniqueOrThrow({ where: { id: shopId } })).toMatchObject({
        timeZone: "Australia/Sydney",
        timeZoneRejected: null,
      });
      standIn.config.ianaTimezone = "Not/A_Zone";
      await processor()(job({ shop, force: true }), "token");
      expect(await t.db.shop.findUniqueOrThrow({ where: { id: shopId } })).toMatchObject({
        timeZone: "UTC",
        timeZoneRejected: "Not/A_Zone",
      });
    });

    it("with force, re-imports what finished before the job was queued, and a retry does not redo it", async () => {
      await storeOfflineSession(t.db, shop);
      await processor()(job({ shop }), "token");
      expect(standIn.operations).toHaveLength(2);

      await new Promise((resolve) => setTimeout(resolve, 5)); // queued strictly after that import finished
      const forced = job({ shop, force: true });
      await processor()(forced, "token");
      expect(standIn.operations).toHaveLength(4);
      await processor()(forced, "token"); // the same job again, as BullMQ would retry it
      expect(standIn.operations).toHaveLength(4);
      expect(await counts()).toEqual({ products: 3, variants: 6, orders: 3, lines: 6 });
    });
  });
});

describe("enqueueBackfill on a real Redis", () => {
  const redisUrl = process.env.REDIS_URL!;
  const { prefix, cleanup } = createTestPrefix();
  const connection = createRedis(redisUrl, "worker");
  const queue = createQueue(QUEUE_NAMES.backfill, connection, prefix);
  afterAll(async () => {
    await queue.close();
    connection.disconnect();
    await cleanup();
  });

  it("adds one job for a double install, and a fresh one when the merchant reinstalls after it finished", async () => {
    const first = await enqueueBackfill(queue, "twice.myshopify.com");
    const again = await enqueueBackfill(queue, "twice.myshopify.com");
    expect(first.id).toBe("backfill-twice.myshopify.com");
    expect(again.id).toBe(first.id);
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });

    const worker = new Worker(QUEUE_NAMES.backfill, async () => "imported", {
      connection: createRedis(redisUrl, "worker"),
      prefix,
    });
    while ((await first.getState()) !== "completed") await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.close();

    // Kept by removeOnComplete, the finished job would make a plain add() a silent no-op.
    const reinstall = await enqueueBackfill(queue, "twice.myshopify.com", { force: true });
    expect(reinstall.id).toBe(first.id);
    expect(await reinstall.getState()).toBe("waiting");
    expect(reinstall.data).toEqual({ shop: "twice.myshopify.com", force: true });
  });
});
