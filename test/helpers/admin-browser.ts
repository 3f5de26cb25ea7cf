import type { Browser, Page } from "playwright-core";
import { embeddedQuery, mintSessionToken } from "./admin-session";
import { appBridgeStandIn, confineToApp, DESKTOP_USER_AGENT } from "./browser";

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
): Promise<{ page: Page; blocked(): string[]; close(): Promise<void> }> {
  const token = await mintSessionToken(shop);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_USER_AGENT });
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
