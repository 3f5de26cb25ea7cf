import type { IncomingMessage, ServerResponse } from "node:http";
import { forwardAppProxy, readBody } from "../../dev/app-proxy-forwarder";
import { renderProxyLiquid } from "../../dev/storefront/proxy-liquid";
import { blockSettings, renderBlock } from "../../dev/storefront/render-block";
import { send, sendAsset, startLocalServer } from "../../dev/storefront/server-core";
import { themePage } from "../../dev/storefront/theme-page";
import {
  customersWithOrders,
  popularProducts,
  productByHandle,
  runningExperiment,
  storefrontProductByHandle,
  type ShopLookups,
} from "./storefront-data";
import { previewBanner, previewIntro, seedStorage } from "./storefront-pages";

export interface StorefrontPreviewOptions extends ShopLookups {
  port: number;
  appOrigin: string;
  secret: string;
}

export interface StorefrontPreview {
  url: string;
  message: string;
  close(): Promise<void>;
}

const CUSTOMER_COOKIE = "affinity_demo_customer";
const CUSTOMER_ID = /^\d{1,20}$/;

/**
 * Step 5 of the demo: a local storefront on 127.0.0.1 that renders the real theme block (Liquid
 * through liquidjs, the extension's own assets) and relays `/apps/affinity/*` to the demo app
 * signed as Shopify's App Proxy signs it. The shopper chosen on the home page is remembered in a
 * cookie, which becomes the proxy's `logged_in_customer_id`, as Shopify takes it from the session.
 */
export async function previewStorefront(options: StorefrontPreviewOptions): Promise<StorefrontPreview> {
  const [customers, products] = await Promise.all([customersWithOrders(options, 6), popularProducts(options, 8)]);
  const cart: Array<{ id: string; quantity: number }> = [];
  const experiment = await runningExperiment(options);
  // A visitor id the app puts in treatment, so the person looking sees recommendations.
  let visitorId = "";
  for (let n = 1; !visitorId || experiment.armOf(visitorId) !== "treatment"; n += 1) visitorId = `demo-preview-${n}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    if (path.startsWith("/apps/affinity/")) {
      const customer = cookie(req, CUSTOMER_COOKIE);
      await forwardAppProxy(req, res, url, {
        appOrigin: options.appOrigin,
        shop: options.shop,
        secret: options.secret,
        customerId: () => (customer && CUSTOMER_ID.test(customer) ? customer : undefined),
        // The block's cards come as Liquid, rendered as Shopify would in the demo's one market.
        renderLiquid: (template) =>
          renderProxyLiquid(template, {
            rootUrl: "/",
            currency: "GBP",
            product: (handle) => storefrontProductByHandle(options, handle),
          }),
      });
      return;
    }
    if (req.method === "GET" && path.startsWith("/assets/")) return sendAsset(res, path);
    if (req.method === "POST" && path === "/cart/add.js") return cartAdd(req, res);
    if (req.method === "GET" && path === "/cart.js") {
      return json(res, { item_count: cart.reduce((sum, item) => sum + item.quantity, 0) });
    }
    if (req.method === "GET" && (path === "/" || path.startsWith("/products/"))) return page(req, res, url);
    send(res, 404, "text/plain", "not found");
  }

  // A stand-in for Shopify's cart: enough for the block's add-to-cart button and the cart count.
  async function cartAdd(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(req)) as { items?: Array<{ id: unknown; quantity?: unknown }> };
    const items = (body.items ?? []).map((item) => ({ id: String(item.id), quantity: Number(item.quantity) || 1 }));
    cart.push(...items);
    return json(res, { items: items.map((i) => ({ ...i, variant_id: Number(i.id) })) });
  }

  async function page(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const q = url.searchParams;
    const handleName = url.pathname.startsWith("/products/") ? url.pathname.slice("/products/".length) : null;
    const product = handleName ? await productByHandle(options, decodeURIComponent(handleName)) : null;
    if (handleName && !product) return send(res, 404, "text/plain", "no such product in the demo shop");

    // The home page's links choose the shopper; other pages keep the one chosen.
    const chosen = q.get("customer");
    const headers: Record<string, string> = {};
    let customerId = cookie(req, CUSTOMER_COOKIE);
    if (chosen !== null && CUSTOMER_ID.test(chosen)) customerId = chosen;
    if (q.get("as") === "anonymous") customerId = undefined;
    if (chosen !== null || q.has("as")) {
      headers["set-cookie"] =
        `${CUSTOMER_COOKIE}=${customerId ?? ""}; Path=/; SameSite=Lax${customerId ? "" : "; Max-Age=0"}`;
    }
    const anonymousHistory = q.get("as") === "anonymous";
    // A newly chosen shopper starts with an empty recently viewed list, or the seeded one.
    const history = anonymousHistory ? products.slice(0, 3).map((p) => p.id) : chosen !== null ? [] : null;

    const blockHtml = await renderBlock({
      pageType: product ? "product" : "index",
      locale: "en",
      country: "GB",
      shopCurrency: "GBP",
      cartCurrency: "GBP",
      productId: product?.id,
      cartProductIds: [],
      settings: blockSettings(),
    });
    const html = themePage({
      title: product?.title ?? "Home",
      lang: "en",
      blockHtml,
      product: product ? { title: product.title } : undefined,
      formattedPrice: product ? `£${product.price}` : undefined,
      introHtml: previewIntro(customers, products),
      bannerHtml: previewBanner({
        customerId,
        anonymousHistory,
        visitorId,
        arm: experiment.armOf(visitorId),
        holdoutPercent: experiment.holdoutPercent,
      }),
      headScript: seedStorage(visitorId, history),
    });
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers });
    res.end(html);
  }

  const server = await startLocalServer(handle, options.port);
  const url = `${server.origin}/`;
  return {
    url,
    message: `open ${url} (${customers.length} customers to browse as, or an anonymous history)`,
    close: server.close,
  };
}

function json(res: ServerResponse, body: object): void {
  send(res, 200, "application/json", JSON.stringify(body));
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=") || undefined;
  }
  return undefined;
}
