import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopKey } from "../../app/lib/storefront-store/keys";
import { Redis } from "ioredis";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { writeCollectionMembers } from "../../app/lib/storefront-store/collection-members.server";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import { appProxyUrl } from "../helpers/app-proxy";
import type { Spawned } from "../helpers/child-process";
import { eventually, startAppProcess, startWorkerProcess } from "../helpers/stack";
import { catalogProduct, seedServedShop } from "../helpers/storefront-seed";
import { createSqliteTestDb } from "../helpers/test-db";
import { deliverWebhook, signWebhook } from "../helpers/webhooks";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "collections-shop.myshopify.com";

describe("the block on a collection page (app, worker and the Admin API stand-in)", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const testDb = createSqliteTestDb();
  let standIn: AdminApiStandIn;
  let app: Spawned;
  let worker: Spawned | undefined;
  let origin: string;

  const ids = async (query: Record<string, string>) => {
    const response = await fetch(appProxyUrl(origin, "recommendations", query, { shop: SHOP, loggedInCustomerId: "" }));
    expect(response.status).toBe(200);
    return ((await response.json()) as { products: { id: string }[] }).products.map((p) => p.id);
  };
  const onCollection = (collectionId: string) =>
    ids({ context: "collection", collection_id: collectionId, limit: "4" });

  beforeAll(async () => {
    standIn = await startAdminApiStandIn({
      accessToken: "shpat_offline_test_token",
      collections: { "55": ["6", "2", "5"] },
      // Two pages, as Shopify paginates a collection's products.
      collectionPageSize: 2,
    });
    await seedServedShop(testDb.db, redis, prefix, SHOP, {
      products: ["1", "2", "3", "4", "5", "6"].map((id) => catalogProduct(id)),
      lists: { popular: ["1", "2", "3", "4", "5", "6"] },
    });
    ({ app, origin } = await startAppProcess({ DATABASE_URL: testDb.url, QUEUE_PREFIX: prefix }));
  });

  afterAll(async () => {
    await Promise.all([app?.stop(), worker?.stop()]);
    await standIn.close();
    redis.disconnect();
    await cleanup();
    await testDb.drop();
  });

  it("serves a collection not read yet like the home page, and queues one read of it", async () => {
    expect(await onCollection("55")).toEqual(["1", "2", "3", "4"]);
    expect(await onCollection("55")).toEqual(["1", "2", "3", "4"]);
    const queue = createQueue(QUEUE_NAMES.backfill, redis, prefix);
    const jobs = await queue.getJobs(["waiting"]);
    expect(jobs.map((j) => [j.name, j.data])).toEqual([["collection-members", { shop: SHOP, collectionId: "55" }]]);
    await queue.close();
  });

  it("once the worker has read it from Shopify, ranks the collection's products first", async () => {
    worker = await startWorkerProcess(
      { DATABASE_URL: testDb.url, QUEUE_PREFIX: prefix },
      { shopifyOrigin: standIn.origin },
    );
    await eventually(async () => (await onCollection("55"))[0] === "2", "the collection's products first");
    // Its products in the shopper's ranking (popularity here), then the rest.
    expect(await onCollection("55")).toEqual(["2", "5", "6", "1"]);
    expect(standIn.requests.filter((r) => r.kind === "collection")).toHaveLength(2);
    // Elsewhere nothing changes.
    expect(await ids({ context: "home", limit: "4" })).toEqual(["1", "2", "3", "4"]);
  });

  it("drops its copy of a collection when Shopify says the collection changed", async () => {
    const field = () => redis.hget(shopKey(prefix, SHOP, "collections"), "55");
    expect(await field()).not.toBeNull();
    const webhook = signWebhook({ topic: "collections/update", shop: SHOP, payload: { id: 55, title: "Summer" } });
    expect((await deliverWebhook(origin, webhook)).status).toBe(200);
    await eventually(async () => (await field()) === null, "the copy dropped");
  });

  it("stores a collection Shopify no longer has as empty, and ranks its page like the home page", async () => {
    expect(await onCollection("77")).toEqual(["1", "2", "3", "4"]);
    await eventually(
      async () => (await redis.hget(shopKey(prefix, SHOP, "collections"), "77")) !== null,
      "the missing collection recorded",
    );
    expect(await onCollection("77")).toEqual(["1", "2", "3", "4"]);
  });

  it("ignores a malformed collection id and never lets one shop read another's collections", async () => {
    expect(await onCollection("not-a-number")).toEqual(["1", "2", "3", "4"]);
    // Another shop's collection 88 holds 4 and 3; this shop's 88 is unknown, so its page is unboosted.
    await writeCollectionMembers(redis, prefix, "other-shop.myshopify.com", "88", ["4", "3"]);
    expect(await onCollection("88")).toEqual(["1", "2", "3", "4"]);
  });
});
