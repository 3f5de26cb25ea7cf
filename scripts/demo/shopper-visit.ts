import { signAppProxyQuery } from "../../dev/app-proxy-signature";
import { signWebhook } from "../../dev/webhook-signing";
import type { Arm } from "../../app/lib/conversion/assignment";
import { DemoError } from "./errors";
import type { DemoProductRef } from "./storefront-data";

/** Where a simulated shopper's requests go, signed as Shopify signs them. */
export interface VisitTarget {
  appOrigin: string;
  shop: string;
  secret: string;
  /** Makes the traffic's webhook ids unique to this database (see replay-plan's Delivery). */
  webhookIdPrefix: string;
}

export interface Visit {
  index: number;
  visitorId: string;
  arm: Arm;
  viewed: DemoProductRef;
  /** Decides this visitor's behaviour; seeded by the index, so a run is repeatable. */
  random: () => number;
}

/** What one visitor did, as the app accepted it. */
export interface VisitOutcome {
  shown: number;
  impressions: number;
  clicks: number;
  addToCarts: number;
  orders: number;
  /** Orders with a line carrying `_affinity_rec`. */
  recOrders: number;
}

interface RecommendedCard {
  id: string;
  variantId: string;
  title: string;
  price: number;
}

/**
 * How the simulated shoppers behave. The block's own funnel (impression, click, add to cart)
 * and a baseline chance to buy the product they looked at, which both arms share; a
 * recommendation added to the cart is bought more often, which is the lift the test should find.
 */
export const BEHAVIOUR = { impression: 0.85, click: 0.35, addToCart: 0.5, buyAdded: 0.6, baseline: 0.05 } as const;

/** Synthetic order ids, far above the data set's six-digit invoice numbers. */
const ORDER_ID_BASE = 990_000_000;

export async function simulateVisit(target: VisitTarget, visit: Visit): Promise<VisitOutcome> {
  const outcome: VisitOutcome = { shown: 0, impressions: 0, clicks: 0, addToCarts: 0, orders: 0, recOrders: 0 };
  const query = new URLSearchParams({
    context: "product",
    product_id: visit.viewed.id,
    limit: "4",
    visitor: visit.visitorId,
  });
  const answer = (await call(target, "GET", "/apps/affinity/recommendations", query)) as {
    recommendationId: string;
    products: RecommendedCard[];
  };
  outcome.shown = answer.products.length;
  const rec = answer.recommendationId;
  const now = () => new Date().toISOString();
  const events: object[] = [];
  let added: RecommendedCard | undefined;
  if (answer.products.length > 0 && visit.random() < BEHAVIOUR.impression) {
    events.push({ type: "impression", recommendationId: rec, at: now(), visitorId: visit.visitorId });
    outcome.impressions = 1;
    if (visit.random() < BEHAVIOUR.click) {
      const clicked = answer.products[Math.floor(visit.random() * answer.products.length)]!;
      events.push({
        type: "click",
        recommendationId: rec,
        productId: clicked.id,
        at: now(),
        visitorId: visit.visitorId,
      });
      outcome.clicks = 1;
      if (visit.random() < BEHAVIOUR.addToCart) {
        events.push({
          type: "add_to_cart",
          recommendationId: rec,
          productId: clicked.id,
          at: now(),
          visitorId: visit.visitorId,
        });
        outcome.addToCarts = 1;
        added = clicked;
      }
    }
  }
  const buysViewed = visit.random() < BEHAVIOUR.baseline;
  const buysAdded = added !== undefined && visit.random() < BEHAVIOUR.buyAdded;
  const orderId = String(ORDER_ID_BASE + visit.index);
  if (buysViewed || buysAdded) {
    // The web pixel's checkout_completed links this visitor to the order (ADR 007).
    events.push({
      type: "checkout_completed",
      id: `demo-checkout-${orderId}`,
      orderId,
      at: now(),
      visitorId: visit.visitorId,
    });
  }
  if (events.length > 0) await call(target, "POST", "/apps/affinity/events", new URLSearchParams(), { events });
  if (buysViewed || buysAdded) {
    const lines = [
      ...(buysViewed ? [{ ...visit.viewed, price: Number(visit.viewed.price), rec: undefined }] : []),
      ...(buysAdded && added ? [{ ...added, rec }] : []),
    ];
    await sendOrder(target, orderId, lines);
    outcome.orders = 1;
    outcome.recOrders = buysAdded ? 1 : 0;
  }
  return outcome;
}

/** A signed App Proxy call, as the block's fetch and sendBeacon reach the app through Shopify. */
async function call(target: VisitTarget, method: "GET" | "POST", path: string, query: URLSearchParams, body?: object) {
  const signed = signAppProxyQuery(query, { shop: target.shop }, target.secret);
  const response = await fetch(`${target.appOrigin}${path}?${signed}`, {
    method,
    // sendBeacon with a string body sends text/plain, which the events endpoint parses itself.
    headers: body ? { "content-type": "text/plain;charset=UTF-8" } : { accept: "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok)
    throw new DemoError(`The app answered ${response.status} to ${method} ${path}: ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

interface OrderLineInput {
  id: string;
  variantId: string;
  title: string;
  price: number;
  rec?: string;
}

/** A guest's `orders/create`, in the shape of scripts/demo/shopify-payloads.ts. */
async function sendOrder(target: VisitTarget, orderId: string, lines: OrderLineInput[]): Promise<void> {
  const at = new Date().toISOString();
  const total = lines.reduce((sum, l) => sum + l.price, 0).toFixed(2);
  const payload = {
    id: Number(orderId),
    name: `#${orderId}`,
    created_at: at,
    updated_at: at,
    processed_at: at,
    cancelled_at: null,
    currency: "GBP",
    financial_status: "paid",
    source_name: "web",
    subtotal_price: total,
    total_price: total,
    test: false,
    note_attributes: [],
    customer: null,
    line_items: lines.map((line, index) => ({
      id: Number(orderId) * 10 + index,
      product_id: Number(line.id),
      variant_id: Number(line.variantId),
      title: line.title,
      quantity: 1,
      price: line.price.toFixed(2),
      properties: line.rec ? [{ name: "_affinity_rec", value: line.rec }] : [],
    })),
  };
  const webhookId = `${target.webhookIdPrefix}-order-${orderId}`;
  const webhook = signWebhook({
    topic: "orders/create",
    shop: target.shop,
    payload,
    secret: target.secret,
    webhookId,
    eventId: webhookId,
  });
  const response = await fetch(`${target.appOrigin}/webhooks`, {
    method: "POST",
    headers: webhook.headers,
    body: webhook.body,
  });
  if (!response.ok) throw new DemoError(`The app answered ${response.status} to orders/create ${orderId}`);
}
