import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { assignArm } from "../../app/lib/conversion/assignment";
import { createQueue, QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { forgetShopState } from "../../app/lib/storefront-store/shop-state.server";
import { storefrontLastSeen } from "../../app/lib/storefront-store/seen.server";
import { markUninstalled } from "../../app/lib/sync/lifecycle.server";
import { renderProxyLiquid } from "../../dev/storefront/proxy-liquid";
import { appProxyUrl } from "../helpers/app-proxy";
import type { Spawned } from "../helpers/child-process";
import { eventually, startAppProcess, startOwnRedis } from "../helpers/stack";
import { catalogProduct, seedServedShop } from "../helpers/storefront-seed";
import { createSqliteTestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";
const ids = (body: { products: { id: string }[] }) => body.products.map((p) => p.id);

describe("GET /apps/affinity/recommendations (the built app, real Redis and database)", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  const testDb = createSqliteTestDb();
  let app: Spawned;
  let origin: string;

  const get = (query: Record<string, string>, shop = SHOP_A, customer = "", init: RequestInit = {}) =>
    fetch(appProxyUrl(origin, "recommendations", query, { shop, loggedInCustomerId: customer }), init);
  const json = async (response: Response) => {
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    return (await response.json()) as { recommendationId: string; products: { id: string; title: string }[] };
  };

  /** The visitors whose exposure the app queued on the events queue, in queue order. */
  const exposedVisitors = async (): Promise<string[]> => {
    const events = createQueue(QUEUE_NAMES.events, redis, prefix);
    try {
      return (await events.getJobs(["waiting", "active", "completed", "delayed"]))
        .flatMap((job) => (job.data as { events: { type: string; visitorId: string }[] }).events)
        .filter((e) => e.type === "exposure")
        .map((e) => e.visitorId);
    } finally {
      await events.close();
    }
  };
  /** A Liquid answer rendered as Shopify would, in a market that sells only `sold` (every product if omitted). */
  const renderInMarket = (template: string, sold?: readonly string[]) =>
    renderProxyLiquid(template, {
      rootUrl: "/",
      currency: "GBP",
      product: (handle) => {
        const id = handle.replace("product-", "");
        if (sold && !sold.includes(id)) return undefined;
        return {
          id,
          handle,
          title: `A #${id}`,
          variantId: `${id}01`,
          price: 10,
          compareAtPrice: null,
          available: true,
          image: null,
        };
      },
    });

  beforeAll(async () => {
    // Both shops use the same product ids, as different shops' ids may collide in our tables.
    const products = (shop: string) =>
      ["1", "2", "3", "4", "5", "6", "7", "8"].map((id) => catalogProduct(id, { title: `${shop} #${id}` }));
    await seedServedShop(testDb.db, redis, prefix, SHOP_A, {
      products: [
        ...products("A").slice(0, 6),
        catalogProduct("7", {
          title: "A #7",
          variants: [{ shopifyId: "71", price: "3", compareAtPrice: null, available: false, position: 1 }],
        }),
        catalogProduct("8", { title: "A #8", isGiftCard: true }),
      ],
      lists: {
        forCustomer: new Map([["9001", ["7", "5", "4", "8", "3"]]]),
        related: new Map([
          ["1", ["2", "3", "6"]],
          ["2", ["6", "1"]],
        ]),
        popular: ["4", "3", "2", "1"],
      },
    });
    await seedServedShop(testDb.db, redis, prefix, SHOP_B, {
      products: products("B"),
      lists: { forCustomer: new Map([["9001", ["1", "2", "3"]]]), popular: ["5", "6"] },
    });
    ({ app, origin } = await startAppProcess({ DATABASE_URL: testDb.url, QUEUE_PREFIX: prefix }));
  });
  afterAll(async () => {
    await app?.stop();
    redis.disconnect();
    await testDb.drop();
    await cleanup();
  });

  it("gives a logged-in customer their own list, minus sold-out products and gift cards", async () => {
    const body = await json(await get({ context: "home", limit: "3" }, SHOP_A, "9001"));
    expect(ids(body)).toEqual(["5", "4", "3"]);
    expect(body.recommendationId).toMatch(/^[\w-]{8,}$/);
  });

  it("looks further down the ranking when the best products are sold out, within two rounds of cards", async () => {
    const soldOut = { variants: [{ shopifyId: "1", price: "3", compareAtPrice: null, available: false, position: 1 }] };
    // 60 products ranked by id; the first `n` are sold out.
    const shopWithSoldOut = async (n: number) => {
      const shop = `sold-out-${n}.myshopify.com`;
      await seedServedShop(testDb.db, redis, prefix, shop, {
        products: Array.from({ length: 60 }, (_, i) => catalogProduct(String(i + 1), i < n ? soldOut : {})),
        lists: { popular: Array.from({ length: 60 }, (_, i) => String(i + 1)) },
      });
      return shop;
    };
    // Limit 4: a first round of 12 cards finds none, the second (24 more) finds 31–34.
    const thirty = await shopWithSoldOut(30);
    expect(ids(await json(await get({ context: "home", limit: "4" }, thirty)))).toEqual(["31", "32", "33", "34"]);
    // With the first 40 sold out, two rounds (36 cards) find nothing: an empty block, not a slow one.
    const forty = await shopWithSoldOut(40);
    expect(ids(await json(await get({ context: "home", limit: "4" }, forty)))).toEqual([]);
  });

  it("records that the shop's storefront asks, for onboarding's block check", async () => {
    expect(await storefrontLastSeen(redis, prefix, SHOP_A)).toBeInstanceOf(Date);
    expect(await storefrontLastSeen(redis, prefix, "never-installed.myshopify.com")).toBeNull();
  });

  it("returns what the card needs", async () => {
    const body = (await (await get({ context: "home", limit: "2" })).json()) as { products: unknown[] };
    expect(body.products[0]).toEqual({
      id: "4",
      variantId: "401",
      title: "A #4",
      url: "/products/product-4",
      image: { url: "https://cdn.shopify.com/s/files/4.jpg", width: 600, height: 600, alt: "A #4" },
      price: 10,
      compareAtPrice: null,
      available: true,
    });
  });

  it("answers Liquid for the storefront's context with format=liquid: spares past what the market drops", async () => {
    const response = await get({ context: "home", limit: "2", format: "liquid" }, SHOP_A, "9001");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/liquid");
    expect(response.headers.get("cache-control")).toBe("no-store");
    // Rendered as Shopify would, in a market that does not sell product 5: the block still gets two.
    const page = await renderInMarket(await response.text(), ["3", "4"]);
    expect(ids(JSON.parse(page) as { products: { id: string }[] })).toEqual(["4", "3"]);
  });

  it("gives a product page its related products, never the product itself or what is in the cart", async () => {
    const body = await json(
      await get({ context: "product", strategy: "related", product_id: "1", cart: "3", limit: "4" }),
    );
    expect(ids(body)).toEqual(["2", "6"]);
    expect(body).toMatchObject({ requested: "related", strategy: "related" });
    expect(body).not.toHaveProperty("fallback");
  });

  it("serves each personal strategy from the customer's own stored list, exactly in its order", async () => {
    const shop = "strategies.myshopify.com";
    await seedServedShop(testDb.db, redis, prefix, shop, {
      products: ["1", "2", "3", "4", "5", "6"].map((id) => catalogProduct(id)),
      lists: {
        forCustomer: new Map([["42", ["3", "1", "5"]]]),
        againForCustomer: new Map([["42", ["1", "3"]]]),
        newForCustomer: new Map([["42", ["5", "6", "2"]]]),
        related: new Map([["4", ["6", "2"]]]),
        popular: ["3", "5"],
        bestSellers: ["2", "4"],
      },
    });
    const served = async (query: Record<string, string>, customer = "42") =>
      json(await get({ limit: "4", ...query }, shop, customer));
    expect(ids(await served({ strategy: "for_you" }))).toEqual(["3", "1", "5"]);
    expect(ids(await served({ strategy: "buy_again" }))).toEqual(["1", "3"]);
    expect(ids(await served({ strategy: "new_for_you", cart: "6" }))).toEqual(["5", "2"]);
    expect(ids(await served({ strategy: "complete_cart", cart: "1,4" }))).toEqual(["6", "2"]);
    // No strategy: for you.
    expect(await served({})).toMatchObject({ requested: "for_you", strategy: "for_you" });
  });

  it("falls back to a documented strategy when the asked-for one cannot serve, and says so", async () => {
    const shop = "strategies.myshopify.com";
    const served = async (query: Record<string, string>, customer = "") =>
      json(await get({ limit: "4", ...query }, shop, customer));
    // Buy-again for an anonymous visitor with nothing viewed: the run's list for an empty history,
    // and the reason buy-again could not serve: nobody is logged in.
    const anonymous = await served({ strategy: "buy_again" });
    expect(anonymous).toMatchObject({ requested: "buy_again", strategy: "popular", fallback: "not_logged_in" });
    expect(ids(anonymous)).toEqual(["3", "5"]);
    // Complete-the-cart with an empty cart, for a visitor who viewed product 4: related to it.
    const cart = await served({ strategy: "complete_cart", history: "4" });
    expect(cart).toMatchObject({ requested: "complete_cart", strategy: "related", fallback: "empty_cart" });
    expect(ids(cart)).toEqual(["6", "2"]);
    // A customer with no history: new-for-you is the list for an empty history (the first-visit
    // evaluation's winner: the model's, or the most popular products), minus the cart.
    const fresh = await served({ strategy: "new_for_you", cart: "3" }, "777");
    expect(fresh).toMatchObject({ strategy: "popular", fallback: "no_list" });
    expect(ids(fresh)).toEqual(["5"]);
  });

  it("gives an anonymous shopper the products related to what they viewed last", async () => {
    const body = await json(await get({ context: "home", history: "2,1", limit: "2" }));
    expect(ids(body)).toEqual(["6", "1"]);
    expect(body).toMatchObject({ requested: "for_you", strategy: "related", fallback: "not_logged_in" });
  });

  it("never returns another shop's products", async () => {
    const a = await json(await get({ context: "home", limit: "12" }, SHOP_A, "9001"));
    const b = await json(await get({ context: "home", limit: "12" }, SHOP_B, "9001"));
    expect(a.products.every((p) => p.title.startsWith("A #"))).toBe(true);
    expect(b.products.every((p) => p.title.startsWith("B #"))).toBe(true);
    expect(ids(b).slice(0, 3)).toEqual(["1", "2", "3"]);
  });

  it("refuses a forged shop: the signature covers it (401, no data)", async () => {
    const url = new URL(appProxyUrl(origin, "recommendations", { context: "home" }, { shop: SHOP_A }));
    url.searchParams.set("shop", SHOP_B);
    const response = await fetch(url);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });

  it("refuses bad, missing and stale signatures", async () => {
    const bad = new URL(appProxyUrl(origin, "recommendations", { context: "home" }, { shop: SHOP_A }));
    bad.searchParams.set("signature", "0".repeat(64));
    expect((await fetch(bad)).status).toBe(401);
    expect((await fetch(`${origin}/apps/affinity/recommendations?shop=${SHOP_A}&context=home`)).status).toBe(400);
    const stale = appProxyUrl(
      origin,
      "recommendations",
      { context: "home" },
      {
        shop: SHOP_A,
        timestamp: Math.floor(Date.now() / 1000) - 600,
      },
    );
    expect((await fetch(stale)).status).toBe(401);
  });

  it("answers 404 for a shop that never installed", async () => {
    const response = await get({ context: "home" }, "never-installed.myshopify.com");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "Unknown shop" });
  });

  it("answers 400 to a request that makes no sense, and clamps what it can", async () => {
    expect((await get({ context: "checkout" })).status).toBe(400);
    expect((await get({ limit: "lots" })).status).toBe(400);
    const unknown = await get({ strategy: "trending" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: "strategy must be one of for_you, buy_again, new_for_you, related, complete_cart",
    });
    const clamped = await json(
      await get({
        context: "home",
        limit: "99",
        history: `x,,${Array.from({ length: 400 }, (_, i) => i + 1).join(",")}`,
      }),
    );
    expect(clamped.products.length).toBeLessThanOrEqual(12);
    expect(clamped.products.length).toBeGreaterThan(0);
  });

  it("applies the merchant's settings on the next request, without a restart", async () => {
    await testDb.db.shop.update({
      where: { domain: SHOP_A },
      data: { settings: JSON.stringify({ pinnedProductIds: ["6"], exclusions: { productIds: ["4"] } }) },
    });
    await forgetShopState(redis, prefix, SHOP_A);
    // The app keeps a shop's state for up to a second in process.
    await eventually(
      async () => ids(await json(await get({ context: "home", limit: "3" }))).join() === "6,3,2",
      "the new settings",
    );
  });

  it("leaves out what a customer bought when the merchant turns 'include previously bought' off", async () => {
    const shop = "no-repeats.myshopify.com";
    await seedServedShop(testDb.db, redis, prefix, shop, {
      products: ["1", "2", "3", "4"].map((id) => catalogProduct(id)),
      lists: {
        forCustomer: new Map([["77", ["1", "2", "3", "4"]]]),
        newForCustomer: new Map([["77", ["1", "3"]]]),
        related: new Map([["9", ["2", "3", "4"]]]),
        bought: new Map([["77", ["2", "4"]]]),
      },
      settings: { includePurchased: false },
    });
    // For you becomes the customer's new-for-you list, which holds nothing they bought.
    const forYou = await json(await get({ context: "home", limit: "4" }, shop, "77"));
    expect(ids(forYou)).toEqual(["1", "3"]);
    expect(forYou).toMatchObject({ strategy: "new_for_you", fallback: "purchases_excluded" });
    // Lists that are not the customer's own leave their purchases out.
    expect(ids(await json(await get({ strategy: "related", product_id: "9" }, shop, "77")))).toEqual(["3"]);
  });

  it("holds out the control group: nothing, or best-sellers, and reports every visitor's exposure once", async () => {
    const shop = "holdout.myshopify.com";
    await seedServedShop(testDb.db, redis, prefix, shop, {
      products: ["1", "2", "3", "4"].map((id) => catalogProduct(id)),
      lists: { popular: ["1", "2"], bestSellers: ["4", "3"] },
      settings: { holdoutPercent: 50, controlExperience: "none" },
    });
    const visitors = Array.from({ length: 24 }, (_, i) => `visitor-${i}-abcdef`);
    const answers = new Map<string, string[]>();
    for (const visitor of visitors) answers.set(visitor, ids(await json(await get({ visitor, limit: "2" }, shop))));
    const experiment = await testDb.db.experiment.findFirstOrThrow({ where: { shop: { domain: shop } } });
    const arm = (visitor: string) =>
      assignArm({ shop, experimentId: experiment.id, visitorId: visitor, holdoutPercent: 50 });
    expect(experiment.holdoutPercent).toBe(50);
    expect(new Set(visitors.map(arm))).toEqual(new Set(["control", "treatment"]));
    for (const visitor of visitors) expect(answers.get(visitor)).toEqual(arm(visitor) === "control" ? [] : ["1", "2"]);

    await get({ visitor: visitors[0]!, limit: "2" }, shop);
    expect((await exposedVisitors()).sort()).toEqual([...visitors].sort());

    await testDb.db.shop.update({
      where: { domain: shop },
      data: { settings: JSON.stringify({ holdoutPercent: 50, controlExperience: "best_sellers" }) },
    });
    await forgetShopState(redis, prefix, shop);
    const control = visitors.find((v) => arm(v) === "control")!;
    await eventually(
      async () => ids(await json(await get({ visitor: control, limit: "2" }, shop))).join() === "4,3",
      "best-sellers for the control group",
    );
  });

  it("holds out the control group in the storefront-context (Liquid) answer too, and reports each exposure", async () => {
    const shop = "holdout-liquid.myshopify.com";
    await seedServedShop(testDb.db, redis, prefix, shop, {
      products: ["1", "2", "3", "4"].map((id) => catalogProduct(id)),
      lists: { popular: ["1", "2"], bestSellers: ["4", "3"] },
      settings: { holdoutPercent: 50, controlExperience: "none" },
    });
    const visitors = Array.from({ length: 16 }, (_, i) => `liquid-visitor-${i}-abc`);
    const shown = new Map<string, string[]>();
    for (const visitor of visitors) {
      const response = await get({ visitor, limit: "2", format: "liquid" }, shop);
      expect(response.headers.get("content-type")).toBe("application/liquid");
      // Rendered as Shopify would, in a market that sells everything.
      const page = await renderInMarket(await response.text());
      shown.set(visitor, ids(JSON.parse(page) as { products: { id: string }[] }));
    }
    const experiment = await testDb.db.experiment.findFirstOrThrow({ where: { shop: { domain: shop } } });
    const arm = (visitor: string) =>
      assignArm({ shop, experimentId: experiment.id, visitorId: visitor, holdoutPercent: 50 });
    expect(new Set(visitors.map(arm))).toEqual(new Set(["control", "treatment"]));
    for (const visitor of visitors) expect(shown.get(visitor)).toEqual(arm(visitor) === "control" ? [] : ["1", "2"]);

    expect((await exposedVisitors()).filter((v) => v.startsWith("liquid-visitor-")).sort()).toEqual(
      [...visitors].sort(),
    );
  });

  it("serves a visitor without an id (no consent) as treatment and never counts them as exposed", async () => {
    const shop = "no-consent.myshopify.com";
    await seedServedShop(testDb.db, redis, prefix, shop, {
      products: ["1", "2", "3", "4"].map((id) => catalogProduct(id)),
      lists: { popular: ["1", "2"], bestSellers: ["4", "3"] },
      settings: { holdoutPercent: 50, controlExperience: "none" },
    });
    // Whatever the split, each shopper without an id gets recommendations, none of them control's.
    for (let i = 0; i < 6; i++)
      expect(ids(await json(await get({ context: "home", limit: "2" }, shop)))).toEqual(["1", "2"]);
    expect(ids(await json(await get({ context: "product", product_id: "3", limit: "2" }, shop)))).toEqual(["1", "2"]);

    const events = createQueue(QUEUE_NAMES.events, redis, prefix);
    const jobs = await events.getJobs(["waiting", "active", "completed", "delayed"]);
    expect(jobs.filter((job) => (job.data as { shop: string }).shop === shop)).toEqual([]);
    await events.close();
    // No experiment starts on their account either: only visitors with an id enter one.
    expect(await testDb.db.experiment.count({ where: { shop: { domain: shop } } })).toBe(0);
  });

  it("stops serving a shop once it uninstalls", async () => {
    await markUninstalled(testDb.db, SHOP_B, async () => 0);
    await forgetShopState(redis, prefix, SHOP_B);
    await eventually(
      async () => (await get({ context: "home" }, SHOP_B)).status === 404,
      "a 404 for the uninstalled shop",
    );
  });
});

