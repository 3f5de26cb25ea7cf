import type { Prisma } from "@prisma/client";
import type { Db } from "../../app/lib/database/client.server";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import type { WebhookDelivery } from "../../app/lib/webhooks/webhook-queue.server";
import { orderPayload } from "../fixtures/shopify-payloads";
import { delivery } from "./ingest-harness";

/**
 * A shop with tracked activity and a holdout experiment, and order webhooks that exercise every
 * attribution rule (docs/decisions/007): direct lines, click-through by customer and by checkout
 * visitor, clicks inside and outside the window, cancelled and test orders, refunds, buyers in
 * both arms (some exposed only after ordering), updates that move an order, redeliveries and older
 * versions. Deterministic, and the same in every database it is seeded into, so two databases fed
 * it by different paths can be compared row by row.
 */

const DAY = 24 * 3600_000;
const BASE = Date.parse("2026-02-10T14:30:00Z");
export const EXPERIMENT_ID = "exp-scenario";
const visitor = (n: number) => `visitor${String(n).padStart(4, "0")}abcdef`;
const customer = (n: number) => String(600 + n);
const product = (n: number) => String(101 + (n % 10));

/** The order whose only click was 8 days before it (7-day window): it must not be attributed. */
export const OUTSIDE_WINDOW_ORDER = "29000";
/** The same buyer setup with the click 6 days before: attributed by click-through. */
export const INSIDE_WINDOW_ORDER = "29001";

function orderAt(i: number): number {
  return BASE + ((i % 10) - 5) * DAY + i * 60_000;
}

/** Events, the experiment and its visitors, and the shop's zone (rollup days are local days). */
export async function seedActivity(db: Db, shop: string): Promise<string> {
  const shopId = await ensureShopId(db, shop);
  await db.shop.update({ where: { id: shopId }, data: { timeZone: "America/New_York" } });
  await db.experiment.create({
    data: {
      id: EXPERIMENT_ID,
      shopId,
      holdoutPercent: 50,
      startedAt: new Date(BASE - 30 * DAY),
      runningShopId: shopId,
    },
  });
  await db.experimentVisitor.createMany({
    data: Array.from({ length: 12 }, (_, v) => ({
      experimentId: EXPERIMENT_ID,
      visitorId: visitor(v),
      arm: v % 2 ? "control" : "treatment",
      firstSeenAt: new Date(BASE - 20 * DAY),
      // Visitor 5 is exposed only after most orders: earlier orders are outside the experiment.
      exposedAt: new Date(v === 5 ? BASE + 3 * DAY : BASE - 20 * DAY + v * 1000),
    })),
  });
  const events: Prisma.EventCreateManyInput[] = [];
  let n = 0;
  const add = (e: { type: string; v: number; c?: number | null; p?: string; order?: string; at: number }) =>
    events.push({
      id: `ev-${String(n++).padStart(5, "0")}`,
      shopId,
      type: e.type,
      visitorId: visitor(e.v),
      customerShopifyId: e.c === undefined || e.c === null ? null : customer(e.c),
      recommendationId: e.type === "click" || e.type === "add_to_cart" ? `rec-${n}` : null,
      productShopifyId: e.p ?? null,
      orderShopifyId: e.order ?? null,
      occurredAt: new Date(e.at),
    });
  for (let k = 0; k < 160; k += 1) {
    const v = k % 12;
    const type = ["click", "add_to_cart", "impression", "click"][k % 4]!;
    // Clicks spread from 14 days before the first order to after the last: some in, some out.
    add({ type, v, c: k % 3 === 0 ? null : v % 7, p: product(k * 7), at: BASE - 14 * DAY + k * 3 * 3600_000 });
  }
  for (let i = 0; i < 60; i += 1) {
    if (i % 3 === 1) add({ type: "checkout_completed", v: i % 12, order: String(20_000 + i), at: orderAt(i) });
  }
  // Customer 601 checked out another order from visitor 50, who clicked order 20001's product
  // without logging in: that click reaches 20001 only through the other checkout.
  add({ type: "checkout_completed", v: 50, c: 1, order: "29999", at: orderAt(1) - 3600_000 });
  add({ type: "click", v: 50, p: product(1), at: orderAt(1) - 2 * 3600_000 });
  // The window's edges: one buyer's click 8 days before the order, another's 6 days before.
  add({ type: "click", v: 40, p: "101", at: BASE - 8 * DAY });
  add({ type: "checkout_completed", v: 40, order: OUTSIDE_WINDOW_ORDER, at: BASE });
  add({ type: "click", v: 41, p: "101", at: BASE - 6 * DAY });
  add({ type: "checkout_completed", v: 41, order: INSIDE_WINDOW_ORDER, at: BASE });
  await db.event.createMany({ data: events });
  return shopId;
}

