import type { IncomingMessage, ServerResponse } from "node:http";
import { basename } from "node:path";
import { randomBytes } from "node:crypto";
import { liquidCandidates, renderRecommendationsLiquid } from "../../../app/lib/recommendations/storefront-liquid";
import type { StoredCard } from "../../../app/lib/storefront-store/card";
import { forwardAppProxy, readBody, type AppProxyTarget, type ForwardedCall } from "../../../dev/app-proxy-forwarder";
import { renderProxyLiquid, type StorefrontProduct } from "../../../dev/storefront/proxy-liquid";
import {
  blockSettings,
  DRAWER_EMBED_FILE,
  renderBlock,
  type StorefrontContext,
} from "../../../dev/storefront/render-block";
import { send, sendAsset, startLocalServer } from "../../../dev/storefront/server-core";
import { themePage } from "../../../dev/storefront/theme-page";
import { CONSENT_MODES, customerPrivacyScript, type ConsentMode } from "./customer-privacy";
import {
  B2B_CATALOGS,
  marketOf,
  PRODUCTS,
  productArtSvg,
  productByHandle,
  STOCK,
  storefrontProduct,
  type RecommendationsResponse,
} from "./products";

/** One event as the block beacons it to `POST /apps/affinity/events`. */
export interface BeaconEvent {
  type: "impression" | "click" | "add_to_cart";
  recommendationId: string;
  productId?: string;
  at: string;
  visitorId: string;
}

/** How the stand-in app proxy answers. */
export type ProxyMode = "ok" | "error" | "bad-json" | "empty" | "liquid-error";

/** The theme's cart sections, as Dawn names them. */
export const CART_SECTIONS = ["cart-icon-bubble", "cart-drawer"] as const;