describe("GET /apps/affinity/recommendations while Redis is down", () => {
  it("answers 503 with Retry-After (the block hides), then serves again once Redis is back", async () => {
    const own = await startOwnRedis();
    let redisProcess = await own.start();
    const redis = new Redis(own.url, { maxRetriesPerRequest: 1 });
    redis.on("error", () => undefined);
    const testDb = createSqliteTestDb();
    const prefix = "{affinity-outage}";
    await seedServedShop(testDb.db, redis, prefix, SHOP_A, {
      products: [catalogProduct("1")],
      lists: { popular: ["1"] },
    });
    const { app, origin } = await startAppProcess({
      DATABASE_URL: testDb.url,
      QUEUE_PREFIX: prefix,
      REDIS_URL: own.url,
    });
    const get = () => fetch(appProxyUrl(origin, "recommendations", { context: "home" }, { shop: SHOP_A }));
    try {
      expect((await get()).status).toBe(200);
      await redisProcess.stop("SIGTERM");
      const down = await get();
      expect(down.status).toBe(503);
      expect(down.headers.get("retry-after")).toBe("5");
      expect(await down.json()).toEqual({ error: expect.stringMatching(/unavailable/) });
      redisProcess = await own.start();
      await eventually(async () => (await get()).status === 200, "serving after Redis came back");
    } finally {
      await app.stop();
      await redisProcess.stop("SIGKILL");
      redis.disconnect();
      await testDb.drop();
    }
  });
});
