import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { APP_BRIDGE_URL } from "../../dev/app-bridge-stand-in";

export { APP_BRIDGE_URL, appBridgeStandIn } from "../../dev/app-bridge-stand-in";

/**
 * A desktop Chrome user agent. The Shopify library answers 410 to anything `isbot` flags, which
 * includes "HeadlessChrome" and Node's fetch; merchants use ordinary browsers.
 */
export const DESKTOP_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

/** Debian's Chromium, started the way this sandbox needs (no sandbox, no background networking). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Lets the page reach only the app under test. App Bridge is served by the stand-in; any other
 * outbound request is aborted and recorded, so a test can fail on it.
 */
export async function confineToApp(
  context: BrowserContext,
  appOrigin: string,
  standIn: string,
): Promise<{ blocked: string[] }> {
  const blocked: string[] = [];
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (url.startsWith(appOrigin)) return route.continue();
    if (url.split("?")[0] === APP_BRIDGE_URL) {
      return route.fulfill({ status: 200, contentType: "text/javascript", body: standIn });
    }
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  return { blocked };
}
