import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { confineToApp, DESKTOP_USER_AGENT, launchBrowser } from "../helpers/browser";
import { startStorefront, type StorefrontServer } from "../helpers/storefront/storefront-server";

/** Beacons wait up to 1.5 s for a batch; network and rendering get generous room on a busy machine. */
const WAIT = { timeout: 10_000 };
const VISITOR_ID = /^[0-9a-f]{32}$/;

type Query = Record<string, string>;

/**
 * The block under Shopify's Customer Privacy API (docs/decisions/006, "Consent"): the stand-in
 * storefront serves each page with a fake `Shopify.customerPrivacy` in the mode the `consent`
 * query parameter names (test/helpers/storefront/customer-privacy.ts).
 */
describe("the storefront block and shopper consent, in Chromium", () => {
  let server: StorefrontServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startStorefront();
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string): Promise<{ page: Page; block: Locator; problems: string[]; queries: Query[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_USER_AGENT });
    contexts.push(context);
    await confineToApp(context, server.origin, "");
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
    });
    // Each request as this page sent it (the server's list is shared by every test).
    const queries: Query[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/apps/affinity/recommendations") queries.push(Object.fromEntries(url.searchParams));
    });
    await page.goto(`${server.origin}${path}`);
    return { page, block: page.locator("[data-affinity-recs]"), problems, queries };
  }

  const stored = (page: Page) =>
    page.evaluate(() =>
      Object.fromEntries(
        Object.keys(localStorage)
          .filter((key) => key.startsWith("affinity:"))
          .map((key) => [key, JSON.parse(localStorage.getItem(key)!) as unknown]),
      ),
    );
  /** The recommendation id the proxy gave the request with this query. */
  const recommendationOf = (query: Query) =>
    [...server.recommendationRequests].reverse().find((r) => r.toString() === new URLSearchParams(query).toString())
      ?.response?.recommendationId;
  const beaconsFor = (recommendationIds: Array<string | undefined>) =>
    server.beacons.flatMap((b) => b.events).filter((e) => recommendationIds.includes(e.recommendationId));
  const cardTitles = (block: Locator) => block.locator(".affinity-card__title").allTextContents();

  /** Shows the block (an impression) and adds a product to the cart from it; returns what cart/add got. */
  async function useBlock(page: Page, block: Locator): Promise<unknown> {
    const adds = server.cartAdds.length;
    await block.scrollIntoViewIfNeeded();
    await block.getByRole("button", { name: "Add to cart – Stoneware Mug" }).click();
    await expect.poll(() => server.cartAdds.length, WAIT).toBe(adds + 1);
    await expect.poll(() => block.getByRole("status").textContent(), WAIT).toBe("Stoneware Mug was added to your cart");
    return server.cartAdds[adds];
  }
  /** Past the beacons' batching delay, then away from the page (which sends whatever is queued). */
  async function leave(page: Page): Promise<void> {
    await page.waitForTimeout(1800);
    await page.goto("about:blank");
    await page.waitForTimeout(300);
  }

  it("declined: stores nothing and sends no beacon, yet shows products related to the page, with the hidden cart property", async () => {
    const { page, block, problems, queries } = await open("/products/linen-shirt?cart=8120007&consent=declined");
    await expect.poll(() => block.getByRole("listitem").count(), WAIT).toBe(4);
    // The page's product and cart only: no visitor id, no history.
    expect(queries).toEqual([
      { context: "product", strategy: "related", limit: "4", format: "liquid", product_id: "8120001", cart: "8120007" },
    ]);
    expect(await cardTitles(block)).toContain("Stoneware Mug");
    const recommendationId = recommendationOf(queries[0]!);
    expect(recommendationId).toMatch(/^rec_\d{4}$/);

    const added = await useBlock(page, block);
    // Attribution without an id: the line property carries the recommendation, not the shopper.
    expect(added).toEqual({ items: [{ id: "4412002", quantity: 1, properties: { _affinity_rec: recommendationId } }] });
    expect(await stored(page)).toEqual({});
    await leave(page);
    expect(beaconsFor([recommendationId])).toEqual([]);
    expect(problems).toEqual([]);
  });

  it.each(["granted", "not-required"])(
    "%s: keeps the visitor id and the history, sends them, and beacons",
    async (mode) => {
      const { page, block, problems, queries } = await open(`/products/linen-shirt?consent=${mode}`);
      await expect.poll(() => block.getByRole("listitem").count(), WAIT).toBe(4);
      expect(queries).toEqual([
        {
          context: "product",
          strategy: "related",
          limit: "4",
          format: "liquid",
          product_id: "8120001",
          visitor: expect.stringMatching(VISITOR_ID),
        },
      ]);
      const visitorId = queries[0]!.visitor;
      expect(await stored(page)).toEqual({
        "affinity:visitor": visitorId,
        "affinity:history": [{ id: "8120001", at: expect.any(Number) }],
      });
      const recommendationId = recommendationOf(queries[0]!);
      await useBlock(page, block);
      await leave(page);
      await expect
        .poll(() => beaconsFor([recommendationId]).map((e) => [e.type, e.visitorId]), WAIT)
        .toEqual([
          ["impression", visitorId],
          ["add_to_cart", visitorId],
        ]);

      await page.goto(`${server.origin}/products/canvas-tote?consent=${mode}`);
      await expect.poll(() => queries.length, WAIT).toBe(2);
      expect(queries[1]).toMatchObject({ product_id: "8120003", history: "8120001", visitor: visitorId });
      expect(problems).toEqual([]);
    },
  );

  it("consent given later in the visit: personalises the block on screen and from then on", async () => {
    const { page, block, problems, queries } = await open("/products/linen-shirt?consent=undecided");
    await expect.poll(() => block.getByRole("listitem").count(), WAIT).toBe(4);
    expect(queries).toEqual([
      { context: "product", strategy: "related", limit: "4", format: "liquid", product_id: "8120001" },
    ]);
    const before = recommendationOf(queries[0]!);
    await block.scrollIntoViewIfNeeded();
    await page.waitForTimeout(1800);
    expect(await stored(page)).toEqual({});
    expect(beaconsFor([before])).toEqual([]);

    // The shopper accepts in the cookie banner, which records it through the API.
    await page.evaluate(() =>
      (
        window as unknown as { Shopify: { customerPrivacy: { setTrackingConsent(c: object): void } } }
      ).Shopify.customerPrivacy.setTrackingConsent({ analytics: true, preferences: true, marketing: true }),
    );
    await expect.poll(() => queries.length, WAIT).toBe(2);
    const visitorId = queries[1]!.visitor;
    expect(queries[1]).toEqual({
      context: "product",
      strategy: "related",
      limit: "4",
      format: "liquid",
      product_id: "8120001",
      visitor: visitorId,
    });
    expect(visitorId).toMatch(VISITOR_ID);
    await expect
      .poll(() => stored(page), WAIT)
      .toEqual({
        "affinity:visitor": visitorId,
        "affinity:history": [{ id: "8120001", at: expect.any(Number) }],
      });
    // The cards now come from the second answer, and its impression is counted under the new id.
    const after = recommendationOf(queries[1]!);
    expect(after).not.toBe(before);
    await expect
      .poll(() => beaconsFor([before, after]), WAIT)
      .toEqual([expect.objectContaining({ type: "impression", recommendationId: after, visitorId })]);

    // The next page (consent now on record) sends the history kept since.
    await page.goto(`${server.origin}/products/canvas-tote?consent=granted`);
    await expect.poll(() => queries.length, WAIT).toBe(3);
    expect(queries[2]).toMatchObject({ product_id: "8120003", history: "8120001", visitor: visitorId });
    expect(problems).toEqual([]);
  });

  it("consent given later, and the second answer has nothing (the control arm): the cards on screen stay", async () => {
    const { page, block, problems, queries } = await open("/products/linen-shirt?consent=undecided");
    await expect.poll(() => block.getByRole("listitem").count(), WAIT).toBe(4);
    const before = await cardTitles(block);
    const answered = server.recommendationRequests.length;
    server.proxy.mode = "empty";
    try {
      await page.evaluate(() =>
        (
          window as unknown as { Shopify: { customerPrivacy: { setTrackingConsent(c: object): void } } }
        ).Shopify.customerPrivacy.setTrackingConsent({ analytics: true, preferences: true }),
      );
      await expect.poll(() => queries.length, WAIT).toBe(2);
      await expect.poll(() => server.recommendationRequests[answered]?.response?.products, WAIT).toEqual([]);
      await page.waitForTimeout(300);
    } finally {
      server.proxy.mode = "ok";
    }
    expect(await block.isVisible()).toBe(true);
    expect(await cardTitles(block)).toEqual(before);
    expect(problems).toEqual([]);
  });

  it("consent withdrawn later in the visit: forgets the id and the history, and beacons no more", async () => {
    const { page, block, problems, queries } = await open("/products/linen-shirt?consent=granted");
    await expect.poll(() => block.getByRole("listitem").count(), WAIT).toBe(4);
    expect(Object.keys(await stored(page)).sort()).toEqual(["affinity:history", "affinity:visitor"]);
    await page.evaluate(() =>
      (
        window as unknown as { Shopify: { customerPrivacy: { setTrackingConsent(c: object): void } } }
      ).Shopify.customerPrivacy.setTrackingConsent({ analytics: false, preferences: false, marketing: false }),
    );
    await expect.poll(() => stored(page), WAIT).toEqual({});
    await useBlock(page, block);
    expect(await stored(page)).toEqual({});
    await leave(page);
    expect(beaconsFor([recommendationOf(queries[0]!)])).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("a slow API: shows what needs no personal data after a second, then personalises when the API answers", async () => {
    const { page, block, problems, queries } = await open("/products/linen-shirt?consent=slow");
    await expect.poll(() => block.getByRole("listitem").count(), WAIT).toBe(4);
    expect(queries).toEqual([
      { context: "product", strategy: "related", limit: "4", format: "liquid", product_id: "8120001" },
    ]);
    expect(await stored(page)).toEqual({});

    await page.evaluate(() => (window as unknown as { answerCustomerPrivacy(): void }).answerCustomerPrivacy());
    await expect.poll(() => queries.length, WAIT).toBe(2);
    expect(queries[1]!.visitor).toMatch(VISITOR_ID);
    await expect.poll(() => stored(page), WAIT).toMatchObject({ "affinity:visitor": queries[1]!.visitor });
    expect(problems).toEqual([]);
  });

  it.each([
    // Shopify documents that processing may proceed where the API is not available.
    { mode: "absent", rule: "the documented default, processing allowed", personal: true },
    // The API is there but could not be read: nothing is known, so nothing is allowed.
    { mode: "error", rule: "nothing allowed", personal: false },
  ])("an API that is $mode: $rule; shows products and never throws", async ({ mode, personal }) => {
    const { page, block, problems, queries } = await open(`/products/linen-shirt?consent=${mode}`);
    await expect.poll(() => block.getByRole("listitem").count(), WAIT).toBe(4);
    expect(queries).toHaveLength(1);
    expect("visitor" in queries[0]!).toBe(personal);
    expect(Object.keys(await stored(page)).sort()).toEqual(personal ? ["affinity:history", "affinity:visitor"] : []);
    expect(problems).toEqual([]);
  });
});
