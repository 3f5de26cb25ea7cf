import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { Browser } from "playwright-core";
import { confineToApp, DESKTOP_USER_AGENT, launchBrowser } from "../helpers/browser";
import type { Spawned } from "../helpers/child-process";
import { startAppProcess } from "../helpers/stack";
import { catalogProduct, seedServedShop } from "../helpers/storefront-seed";
import { PRODUCTS } from "../helpers/storefront/products";
import { startStorefront, type StorefrontServer } from "../helpers/storefront/storefront-server";
import { createSqliteTestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "live-storefront.myshopify.com";
const WAIT = { timeout: 10_000 };
const byHandle = (handle: string) => PRODUCTS.find((p) => p.url === `/products/${handle}`)!;

/**
 * The block on a theme page, with the real app behind a local App Proxy that signs requests as
 * Shopify does: what a shopper sees once the app is installed, synced and trained.
 */
describe("the block against the real app, through a signing App Proxy, in Chromium", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  const testDb = createSqliteTestDb();
  let app: Spawned;
  let storefront: StorefrontServer;
  let browser: Browser;
  let customer: string | undefined;

  beforeAll(async () => {
    const target = { appOrigin: "", shop: SHOP, secret: process.env.SHOPIFY_API_SECRET!, customerId: () => customer };
    storefront = await startStorefront({ app: target });
    // The app's cards point at the storefront's own images, so the page needs no network.
    await seedServedShop(testDb.db, redis, prefix, SHOP, {
      // Everyone in treatment: this test is about what treatment sees (the holdout has its own).
      settings: { holdoutPercent: 0 },
      products: PRODUCTS.map((p) =>
        catalogProduct(p.id, {
          title: p.title,
          handle: p.url.replace("/products/", ""),
          imageUrl: `${storefront.origin}${new URL(p.image!.url, storefront.origin).pathname}`,
          variants: [
            {
              shopifyId: p.variantId,
              price: String(p.price),
              compareAtPrice: p.compareAtPrice === null ? null : String(p.compareAtPrice),
              available: p.available,
              position: 1,
            },
          ],
        }),
      ),
      lists: {
        related: new Map([
          [
            byHandle("linen-shirt").id,
            PRODUCTS.slice(1)
              .map((p) => p.id)
              .reverse(),
          ],
        ]),
        forCustomer: new Map([["5550001", [byHandle("beeswax-candle").id, byHandle("stoneware-mug").id]]]),
        popular: PRODUCTS.map((p) => p.id),
      },
    });
    const started = await startAppProcess({ DATABASE_URL: testDb.url, QUEUE_PREFIX: prefix });
    app = started.app;
    target.appOrigin = started.origin;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await storefront?.close();
    await app?.stop();
    redis.disconnect();
    await testDb.drop();
    await cleanup();
  });

  async function open(path: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_USER_AGENT });
    const { blocked } = await confineToApp(context, storefront.origin, "");
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.addInitScript(`
      window.__shift = 0;
      new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (!e.hadRecentInput) window.__shift += e.value; }))
        .observe({ type: "layout-shift", buffered: true });`);
    await page.goto(`${storefront.origin}${path}`);
    return { context, page, block: page.locator("[data-affinity-recs]"), problems, blocked };
  }

  it("shows the app's related products with links and prices, moves nothing, and beacons reach the app", async () => {
    customer = undefined;
    const { context, page, block, problems, blocked } = await open("/products/linen-shirt?cart=8120007");
    await expect.poll(() => block.getByRole("listitem").count(), WAIT).toBe(4);

    // Related to the shirt, reversed; without the planter (in the cart) and the sold-out beanie.
    const links = await block
      .getByRole("link")
      .evaluateAll((as) => as.map((a) => [new URL((a as HTMLAnchorElement).href).pathname, a.textContent]));
    const expected = PRODUCTS.slice(1)
      .reverse()
      .filter((p) => p.id !== "8120007" && p.available)
      .slice(0, 4);
    expect(links).toEqual(expected.map((p) => [p.url, p.title]));
    const prices = await block.locator(".affinity-card__price").allTextContents();
    expect(prices.map((text) => text.replace(/\s+/g, " "))).toEqual(
      expected.map((p) => expect.stringContaining(`£${p.price.toFixed(2)}`)),
    );
    await page.waitForFunction(() => [...document.images].every((img) => img.complete));
    expect(await page.evaluate(() => (window as unknown as { __shift: number }).__shift)).toBe(0);

    // The app saw a signed request carrying what the block knows.
    const served = storefront.forwarded.find((call) => call.path.endsWith("/recommendations"))!;
    expect(served.status).toBe(200);
    expect(Object.fromEntries(served.query)).toMatchObject({
      context: "product",
      product_id: "8120001",
      cart: "8120007",
    });
    // The app answered Liquid; what the browser got is the page Shopify rendered from it.
    const { recommendationId } = JSON.parse(served.renderedBody) as { recommendationId: string };

    await block.scrollIntoViewIfNeeded();
    await page.screenshot({ path: "test-output/storefront-live.png", fullPage: true });

    const adds = storefront.cartAdds.length;
    await block.getByRole("button", { name: `Add to cart – ${expected[0]!.title}` }).click();
    await expect.poll(() => storefront.cartAdds.length, WAIT).toBe(adds + 1);
    expect(storefront.cartAdds[adds]).toEqual({
      items: [{ id: expected[0]!.variantId, quantity: 1, properties: { _affinity_rec: recommendationId } }],
    });

    await block.getByRole("link", { name: expected[1]!.title }).click({ modifiers: ["Control"] });
    const beaconCalls = () => storefront.forwarded.filter((call) => call.path.endsWith("/events"));
    const sentTypes = () =>
      beaconCalls().flatMap((call) =>
        (JSON.parse(call.requestBody) as { events: { type: string }[] }).events.map((e) => e.type),
      );
    await expect.poll(sentTypes, WAIT).toEqual(expect.arrayContaining(["impression", "add_to_cart", "click"]));
    expect(beaconCalls().every((call) => call.status >= 200 && call.status < 300)).toBe(true);
    expect(problems).toEqual([]);
    expect(blocked).toEqual([]);
    await context.close();
  });

  it("a shopper who declined consent: the app answers a request without an id, and no event reaches it", async () => {
    customer = undefined;
    const calls = storefront.forwarded.length;
    const { context, page, block, problems } = await open("/products/linen-shirt?consent=declined");
    await expect.poll(() => block.getByRole("listitem").count(), WAIT).toBe(4);
    const served = storefront.forwarded.slice(calls).filter((call) => call.path.endsWith("/recommendations"));
    expect(served.map((call) => [call.status, Object.fromEntries(call.query)])).toEqual([
      [200, expect.not.objectContaining({ visitor: expect.anything() })],
    ]);
    await block.scrollIntoViewIfNeeded();
    await block
      .getByRole("button", { name: /^Add to cart – / })
      .first()
      .click();
    await page.waitForTimeout(1800);
    await page.goto("about:blank");
    await page.waitForTimeout(300);
    expect(storefront.forwarded.slice(calls).filter((call) => call.path.endsWith("/events"))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("gives a logged-in customer their own list", async () => {
    customer = "5550001";
    const { context, block } = await open("/");
    await expect
      .poll(() => block.getByRole("link").allTextContents(), WAIT)
      .toEqual(expect.arrayContaining([byHandle("beeswax-candle").title, byHandle("stoneware-mug").title]));
    const titles = await block.getByRole("link").allTextContents();
    expect(titles.slice(0, 2)).toEqual([byHandle("beeswax-candle").title, byHandle("stoneware-mug").title]);
    await context.close();
  });
});
