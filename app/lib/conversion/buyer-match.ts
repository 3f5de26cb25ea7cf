import type { AttributionOrder, RecommendationClick } from "./attribution";

/**
 * Which stored events belong to an order's buyer (docs/decisions/007), as a plain function over
 * events already read, so the one-order path (order-facts.server.ts) and the batch path
 * (batch-attribution.server.ts) share one rule and differ only in how they read.
 */

const DAY_MS = 24 * 3600_000;
const CLICKS = new Set(["click", "add_to_cart"]);
/**
 * The buyer's own events (the order's checkout and the customer's events in the window) taken per
 * order at most, newest first: a bound on one customer with a runaway number of events.
 */
export const BUYER_EVENTS_CAP = 5_000;
/** Visitors of a logged-in customer taken as the buyer when no checkout names one. */
const CUSTOMER_VISITORS_CAP = 20;

/** An Event row as matching needs it. */
export interface StoredEvent {
  id: string;
  type: string;
  visitorId: string;
  customerShopifyId: string | null;
  recommendationId: string | null;
  productShopifyId: string | null;
  orderShopifyId: string | null;
  occurredAt: Date;
}

/** An order as matching reads it: its id and the facts attribution uses. */
export type MatchOrder = Pick<AttributionOrder, "placedAt" | "customerId" | "lines">;

export interface BuyerActivity {
  /** Visitors who placed the order (checkout_completed), else the logged-in customer's visitors. */
  visitorIds: string[];
  clicks: RecommendationClick[];
}

/** Events grouped the ways matching looks them up; build once per shop and batch. */
export interface BuyerEventIndex {
  checkoutsByOrder: Map<string, StoredEvent[]>;
  byCustomer: Map<string, StoredEvent[]>;
  clicksByVisitor: Map<string, StoredEvent[]>;
}

function push<K>(map: Map<K, StoredEvent[]>, key: K, event: StoredEvent) {
  const list = map.get(key);
  if (list) list.push(event);
  else map.set(key, [event]);
}

/** Indexes events (duplicates by id are dropped: two reads may return the same row). */
export function indexBuyerEvents(events: Iterable<StoredEvent>): BuyerEventIndex {
  const index: BuyerEventIndex = { checkoutsByOrder: new Map(), byCustomer: new Map(), clicksByVisitor: new Map() };
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    if (e.type === "checkout_completed" && e.orderShopifyId) push(index.checkoutsByOrder, e.orderShopifyId, e);
    if (e.customerShopifyId) push(index.byCustomer, e.customerShopifyId, e);
    if (CLICKS.has(e.type)) push(index.clicksByVisitor, e.visitorId, e);
  }
  return index;
}

/** Newest first, then by id: the order the buyer-events cap keeps (the one-order read sorts alike). */
export function newestFirst(a: StoredEvent, b: StoredEvent): number {
  const byTime = b.occurredAt.getTime() - a.occurredAt.getTime();
  return byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The window an order's clicks must fall in: `windowDays` before it was placed, up to then. */
export function clickWindow(placedAt: Date, windowDays: number): { from: Date; to: Date } {
  return { from: new Date(placedAt.getTime() - windowDays * DAY_MS), to: placedAt };
}

/**
 * The buyer of an order and their recommendation clicks inside the window. The buyer's events
 * are the order's checkout and the customer's events in the window (at most BUYER_EVENTS_CAP,
 * newest first). The visitors are those the checkout names, else the customer's (up to 20,
 * newest first). The clicks are the buyer's events of a click type, and the checkout visitors'
 * clicks in the window on a product of the order.
 */
export function matchBuyerActivity(
  index: BuyerEventIndex,
  orderShopifyId: string,
  order: MatchOrder,
  windowDays: number,
): BuyerActivity {
  const { from, to } = clickWindow(order.placedAt, windowDays);
  const inWindow = (e: StoredEvent) => e.occurredAt >= from && e.occurredAt <= to;
  const customerEvents = order.customerId ? (index.byCustomer.get(order.customerId) ?? []).filter(inWindow) : [];
  const own = new Map<string, StoredEvent>();
  for (const e of [...(index.checkoutsByOrder.get(orderShopifyId) ?? []), ...customerEvents]) own.set(e.id, e);
  const buyerEvents = [...own.values()].sort(newestFirst).slice(0, BUYER_EVENTS_CAP);

  const checkoutVisitors = distinct(buyerEvents.filter((e) => e.type === "checkout_completed").map((e) => e.visitorId));
  const customerVisitors = distinct(buyerEvents.filter((e) => e.type !== "checkout_completed").map((e) => e.visitorId));
  const visitorIds = checkoutVisitors.length ? checkoutVisitors : customerVisitors.slice(0, CUSTOMER_VISITORS_CAP);

  const products = new Set(order.lines.flatMap((l) => (l.productId === null ? [] : [l.productId])));
  const clickEvents = new Map<string, StoredEvent>();
  for (const e of buyerEvents) if (CLICKS.has(e.type)) clickEvents.set(e.id, e);
  for (const visitor of products.size ? checkoutVisitors : []) {
    for (const e of index.clicksByVisitor.get(visitor) ?? []) {
      if (inWindow(e) && e.productShopifyId !== null && products.has(e.productShopifyId)) clickEvents.set(e.id, e);
    }
  }
  const clicks = [...clickEvents.values()]
    .filter((e) => e.productShopifyId !== null)
    .map((e) => ({
      productId: e.productShopifyId!,
      recommendationId: e.recommendationId,
      at: e.occurredAt,
      visitorId: e.visitorId,
      customerId: e.customerShopifyId,
    }));
  return { visitorIds, clicks };
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

/** An ExperimentVisitor row as the arm choice reads it. */
export interface ExposedVisitor {
  experimentId: string;
  visitorId: string;
  arm: string;
  exposedAt: Date | null;
}

/**
 * The buyer's entry in the experiment running when the order was placed: among the buyer's
 * visitors exposed to it by then, the first exposed (ties by visitor id, so the choice does not
 * depend on the order rows come back in).
 */
export function pickExperimentVisitor(
  candidates: Iterable<ExposedVisitor>,
  experimentId: string,
  visitorIds: readonly string[],
  placedAt: Date,
): ExposedVisitor | null {
  const buyer = new Set(visitorIds);
  let best: ExposedVisitor | null = null;
  for (const c of candidates) {
    if (c.experimentId !== experimentId || !buyer.has(c.visitorId) || !c.exposedAt || c.exposedAt > placedAt) continue;
    const earlier =
      !best ||
      c.exposedAt < best.exposedAt! ||
      (c.exposedAt.getTime() === best.exposedAt!.getTime() && c.visitorId < best.visitorId);
    if (earlier) best = c;
  }
  return best;
}
