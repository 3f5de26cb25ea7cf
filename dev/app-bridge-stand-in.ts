/** Where the embedded admin loads App Bridge from; unreachable offline, so it is stood in for. */
export const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

/**
 * Where the session token comes from: one fixed token (a test mints it), or a same-origin URL
 * that answers `{ "token": "…" }` with a fresh one (the demo's admin preview, which stays open
 * longer than a token lives).
 */
export type TokenSource = { token: string } | { tokenUrl: string };

/**
 * A stand-in for App Bridge, which the admin loads from Shopify's CDN. Like the real script it
 * exposes `shopify.idToken()` and adds `Authorization: Bearer <session token>` to the app's own
 * fetches; the token is one minted with the app secret, so the app's real verification runs.
 */
export function appBridgeStandIn(options: { apiKey: string; shop: string } & TokenSource): string {
  const idToken =
    "token" in options
      ? `async () => ${JSON.stringify(options.token)}`
      : `async () => (await nativeFetch(${JSON.stringify(options.tokenUrl)}).then((r) => r.json())).token`;
  return `(() => {
  const nativeFetch = window.fetch.bind(window);
  const idToken = ${idToken};
  window.shopify = {
    config: { apiKey: ${JSON.stringify(options.apiKey)}, shop: ${JSON.stringify(options.shop)}, locale: "en" },
    idToken,
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
  window.fetch = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin) return nativeFetch(input, init);
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    headers.set("Authorization", "Bearer " + (await idToken()));
    return nativeFetch(input, { ...init, headers });
  };
})();`;
}
