import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { activeRunId } from "../helpers/store-reads";
import { parseStoredSettings } from "../../app/lib/settings/settings-schema";
import { settingsToForm } from "../../app/lib/settings/form";
import { requestTraining, trainJobId } from "../../app/lib/training/train-queue.server";
import { seedConversion, seedModelRuns, seedShop } from "../helpers/admin-seed";
import { embeddedQuery, mintSessionToken } from "../helpers/admin-session";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";
import { DESKTOP_USER_AGENT } from "../helpers/browser";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";
const HEADING: Record<string, string> = { [SHOP_A]: "Heading of shop A", [SHOP_B]: "Heading of shop B" };

describe("admin pages are scoped to the session's shop", () => {
  let stack: AdminStack;
  let origin: string;
  const runs: Record<string, Awaited<ReturnType<typeof seedModelRuns>>> = {};

  const bearer = async (shop: string, overrides = {}, secret?: string) => ({
    authorization: `Bearer ${await mintSessionToken(shop, overrides, secret)}`,
    "user-agent": DESKTOP_USER_AGENT,
  });
  const settingsOf = async (shop: string) =>
    parseStoredSettings((await stack.t.db.shop.findUniqueOrThrow({ where: { domain: shop } })).settings);

  beforeAll(async () => {
    stack = await startAdminStack({
      shop: SHOP_A,
      browser: false,
      async seed({ t, redis, prefix, shopId: shopA }) {
        for (const [shop, shopId] of [
          [SHOP_A, shopA],
          [SHOP_B, await seedShop(t.db, SHOP_B)],
        ] as const) {
          const settings = { block: { heading: HEADING[shop] } };
          await t.db.shop.update({ where: { id: shopId }, data: { settings: JSON.stringify(settings) } });
          runs[shop] = await seedModelRuns(t.db, redis, prefix, shop, shopId);
        }
        await seedConversion(t.db, runs[SHOP_B]!.current.shopId, new Date(), 7, "JPY");
      },
    });
    origin = stack.origin;
  });
  afterAll(() => stack?.stop());

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

  it("the home page's dashboard and its pixel action, with shop A's token and shop=B, read and act on shop A", async () => {
    // Only shop B has orders (in yen), so its currency in shop A's answer would show a leak.
    const data = await fetch(`${origin}/app.data?shop=${SHOP_B}`, { headers: await bearer(SHOP_A) });
    expect(data.status).toBe(200);
    const body = await data.text();
    expect(body).toContain(SHOP_A);
    expect(body).not.toContain(SHOP_B);
    expect(body).not.toContain("JPY");
    // The same request with shop B's own token does carry B's dashboard.
    const ofB = await fetch(`${origin}/app.data`, { headers: await bearer(SHOP_B) });
    expect(await ofB.text()).toContain("JPY");

    const connect = await fetch(`${origin}/app.data?index&shop=${SHOP_B}`, {
      method: "POST",
      headers: await bearer(SHOP_A),
      body: new URLSearchParams({ intent: "connect-pixel", shop: SHOP_B }),
    });
    expect(connect.status).toBe(200);
    expect(stack.standIn.pixels.has(SHOP_A)).toBe(true);
    expect(stack.standIn.pixels.has(SHOP_B)).toBe(false);
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
    const train = new Queue(QUEUE_NAMES.train, { connection: stack.redis, prefix: stack.prefix });
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
    expect(await activeRunId(stack.redis, stack.prefix, SHOP_A)).toBe(runs[SHOP_A]!.older.id);
    expect(await activeRunId(stack.redis, stack.prefix, SHOP_B)).toBe(runs[SHOP_B]!.current.id);
    const b = await stack.t.db.shop.findUniqueOrThrow({ where: { domain: SHOP_B } });
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
    const activeBefore = await activeRunId(stack.redis, stack.prefix, SHOP_A);
    const shopifyCallsBefore = stack.standIn.requests.length;
    for (const [why, headers] of Object.entries(refused)) {
      const home = await fetch(`${origin}/app.data`, { headers, redirect: "manual" });
      expect(home.status, why).toBe(401);
      for (const [path, intent] of [
        ["/app.data?index", "connect-pixel"],
        ["/app/model.data", "rollback"],
        ["/app/model.data", "retrain"],
      ] as const) {
        const body = new URLSearchParams({ intent });
        const acted = await fetch(`${origin}${path}`, { method: "POST", headers, body, redirect: "manual" });
        expect(acted.status, `${why}: ${intent}`).toBe(401);
      }
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
    expect(await activeRunId(stack.redis, stack.prefix, SHOP_A)).toBe(activeBefore);
    expect(stack.standIn.requests.length).toBe(shopifyCallsBefore);
    const train = new Queue(QUEUE_NAMES.train, { connection: stack.redis, prefix: stack.prefix });
    for (const slot of ["a", "b"] as const) expect(await train.getJob(trainJobId(SHOP_A, slot))).toBeUndefined();
    await train.close();
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
