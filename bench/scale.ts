/**
 * `npm run bench -- scale`: 50 shops, 200,000 webhooks (mixed topics) against two app and two
 * worker processes sharing one PostgreSQL and one Redis (with AOF, started here so it can be
 * restarted). Phase 1: one shop floods 20,000 orders while the other 49 send a trickle; their
 * webhook-to-row times show whether the flood holds them up (ADR 010). Phase 2: the rest at full
 * speed, with chaos: a worker and an app process are killed with SIGKILL, then Redis is
 * restarted. At the end every acknowledged webhook must be in the database exactly once.
 */
import { Redis } from "ioredis";
import { recordInstall } from "../app/lib/shops/registry.server";
import { createQueue, QUEUE_NAMES } from "../app/lib/jobs/queues";
import type { Db } from "../app/lib/database/client.server";
import type { Spawned } from "../test/helpers/child-process";
import { eventually, startAppProcess, startOwnRedis, startWorkerProcess } from "../test/helpers/stack";
import { createPostgresTestDb } from "../test/helpers/test-db";
import { percentile, result, type BenchResult } from "./lib";
import { Sender, type Acknowledged, type Delivery } from "./scale-traffic";

const SHOP_COUNT = 50;
const shopName = (i: number) => `scale-${String(i).padStart(2, "0")}.myshopify.com`;
const FLOODER = shopName(0);
const TOPICS: Delivery["topic"][] = ["orders/create", "products/create", "customers/update"];

/** `count` deliveries from the small shops, topics and shops round-robin, ids fresh from `next`. */
function smallShopTraffic(count: number, next: Map<string, number>): Delivery[] {
  return Array.from({ length: count }, (_, i) => {
    const shop = shopName(1 + (i % (SHOP_COUNT - 1)));
    const topic = TOPICS[Math.floor(i / (SHOP_COUNT - 1)) % TOPICS.length]!;
    const key = `${shop}|${topic}`;
    const id = (next.get(key) ?? 0) + 1;
    next.set(key, id);
    return { shop, topic, id };
  });
}

export async function benchScale(options: { quick: boolean }): Promise<BenchResult[]> {
  const total = options.quick ? 20_000 : 200_000;
  const flood = options.quick ? 4_000 : 20_000;
  const trickle = options.quick ? 300 : 1_000;
  const t = await createPostgresTestDb();
  const ownRedis = await startOwnRedis();
  let redisServer = await ownRedis.start();
  const prefix = "{scale}";
  const env = {
    DATABASE_URL: t.url,
    REDIS_URL: ownRedis.url,
    QUEUE_PREFIX: prefix,
    // Info: the worker announces itself at that level; no per-job line is logged above debug.
    LOG_LEVEL: "info",
    TRAIN_AFTER_ORDERS: "1000000",
    WORKER_CONCURRENCY: "8",
    // Short locks, so the jobs of the killed worker are taken over within seconds.
    WORKER_LOCK_DURATION_MS: "5000",
    WORKER_STALLED_INTERVAL_MS: "5000",
  };
  const processes: Spawned[] = [];
  const redis = new Redis(ownRedis.url, { maxRetriesPerRequest: null });
  redis.on("error", () => undefined); // Redis is restarted on purpose; commands wait for it
  try {
    for (let i = 0; i < SHOP_COUNT; i++) await recordInstall(t.db, shopName(i));
    // Each is recorded as soon as it runs, so a failed start still stops the ones before it.
    const started = <T extends { app: Spawned } | Spawned>(p: T) => (processes.push("app" in p ? p.app : p), p);
    const apps = [started(await startAppProcess(env)), started(await startAppProcess(env))];
    const workers = [started(await startWorkerProcess(env)), started(await startWorkerProcess(env))];
    const sender = new Sender(apps.map((a) => a.origin));
    const ids = new Map<string, number>();

    // Phase 1: the flood, and a paced trickle from the small shops while it drains.
    const start = performance.now();
    const floodSent = sender.sendAll(
      Array.from({ length: flood }, (_, i) => ({ shop: FLOODER, topic: "orders/create", id: i + 1 })),
    );
    const trickleDeliveries = smallShopTraffic(trickle, ids);
    for (const d of trickleDeliveries) {
      void sender.deliver(d);
      await new Promise((resolve) => setTimeout(resolve, 20)); // 50 a second
    }
    await floodSent;
    await eventually(async () => (await rowCount(t.db, FLOODER)) >= flood, "the flood to drain", 3_600_000);
    const phase1Seconds = (performance.now() - start) / 1000;
    const trickleSet = new Set(trickleDeliveries);
    const small = await webhookToRowMs(
      t.db,
      sender.acknowledged.filter((a) => trickleSet.has(a.delivery)),
    );

    // Phase 2: the rest at full speed, with chaos along the way.
    const rest = smallShopTraffic(total - flood - trickle, ids);
    const phase2 = performance.now();
    const chaos = runChaos(rest.length, sender, {
      killWorker: async () => {
        workers[0]!.child.kill("SIGKILL");
        workers[0] = await startWorkerProcess(env); // as a supervisor would restart it
        processes.push(workers[0]);
      },
      killApp: () => {
        apps[1]!.app.child.kill("SIGKILL");
        sender.drop(apps[1]!.origin);
      },
      restartRedis: async () => {
        await redisServer.stop("SIGTERM"); // a clean shutdown writes the AOF
        redisServer = await ownRedis.start();
      },
    });
    await sender.sendAll(rest);
    const intakeSeconds = (performance.now() - phase2) / 1000;
    await chaos;
    const expected = expectedRows(sender.acknowledged);
    await eventually(async () => (await totalRows(t.db)) >= expected.total, "the backlog to drain", 3_600_000);
    const drainSeconds = (performance.now() - phase2) / 1000;
    const actual = await rowsPerShop(t.db);
    const mismatches = [...expected.byKey].filter(([key, n]) => actual.byKey.get(key) !== n).length;
    const queue = createQueue(QUEUE_NAMES.webhooks, redis, prefix);
    const failed = await queue.getFailedCount();
    await queue.close();
    sender.close();
    const note =
      `${SHOP_COUNT} shops, ${total} webhooks, 2 app + 2 worker processes, PostgreSQL; ` +
      `${sender.retries} retries; reconciled: ${actual.total} rows for ${expected.total} acknowledged, ` +
      `${mismatches} shop/topic counts off, ${failed} failed jobs`;
    return [
      result("scale.intake_webhooks_per_s", rest.length / intakeSeconds, "webhooks/s", null, note),
      result("scale.drain_s", drainSeconds, "s", null, `phase 2 (${rest.length} webhooks): first sent to last row`),
      result("scale.flood_phase_s", phase1Seconds, "s", null, `${flood} orders from one shop, drained`),
      result(
        "scale.small_shop_p50_ms",
        percentile(small, 50),
        "ms",
        null,
        `${small.length} small-shop webhooks during the flood, webhook to row`,
      ),
      result("scale.small_shop_p99_ms", percentile(small, 99), "ms", null),
      result("scale.lost_or_duplicated", Math.abs(actual.total - expected.total) + mismatches, "rows", null),
    ];
  } finally {
    await Promise.all(processes.map((p) => p.stop("SIGKILL")));
    redis.disconnect();
    await redisServer.stop();
    await t.drop();
  }
}

