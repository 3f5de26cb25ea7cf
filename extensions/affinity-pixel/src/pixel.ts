/**
 * Affinity's web pixel. Runs in Shopify's strict sandbox (a web worker): no DOM, only the
 * `browser` API, whose localStorage and sendBeacon act on the storefront page itself.
 */

/** The storefront block keeps its visitor id here (docs/decisions/006), JSON-encoded. */
export const VISITOR_KEY = "affinity:visitor";
export const DEFAULT_EVENTS_PATH = "/apps/affinity/events";
export const SUBSCRIBED = ["product_viewed", "product_added_to_cart", "checkout_completed"] as const;

/** The part of the extension API the pixel uses (see @shopify/web-pixels-extension's ExtensionApi). */
export interface PixelApi {
  settings: Record<string, unknown>;
  analytics: { subscribe(name: string, callback: (event: PixelEvent) => void): unknown };
  browser: {
    localStorage: { getItem(key: string): Promise<string | null>; setItem(key: string, value: string): Promise<void> };
    sendBeacon(url: string, body?: string): Promise<boolean>;
  };
  init: { context: { document: { location: { origin: string } } } };
}

/** The fields of Shopify's standard events that the pixel reads. */
export interface PixelEvent {
  id: string;
  name: string;
  clientId: string;
  timestamp: string;
  data?: {
    productVariant?: { product?: { id?: string | null } | null } | null;
    cartLine?: { merchandise?: { product?: { id?: string | null } | null } | null } | null;
    checkout?: { order?: { id?: string | null } | null } | null;
  };
}

/** One event in the body the events route takes (app/lib/events/schema.ts). */
export type PixelBeacon =
  | { type: "product_viewed" | "product_added_to_cart"; id: string; productId: string; at: string; visitorId: string }
  | { type: "checkout_completed"; id: string; orderId: string; at: string; visitorId: string };

const numeric = (id: string | null | undefined) => {
  const match = /(\d{1,20})$/.exec(id ?? "");
  return match ? match[1]! : null;
};

/** The beacon for one Shopify event, or null when it lacks what we need. */
export function toBeacon(event: PixelEvent, visitorId: string): PixelBeacon | null {
  const base = { id: event.id, at: event.timestamp, visitorId };
  if (event.name === "product_viewed" || event.name === "product_added_to_cart") {
    const product =
      event.name === "product_viewed"
        ? event.data?.productVariant?.product?.id
        : event.data?.cartLine?.merchandise?.product?.id;
    const productId = numeric(product);
    return productId ? { ...base, type: event.name, productId } : null;
  }
  if (event.name === "checkout_completed") {
    const orderId = numeric(event.data?.checkout?.order?.id);
    return orderId ? { ...base, type: "checkout_completed", orderId } : null;
  }
  return null;
}

/**
 * The block's visitor id when the shopper has one, so block and pixel events join up; otherwise
 * Shopify's clientId, stored for the block to adopt.
 */
export async function resolveVisitorId(api: PixelApi, clientId: string): Promise<string> {
  try {
    const stored = JSON.parse((await api.browser.localStorage.getItem(VISITOR_KEY)) ?? "null") as unknown;
    if (typeof stored === "string" && /^[A-Za-z0-9_-]{8,64}$/.test(stored)) return stored;
  } catch {
    // Unreadable: fall through to the clientId.
  }
  const id = clientId.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 64);
  await api.browser.localStorage.setItem(VISITOR_KEY, JSON.stringify(id)).catch(() => undefined);
  return id;
}

/** Sends one event to the events route on the page's own origin; failures are dropped quietly. */
export async function handleEvent(api: PixelApi, event: PixelEvent): Promise<boolean> {
  try {
    const beacon = toBeacon(event, await resolveVisitorId(api, event.clientId));
    if (!beacon) return false;
    const path = typeof api.settings.eventsPath === "string" ? api.settings.eventsPath : DEFAULT_EVENTS_PATH;
    const url = `${api.init.context.document.location.origin}${path}`;
    return await api.browser.sendBeacon(url, JSON.stringify({ events: [beacon] }));
  } catch {
    return false;
  }
}

/** Subscribes the handlers; called by register() in index.ts. */
export function startPixel(api: PixelApi): void {
  for (const name of SUBSCRIBED) {
    api.analytics.subscribe(name, (event) => void handleEvent(api, event));
  }
}
