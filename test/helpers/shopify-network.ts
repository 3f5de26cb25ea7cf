/**
 * Test-only network boundary for code that calls Shopify with the global fetch. Requests to
 * `https://*.myshopify.com/...` go to a local stand-in (same path, method, headers and body, plus
 * a header naming the shop they were meant for); local requests pass; anything else is refused
 * and recorded, so an unexpected outbound call fails the test instead of reaching the internet.
 */

/** The header the stand-in reads to know which shop a redirected request was for. */
export const STAND_IN_SHOP_HEADER = "x-stand-in-shop";

export interface ShopifyRedirect {
  /** URLs that were refused. */
  blocked: string[];
  /** Puts the original fetch back. */
  restore(): void;
}

export function redirectShopifyTo(origin: string): ShopifyRedirect {
  const original = globalThis.fetch;
  const blocked: string[] = [];
  const redirected: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol === "https:" && url.hostname.endsWith(".myshopify.com")) {
      const headers = new Headers(request.headers);
      headers.set(STAND_IN_SHOP_HEADER, url.hostname);
      const body = request.body ? await request.arrayBuffer() : undefined;
      return original(new URL(url.pathname + url.search, origin), {
        method: request.method,
        headers,
        body,
        signal: request.signal,
      });
    }
    if (url.hostname === "127.0.0.1" || url.hostname === "localhost") return original(request);
    blocked.push(url.href);
    throw new TypeError(`test network: outbound request to ${url.origin} refused`);
  };
  globalThis.fetch = redirected;
  return {
    blocked,
    restore() {
      if (globalThis.fetch === redirected) globalThis.fetch = original;
    },
  };
}
