import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKey } from "../../app/lib/storefront-store/keys";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { readList, readPopular } from "../../app/lib/storefront-store/run-lists.server";
import { activeRunId } from "../helpers/store-reads";
import { createLogger } from "../../app/lib/logger.server";
import { rebuildRunLists } from "../../app/lib/training/rebuild-lists.server";
import { restoreRecommender } from "../../app/lib/model/artifact";
import { indexShopData } from "../../app/lib/model/dataset";
import { topKForCustomers } from "../../app/lib/model/lists";
import { initTfBackend } from "../../app/lib/tf/backend.server";
import { loadCatalog, loadOrderHistory } from "../../app/lib/training/shop-history.server";
import { customerReport, redactCustomer } from "../../app/lib/sync/compliance.server";
import { saveChurnSettings } from "../../app/lib/churn/store.server";
import { DEFAULT_CHURN_SETTINGS } from "../../app/lib/churn/settings";
import { requestTraining, restoreJobId } from "../../app/lib/training/train-queue.server";
import { rollBackModel } from "../../app/lib/training/rollback.server";
import type { Spawned } from "../helpers/child-process";
import { startWorkerProcess } from "../helpers/stack";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";
import { syntheticShop } from "../unit/model/fixtures";
import { seedShop } from "../helpers/history-seed";
import type { HistoryOrder } from "../../app/lib/model/types";
import { syntheticChurnShop } from "../helpers/churn-shop";

const SHOP = "learner.myshopify.com";
const EMPTY = "empty.myshopify.com";
const CHURNERS = "churners.myshopify.com";

/**
 * 64 customers of whom about half fade out and stop (churn-shop.ts), over 200 days, each order
 * one product: enough repeat customers and history for the churn step to train its network.
 */
function churningShop(): HistoryOrder[] {
  return syntheticChurnShop(64, { days: 200 }).orders.map((o, i) => ({
    orderId: `churn-${i}`,
    customerId: o.customerId,
    at: o.at,
    items: [{ productId: `P${i % 6}`, quantity: 1, price: 5 }],
  }));
}