/** Kills a worker at 25 % of the traffic, an app process at 50 %, and restarts Redis at 75 %. */
async function runChaos(
  total: number,
  sender: Sender,
  steps: { killWorker(): Promise<void>; killApp(): void; restartRedis(): Promise<void> },
) {
  const base = sender.acknowledged.length;
  const reached = (share: number) =>
    eventually(async () => sender.acknowledged.length - base >= total * share, `${share * 100}% sent`, 3_600_000);
  await reached(0.25);
  await steps.killWorker();
  await reached(0.5);
  steps.killApp();
  await reached(0.75);
  await steps.restartRedis();
}

const rowKey = (shop: string, topic: string) => `${shop}|${topic}`;

function expectedRows(acknowledged: Acknowledged[]) {
  const byKey = new Map<string, number>();
  for (const { delivery } of acknowledged) {
    const key = rowKey(delivery.shop, delivery.topic);
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  return { byKey, total: acknowledged.length };
}

/** Rows per shop and the topic that makes them: orders, products, customers. */
async function rowsPerShop(db: Db) {
  const byKey = new Map<string, number>();
  let total = 0;
  for (const shop of await db.shop.findMany({ select: { id: true, domain: true } })) {
    const where = { shopId: shop.id };
    const counts: Array<[string, number]> = [
      ["orders/create", await db.order.count({ where })],
      ["products/create", await db.product.count({ where })],
      ["customers/update", await db.customer.count({ where })],
    ];
    for (const [topic, n] of counts) {
      byKey.set(rowKey(shop.domain, topic), n);
      total += n;
    }
  }
  return { byKey, total };
}

/** All rows the three topics make, for polling while the backlog drains. */
async function totalRows(db: Db) {
  return (await db.order.count()) + (await db.product.count()) + (await db.customer.count());
}

async function rowCount(db: Db, shop: string) {
  return db.order.count({ where: { shop: { domain: shop } } });
}

/** For each acknowledged order or product: its row's creation time minus when it was first sent. */
async function webhookToRowMs(db: Db, acknowledged: Acknowledged[]): Promise<number[]> {
  const want = expectedRows(acknowledged);
  await eventually(
    async () => {
      const rows = await rowsPerShop(db);
      return [...want.byKey].every(([key, n]) => (rows.byKey.get(key) ?? 0) >= n);
    },
    "the small shops' rows",
    600_000,
  );
  const times: number[] = [];
  for (const a of acknowledged) {
    const where = { shop: { domain: a.delivery.shop }, shopifyId: String(a.delivery.id) };
    const row =
      a.delivery.topic === "orders/create"
        ? await db.order.findFirst({ where, select: { createdAt: true } })
        : a.delivery.topic === "products/create"
          ? await db.product.findFirst({ where, select: { createdAt: true } })
          : await db.customer.findFirst({ where, select: { createdAt: true } });
    if (row) times.push(row.createdAt.getTime() - a.firstSentAt);
  }
  return times.sort((x, y) => x - y);
}
