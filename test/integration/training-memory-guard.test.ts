import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createLogger } from "../../app/lib/logger.server";
import { capsForBudget, halvedCaps, type WindowCaps } from "../../app/lib/model/window";
import { readList } from "../../app/lib/storefront-store/run-lists.server";
import { initTfBackend, tf } from "../../app/lib/tf/backend.server";
import { rebuildRunLists } from "../../app/lib/training/rebuild-lists.server";
import { runTraining, type RunTrainingDeps } from "../../app/lib/training/run-training.server";
import { seedShop } from "../helpers/history-seed";
import { activeRunId } from "../helpers/store-reads";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";
import { syntheticShop } from "../unit/model/fixtures";

const SHOP = "guarded.myshopify.com";
const { orders, catalog } = syntheticShop(12);
const LINES = orders.reduce((sum, o) => sum + o.items.length, 0);
const lines = (caps: WindowCaps) =>
  `up to ${caps.maxLines.toLocaleString("en")} order lines and ${caps.maxItems.toLocaleString("en")} products`;

describe("the training run's memory guard (real database, Redis and training path)", () => {
  let t: TestDb;
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const logged: string[] = [];
  const deps = (): RunTrainingDeps => ({
    db: t.db,
    redis,
    prefix,
    log: createLogger("info", {}, (line) => logged.push(line)),
    backend: "wasm",
    // One small network: the guard is under test, not the model.
    options: { ensemble: 1, epochs: 3 },
  });

  beforeAll(async () => {
    await initTfBackend({ force: "wasm", log: () => {} });
    t = createSqliteTestDb();
    await seedShop(
      t.db,
      SHOP,
      orders,
      catalog.map((c) => c.productId),
    );
  });
  afterAll(async () => {
    redis.disconnect();
    await cleanup();
    await t.drop();
  });

  it("retries with half the window when the first attempt passes the budget, and records both", async () => {
    // Fault injection at the operating system's boundary: the first reading (after loading)
    // reports 64 GB; every later one is this process's real resident memory, under 1,536 MB.
    let readings = 0;
    const readRssBytes = () => (readings++ === 0 ? 64 * 1024 ** 3 : process.memoryUsage.rss());
    // The whole history fits the first caps, so only the halved retry cuts it.
    const caps = { maxLines: LINES, maxItems: 1_000 };
    const outcome = await runTraining({ ...deps(), caps, readRssBytes }, SHOP, "manual");
    expect(outcome.status).toBe("completed");

    const run = await t.db.modelRun.findUniqueOrThrow({ where: { id: outcome.runId } });
    const metrics = JSON.parse(run.metrics);
    expect(metrics.memoryGuard.stops).toEqual([{ stage: "after loading the history", rssMb: 65_536, caps }]);
    expect(metrics.memoryGuard.budgetMb).toBe(1_536);
    expect(metrics.window.caps).toEqual(halvedCaps(caps));
    expect(metrics.window.linesKept).toBeLessThanOrEqual(LINES / 2);
    expect(run.orders).toBeLessThan(orders.length);
    expect(run.reason).toContain(
      `The first attempt reached 65,536 MB after loading the history (budget 1536 MB) with ${lines(caps)}, so the run was retried with half the window.`,
    );
    // Recommendation training keeps whole customers, the most recently active first.
    expect(run.reason).toMatch(
      /Trained on the whole history of the [\d,]+ customers \(of [\d,]+\) last active from \d{4}-\d\d-\d\d on/,
    );
    expect(metrics.window.rule).toBe("customers");
    expect(metrics.window.customersKept).toBeLessThan(metrics.window.customersTotal);
    // The retry was watched too: after loading, after each epoch, after evaluation and the lists.
    expect(readings).toBeGreaterThan(5);
    expect(metrics.memoryGuard.peakRssMb).toBeGreaterThanOrEqual(65_536);
    expect(logged.map((l) => JSON.parse(l).event)).toContain("training.memory_stop");

    // Served, and restorable on the window it was trained on (the recorded halved caps).
    expect(await activeRunId(redis, prefix, SHOP)).toBe(run.id);
    const rebuilt = await rebuildRunLists(deps(), SHOP, run.id);
    expect(rebuilt.fromRun).toBe(run.id);
  });

  it("stops an attempt at the end of an epoch without leaking its network's tensors", async () => {
    // The second reading is the first epoch's: over the budget once, real afterwards.
    let readings = 0;
    const readRssBytes = () => (readings++ === 1 ? 64 * 1024 ** 3 : process.memoryUsage.rss());
    const tensors = tf.memory().numTensors;
    const outcome = await runTraining({ ...deps(), readRssBytes }, SHOP, "manual");
    expect(outcome.status).toBe("completed");
    const run = await t.db.modelRun.findUniqueOrThrow({ where: { id: outcome.runId } });
    const { memoryGuard } = JSON.parse(run.metrics);
    expect(memoryGuard.stops).toHaveLength(1);
    expect(memoryGuard.stops[0].stage).toMatch(/^after epoch 1 of \d+$/);
    // The history fits half the budget's caps as well, so the retry trained on all of it.
    expect(run.orders).toBe(orders.length);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it("fails the run with both readings when half the window does not fit either, and the previous model keeps serving", async () => {
    const before = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(before.activeModelRunId).not.toBeNull();
    const served = await readList(redis, prefix, SHOP, "for", "r0");
    expect(served.length).toBeGreaterThan(0);

    // A 1 MB budget: this process's real resident memory is always over it.
    const outcome = await runTraining({ ...deps(), budgetMb: 1 }, SHOP, "manual");
    expect(outcome.status).toBe("failed");
    const first = capsForBudget(1);
    expect(outcome.reason).toMatch(
      new RegExp(
        `^stopped to stay within 1 MB: resident memory reached [\\d,]+ MB after loading the history with ${lines(first)}, ` +
          `and [\\d,]+ MB after loading the history with ${lines(halvedCaps(first))}; the previous model keeps serving\\.$`,
      ),
    );
    const run = await t.db.modelRun.findUniqueOrThrow({ where: { id: outcome.runId } });
    expect(run).toMatchObject({ status: "failed", reason: outcome.reason, served: null });
    expect(run.finishedAt).not.toBeNull();
    const metrics = JSON.parse(run.metrics);
    expect(metrics.memoryGuard.stops.map((s: { caps: WindowCaps }) => s.caps)).toEqual([first, halvedCaps(first)]);
    for (const stop of metrics.memoryGuard.stops) expect(stop.rssMb).toBeGreaterThan(1);

    // Nothing the shop is served changed.
    const after = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect([after.activeModelRunId, after.previousModelRunId]).toEqual([
      before.activeModelRunId,
      before.previousModelRunId,
    ]);
    expect(await activeRunId(redis, prefix, SHOP)).toBe(before.activeModelRunId);
    expect(await readList(redis, prefix, SHOP, "for", "r0")).toEqual(served);
  });
});
