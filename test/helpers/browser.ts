import { chromium, type Browser, type BrowserContext } from "playwright-core";

export const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

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
 * A stand-in for App Bridge, which the admin loads from Shopify's CDN. Like the real script it
 * exposes `shopify.idToken()` and adds `Authorization: Bearer <session token>` to the app's own
 * fetches; the token is one minted with the app secret, so the app's real verification runs.
 */
export function appBridgeStandIn(options: { apiKey: string; shop: string; token: string }): string {
  return `(() => {
  const token = ${JSON.stringify(options.token)};
  window.shopify = {
    config: { apiKey: ${JSON.stringify(options.apiKey)}, shop: ${JSON.stringify(options.shop)}, locale: "en" },
    idToken: async () => token,
    toast: { show: () => undefined, hide: () => undefined },
    loading: () => undefined,
    resourcePicker: async () => undefined,
  };
  // App Bridge moves these into the admin's own chrome, so inside the app frame they show nothing.
  for (const tag of ["ui-nav-menu", "ui-title-bar", "ui-save-bar", "ui-modal"]) {
    customElements.define(tag, class extends HTMLElement {
      connectedCallback() { this.style.display = "none"; }
      // The save bar and modal are opened and closed through methods, as App Bridge's are.
      show() {}
      hide() {}
      toggle() {}
    });
  }
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin) return nativeFetch(input, init);
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    headers.set("Authorization", "Bearer " + token);
    return nativeFetch(input, { ...init, headers });
  };
})();`;
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
