import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { everyKeyPattern, experimentKey, shopKey } from "../../app/lib/storefront-store/keys";
import { type Cluster } from "ioredis";
import { createRedis } from "../../app/lib/redis.server";
import { deleteMatching } from "../../app/lib/storefront-store/delete-matching.server";
import { deleteShopLists } from "../../app/lib/storefront-store/run-lists.server";
import { freeClusterBasePort, startCluster, stopCluster } from "../../scripts/redis-cluster";
import { appProxyUrl } from "../helpers/app-proxy";
import type { Spawned } from "../helpers/child-process";
import { eventually, startAppProcess, startWorkerProcess } from "../helpers/stack";
import { catalogProduct, seedServedShop } from "../helpers/storefront-seed";
import { createSqliteTestDb } from "../helpers/test-db";
import { deliverWebhook, signWebhook } from "../helpers/webhooks";
import { orderPayload, productPayload } from "../fixtures/shopify-payloads";

const SHOP = "cluster.myshopify.com";

/** The queues and the storefront's keys on a local 3-master Redis Cluster (npm run redis:cluster). */
describe("on a 3-master Redis Cluster", () => {
  const options = { basePort: 0, dir: `var/test/cluster-${process.pid}` };
  const testDb = createSqliteTestDb();
  const processes: Spawned[] = [];
  let url: string;
  let redis: Cluster;
  let origin: string;

  beforeAll(async () => {
    options.basePort = await freeClusterBasePort();
    url = startCluster(options);
    redis = createRedis(url, "producer") as Cluster;
    const env = {
      DATABASE_URL: testDb.url,
      REDIS_URL: url,
      QUEUE_PREFIX: "{affinity-cluster}",
      TRAIN_AFTER_ORDERS: "1000000",
    };
    const app = await startAppProcess(env);
    origin = app.origin;
    processes.push(app.app, await startWorkerProcess(env));
  });
  afterAll(async () => {
    for (const p of processes.reverse()) await p.stop();
    redis?.disconnect();
    stopCluster(options);
    await testDb.drop();
  });

  it("takes webhooks through the queue into the database", async () => {
    const deliveries = [
      ...[1, 2, 3].map((id) => signWebhook({ topic: "products/create", shop: SHOP, payload: productPayload(id) })),
      ...[1, 2, 3, 4, 5].map((id) => signWebhook({ topic: "orders/create", shop: SHOP, payload: orderPayload(id) })),
    ];
    for (const d of deliveries) expect((await deliverWebhook(origin, d)).status).toBe(200);
    await eventually(
      async () => (await testDb.db.product.count()) === 3 && (await testDb.db.order.count()) === 5,
      "3 products and 5 orders stored",
    );
  });

  it("serves recommendations from keys spread by shop, and deletes a shop's keys from whichever node holds them", async () => {
    await seedServedShop(testDb.db, redis, "{affinity-cluster}", "served.myshopify.com", {
      products: ["1", "2", "3"].map((id) => catalogProduct(id)),
      lists: { popular: ["3", "1", "2"] },
    });
    const response = await fetch(
      appProxyUrl(origin, "recommendations", { context: "home", limit: "2" }, { shop: "served.myshopify.com" }),
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { products: { id: string }[] }).products.map((p) => p.id)).toEqual(["3", "1"]);

    await deleteShopLists(redis, "{affinity-cluster}", "served.myshopify.com");
    expect(await redis.exists(shopKey("{affinity-cluster}", "served.myshopify.com", "cards"))).toBe(0);
  });

  it("clears every key of a prefix, though its shops' keys lie in many slots on every master", async () => {
    const prefix = "{cleared-prefix}";
    const shops = Array.from({ length: 40 }, (_, i) => `shop-${i}.myshopify.com`);
    for (const shop of shops) {
      await redis.set(shopKey(prefix, shop, "seen"), "1");
      await redis.set(experimentKey(prefix, shop), "x");
    }
    const bystander = shopKey("{kept-prefix}", shops[0]!, "seen");
    await redis.set(bystander, "1");
    const held = async () =>
      Promise.all(
        redis.nodes("master").map(async (node) => {
          const found = await Promise.all(
            everyKeyPattern(prefix).map(async (match) => (await node.scan("0", "MATCH", match, "COUNT", 10_000))[1]),
          );
          return found.flat().length;
        }),
      );
    // The shops' hash tags spread their keys over the masters: no one node's SCAN sees them all.
    expect((await held()).filter((n) => n > 0).length).toBeGreaterThan(1);

    expect(await deleteMatching(redis, everyKeyPattern(prefix))).toBe(shops.length * 2);

    expect(await held()).toEqual(redis.nodes("master").map(() => 0));
    expect(await redis.get(bystander)).toBe("1");
  });
});