function order(i: number, overrides: Record<string, unknown> = {}) {
  const id = 20_000 + i;
  const base = orderPayload(id);
  const at = new Date(orderAt(i)).toISOString();
  return orderPayload(id, {
    processed_at: at,
    created_at: at,
    updated_at: at,
    customer: i % 4 === 0 ? null : { ...base.customer, id: Number(customer(i % 7)) },
    line_items: base.line_items.map((l, k) => ({
      ...l,
      product_id: Number(product(i + k * 3)),
      price: `${5 + (i % 9)}.${i % 3 === 0 ? "25" : "99"}`,
      quantity: 1 + ((i + k) % 3),
      properties: i % 6 === 0 && k === 0 ? l.properties : [],
    })),
    cancelled_at: i % 13 === 5 ? at : null,
    test: i % 17 === 3,
    refunds:
      i % 8 === 2
        ? [
            {
              id: 90_000 + i,
              order_id: id,
              refund_line_items: [{ id: 91_000 + i, line_item_id: id * 10 + 1, quantity: 1 }],
            },
          ]
        : [],
    ...overrides,
  });
}

const guest = (id: string) => {
  const base = orderPayload(Number(id));
  return orderPayload(Number(id), {
    customer: null,
    processed_at: new Date(BASE).toISOString(),
    line_items: base.line_items.map((l) => ({ ...l, properties: [] })),
  });
};

/** New orders, plus a second version of one of them and a redelivery of another. */
export function firstDeliveries(shop: string): WebhookDelivery[] {
  const created = Array.from({ length: 60 }, (_, i) => delivery(shop, "orders/create", order(i)));
  return [
    ...created,
    delivery(shop, "orders/updated", order(7, { updated_at: new Date(orderAt(7) + 3600_000).toISOString() })),
    delivery(shop, "orders/create", order(8)),
    delivery(shop, "orders/create", guest(OUTSIDE_WINDOW_ORDER)),
    delivery(shop, "orders/create", guest(INSIDE_WINDOW_ORDER)),
  ];
}

/** Later changes: edits, cancellations, refunds listed by orders/updated, an older version, a redelivery. */
export function laterDeliveries(shop: string): WebhookDelivery[] {
  const later = (i: number, extra: Record<string, unknown> = {}) =>
    order(i, { updated_at: new Date(orderAt(i) + 2 * DAY).toISOString(), ...extra });
  return [
    delivery(shop, "orders/updated", later(1, { line_items: order(1).line_items.slice(0, 1) })),
    delivery(shop, "orders/cancelled", later(4, { cancelled_at: new Date(orderAt(4) + 2 * DAY).toISOString() })),
    delivery(
      shop,
      "orders/updated",
      later(10, {
        refunds: [
          { id: 95_010, order_id: 20_010, refund_line_items: [{ id: 96_010, line_item_id: 200_101, quantity: 1 }] },
        ],
      }),
    ),
    delivery(shop, "orders/updated", later(13, { processed_at: new Date(orderAt(13) + DAY).toISOString() })),
    delivery(shop, "orders/updated", later(22)),
    delivery(shop, "orders/updated", order(25, { updated_at: new Date(orderAt(25) - DAY).toISOString() })),
    delivery(shop, "orders/create", order(31)),
  ];
}