export interface StorefrontServer {
  origin: string;
  /** Query strings the block sent to the app proxy, in order, with what the proxy answered. */
  recommendationRequests: Array<URLSearchParams & { response?: RecommendationsResponse }>;
  /** JSON bodies posted to /cart/add.js, without the section-rendering fields (see `sectionRequests`). */
  cartAdds: unknown[];
  /** The `sections` each add asked Shopify to render with it. */
  sectionRequests: Array<string[] | undefined>;
  /** Sections the theme has; a requested one it lacks renders as null, as Shopify answers. */
  cartSections: Set<string>;
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
 * query string: layout, count, country (the market, kept in a `localization` cookie), spacer,
 * show_price, show_add_to_cart, heading, heading_level, context, cart (comma-separated product ids
 * for the block's context), theme=dawn (a Dawn-like cart bubble and drawer), embed=drawer (the
 * cart drawer app embed), block=none (the page
 * without the block), consent (a `ConsentMode` of the stand-in Customer Privacy API; without it
 * the page has no API, as `absent`). A path prefix /fr (or /de, /es) is the locale. Each browser
 * has its own cart (cookie), with Shopify's 422 when a variant's stock (STOCK) runs out.
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
    sectionRequests: [],
    cartSections: new Set(CART_SECTIONS),
  };
  // One cart per browser (the `cart` cookie), as Shopify keeps them.
  const carts = new Map<string, Array<{ variantId: string; quantity: number }>>();
  let issued = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    // A locale prefix (/fr) sets the language, as Shopify's subfolders do; the rest routes as usual.
    const prefixed = /^\/(fr|de|es)(\/.*|$)/.exec(url.pathname);
    const locale = prefixed?.[1] ?? url.searchParams.get("locale") ?? "en";
    if (prefixed) url.pathname = prefixed[2] || "/";
    const path = url.pathname;
    const shopper = shopperOf(req, locale);

    if (req.method === "GET" && (path === "/" || path === "/cart" || path.startsWith("/products/"))) {
      return sendPage(res, url, shopper);
    }
    if (req.method === "GET" && path.startsWith("/assets/")) return sendAsset(res, path);
    if (req.method === "GET" && path.startsWith("/images/")) {
      const svg = productArtSvg(basename(path, ".svg"));
      return svg ? send(res, 200, "image/svg+xml", svg) : send(res, 404, "text/plain", "not found");
    }
    if (options.app && path.startsWith("/apps/affinity/")) {
      const renderLiquid = (template: string) => renderProxyLiquid(template, shopper.store);
      const call = await forwardAppProxy(req, res, url, { ...options.app, renderLiquid });
      state.forwarded.push(call);
      if (path.endsWith("/events") && call.requestBody)
        state.beacons.push(JSON.parse(call.requestBody) as { events: BeaconEvent[] });
      return;
    }
    if (req.method === "GET" && path === "/apps/affinity/recommendations") {
      const request: StorefrontServer["recommendationRequests"][number] = url.searchParams;
      state.recommendationRequests.push(request);
      await state.proxy.hold;
      request.response = await answerProxy(res, url.searchParams, shopper);
      return;
    }
    if (req.method === "POST" && path === "/cart/add.js") return cartAdd(req, res, shopper);
    if (req.method === "POST" && path === "/cart/change.js") return cartChange(req, res, shopper);
    if (req.method === "GET" && path === "/cart.js") {
      const items = shopper.cart.map((line) => ({
        variant_id: Number(line.variantId),
        product_id: Number(PRODUCTS.find((p) => p.variantId === line.variantId)!.id),
        quantity: line.quantity,
      }));
      return send(res, 200, "application/json", JSON.stringify({ item_count: itemCount(shopper.cart), items }));
    }
    if (req.method === "POST" && STOREFRONT_API.test(path)) return storefrontApi(req, res);
    if (req.method === "POST" && path === "/apps/affinity/events") {
      state.beacons.push(JSON.parse(await readBody(req)) as { events: BeaconEvent[] });
      res.writeHead(204).end();
      return;
    }
    send(res, 404, "text/plain", "not found");
  }

  /** The browser's cart, language and market, from its cookies and the page's locale prefix. */
  function shopperOf(req: IncomingMessage, locale: string) {
    const cookies = new Map(
      (req.headers.cookie ?? "").split(";").map((c) => c.trim().split("=") as [string, string | undefined]),
    );
    const token = cookies.get("cart") || randomBytes(8).toString("hex");
    if (!carts.has(token)) carts.set(token, []);
    const country = cookies.get("localization") || "GB";
    // A logged-in B2B buyer's company location (the stand-in's session): its catalog prices.
    const companyLocation = cookies.get("company_location") || undefined;
    const catalog = companyLocation ? B2B_CATALOGS[companyLocation] : undefined;
    const market = catalog ? { ...marketOf(country), currency: catalog.currency } : marketOf(country);
    const rootUrl = locale === "en" ? "/" : `/${locale}`;
    return {
      token,
      locale,
      country,
      companyLocation,
      catalog,
      rootUrl,
      market,
      cart: carts.get(token)!,
      store: {
        rootUrl,
        currency: market.currency,
        product: (handle: string) => storefrontProduct(handle, locale, country, companyLocation),
      },
    };
  }
  type Shopper = ReturnType<typeof shopperOf>;

  const itemCount = (cart: Shopper["cart"]) => cart.reduce((sum, item) => sum + item.quantity, 0);

  /**
   * Shopify's /cart/add.js: adds the items, or answers 422 with the store's message when stock
   * runs out; renders the `sections` asked for (bundled section rendering), null for unknown ones.
   */
  async function cartAdd(req: IncomingMessage, res: ServerResponse, shopper: Shopper): Promise<void> {
    const {
      sections,
      sections_url: _sectionsUrl,
      ...body
    } = JSON.parse(await readBody(req)) as {
      items: Array<{ id: string; quantity: number; properties: object }>;
      sections?: string[] | string;
      sections_url?: string;
    };
    state.cartAdds.push(body);
    const asked = typeof sections === "string" ? sections.split(",") : sections;
    state.sectionRequests.push(asked);
    for (const item of body.items) {
      const product = PRODUCTS.find((p) => p.variantId === String(item.id));
      const inCart = shopper.cart.find((line) => line.variantId === String(item.id))?.quantity ?? 0;
      const stock = STOCK[String(item.id)] ?? Infinity;
      // A B2B catalog's quantity rule: a line below its minimum is refused, as Shopify refuses it.
      const minimum = (product && shopper.catalog?.minimums[product.id]) ?? 1;
      const refusal = !product
        ? "Cannot find variant"
        : !product.available
          ? `The product '${product.title}' is already sold out.`
          : inCart + item.quantity > stock
            ? "The maximum quantity of this item is already in your cart."
            : inCart + item.quantity < minimum
              ? `You must add at least ${minimum} of this item.`
              : null;
      if (refusal) {
        return send(
          res,
          422,
          "application/json",
          JSON.stringify({ status: 422, message: "Cart Error", description: refusal }),
        );
      }
    }
    const items = body.items.map((item) => {
      const product = PRODUCTS.find((p) => p.variantId === String(item.id))!;
      const line = shopper.cart.find((l) => l.variantId === String(item.id));
      if (line) line.quantity += item.quantity;
      else shopper.cart.push({ variantId: String(item.id), quantity: item.quantity });
      return { ...item, id: Number(item.id), variant_id: Number(item.id), product_id: Number(product.id) };
    });
    const rendered = asked
      ? Object.fromEntries(asked.map((id) => [id, state.cartSections.has(id) ? renderSection(id, shopper) : null]))
      : undefined;
    return send(res, 200, "application/json", JSON.stringify(rendered ? { items, sections: rendered } : { items }));
  }

  /**
   * Shopify's /cart/change.js as a theme calls it (its quantity box or remove link): sets one
   * line's quantity by variant id, 0 removing it, and answers the cart.
   */
  async function cartChange(req: IncomingMessage, res: ServerResponse, shopper: Shopper): Promise<void> {
    const { id, quantity } = JSON.parse(await readBody(req)) as { id: string | number; quantity: number };
    const at = shopper.cart.findIndex((line) => line.variantId === String(id));
    if (at === -1)
      return send(res, 400, "application/json", JSON.stringify({ status: 400, message: "no line for the variant" }));
    if (quantity <= 0) shopper.cart.splice(at, 1);
    else shopper.cart[at]!.quantity = quantity;
    return send(res, 200, "application/json", JSON.stringify({ item_count: itemCount(shopper.cart) }));
  }

  /** Dawn's cart sections as Shopify renders them: wrapped in the section's own element. */
  function renderSection(id: string, shopper: Shopper): string {
    const inner =
      id === "cart-icon-bubble"
        ? cartBubble(shopper)
        : `<div id="CartDrawer" class="cart-drawer"><div class="drawer__inner">${cartDrawer(shopper)}</div></div>`;
    return `<div id="shopify-section-${id}" class="shopify-section">${inner}</div>`;
  }
  const cartBubble = (shopper: Shopper) => {
    const count = itemCount(shopper.cart);
    return `Cart${count ? ` <span class="cart-count-bubble" data-cart-bubble><span aria-hidden="true">${count}</span><span class="visually-hidden">${count} items</span></span>` : ""}`;
  };
  const cartDrawer = (shopper: Shopper) =>
    shopper.cart.length === 0
      ? "<p>Your cart is empty</p>"
      : `<ul data-drawer-items>${shopper.cart
          .map((line) => {
            const product = PRODUCTS.find((p) => p.variantId === line.variantId)!;
            const seen = storefrontProduct(product.url.replace("/products/", ""), shopper.locale, shopper.country);
            return `<li>${seen?.title ?? product.title} × ${line.quantity}</li>`;
          })
          .join("")}</ul>`;

  /**
   * Shopify's Storefront API as design B of ADR 012 calls it (storefront-api-design.ts), for the
   * benchmark that measures that design: products by id in the country and language of
   * `@inContext`, null for one the market does not sell. The stand-in reads the variables, not
   * the query text, and knows no B2B buyer: a theme block has no customer token to send.
   */
  async function storefrontApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!req.headers["x-shopify-storefront-access-token"])
      return send(res, 401, "application/json", JSON.stringify({ errors: [{ message: "Unauthorized" }] }));
    const { variables } = JSON.parse(await readBody(req)) as {
      variables?: { ids?: string[]; country?: string; language?: string };
    };
    const country = variables?.country ?? "GB";
    const language = (variables?.language ?? "EN").toLowerCase();
    const { currency } = marketOf(country);
    const nodes = (variables?.ids ?? []).map((gid) => {
      const known = PRODUCTS.find((p) => `gid://shopify/Product/${p.id}` === gid);
      const seen = known && storefrontProduct(known.url.replace("/products/", ""), language, country);
      return seen ? productNode(seen, currency) : null;
    });
    send(res, 200, "application/json", JSON.stringify({ data: { nodes } }));
  }

  async function answerProxy(
    res: ServerResponse,
    query: URLSearchParams,
    shopper: Shopper,
  ): Promise<RecommendationsResponse | undefined> {
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
    const liquid = query.get("format") === "liquid";
    issued += 1;
    const response: RecommendationsResponse = {
      recommendationId: `rec_${issued.toString().padStart(4, "0")}`,
      products:
        state.proxy.mode === "empty"
          ? []
          : PRODUCTS.filter((p) => !exclude.has(p.id)).slice(0, liquid ? liquidCandidates(limit) : limit),
    };
    if (!liquid) {
      send(res, 200, "application/json", JSON.stringify(response));
      return response;
    }
    // Answered as the app answers (application/liquid), then rendered as Shopify renders it.
    let template = renderRecommendationsLiquid(
      { recommendationId: response.recommendationId, products: response.products as unknown as StoredCard[] },
      limit,
    );
    if (state.proxy.mode === "liquid-error") template = template.replace("{%- for h in", "{%- for h in in");
    send(res, 200, "text/html; charset=utf-8", await renderProxyLiquid(template, shopper.store));
    return response;
  }

  async function sendPage(res: ServerResponse, url: URL, shopper: Shopper): Promise<void> {
    const q = url.searchParams;
    // ?country= picks the market, kept in a cookie as Shopify's localization form does; ?b2b= logs
    // in a buyer of that company location (the session Shopify would keep).
    if (q.has("country") || q.has("b2b")) {
      const cookie =
        `cart=${shopper.token}; localization=${q.get("country") ?? shopper.country}; ` +
        `company_location=${q.get("b2b") ?? shopper.companyLocation ?? ""}`;
      shopper = { ...shopper, ...shopperOf({ headers: { cookie } } as IncomingMessage, shopper.locale) };
    }
    const { locale, country } = shopper;
    const handle = url.pathname.startsWith("/products/") ? url.pathname.slice("/products/".length) : undefined;
    const product = handle ? productByHandle(handle) : undefined;
    if (handle && !product) return send(res, 404, "text/plain", "no such product");
    const seen = handle ? storefrontProduct(handle, locale, country, shopper.companyLocation) : undefined;
    const currency = shopper.market.currency;
    const context: StorefrontContext = {
      pageType: product ? "product" : url.pathname === "/cart" ? "cart" : "index",
      locale,
      country,
      rootUrl: shopper.rootUrl,
      shopCurrency: "GBP",
      cartCurrency: currency,
      productId: product?.id,
      // ?cart= stands for a cart the test does not build; otherwise the browser's own cart.
      cartProductIds: q.has("cart")
        ? (q.get("cart") ?? "").split(",").filter(Boolean)
        : [...new Set(shopper.cart.map((line) => PRODUCTS.find((p) => p.variantId === line.variantId)!.id))],
      settings: blockSettings({
        ...(q.has("layout") && { layout: q.get("layout") }),
        ...(q.has("count") && { product_count: Number(q.get("count")) }),
        ...(q.has("context") && { context: q.get("context") }),
        ...(q.has("show_price") && { show_price: q.get("show_price") === "true" }),
        ...(q.has("show_add_to_cart") && { show_add_to_cart: q.get("show_add_to_cart") === "true" }),
        ...(q.has("heading") && { heading: q.get("heading") }),
        ...(q.has("heading_level") && { heading_level: q.get("heading_level") }),
      }),
    };
    const blockHtml = await renderBlock(context);
    // ?embed=drawer turns on the cart drawer app embed.
    const embedsHtml =
      q.get("embed") === "drawer"
        ? await renderBlock({ ...context, settings: blockSettings({}, DRAWER_EMBED_FILE) }, DRAWER_EMBED_FILE)
        : undefined;
    const price = seen
      ? new Intl.NumberFormat(`${locale}-${country}`, { style: "currency", currency }).format(seen.price)
      : undefined;
    const consent = customerPrivacyScript(consentMode(q.get("consent")));
    const html = themePage({
      headScript: consent || undefined,
      title: seen?.title ?? product?.title ?? "Home",
      lang: locale,
      blockHtml,
      product: seen ?? product,
      formattedPrice: price,
      spacerPx: Number(q.get("spacer") ?? 0),
      cartUrl: `${shopper.rootUrl.replace(/\/$/, "")}/cart`,
      withoutBlock: q.get("block") === "none",
      embedsHtml,
      ...(q.get("theme") === "dawn" && {
        dawn: { bubbleHtml: cartBubble(shopper), drawerHtml: cartDrawer(shopper) },
      }),
    });
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "set-cookie": [
        `cart=${shopper.token}; Path=/`,
        `localization=${country}; Path=/`,
        `company_location=${shopper.companyLocation ?? ""}; Path=/`,
      ],
    });
    res.end(html);
  }

  const server = await startLocalServer(handle);
  return { ...state, origin: server.origin, close: server.close };
}

/** Storefront API paths, any version. */
const STOREFRONT_API = /^\/api\/[\w-]+\/graphql\.json$/;

/** A product as the Storefront API answers design B's query (storefront-api-design.ts). */
function productNode(product: StorefrontProduct, currency: string) {
  const money = (amount: number) => ({ amount: amount.toFixed(2), currencyCode: currency });
  return {
    id: `gid://shopify/Product/${product.id}`,
    handle: product.handle,
    title: product.title,
    availableForSale: product.available,
    featuredImage: product.image && {
      url: product.image.url,
      width: product.image.width,
      height: product.image.height,
      altText: product.image.alt,
    },
    selectedOrFirstAvailableVariant: {
      id: `gid://shopify/ProductVariant/${product.variantId}`,
      availableForSale: product.available,
      price: money(product.price),
      compareAtPrice: product.compareAtPrice === null ? null : money(product.compareAtPrice),
      quantityRule: { minimum: 1 },
    },
  };
}

function consentMode(value: string | null): ConsentMode {
  if (value === null) return "absent";
  if (!(CONSENT_MODES as readonly string[]).includes(value)) throw new Error(`unknown consent mode ${value}`);
  return value as ConsentMode;
}
