import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { storeOfflineSession } from "../helpers/admin-session";
import { appProxyUrl } from "../helpers/app-proxy";
import type { Spawned } from "../helpers/child-process";
import { eventually, startAppProcess, startWorkerProcess } from "../helpers/stack";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "events-stack.myshopify.com";
const VISITOR = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

// The built app and the worker as `npm start` and `npm run worker` run them: a beacon sent through
// Shopify's App Proxy (signed query, text/plain body) ends up stored once.
describe("storefront events through the App Proxy, app and worker processes", () => {
  let t: TestDb;
  let app: Spawned;
  let worker: Spawned;
  let origin: string;
  const { prefix, cleanup } = createTestPrefix();

  beforeAll(async () => {
    t = createSqliteTestDb();
    await storeOfflineSession(t.db, SHOP);
    await recordInstall(t.db, SHOP);
    const env = { DATABASE_URL: t.url, QUEUE_PREFIX: prefix };
    ({ app, origin } = await startAppProcess(env));
    worker = await startWorkerProcess(env);
  });
  afterAll(async () => {
    await app?.stop("SIGKILL");
    await worker?.stop("SIGKILL");
    await t.drop();
    await cleanup();
  });

  const beacon = (at = new Date().toISOString()) =>
    JSON.stringify({
      events: [{ type: "click", recommendationId: "rec_9", productId: "101", at, visitorId: VISITOR }],
    });
  const post = (url: string, body = beacon()) =>
    fetch(url, { method: "POST", body, headers: { "Content-Type": "text/plain;charset=UTF-8" } });

  it("accepts a signed beacon (202) and the worker stores it once, even when sent twice", async () => {
    const body = beacon();
    const url = appProxyUrl(origin, "events", {}, { shop: SHOP, loggedInCustomerId: "321" });
    expect((await post(url, body)).status).toBe(202);
    expect((await post(url, body)).status).toBe(202);
    await eventually(async () => (await t.db.event.count()) === 1, "the event to be stored");
    const stored = await t.db.event.findFirstOrThrow();
    expect(stored).toMatchObject({
      type: "click",
      visitorId: VISITOR,
      customerShopifyId: "321",
      productShopifyId: "101",
    });
    await eventually(
      async () => (await t.db.dailyRollup.aggregate({ _sum: { clicks: true } }))._sum.clicks === 1,
      "the rollup",
    );
  });

  it("refuses a bad signature (401), an unsigned call (400), an unknown shop (404) and a GET (405)", async () => {
    const url = new URL(appProxyUrl(origin, "events", {}, { shop: SHOP }));
    url.searchParams.set("signature", "0".repeat(64));
    expect((await post(url.toString())).status).toBe(401);
    url.searchParams.delete("signature");
    expect((await post(url.toString())).status).toBe(400);
    expect((await post(appProxyUrl(origin, "events", {}, { shop: "nobody.myshopify.com" }))).status).toBe(404);
    expect((await fetch(appProxyUrl(origin, "events", {}, { shop: SHOP }))).status).toBe(405);
  });
});
