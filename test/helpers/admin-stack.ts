import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { seedShop } from "./admin-seed";
import { embeddedQuery, mintSessionToken } from "./admin-session";
import { startAdminApiStandIn, type AdminApiStandIn, type StandInConfig } from "./admin-api-stand-in";
import { appBridgeStandIn, confineToApp, DESKTOP_USER_AGENT, launchBrowser } from "./browser";
import type { Spawned } from "./child-process";
import { startAppProcess } from "./stack";
import { createSqliteTestDb, type TestDb } from "./test-db";
import { TEST_SHOP } from "./test-env";
import { createTestPrefix } from "./test-redis";

/** What a test's seed function gets: the stack's database and Redis, and the seeded shop. */
export interface SeedContext {
  t: TestDb;
  redis: Redis;
  prefix: string;
  shop: string;
  shopId: string;
}

export interface AdminStackOptions {
  /** The shop whose offline session and catalog are seeded. @defaultValue TEST_SHOP */
  shop?: string;
  /** Writes what the test needs before the app starts: backfills, runs, rollups, orders. */
  seed?: (ctx: SeedContext) => Promise<void>;
  /** The Admin API stand-in's collections and page size. */
  standIn?: Partial<Pick<StandInConfig, "collections" | "collectionPageSize">>;
  /** Start Chromium too. @defaultValue true */
  browser?: boolean;
}

export interface AdminStack extends SeedContext {
  app: Spawned;
  origin: string;
  /** Shopify's Admin API, faked at the HTTP boundary; the app's Shopify calls go here. */
  standIn: AdminApiStandIn;
  browser: Browser;
  /** Opens an embedded page of the app as the Shopify admin would (see `openAdminPage`). */
  open(path: string, extraStandIn?: string, viewport?: Viewport): Promise<AdminPage>;
  stop(): Promise<void>;
}

/** The offline token seedShop stores, which the stand-in accepts. */
const ACCESS_TOKEN = "shpat_offline_test_token";

/**
 * The admin pages' test stack: a database and a Redis prefix of the test's own, the seeded shop,
 * the Admin API stand-in, the built app pointed at all three, and Chromium. One call in
 * `beforeAll`, one `stop()` in `afterAll`.
 */
export async function startAdminStack(options: AdminStackOptions = {}): Promise<AdminStack> {
  const shop = options.shop ?? TEST_SHOP;
  const keys = createTestPrefix();
  const t = createSqliteTestDb();
  // BullMQ workers and queues in the tests share this client; they need no retry limit.
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const started: Partial<Pick<AdminStack, "app" | "standIn" | "browser">> = {};
  const stop = async () => {
    await started.browser?.close();
    await started.app?.stop();
    await started.standIn?.close();
    redis.disconnect();
    await keys.cleanup();
    await t.drop();
  };
  try {
    const shopId = await seedShop(t.db, shop);
    const seeded: SeedContext = { t, redis, prefix: keys.prefix, shop, shopId };
    await options.seed?.(seeded);
    started.standIn = await startAdminApiStandIn({ accessToken: ACCESS_TOKEN, ...options.standIn });
    const { app, origin } = await startAppProcess(
      { DATABASE_URL: t.url, QUEUE_PREFIX: keys.prefix },
      { shopifyOrigin: started.standIn.origin },
    );
    started.app = app;
    if (options.browser !== false) started.browser = await launchBrowser();
    const { standIn, browser } = started;
    const requireBrowser = () => {
      if (!browser) throw new Error("this admin stack was started with browser: false");
      return browser;
    };
    return {
      ...seeded,
      app,
      origin,
      standIn,
      get browser() {
        return requireBrowser();
      },
      open: (path, extraStandIn, viewport) =>
        openAdminPage(requireBrowser(), origin, path, shop, extraStandIn, viewport),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The size of the admin's app frame. @defaultValue 1280 × 900, a laptop's admin */
export interface Viewport {
  width: number;
  height: number;
}

export interface AdminPage {
  page: Page;
  /** Requests the page tried to send outside the app (fonts excepted). */
  blocked(): string[];
  /** Closes the page; fails if it logged an error or threw. */
  close(): Promise<void>;
}

/**
 * Opens an embedded admin page as Shopify's admin would: the first document carries the session
 * token in its query, App Bridge (the stand-in) signs the page's later requests with it.
 * `extraStandIn` is appended to the stand-in script, e.g. to answer the resource picker.
 */
export async function openAdminPage(
  browser: Browser,
  origin: string,
  path: string,
  shop: string,
  extraStandIn = "",
  viewport: Viewport = { width: 1280, height: 900 },
): Promise<AdminPage> {
  const token = await mintSessionToken(shop);
  const context = await browser.newContext({ viewport, userAgent: DESKTOP_USER_AGENT });
  const standIn = appBridgeStandIn({ apiKey: process.env.SHOPIFY_API_KEY!, shop, token }) + extraStandIn;
  const { blocked } = await confineToApp(context, origin, standIn);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // React reports hydration mismatches and failed effects on the console; blocked fonts too,
  // as failed loads, which are expected here.
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      errors.push(message.text());
  });
  const [base, query = ""] = path.split("?");
  const response = await page.goto(`${origin}${base}?${embeddedQuery(shop, token)}${query ? `&${query}` : ""}`);
  if (response?.status() !== 200) throw new Error(`${path} answered ${response?.status()}`);
  await page.waitForLoadState("networkidle");
  return {
    page,
    // Fonts come from Shopify's CDN in the real admin; everything else must stay inside the app.
    blocked: () => blocked.filter((url) => !url.startsWith("https://cdn.shopify.com/static/fonts/")),
    async close() {
      await context.close();
      if (errors.length > 0) throw new Error(`page errors:\n${errors.join("\n")}`);
    },
  };
}
