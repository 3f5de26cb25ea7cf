import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { recordInstall } from "../../app/lib/shops.server";
import { embeddedQuery, mintSessionToken, storeOfflineSession } from "../helpers/admin-session";
import { appBridgeStandIn, confineToApp, DESKTOP_USER_AGENT, launchBrowser } from "../helpers/browser";
import { freePort, type Spawned } from "../helpers/child-process";
import { spawnAppProcess } from "../helpers/stack";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { TEST_SHOP } from "../helpers/test-env";

describe("the embedded admin index page, in Chromium", () => {
  let t: TestDb;
  let app: Spawned;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    t = createSqliteTestDb();
    await storeOfflineSession(t.db, TEST_SHOP);
    await recordInstall(t.db, TEST_SHOP, new Date("2026-01-05T12:00:00Z"));
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    app = spawnAppProcess({ PORT: String(port), DATABASE_URL: t.url });
    await app.waitFor(/Affinity app listening on/);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await t?.drop();
  });

  it("given a session token signed with the app secret, renders the Polaris page from the database", async () => {
    const token = await mintSessionToken(TEST_SHOP);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, userAgent: DESKTOP_USER_AGENT });
    const { blocked } = await confineToApp(
      context,
      origin,
      appBridgeStandIn({ apiKey: process.env.SHOPIFY_API_KEY!, shop: TEST_SHOP, token }),
    );
    const page = await context.newPage();

    const response = await page.goto(`${origin}/app?${embeddedQuery(TEST_SHOP, token)}`);
    expect(response?.status()).toBe(200);

    await expect
      .poll(() => page.getByRole("heading", { name: `Recommendations learned from ${TEST_SHOP}` }).count())
      .toBe(1);
    expect(await page.getByText("Installed on January 5, 2026.").count()).toBe(1);
    const steps = page.locator("ul > li");
    expect(await steps.count()).toBe(4);
    expect(await steps.nth(0).innerText()).toMatch(/^Install Affinity\s+(Success\s+)?Done$/);
    expect(await steps.nth(1).innerText()).toMatch(/^Import products and orders\s+Not started$/);
    // Polaris's stylesheet is applied, not just its markup.
    const cardRadius = await page
      .locator(".Polaris-ShadowBevel")
      .first()
      .evaluate((el) => getComputedStyle(el).getPropertyValue("--pc-shadow-bevel-border-radius-xs"));
    expect(cardRadius.trim()).not.toBe("");

    await page.screenshot({ path: "test-output/admin-index.png", fullPage: true });
    // The page may only talk to the app itself and App Bridge; fonts and analytics stay blocked.
    expect(blocked.filter((url) => !url.startsWith("https://cdn.shopify.com/static/fonts/"))).toEqual([]);
    await context.close();
  });

  it("refuses a session token signed with another secret and shows none of the shop's data", async () => {
    const forged = await mintSessionToken(TEST_SHOP, {}, "not-the-app-secret");
    const response = await fetch(`${origin}/app?${embeddedQuery(TEST_SHOP, forged)}`, {
      redirect: "manual",
      headers: { "user-agent": DESKTOP_USER_AGENT },
    });
    expect([302, 401, 403]).toContain(response.status);
    expect(await response.text()).not.toContain("Recommendations learned from");
  });

  it("refuses an expired session token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await mintSessionToken(TEST_SHOP, { exp: now - 120, nbf: now - 3600, iat: now - 3600 });
    const response = await fetch(`${origin}/app?${embeddedQuery(TEST_SHOP, expired)}`, {
      redirect: "manual",
      headers: { "user-agent": DESKTOP_USER_AGENT },
    });
    expect(response.status).not.toBe(200);
    expect(await response.text()).not.toContain("Recommendations learned from");
  });
});
