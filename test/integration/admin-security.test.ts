import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE_NAMES } from "../../app/lib/queues.server";
import { activeRunId } from "../../app/lib/serving/lists.server";
import { parseStoredSettings } from "../../app/lib/settings/schema";
import { settingsToForm } from "../../app/lib/settings/form";
import { requestTraining } from "../../app/lib/training/train-queue.server";
import { seedModelRuns, seedShop } from "../helpers/admin-seed";
import { embeddedQuery, mintSessionToken } from "../helpers/admin-session";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import { DESKTOP_USER_AGENT } from "../helpers/browser";
import type { Spawned } from "../helpers/child-process";
import { startAppProcess } from "../helpers/stack";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";
const HEADING: Record<string, string> = { [SHOP_A]: "Heading of shop A", [SHOP_B]: "Heading of shop B" };

describe("admin pages are scoped to the session's shop", () => {
  let t: TestDb;
  let app: Spawned;
  let origin: string;
  let redis: Redis;
  let standIn: AdminApiStandIn;
  const runs: Record<string, Awaited<ReturnType<typeof seedModelRuns>>> = {};
  const keys = createTestPrefix();

  const bearer = async (shop: string, overrides = {}, secret?: string) => ({
    authorization: `Bearer ${await mintSessionToken(shop, overrides, secret)}`,
    "user-agent": DESKTOP_USER_AGENT,
  });
  const settingsOf = async (shop: string) =>
    parseStoredSettings((await t.db.shop.findUniqueOrThrow({ where: { domain: shop } })).settings);

  beforeAll(async () => {
    t = createSqliteTestDb();
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    for (const shop of [SHOP_A, SHOP_B]) {
      const shopId = await seedShop(t.db, shop);
      const settings = { block: { heading: HEADING[shop as keyof typeof HEADING] } };
      await t.db.shop.update({ where: { id: shopId }, data: { settings: JSON.stringify(settings) } });
      runs[shop] = await seedModelRuns(t.db, redis, keys.prefix, shop, shopId);
    }
    standIn = await startAdminApiStandIn({ accessToken: "shpat_offline_test_token" });
    ({ app, origin } = await startAppProcess(
      { DATABASE_URL: t.url, QUEUE_PREFIX: keys.prefix },
      { shopifyOrigin: standIn.origin },
    ));
  });

  afterAll(async () => {
    await app?.stop();
    await standIn?.close();
    redis?.disconnect();
    await keys.cleanup();
    await t?.drop();
  });

  it("given shop A's token and a forged shop=B in the query, a page shows shop A's data, never B's", async () => {
    const token = await mintSessionToken(SHOP_A);
    const forged = embeddedQuery(SHOP_B, token);
    const document = await fetch(`${origin}/app/settings?${forged}`, {
      redirect: "manual",
      headers: { "user-agent": DESKTOP_USER_AGENT },
    });
    const html = await document.text();
    // The shop comes from the verified token, not from the query.
    expect(document.status).toBe(200);
    expect(html).toContain(HEADING[SHOP_A]);
    expect(html).not.toContain(HEADING[SHOP_B]);

    // Client-side navigations load data with the token in a header; the query cannot widen it.
    const data = await fetch(`${origin}/app/settings.data?shop=${SHOP_B}`, { headers: await bearer(SHOP_A) });
    expect(data.status).toBe(200);
    const body = await data.text();
    expect(body).toContain(HEADING[SHOP_A]);
    expect(body).not.toContain(HEADING[SHOP_B]);
  });

  it("a settings save with shop A's token changes shop A only, whatever the body or query names", async () => {
    const before = await settingsOf(SHOP_B);
    const form = { ...settingsToForm(await settingsOf(SHOP_A)), holdoutPercent: "25", shop: SHOP_B };
    const response = await fetch(`${origin}/app/settings.data?shop=${SHOP_B}`, {
      method: "POST",
      headers: { ...(await bearer(SHOP_A)), "content-type": "application/json" },
      body: JSON.stringify(form),
    });
    expect(response.status).toBe(200);
    expect((await settingsOf(SHOP_A)).holdoutPercent).toBe(25);
    expect(await settingsOf(SHOP_B)).toEqual(before);
  });

  it("training progress and rollback act on the token's shop only", async () => {
    const train = new Queue(QUEUE_NAMES.train, { connection: redis, prefix: keys.prefix });
    await requestTraining(train, SHOP_B, "manual");
    const progress = await fetch(`${origin}/app/model/progress?shop=${SHOP_B}`, { headers: await bearer(SHOP_A) });
    expect(progress.status).toBe(200);
    expect(await progress.json()).toMatchObject({ state: "idle", jobId: null });
    const ofB = await fetch(`${origin}/app/model/progress`, { headers: await bearer(SHOP_B) });
    expect(await ofB.json()).toMatchObject({ state: "queued" });

    const rollback = await fetch(`${origin}/app/model.data?shop=${SHOP_B}`, {
      method: "POST",
      headers: await bearer(SHOP_A),
      body: new URLSearchParams({ intent: "rollback", shop: SHOP_B }),
    });
    expect(rollback.status).toBe(200);
    expect(await activeRunId(redis, keys.prefix, SHOP_A)).toBe(runs[SHOP_A]!.older.id);
    expect(await activeRunId(redis, keys.prefix, SHOP_B)).toBe(runs[SHOP_B]!.current.id);
    const b = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } });
    expect(b.activeModelRunId).toBe(runs[SHOP_B]!.current.id);
    await train.close();
  });

  it("refuses expired, wrong-audience and wrongly signed tokens on loaders and actions, changing nothing", async () => {
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      expired: await bearer(SHOP_A, { exp: now - 120, nbf: now - 3600, iat: now - 3600 }),
      "wrong audience": await bearer(SHOP_A, { aud: "another-apps-api-key" }),
      "wrong secret": await bearer(SHOP_A, {}, "not-the-app-secret"),
    };
    const before = await settingsOf(SHOP_A);
    for (const [why, headers] of Object.entries(refused)) {
      const read = await fetch(`${origin}/app/settings.data`, { headers, redirect: "manual" });
      expect(read.status, why).toBe(401);
      expect(await read.text(), why).not.toContain(HEADING[SHOP_A]);
      const progress = await fetch(`${origin}/app/model/progress`, { headers, redirect: "manual" });
      expect(progress.status, why).toBe(401);
      const write = await fetch(`${origin}/app/settings.data`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ ...settingsToForm(before), holdoutPercent: "40" }),
        redirect: "manual",
      });
      expect(write.status, why).toBe(401);
    }
    expect(await settingsOf(SHOP_A)).toEqual(before);
    // A document request with an expired id_token is not served either.
    const expired = await mintSessionToken(SHOP_A, { exp: now - 120, nbf: now - 3600, iat: now - 3600 });
    const page = await fetch(`${origin}/app/model?${embeddedQuery(SHOP_A, expired)}`, {
      redirect: "manual",
      headers: { "user-agent": DESKTOP_USER_AGENT },
    });
    expect(page.status).not.toBe(200);
    expect(await page.text()).not.toContain("Current model");
  });
});
