import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Worker, type Job } from "bullmq";
import { openAppConnection } from "../../app/lib/admin/connection.server";
import { createLogger } from "../../app/lib/logger.server";
import { OfflineTokenError } from "../../app/lib/shopify/token-errors";
import { createOfflineTokens, type OfflineTokens } from "../../app/lib/shopify/offline-tokens.server";
import { clearReconnectRequired } from "../../app/lib/shops/reconnect.server";
import { tokenApi, type TokenApiConfig } from "../../app/lib/shopify/shopify-api.server";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createRedis, type RedisClient } from "../../app/lib/redis.server";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { createBackfillProcessor, type BackfillJobData } from "../../workers/processors/backfill";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import { storeOfflineSession } from "../helpers/admin-session";
import { graphqlOrder, graphqlProduct } from "../helpers/bulk-fixtures";
import { redirectShopifyTo, type ShopifyRedirect } from "../helpers/shopify-network";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const LEGACY_TOKEN = "shpat_offline_test_token"; // the non-expiring token storeOfflineSession stores
const HOUR = 3600_000;
const log = createLogger("silent");
const config = process.env as unknown as TokenApiConfig;
let shopNumber = 0;

describe.each(DATABASE_KINDS)("expiring offline tokens against Shopify's token endpoint, on %s", (kind) => {
  let t: TestDb;
  let redis: RedisClient;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let standIn: AdminApiStandIn;
  let network: ShopifyRedirect;
  let shop: string;
  /** Shopify's clock and the app's, moved apart or together by the test. */
  const clocks = { shopify: 0, app: 0 };

  beforeAll(async () => {
    t = await createTestDb(kind);
    redis = createRedis(process.env.REDIS_URL!, "worker");
  });
  afterAll(async () => {
    redis.disconnect();
    await t.drop();
  });
  beforeEach(async () => {
    ({ prefix, cleanup } = createTestPrefix());
    clocks.shopify = 0;
    clocks.app = 0;
    standIn = await startAdminApiStandIn({
      accessToken: LEGACY_TOKEN,
      products: [graphqlProduct(1), graphqlProduct(2)],
      orders: [graphqlOrder(1, { createdAt: "2026-10-01T10:00:00Z" })],
      pollsUntilDone: 2,
      now: () => Date.now() + clocks.shopify,
    });
    network = redirectShopifyTo(standIn.origin);
    shop = `tokens-${kind}-${++shopNumber}.myshopify.com`;
    await recordInstall(t.db, shop);
    await storeOfflineSession(t.db, shop);
  });
  afterEach(async () => {
    network.restore();
    await standIn.close();
    await cleanup();
    expect(network.blocked).toEqual([]);
  });

  const tokensFor = (options: { timeoutMs?: number } = {}) =>
    createOfflineTokens({
      db: t.db,
      redis,
      prefix,
      api: tokenApi(config, log, options.timeoutMs),
      log,
      now: () => Date.now() + clocks.app,
    });
  const session = () => t.db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
  const shopRow = () => t.db.shop.findUniqueOrThrow({ where: { domain: shop } });
  const grants = (type: string) => standIn.tokens.requests.filter((r) => r.shop === shop && r.grantType.includes(type));
  const advance = (ms: number, which: "both" | "shopify" = "both") => {
    clocks.shopify += ms;
    if (which === "both") clocks.app += ms;
  };
  const processor = (tokens: OfflineTokens) =>
    createBackfillProcessor({
      db: t.db,
      log,
      tokens,
      months: 12,
      pollIntervalMs: 5,
      reconnectRetryMs: 60_000,
      now: () => new Date("2026-11-28T00:00:00Z"),
    });
  const fakeJob = (onProgress: () => void = () => undefined) =>
    ({
      id: `backfill-${shop}`,
      name: "backfill",
      data: { shop },
      opts: { attempts: 5 },
      attemptsMade: 0,
      timestamp: Date.now(),
      updateProgress: vi.fn(async () => onProgress()),
    }) as unknown as Job<BackfillJobData>;

  it("given a stored non-expiring token, opening the app exchanges it once for an expiring pair", async () => {
    const tokens = tokensFor();
    const state = await openAppConnection(t.db, tokens, { shop, isOnline: false, expires: undefined });
    expect(state).toBeNull();

    const stored = await session();
    expect(stored.accessToken).not.toBe(LEGACY_TOKEN);
    expect(stored.refreshToken).toMatch(/^shprt_/);
    expect(stored.expires!.getTime() - (Date.now() + clocks.app)).toBeGreaterThan(HOUR - 60_000);
    expect(stored.refreshTokenExpires!.getTime()).toBeGreaterThan(stored.expires!.getTime());
    expect(grants("token-exchange")).toEqual([{ shop, grantType: expect.any(String), status: 200 }]);
    // The old token no longer opens the Admin API; the new one does, and is not renewed again.
    expect(standIn.tokens.accepts(shop, LEGACY_TOKEN)).toBe(false);
    expect(await tokens.accessToken(shop)).toBe(stored.accessToken);
    expect(standIn.tokens.requests).toHaveLength(1);
  });

  it("a backfill that spans an access token's expiry completes: a 401 renews the token and the call is retried", async () => {
    const tokens = tokensFor();
    await tokens.accessToken(shop); // migrated: an expiring pair
    let crossed = false;
    // Shopify's clock passes the hour while the import runs; the app's does not notice.
    const job = fakeJob(() => {
      if (!crossed) advance(HOUR + 1_000, "shopify");
      crossed = true;
    });
    const result = await processor(tokens)(job, "token");
    expect(result).toMatchObject({
      products: { status: "completed", recordsImported: 2 },
      orders: { status: "completed", recordsImported: 1 },
    });
    expect(standIn.rejected).toEqual([shop]);
    expect(grants("refresh_token")).toEqual([{ shop, grantType: "refresh_token", status: 200 }]);
    expect(standIn.tokens.accepts(shop, (await session()).accessToken)).toBe(true);
  });

  it("renews before the call when the app's clock says the token is about to expire", async () => {
    const tokens = tokensFor();
    const first = await tokens.accessToken(shop);
    advance(HOUR - 4 * 60_000); // 4 minutes left: inside the 5-minute margin
    const second = await tokens.accessToken(shop);
    expect(second).not.toBe(first);
    expect(grants("refresh_token")).toHaveLength(1);
    expect(standIn.rejected).toEqual([]);
  });

  it("two workers racing to renew the same shop: one refresh, both get the new token, one pair stored", async () => {
    const [a, b] = [tokensFor(), tokensFor()];
    const old = await a.accessToken(shop);
    const oldRefresh = (await session()).refreshToken;
    advance(HOUR);
    standIn.tokens.setDelay(150); // the first refresh is still in flight when the second asks

    const [fromA, fromB] = await Promise.all([a.accessToken(shop), b.accessToken(shop)]);
    expect(fromA).toBe(fromB);
    expect(fromA).not.toBe(old);
    expect(grants("refresh_token")).toHaveLength(1);
    const stored = await session();
    expect(stored.accessToken).toBe(fromA);
    expect(standIn.tokens.usableRefreshTokens(shop)).toEqual([oldRefresh, stored.refreshToken]);

    // Both hit a 401 with the same token: still one refresh between them.
    advance(HOUR, "shopify");
    const [again, alsoAgain] = await Promise.all([a.replaceRejected(shop, fromA), b.replaceRejected(shop, fromA)]);
    expect(again).toBe(alsoAgain);
    expect(grants("refresh_token")).toHaveLength(2);
    expect(standIn.tokens.accepts(shop, again)).toBe(true);
  });

  it("a malformed stored access token is replaced through the refresh token and the job completes", async () => {
    const tokens = tokensFor();
    await tokens.accessToken(shop);
    await t.db.session.update({ where: { id: `offline_${shop}` }, data: { accessToken: "not a token" } });
    await expect(processor(tokens)(fakeJob(), "token")).resolves.toMatchObject({
      products: { status: "completed" },
    });
    expect(grants("refresh_token")).toHaveLength(1);
  });

  describe("on a real queue", () => {
    let worker: Worker | undefined;
    afterEach(async () => {
      await worker?.close();
      worker = undefined;
    });

    function startQueue(tokens: OfflineTokens, attempts = 4) {
      const queue = createQueue(QUEUE_NAMES.backfill, redis, prefix);
      worker = new Worker(QUEUE_NAMES.backfill, processor(tokens), {
        connection: createRedis(process.env.REDIS_URL!, "worker"),
        prefix,
      });
      const add = () =>
        queue.add(
          "backfill",
          { shop },
          { jobId: `backfill-${shop}`, attempts, backoff: { type: "exponential", delay: 50 } },
        );
      return { queue, add };
    }

    async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
      for (let i = 0; i < 600; i++) {
        const value = await read();
        if (done(value)) return value;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error("timed out waiting");
    }

    it("a revoked grant puts the shop in the reconnect state; the job waits with its payload and runs after reconnecting", async () => {
      const tokens = tokensFor();
      await tokens.accessToken(shop);
      standIn.tokens.revoke(shop);
      advance(HOUR);
      const { queue, add } = startQueue(tokens);
      const job = await add();

      expect(
        await until(
          () => job.getState(),
          (s) => s === "delayed",
        ),
      ).toBe("delayed");
      const waiting = (await queue.getJob(job.id!))!;
      expect(waiting.data).toEqual({ shop });
      expect(waiting.attemptsMade).toBe(0);
      expect(await shopRow()).toMatchObject({ status: "installed", reconnectReason: "revoked" });
      expect((await shopRow()).reconnectRequiredAt).toBeInstanceOf(Date);
      // Expired, so the next app open runs a token exchange.
      expect((await session()).expires!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(await openAppConnection(t.db, tokens, { shop, isOnline: false, expires: new Date() })).toMatchObject({
        reason: "revoked",
      });

      // The merchant opens the app: a token exchange stores a fresh token and afterAuth clears the state.
      standIn.tokens.reinstall(shop);
      await storeOfflineSession(t.db, shop);
      await clearReconnectRequired(t.db, shop);
      await waiting.promote();
      expect(
        await until(
          () => job.getState(),
          (s) => s === "completed",
        ),
      ).toBe("completed");
      expect(await t.db.product.count({ where: { shopId: (await shopRow()).id } })).toBe(2);
      await queue.close();
    });

    it("a token endpoint answering 5xx or timing out: the job retries with backoff and completes", async () => {
      const tokens = tokensFor({ timeoutMs: 300 });
      await tokens.accessToken(shop);
      advance(HOUR);
      standIn.tokens.failures.push("5xx", "timeout", "5xx");
      const { queue, add } = startQueue(tokens, 5);
      const job = await add();

      expect(
        await until(
          () => job.getState(),
          (s) => s === "completed" || s === "failed",
        ),
      ).toBe("completed");
      expect((await queue.getJob(job.id!))!.attemptsMade).toBeGreaterThanOrEqual(3);
      expect(grants("refresh_token").map((r) => r.status)).toEqual([503, "no answer", 503, 200]);
      expect((await shopRow()).reconnectRequiredAt).toBeNull();
      await queue.close();
    });

    it("a token endpoint that keeps failing: on the last attempt the shop shows the reconnect state and the job waits", async () => {
      const tokens = tokensFor();
      await tokens.accessToken(shop);
      advance(HOUR);
      standIn.tokens.failures.push(...Array<"5xx">(10).fill("5xx"));
      const { queue, add } = startQueue(tokens, 3);
      const job = await add();

      expect(
        await until(
          () => job.getState(),
          (s) => s === "delayed" && grants("refresh_token").length >= 3,
        ),
      ).toBe("delayed");
      expect(await shopRow()).toMatchObject({ status: "installed", reconnectReason: "unavailable" });
      expect((await queue.getJob(job.id!))!.data).toEqual({ shop });
      expect(await queue.getJobCounts("failed")).toEqual({ failed: 0 });
      await queue.close();
    });
  });

  it("a refresh Shopify refuses surfaces as OfflineTokenError(revoked), never as uninstalled", async () => {
    const tokens = tokensFor();
    await tokens.accessToken(shop);
    standIn.tokens.revoke(shop);
    advance(HOUR);
    const failure = await tokens.accessToken(shop).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OfflineTokenError);
    expect(failure).toMatchObject({ reason: "revoked", shop });
    expect((await shopRow()).status).toBe("installed");
  });
});
