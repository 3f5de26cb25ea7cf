import { z } from "zod";
import { shopifyIdSchema } from "../shopify-id";

/** Most events one request may carry; the block sends a handful, the pixel one or two. */
export const MAX_EVENTS_PER_BATCH = 50;

// Shopify ids arrive as numbers, numeric strings or GIDs; we keep the numeric part.
const shopifyId = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v).replace(/^gid:\/\/shopify\/[A-Za-z]+\//, ""))
  .pipe(shopifyIdSchema);
/** The block's 32 hex digits, or the pixel's clientId (a UUID-like token). */
const visitorId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8–64 letters, digits, - or _");
const recommendationId = z.string().regex(/^[A-Za-z0-9_.:-]{1,80}$/, "must be 1–80 letters, digits or _ . : -");
const at = z.iso.datetime({ offset: true });
/** The pixel's own event id (Shopify's), which makes a replayed pixel event recognisable. */
const pixelEventId = z.string().min(1).max(100);

/** Beacons of the storefront block (docs/decisions/006): `{ type, recommendationId, productId?, at, visitorId }`. */
const blockEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("impression"), recommendationId, productId: shopifyId.optional(), at, visitorId }),
  z.object({ type: z.literal("click"), recommendationId, productId: shopifyId, at, visitorId }),
  z.object({ type: z.literal("add_to_cart"), recommendationId, productId: shopifyId, at, visitorId }),
  // Reported for both arms, also when control is shown nothing, so the arms stay comparable.
  z.object({ type: z.literal("exposure"), recommendationId: recommendationId.optional(), at, visitorId }),
]);

/** Events of the web pixel (extensions/affinity-pixel), already reduced to what we keep. */
const pixelEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("product_viewed"), id: pixelEventId, productId: shopifyId, at, visitorId }),
  z.object({
    type: z.literal("product_added_to_cart"),
    id: pixelEventId,
    productId: shopifyId,
    recommendationId: recommendationId.optional(),
    at,
    visitorId,
  }),
  z.object({ type: z.literal("checkout_completed"), id: pixelEventId, orderId: shopifyId, at, visitorId }),
]);

export const incomingEvent = z.union([blockEvent, pixelEvent]);
export type IncomingEvent = z.infer<typeof incomingEvent>;

export const eventBatch = z.object({ events: z.array(incomingEvent).min(1).max(MAX_EVENTS_PER_BATCH) }).strict();

export const EVENT_TYPES = [
  "impression",
  "click",
  "add_to_cart",
  "exposure",
  "product_viewed",
  "product_added_to_cart",
  "checkout_completed",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An accepted event as it is queued and stored: trusted fields (shop, customer) come from the proxy. */
export interface StorefrontEvent {
  /** Stable id derived from the event (event-id.ts): duplicates share it. */
  id: string;
  shop: string;
  type: EventType;
  visitorId: string;
  customerId: string | null;
  recommendationId: string | null;
  productId: string | null;
  orderId: string | null;
  /** ISO 8601. */
  occurredAt: string;
}

export const storefrontEvent = z.object({
  id: z.string().regex(/^[a-f0-9]{32}$/),
  shop: z.string().min(1),
  type: z.enum(EVENT_TYPES),
  visitorId,
  customerId: shopifyIdSchema.nullable(),
  recommendationId: z.string().nullable(),
  productId: z.string().nullable(),
  orderId: z.string().nullable(),
  occurredAt: at,
});

export const eventsJob = z.object({ shop: z.string().min(1), events: z.array(storefrontEvent).min(1) });
export type EventsJob = z.infer<typeof eventsJob>;
