import type { IncomingMessage, ServerResponse } from "node:http";
import { basename } from "node:path";
import { forwardAppProxy, readBody, type AppProxyTarget, type ForwardedCall } from "../../../dev/app-proxy-forwarder";
import { blockSettings, renderBlock, type StorefrontContext } from "../../../dev/storefront/render-block";
import { send, sendAsset, startLocalServer } from "../../../dev/storefront/server-core";
import { themePage } from "../../../dev/storefront/theme-page";
import { CONSENT_MODES, customerPrivacyScript, type ConsentMode } from "./customer-privacy";
import { PRODUCTS, productArtSvg, productByHandle, type RecommendationsResponse } from "./products";

/** One event as the block beacons it to `POST /apps/affinity/events`. */
export interface BeaconEvent {
  type: "impression" | "click" | "add_to_cart";
  recommendationId: string;
  productId?: string;
  at: string;
  visitorId: string;
}

/** How the stand-in app proxy answers. */
export type ProxyMode = "ok" | "error" | "bad-json" | "empty";

export interface StorefrontServer {
  origin: string;
  /** Query strings the block sent to the app proxy, in order, with what the proxy answered. */
  recommendationRequests: Array<URLSearchParams & { response?: RecommendationsResponse }>;
  /** JSON bodies posted to /cart/add.js. */
  cartAdds: unknown[];
  /** Parsed beacon bodies posted to the events endpoint. */
  beacons: Array<{ events: BeaconEvent[] }>;
  /** Change `mode` to make the proxy fail; while `hold` is set, proxy answers wait for it. */
  proxy: { mode: ProxyMode; hold?: Promise<void> };
  /** With a real app behind the proxy: every call forwarded to it, with the app's answer. */
  forwarded: ForwardedCall[];
  close(): Promise<void>;
}

/**
 * A storefront for the block on 127.0.0.1: theme pages that render the real
 * blocks/recommendations.liquid with liquidjs, the extension's assets, and stand-ins for the
 * Shopify endpoints the block calls (app proxy, cart/add.js, events). Page options come from the
 * query string: layout, count, locale, country, currency, rate, spacer, show_price, show_add_to_cart,
 * context, cart (comma-separated product ids), consent (a `ConsentMode` of the stand-in Customer
 * Privacy API; without it the page has no API, as `absent`).
 *
 * Given `app`, `/apps/affinity/*` goes to the real app instead, signed as Shopify's App Proxy
 * signs it, and the stand-in proxy is not used.
 */
