import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gunzipSync, gzipSync } from "node:zlib";
import { Redis } from "ioredis";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createLogger } from "../../app/lib/logger.server";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { runKey, shopKey } from "../../app/lib/storefront-store/keys";
import { buildListsFor } from "../../app/lib/training/build-lists";
import { CLOCK_SKEW_MS, refreshServedLists } from "../../app/lib/training/rebuild-lists.server";
import {
  forgetRefreshCustomers,
  REFRESH_JOB_NAME,
  refreshCustomers,
  refreshWindow,
  requestListRefresh,
} from "../../app/lib/training/train-queue.server";
import { storeOfflineSession } from "../../dev/offline-session";
import { replayShop } from "../../scripts/demo/replay";
import { productIdFor } from "../../scripts/demo/shopify-payloads";
import { loadDemoSlice, type DemoOrder, type DemoShopData } from "../../scripts/demo/slice-data";
import { trainDemoShop } from "../../scripts/demo/train";
import type { Spawned } from "../helpers/child-process";
import { startAppProcess, startWorkerProcess, stopStack } from "../helpers/stack";
import { createSqliteTestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";
import { withRestoredRun } from "../helpers/restored-run";

const SHOP = "list-refresh.myshopify.com";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A new order of the slice's most active customer, for a product they never bought, after the slice's last order. */
function newOrderFor(data: DemoShopData): { order: DemoOrder; product: string } {
  const counts = new Map<string, number>();
  for (const o of data.orders) counts.set(o.customer, (counts.get(o.customer) ?? 0) + 1);
  const customer = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const bought = new Set(data.orders.filter((o) => o.customer === customer).flatMap((o) => o.lines.map((l) => l.code)));
  const product = data.products.find((p) => !bought.has(p.code))!;
  const last = data.orders.at(-1)!;
  const at = new Date(Date.parse(`${last.at}Z`) + 3_600_000).toISOString().slice(0, 19);
  const line = { code: product.code, title: product.title, quantity: 2, unitPrice: product.price };
  return { order: { invoice: "990001", customer, at, lines: [line] }, product: String(productIdFor(product.code)) };
}

describe("served lists follow new orders without a retrain", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const testDb = createSqliteTestDb();
  const data = loadDemoSlice("tiny");
  const { order, product } = newOrderFor(data);
  let app: Spawned;
  let worker: Spawned;
  let runId: string;
  const otherCustomer = data.orders.find((o) => o.customer !== order.customer)!.customer;
  const lists = (part: "for" | "again" | "new" | "bought") =>
    redis.hget(runKey(prefix, SHOP, runId, part), order.customer);

  beforeAll(async () => {
    // One-second windows: the refresh starts a second after the order, not five minutes.
    const env = { DATABASE_URL: testDb.url, QUEUE_PREFIX: prefix, TRAIN_AFTER_ORDERS: "1000000" };
    let origin: string;
    [{ app, origin }, worker] = await Promise.all([
      startAppProcess(env),
      startWorkerProcess({ ...env, LIST_REFRESH_SECONDS: "1" }),
    ]);
    await recordInstall(testDb.db, SHOP);
    await storeOfflineSession(testDb.db, SHOP);
    const ctx = {
      db: testDb.db,
      shop: SHOP,
      origin,
      secret: process.env.SHOPIFY_API_SECRET!,
      logs: { app: "", worker: "" },
    };
    await replayShop(ctx, data);
    runId = (await trainDemoShop({ db: testDb.db, redis, prefix, shop: SHOP, retrain: true, workerLog: "" })).run.id;
    expect((await lists("bought"))?.split(",")).not.toContain(product);
    // Another customer's entry, marked: a refresh rebuilds only the lists of those who ordered.
    await redis.hset(runKey(prefix, SHOP, runId, "for"), otherCustomer, "untouched");
    await replayShop(ctx, { products: data.products, orders: [...data.orders, order] });
  }, 240_000);
  afterAll(() => stopStack({ app, worker, redis, db: testDb, cleanup }));

  it("rebuilds the served run's lists from its own model once the order's window ends", async () => {
    for (let i = 0; i < 120 && !(await lists("bought"))?.split(",").includes(product); i++) await sleep(500);
    expect((await lists("bought"))?.split(",")).toContain(product);
    // No retrain: the same run serves, its lists rebuilt in place.
    const shop = await testDb.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.activeModelRunId).toBe(runId);
    expect(await testDb.db.modelRun.count({ where: { shopId: shop.id } })).toBe(1);
    // What the run's model builds from the shop as it is now, the new order included.
    await withRestoredRun(testDb.db, runId, async (model) => {
      const rebuilt = buildListsFor(model);
      expect((await lists("for"))?.split(",")).toEqual(rebuilt.forCustomer.get(order.customer));
      expect((await lists("again"))?.split(",")).toEqual(rebuilt.againForCustomer?.get(order.customer));
      expect((await lists("new"))?.split(",") ?? []).toEqual(rebuilt.newForCustomer?.get(order.customer) ?? []);
      // New for you never offers what the customer has just bought.
      expect((await lists("new"))?.split(",") ?? []).not.toContain(product);
    });
    // Nobody else's lists were rebuilt, and the window's record of who ordered is gone.
    expect(await redis.hget(runKey(prefix, SHOP, runId, "for"), otherCustomer)).toBe("untouched");
    expect(await redis.keys(`${prefix}:refresh-customers:*`)).toEqual([]);
  });

  it("writes nothing for a shop that is gone, uninstalled, serves no run, or is not served in Redis", async () => {
    const deps = { db: testDb.db, redis, prefix, log: createLogger("silent") };
    const before = await lists("for");
    expect(await refreshServedLists(deps, "unknown.myshopify.com")).toEqual({
      refreshed: false,
      reason: "shop not installed",
    });
    await recordInstall(testDb.db, "no-run.myshopify.com");
    expect(await refreshServedLists(deps, "no-run.myshopify.com")).toEqual({
      refreshed: false,
      reason: "no run served",
    });
    await testDb.db.shop.update({ where: { domain: SHOP }, data: { status: "uninstalled" } });
    try {
      expect(await refreshServedLists(deps, SHOP)).toEqual({ refreshed: false, reason: "shop not installed" });
    } finally {
      await testDb.db.shop.update({ where: { domain: SHOP }, data: { status: "installed" } });
    }
    // Redis lost the pointer to the served run: lists written now would be keys nothing reads.
    await redis.set(shopKey(prefix, SHOP, "active"), "another-run");
    try {
      expect(await refreshServedLists(deps, SHOP)).toEqual({ refreshed: false, reason: "not served in Redis" });
    } finally {
      await redis.set(shopKey(prefix, SHOP, "active"), runId);
    }
    expect(await lists("for")).toBe(before);
    expect(await redis.exists(runKey(prefix, SHOP, "another-run", "for"))).toBe(0);
  });

  it("keeps the served lists when the run's model no longer restores, rather than serve another's", async () => {
    const deps = { db: testDb.db, redis, prefix, log: createLogger("silent") };
    const before = await lists("for");
    const run = await testDb.db.modelRun.findUniqueOrThrow({ where: { id: runId } });
    // A run that served its network (the slice's may serve a baseline, whose lists a baseline rebuilds).
    await testDb.db.modelRun.update({
      where: { id: runId },
      data: { artifact: Buffer.from("not a model"), served: "model" },
    });
    try {
      expect(await refreshServedLists(deps, SHOP)).toEqual({ refreshed: false, reason: "artifact unusable" });
      expect(await lists("for")).toBe(before);
    } finally {
      await testDb.db.modelRun.update({ where: { id: runId }, data: { artifact: run.artifact, served: run.served } });
    }
  });

  it("finds an artifact that does not parse before loading the shop's history, and one that parses but does not restore after", async () => {
    const lines: string[] = [];
    const deps = { db: testDb.db, redis, prefix, log: createLogger("info", {}, (line) => lines.push(line)) };
    const events = () => lines.map((line) => (JSON.parse(line) as { event: string }).event);
    const run = await testDb.db.modelRun.findUniqueOrThrow({ where: { id: runId } });
    const stored = JSON.parse(gunzipSync(run.artifact!).toString("utf8")) as { dnn: unknown };
    // A network whose weights are not there: it parses, and fails only once restored on the shop's data.
    const noWeights = gzipSync(JSON.stringify({ ...stored, promoted: "repeat", dnn: { options: {}, members: [{}] } }));
    try {
      await testDb.db.modelRun.update({
        where: { id: runId },
        data: { artifact: Buffer.from("not a model"), served: "model" },
      });
      expect(await refreshServedLists(deps, SHOP)).toEqual({ refreshed: false, reason: "artifact unusable" });
      // Refused on the parse alone: restoring (which loads the history first) would log its fallback.
      expect(events()).toEqual(["model.artifact_unusable"]);

      lines.length = 0;
      await testDb.db.modelRun.update({ where: { id: runId }, data: { artifact: noWeights } });
      expect(await refreshServedLists(deps, SHOP)).toEqual({ refreshed: false, reason: "artifact unusable" });
      expect(events()).toEqual(["model.artifact_unusable", "model.serving_baseline"]);
      expect(lines[0]).toMatch(/weight wide missing/);
    } finally {
      await testDb.db.modelRun.update({ where: { id: runId }, data: { artifact: run.artifact, served: run.served } });
    }
  });

  it("fails a refresh job whose data is not a shop for good, without retrying it", async () => {
    const queue = createQueue(QUEUE_NAMES.train, redis, prefix);
    try {
      const job = await queue.add(REFRESH_JOB_NAME, { shop: "not a shop" }, { attempts: 3 });
      let state = await job.getState();
      for (let i = 0; i < 60 && state !== "failed"; i++) {
        await sleep(250);
        state = await job.getState();
      }
      const failed = (await queue.getJob(job.id!))!;
      expect(state).toBe("failed");
      expect(failed.failedReason).toMatch(/not a list refresh/);
      expect(failed.attemptsMade).toBe(1);
    } finally {
      await queue.close();
    }
  });

  it("gives one job per shop and window: orders in one window share a refresh that starts when it ends", async () => {
    const queue = createQueue(QUEUE_NAMES.train, redis, prefix);
    try {
      const shop = "window.myshopify.com";
      const windowMs = 3_600_000;
      const now = Date.now();
      const start = refreshWindow(shop, windowMs, now).endsAt;
      const target = { queue, redis, prefix };
      const a = await requestListRefresh(target, shop, ["c1"], windowMs, start + 10);
      const b = await requestListRefresh(target, shop, ["c2", "c1"], windowMs, start + 20_000);
      const c = await requestListRefresh(target, shop, ["c3"], windowMs, start + windowMs);
      expect(c.id).not.toBe(a.id);
      // Queue-side: the second order of the window added nothing; each job waits for its window's end.
      const stored = (await queue.getDelayed()).filter((j) => j.data.shop === shop);
      expect(stored.map((j) => j.id).sort()).toEqual([a.id, c.id].sort());
      expect(stored.find((j) => j.id === a.id)?.opts.delay).toBe(windowMs - 10);
      expect(stored.find((j) => j.id === c.id)?.opts.delay).toBe(windowMs);
      // Each job says when its window ended: a run trained after that makes it redundant.
      expect(stored.find((j) => j.id === a.id)?.data.after).toBe(start + windowMs);
      expect(b.id).toBe(a.id);
      // The window's job rebuilds the lists of every customer who ordered in it, and only theirs.
      expect((await refreshCustomers(redis, prefix, a.data)).sort()).toEqual(["c1", "c2"]);
      expect(await refreshCustomers(redis, prefix, c.data)).toEqual(["c3"]);
      await Promise.all([a, c].map((j) => j.remove()));
      await Promise.all([a, c].map((j) => forgetRefreshCustomers(redis, prefix, j.data)));
    } finally {
      await queue.close();
    }
  });

  it("skips a refresh whose orders the served run already trained on", async () => {
    const deps = { db: testDb.db, redis, prefix, log: createLogger("silent") };
    const before = await lists("for");
    const run = await testDb.db.modelRun.findUniqueOrThrow({ where: { id: runId } });
    const startedAt = run.startedAt!.getTime();
    const skipped = { refreshed: false, reason: "run is newer" };
    const newer = startedAt - CLOCK_SKEW_MS;
    expect(await refreshServedLists(deps, SHOP, { after: newer, customers: [order.customer] })).toEqual(skipped);
    expect(await refreshServedLists(deps, SHOP, { after: newer - 60_000 })).toEqual(skipped);
    expect(await lists("for")).toBe(before);
    // The run started just after the window by its own clock, which may run ahead of the one that
    // stored the orders: it may not have read them, so they are refreshed.
    expect(await refreshServedLists(deps, SHOP, { after: startedAt, customers: [order.customer] })).toEqual({
      refreshed: true,
      runId,
      customers: 1,
      scope: "customers",
    });
    // A job that names no customers (queued before they were recorded) rebuilds everyone's.
    expect(await refreshServedLists(deps, SHOP, { after: newer + 1 })).toMatchObject({ scope: "every customer" });
  });
});