describe("training jobs in the real worker (sandboxed child process)", () => {
  let t: TestDb;
  let worker: Spawned;
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const queue = createQueue(QUEUE_NAMES.train, redis, prefix);
  const events = new QueueEvents(QUEUE_NAMES.train, {
    connection: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }),
    prefix,
  });

  beforeAll(async () => {
    t = createSqliteTestDb();
    const { orders, catalog } = syntheticShop(12);
    await seedShop(
      t.db,
      SHOP,
      orders,
      catalog.map((c) => c.productId),
    );
    await seedShop(t.db, EMPTY, [], ["X"]);
    await seedShop(
      t.db,
      CHURNERS,
      churningShop(),
      Array.from({ length: 6 }, (_, i) => `P${i}`),
    );
    worker = await startWorkerProcess({ DATABASE_URL: t.url, QUEUE_PREFIX: prefix, TF_BACKEND: "wasm" });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await worker?.stop();
    await events.close();
    await queue.close();
    redis.disconnect();
    await cleanup();
    await t.drop();
  });

  it("trains, records the run beside the baselines, and serves the winner's lists from Redis", async () => {
    const job = await requestTraining(queue, SHOP, "manual");
    const outcome = await job.waitUntilFinished(events, 120_000);
    expect(outcome).toMatchObject({ status: "completed" });

    const shop = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const run = await t.db.modelRun.findUniqueOrThrow({ where: { id: shop.activeModelRunId! } });
    expect(run).toMatchObject({ status: "completed", trigger: "manual", backend: "wasm", served: outcome.served });
    expect(run.orders).toBe(96); // 12 customers of each kind: 2 + 2 + 4 orders
    const metrics = JSON.parse(run.metrics);
    expect(Object.keys(metrics.baselines).sort()).toEqual(["cooccurrence", "cosine", "popularity", "repeat"].sort());
    expect(metrics.baselines.repeat.all.ndcg).toBeGreaterThan(0);
    // The record says, for each personal strategy, what it serves and why (issue 15).
    for (const strategy of ["for_you", "buy_again", "new_for_you"]) {
      const decision = metrics.strategies[strategy] as { served: string; baseline: string; reason: string };
      expect(["model", "popularity", "cooccurrence", "cosine", "repeat"]).toContain(decision.served);
      expect(decision.reason).toContain(decision.baseline);
    }
    // And for the related lists, judged on their own evaluation (12 C-buyers' last baskets hold two products).
    expect(metrics.related.reason).toContain(metrics.related.baseline);
    expect(metrics.model.related.cases).toBe(12);
    // And for the list of a shopper with no history, on every customer's first order (36).
    expect(metrics.firstVisit.reason).toContain("popularity");
    expect(metrics.model.firstVisit.cases).toBe(36);
    // The holdout's best sellers, on the same last orders and first orders as the lists above.
    expect(metrics.bestSellers.firstVisit.cases).toBe(36);
    expect(metrics.bestSellers.all.cases).toBe(36);
    expect(metrics.bestSellers.all.ndcg).toBeGreaterThan(0);
    // The run's artifact rebuilds its ranker from the database's orders and catalog.
    await initTfBackend({ force: "wasm", log: () => {} });
    const [orders, catalog] = await Promise.all([loadOrderHistory(t.db, shop.id), loadCatalog(t.db, shop.id)]);
    const restored = restoreRecommender(run.artifact, indexShopData(orders, catalog));
    expect(restored.promoted).toBe(outcome.served);
    expect(restored.related).toBe(metrics.related.served);
    expect(restored.firstVisit).toBe(metrics.firstVisit.served);
    if (restored.promoted === "model") expect(topKForCustomers(restored, 1).get("r0")).toEqual(["R1"]);
    restored.dnn?.dispose();

    // A repeat buyer of R1 (r0) gets R1 first; everyone who bought A went on to buy B.
    expect((await readList(redis, prefix, SHOP, "for", "r0"))[0]).toBe("R1");
    // Related lists exist for every product, hold only catalog products, and never the product itself.
    // (Known issue, in the notes: with the network promoted, A's list ranks same-basket items above B.)
    const related = await readList(redis, prefix, SHOP, "related", "A");
    expect(related.length).toBeGreaterThan(3);
    expect(related).not.toContain("A");
    for (const id of related) expect(["B", "C", "D", "R1", "R2", "N1", "N2", "N3", "NEW"]).toContain(id);
    expect((await readPopular(redis, prefix, SHOP)).length).toBeGreaterThan(0);
  });

  it("rebuilds a run's lists from the database and its artifact; with a corrupt artifact, from the baseline, logged", async () => {
    const shop = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const runId = shop.activeModelRunId!;
    const lines: string[] = [];
    const deps = { db: t.db, redis, prefix, log: createLogger("info", {}, (line) => lines.push(line)) };
    await redis.del(runKey(prefix, SHOP, runId, "for"));
    expect(await readList(redis, prefix, SHOP, "for", "r0")).toEqual([]);

    const rebuilt = await rebuildRunLists(deps, SHOP, runId);
    expect(rebuilt.fromRun).toBe(runId);
    expect((await readList(redis, prefix, SHOP, "for", "r0"))[0]).toBe("R1");

    const run = await t.db.modelRun.findUniqueOrThrow({ where: { id: runId } });
    await t.db.modelRun.update({ where: { id: runId }, data: { artifact: new Uint8Array([1, 2, 3]) } });
    // No previous run yet: the run's best baseline serves, and the bad artifact is logged.
    const fallback = await rebuildRunLists(deps, SHOP, runId);
    expect(fallback).toMatchObject({ fromRun: null, served: "repeat" });
    expect(lines.map((l) => JSON.parse(l).event)).toEqual(
      expect.arrayContaining(["model.artifact_unusable", "model.serving_baseline"]),
    );
    expect((await readList(redis, prefix, SHOP, "for", "r0"))[0]).toBe("R1");
    await t.db.modelRun.update({ where: { id: runId }, data: { artifact: run.artifact } });
  });

  it("keeps the previous run for rollback when it trains again", async () => {
    const before = (await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).activeModelRunId;
    const job = await requestTraining(queue, SHOP, "orders");
    await job.waitUntilFinished(events, 120_000);
    const shop = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.previousModelRunId).toBe(before);
    expect(shop.activeModelRunId).not.toBe(before);
  });

  it("rolls back to a run whose lists Redis lost by rebuilding them in the worker, then serving it", async () => {
    const shop = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const [current, previous] = [shop.activeModelRunId!, shop.previousModelRunId!];
    await redis.del(runKey(prefix, SHOP, previous, "popular"), runKey(prefix, SHOP, previous, "for"));
    const outcome = await rollBackModel({ db: t.db, redis, prefix, trainQueue: () => queue }, SHOP);
    expect(outcome).toEqual({ kind: "restoring", runId: previous });
    const job = (await queue.getJob(restoreJobId(SHOP)))!;
    expect(await job.waitUntilFinished(events, 120_000)).toMatchObject({ served: true, fromRun: previous });
    expect(await activeRunId(redis, prefix, SHOP)).toBe(previous);
    expect((await readList(redis, prefix, SHOP, "for", "r0"))[0]).toBe("R1");
    const after = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect([after.activeModelRunId, after.previousModelRunId]).toEqual([previous, current]);
  });

  it("does not train a shop with no orders, says why, and still serves a list", async () => {
    const job = await requestTraining(queue, EMPTY, "install");
    const outcome = await job.waitUntilFinished(events, 120_000);
    expect(outcome.status).toBe("completed");
    expect(outcome.served).not.toBe("model");
    expect(outcome.reason).toMatch(/not trained: only 0 orders/);
    const run = await t.db.modelRun.findFirstOrThrow({ where: { shop: { domain: EMPTY } } });
    expect(run.reason).toMatch(/only 0 orders/);
  });

  it("runs the churn step after the recommender in the same job, stores predictions, queues the opted-in write to Shopify, and redaction removes a customer's", async () => {
    const shopRow = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    await saveChurnSettings(t.db, shopRow.id, { ...DEFAULT_CHURN_SETTINGS, tagsEnabled: true });
    const job = await requestTraining(queue, SHOP, "manual");
    const outcome = await job.waitUntilFinished(events, 120_000);
    // 36 customers over a month are too little to learn from: a baseline is served, and the run says why.
    expect(outcome.churn).toMatchObject({ customers: 36 });
    expect(["recency", "rfm"]).toContain(outcome.churn.served);
    expect(outcome.churn.reason).toMatch(/nothing to learn from yet; serving the baseline/);
    const shopId = (await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).id;
    const run = await t.db.churnRun.findUniqueOrThrow({ where: { id: outcome.churn.runId } });
    expect(run.horizonDays).toBeGreaterThanOrEqual(30);
    const stored = JSON.parse(run.metrics);
    expect(stored.model).toBeNull();
    // The Customers page's follow-up and spend figures are stored with the run.
    expect(stored.followUp.horizonDays).toBe(run.horizonDays);
    expect(stored.followUp.churned).toBeLessThanOrEqual(stored.followUp.marked);
    expect(stored.spend.periods).toHaveLength(6);
    expect(Object.keys(stored.spend.revenue).sort()).toEqual(["active", "at_risk", "champion", "lapsed", "new"]);
    const predictions = await t.db.churnPrediction.findMany({ where: { shopId } });
    expect(predictions).toHaveLength(36);
    expect(new Set(predictions.map((p) => p.runId))).toEqual(new Set([run.id]));
    for (const p of predictions) {
      expect(p.risk).toBeGreaterThanOrEqual(0);
      expect(p.risk).toBeLessThanOrEqual(1);
      expect(["new", "active", "at_risk", "lapsed", "champion"]).toContain(p.segment);
    }
    // The merchant opted in to tags: the job queued the write of the new segments (ADR 013).
    const adminApi = createQueue(QUEUE_NAMES.backfill, redis, prefix);
    const write = await adminApi.getJob(`insight-write-${SHOP}`);
    expect(write).toMatchObject({ name: "insight-write", data: { shop: SHOP } });
    await adminApi.close();
    const report = await customerReport(t.db, shopId, "r0", {});
    expect(report.churnPredictions).toHaveLength(1);
    await redactCustomer(t.db, shopId, "r0");
    expect(await t.db.churnPrediction.count({ where: { shopId, customerShopifyId: "r0" } })).toBe(0);
    expect(await t.db.churnPrediction.count({ where: { shopId } })).toBe(35);
  }, 180_000);

  it("trains the churn network inside the sandboxed job when the shop has enough repeat customers", async () => {
    const job = await requestTraining(queue, CHURNERS, "manual");
    const outcome = await job.waitUntilFinished(events, 120_000);
    expect(outcome.status).toBe("completed");
    const run = await t.db.churnRun.findUniqueOrThrow({ where: { id: outcome.churn.runId } });
    const stored = JSON.parse(run.metrics) as { model: { auc: number; brier: number } | null; rfm: { auc: number } };
    // The network was trained and evaluated in the worker's child process, beside the baselines.
    expect(stored.model).not.toBeNull();
    expect(stored.model!.auc).toBeGreaterThan(0.5);
    expect(stored.model!.brier).toBeGreaterThan(0);
    expect(run.reason).toMatch(/model AUC \d\.\d{3} (beats|does not beat) (rfm|recency)/);
    expect(["model", "rfm", "recency"]).toContain(run.served);
    const predictions = await t.db.churnPrediction.findMany({ where: { shop: { domain: CHURNERS } } });
    expect(predictions).toHaveLength(64);
  }, 180_000);
});