export async function startStorefront(options: { app?: AppProxyTarget } = {}): Promise<StorefrontServer> {
  const state: Omit<StorefrontServer, "origin" | "close"> = {
    recommendationRequests: [],
    cartAdds: [],
    beacons: [],
    proxy: { mode: "ok" },
    forwarded: [],
  };
  const cart: Array<{ variantId: string; quantity: number }> = [];
  let issued = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;

    if (req.method === "GET" && (path === "/" || path === "/cart" || path.startsWith("/products/"))) {
      return sendPage(res, url);
    }
    if (req.method === "GET" && path.startsWith("/assets/")) return sendAsset(res, path);
    if (req.method === "GET" && path.startsWith("/images/")) {
      const svg = productArtSvg(basename(path, ".svg"));
      return svg ? send(res, 200, "image/svg+xml", svg) : send(res, 404, "text/plain", "not found");
    }
    if (options.app && path.startsWith("/apps/affinity/")) {
      const call = await forwardAppProxy(req, res, url, options.app);
      state.forwarded.push(call);
      if (path.endsWith("/events") && call.requestBody)
        state.beacons.push(JSON.parse(call.requestBody) as { events: BeaconEvent[] });
      return;
    }
    if (req.method === "GET" && path === "/apps/affinity/recommendations") {
      const request: StorefrontServer["recommendationRequests"][number] = url.searchParams;
      state.recommendationRequests.push(request);
      await state.proxy.hold;
      request.response = answerProxy(res, url.searchParams);
      return;
    }
    if (req.method === "POST" && path === "/cart/add.js") {
      const body = JSON.parse(await readBody(req)) as {
        items: Array<{ id: string; quantity: number; properties: object }>;
      };
      state.cartAdds.push(body);
      const items = body.items.map((item) => {
        const product = PRODUCTS.find((p) => p.variantId === String(item.id));
        cart.push({ variantId: String(item.id), quantity: item.quantity });
        return { ...item, id: Number(item.id), variant_id: Number(item.id), product_id: Number(product?.id) };
      });
      return send(res, 200, "application/json", JSON.stringify({ items }));
    }
    if (req.method === "GET" && path === "/cart.js") {
      const itemCount = cart.reduce((sum, item) => sum + item.quantity, 0);
      return send(res, 200, "application/json", JSON.stringify({ item_count: itemCount }));
    }
    if (req.method === "POST" && path === "/apps/affinity/events") {
      state.beacons.push(JSON.parse(await readBody(req)) as { events: BeaconEvent[] });
      res.writeHead(204).end();
      return;
    }
    send(res, 404, "text/plain", "not found");
  }

  function answerProxy(res: ServerResponse, query: URLSearchParams): RecommendationsResponse | undefined {
    if (state.proxy.mode === "error") {
      send(res, 500, "application/json", '{"error":"internal"}');
      return undefined;
    }
    if (state.proxy.mode === "bad-json") {
      send(res, 200, "application/json", "<html>not json");
      return undefined;
    }
    // Like the real route: never recommend the product on screen or what is already in the cart.
    const exclude = new Set([query.get("product_id"), ...(query.get("cart") ?? "").split(",")]);
    const limit = Number(query.get("limit") ?? 4);
    issued += 1;
    const response: RecommendationsResponse = {
      recommendationId: `rec_${issued.toString().padStart(4, "0")}`,
      products: state.proxy.mode === "empty" ? [] : PRODUCTS.filter((p) => !exclude.has(p.id)).slice(0, limit),
    };
    send(res, 200, "application/json", JSON.stringify(response));
    return response;
  }

  async function sendPage(res: ServerResponse, url: URL): Promise<void> {
    const q = url.searchParams;
    const product = url.pathname.startsWith("/products/")
      ? productByHandle(url.pathname.slice("/products/".length))
      : undefined;
    if (url.pathname.startsWith("/products/") && !product) return send(res, 404, "text/plain", "no such product");
    const currency = q.get("currency") ?? "GBP";
    const locale = q.get("locale") ?? "en";
    const context: StorefrontContext = {
      pageType: product ? "product" : url.pathname === "/cart" ? "cart" : "index",
      locale,
      country: q.get("country") ?? "GB",
      shopCurrency: "GBP",
      cartCurrency: currency,
      productId: product?.id,
      cartProductIds: (q.get("cart") ?? "").split(",").filter(Boolean),
      settings: blockSettings({
        ...(q.has("layout") && { layout: q.get("layout") }),
        ...(q.has("count") && { product_count: Number(q.get("count")) }),
        ...(q.has("context") && { context: q.get("context") }),
        ...(q.has("show_price") && { show_price: q.get("show_price") === "true" }),
        ...(q.has("show_add_to_cart") && { show_add_to_cart: q.get("show_add_to_cart") === "true" }),
        ...(q.has("heading") && { heading: q.get("heading") }),
      }),
    };
    const blockHtml = await renderBlock(context);
    const price = product
      ? new Intl.NumberFormat(`${locale}-${context.country}`, { style: "currency", currency }).format(product.price)
      : undefined;
    // Shopify's page head sets Shopify.currency: the active currency and its rate from the shop's.
    const rate = q.get("rate");
    const headScripts = [
      rate
        ? `window.Shopify = { currency: { active: ${JSON.stringify(currency)}, rate: ${JSON.stringify(rate)} } };`
        : undefined,
      customerPrivacyScript(consentMode(q.get("consent"))),
    ].filter(Boolean);
    const html = themePage({
      headScript: headScripts.length ? headScripts.join("\n") : undefined,
      title: product?.title ?? "Home",
      lang: locale,
      blockHtml,
      product,
      formattedPrice: price,
      spacerPx: Number(q.get("spacer") ?? 0),
    });
    send(res, 200, "text/html; charset=utf-8", html);
  }

  const server = await startLocalServer(handle);
  return { ...state, origin: server.origin, close: server.close };
}

function consentMode(value: string | null): ConsentMode {
  if (value === null) return "absent";
  if (!(CONSENT_MODES as readonly string[]).includes(value)) throw new Error(`unknown consent mode ${value}`);
  return value as ConsentMode;
}
