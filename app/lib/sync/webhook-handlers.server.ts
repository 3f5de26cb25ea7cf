import type { ZodType } from "zod";
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS } from "../conversion/attribution";
import { recomputeOrderAttribution, type RecomputeOptions } from "../conversion/order-attribution.server";
import { orderFactsFromRecord } from "./order-facts";
import { orderRefunds, refundPayload, storeRefundLines } from "../conversion/refunds.server";
import type { Db } from "../database/client.server";
import { forgetDeletedCustomers } from "../insights/deleted-customers.server";
import { createLogger, type Logger } from "../logger.server";
import type { WebhookDelivery } from "../webhooks/webhook-queue.server";
import { recordCustomerDataRequest, redactCustomer, redactShop, type CustomerLists } from "./compliance.server";
import { markUninstalled, updateGrantedScopes, type RemoveShopSchedules } from "./lifecycle.server";
import { applyShopTimeZone } from "./shop-time-zone.server";
import { ensureShopId } from "../shops/registry.server";
import { countNewOrder } from "../shops/training-state.server";
import { applyProduct, deleteProduct } from "./store-products.server";
import { applyCustomer, applyOrder } from "./store-orders.server";
import * as payloads from "./webhook-payloads";
import { isLearnableOrder, type ApplyOutcome, type OrderRecord } from "./records";

export interface HandlerContext {
  db: Db;
  delivery: WebhookDelivery;
  removeShopSchedules: RemoveShopSchedules;
  /** Asks for a retrain ("orders" after enough new orders, "redact" after a customers/redact). */
  requestTraining: (shop: string, trigger: "orders" | "redact") => Promise<unknown>;
  /** New orders that make a retrain worthwhile (TRAIN_AFTER_ORDERS). */
  trainAfterOrders: number;
  /**
   * Asks for these customers' served lists to be rebuilt after their new orders
   * (LIST_REFRESH_SECONDS), so each is ranked knowing the order they placed.
   * @defaultValue none: lists change at the next run
   */
  requestListRefresh?: (shop: string, customers: readonly string[]) => Promise<unknown>;
  /** Deletes what the shop has outside the database (its recommendation lists in Redis). */
  forgetShop: (shop: string) => Promise<void>;
  /**
   * customers/redact: queues the removal of the tag and metafields Affinity wrote to this customer
   * in Shopify, when any were written (app/lib/insights/write-job.server.ts). @defaultValue none:
   * the next insight write removes them
   */
  removeWrittenInsights?: (shop: { id: string; domain: string }, customerShopifyId: string) => Promise<unknown>;
  /** The customer's precomputed recommendation lists, for a data-request report. @defaultValue none */
  customerLists?: (shop: string, customerShopifyId: string) => Promise<CustomerLists>;
  /** customers/redact: deletes the customer's precomputed lists from Redis. @defaultValue none */
  forgetCustomerLists?: (shop: string, customerShopifyId: string) => Promise<unknown>;
  /** Keeps the storefront's copies in Redis in step with the database. */
  storefront: StorefrontSync;
  /** The delivery's logger (shop, job and topic attached). @defaultValue a silent logger */
  log?: Logger;
  /** The shop's attribution window in days. @defaultValue 7 */
  attributionWindowDays?: (shop: string) => Promise<number>;
}

export interface StorefrontSync {
  /** Rebuilds these products' cards from the stored catalog. */
  productsChanged: (shop: string, shopId: string, productIds: string[]) => Promise<void>;
  /** The shop was installed or uninstalled, or its settings changed. */
  shopChanged: (shop: string) => Promise<void>;
  /** A collection changed or was deleted: its products are read again when a page asks. */
  collectionChanged: (shop: string, collectionId: string) => Promise<void>;
}

/** What a handler did, for the job's return value and the log line. */
export type HandlerResult = Record<string, string | number | boolean>;

type Handler = (ctx: HandlerContext) => Promise<HandlerResult>;

const shopId = (ctx: HandlerContext) => ensureShopId(ctx.db, ctx.delivery.shop);
const deliveredAt = (ctx: HandlerContext) => new Date(ctx.delivery.triggeredAt ?? Date.now());

const upsertProduct: Handler = async (ctx) => {
  const id = await shopId(ctx);
  const product = payloads.productPayload.parse(ctx.delivery.payload);
  const outcome = await applyProduct(ctx.db, id, product);
  // Also when ours was older than the stored version: the card may be what is behind.
  await ctx.storefront.productsChanged(ctx.delivery.shop, id, [product.shopifyId]);
  return { outcome };
};

/** Recomputes an order's attribution and replaces what it counted before (docs/decisions/007). */
async function attribute(
  ctx: HandlerContext,
  id: string,
  orderShopifyId: string,
  options: Pick<RecomputeOptions, "known" | "isNew"> = {},
): Promise<HandlerResult> {
  const windowDays = (await ctx.attributionWindowDays?.(ctx.delivery.shop)) ?? DEFAULT_ATTRIBUTION_WINDOW_DAYS;
  const result = await recomputeOrderAttribution(ctx.db, id, orderShopifyId, { windowDays, ...options });
  return result ? { attributedLines: result.lines.length } : {};
}

const upsertOrder: Handler = async (ctx): Promise<HandlerResult> => {
  const id = await shopId(ctx);
  const order = payloads.orderPayload.parse(ctx.delivery.payload);
  const outcome = await applyOrder(ctx.db, id, order);
  return afterOrderStored(ctx, id, order, outcome);
};

/**
 * What an orders webhook does once its order row is written: its refunds, its attribution, and
 * the new-order count towards a retrain. A batch does the same for all its orders at once, in its
 * transaction (batch-attribution.server.ts, docs/decisions/014).
 */
async function afterOrderStored(
  ctx: HandlerContext,
  id: string,
  order: OrderRecord,
  outcome: ApplyOutcome,
): Promise<HandlerResult> {
  if (outcome === "stale") return { outcome };
  const refunds = orderRefunds.parse(ctx.delivery.payload).refunds ?? [];
  if (refunds.length > 0) await storeRefundLines(ctx.db, id, refunds);
  const attribution = await attribute(ctx, id, order.shopifyId, {
    known: orderFactsFromRecord(order),
    isNew: outcome === "created",
  });
  if (outcome !== "created") return { outcome, ...attribution };
  const due = await countNewOrder(ctx.db, id, ctx.trainAfterOrders);
  if (due) await ctx.requestTraining(ctx.delivery.shop, "orders");
  else if (isLearnableOrder(order))
    await askForListRefresh(ctx.requestListRefresh, ctx.delivery.shop, [order.customerShopifyId!], ctx.log);
  return { outcome, retrain: due, ...attribution };
}

/**
 * A retrain rebuilds every list, so only an order that does not trigger one asks for a refresh, and
 * only one training learns from (a guest's or a test order changes no list). A
 * refresh that cannot be queued is logged, not retried: the order is stored, and the next order
 * or run brings the lists up to date.
 */
export async function askForListRefresh(
  request: HandlerContext["requestListRefresh"],
  shop: string,
  customers: readonly string[],
  log: Logger | undefined,
): Promise<void> {
  if (!request) return;
  try {
    await request(shop, customers);
  } catch (error) {
    (log ?? createLogger("silent")).warn("lists.refresh_not_queued", { shop, error: (error as Error).message });
  }
}

/** The storefront's copy of the collection's products is dropped; its page's next request reads it again. */
const forgetCollection: Handler = async (ctx) => {
  const { id } = payloads.deletePayload.parse(ctx.delivery.payload);
  await ctx.storefront.collectionChanged(ctx.delivery.shop, id);
  return { collection: id };
};

/** One handler per subscribed topic (shopify.app.toml). Each is idempotent. */
export const WEBHOOK_HANDLERS: Record<string, Handler> = {
  "products/create": upsertProduct,
  "products/update": upsertProduct,
  "products/delete": async (ctx) => {
    const { id } = payloads.deletePayload.parse(ctx.delivery.payload);
    const shop = await shopId(ctx);
    await deleteProduct(ctx.db, shop, id, deliveredAt(ctx));
    await ctx.storefront.productsChanged(ctx.delivery.shop, shop, [id]);
    return { deleted: id };
  },
  "collections/update": forgetCollection,
  "collections/delete": forgetCollection,
  "orders/create": upsertOrder,
  "orders/updated": upsertOrder,
  "orders/cancelled": upsertOrder,
  "refunds/create": async (ctx) => {
    const id = await shopId(ctx);
    const refund = refundPayload.parse(ctx.delivery.payload);
    const refundLines = await storeRefundLines(ctx.db, id, [refund]);
    return { refundLines, ...(await attribute(ctx, id, refund.order_id)) };
  },
  "customers/create": async (ctx) => ({
    outcome: await applyCustomer(ctx.db, await shopId(ctx), payloads.customerPayload.parse(ctx.delivery.payload)),
  }),
  "customers/update": async (ctx) => ({
    outcome: await applyCustomer(ctx.db, await shopId(ctx), payloads.customerPayload.parse(ctx.delivery.payload)),
  }),
  "customers/delete": async (ctx) => {
    const { id } = payloads.deletePayload.parse(ctx.delivery.payload);
    const shop = await shopId(ctx);
    const { count } = await ctx.db.customer.deleteMany({ where: { shopId: shop, shopifyId: id } });
    await forgetDeletedCustomers(ctx.db, [{ shopId: shop, shopifyId: id }]);
    return { deleted: count };
  },
  "customers/data_request": async (ctx) => {
    const p = payloads.customerDataRequestPayload.parse(ctx.delivery.payload);
    const lists = (await ctx.customerLists?.(ctx.delivery.shop, p.customer.id)) ?? {};
    return recordCustomerDataRequest(ctx.db, await shopId(ctx), p.customer.id, ctx.delivery.webhookId, lists);
  },
  "customers/redact": async (ctx) => {
    const p = payloads.customerRedactPayload.parse(ctx.delivery.payload);
    const id = await shopId(ctx);
    await redactCustomer(ctx.db, id, p.customer.id);
    // The lists built from their orders go now, from both runs kept, not at the next retrains.
    await ctx.forgetCustomerLists?.(ctx.delivery.shop, p.customer.id);
    // Shopify's 30 days do not wait for the next training: the removal is queued now.
    await ctx.removeWrittenInsights?.({ id, domain: ctx.delivery.shop }, p.customer.id);
    // The served lists were learned from this customer's orders; rebuild them without.
    await ctx.requestTraining(ctx.delivery.shop, "redact");
    return { redacted: p.customer.id };
  },
  "shop/redact": async (ctx) => {
    payloads.shopRedactPayload.parse(ctx.delivery.payload);
    await redactShop(ctx.db, ctx.delivery.shop);
    await ctx.forgetShop(ctx.delivery.shop);
    return { redacted: ctx.delivery.shop };
  },
  "app/uninstalled": async (ctx) => {
    const result = await markUninstalled(ctx.db, ctx.delivery.shop, ctx.removeShopSchedules);
    await ctx.storefront.shopChanged(ctx.delivery.shop);
    return result;
  },
  // The merchant changed the store's settings; only the time zone matters to us.
  "shop/update": async (ctx) => {
    const { iana_timezone } = payloads.shopUpdatePayload.parse(ctx.delivery.payload);
    const log = ctx.log ?? createLogger("silent");
    const { timeZone, rebuilt } = await applyShopTimeZone(ctx.db, ctx.delivery.shop, iana_timezone, log);
    return { timeZone, rebuilt };
  },
  "app/scopes_update": async (ctx) => {
    const { current } = payloads.scopesUpdatePayload.parse(ctx.delivery.payload);
    await updateGrantedScopes(ctx.db, ctx.delivery.shop, current);
    return { scopes: current.join(",") };
  },
};

/**
 * The payload schemas each topic's handler parses. Subscriptions that set `include_fields` in
 * shopify.app.toml must list every field these read (test/unit/webhook-subscriptions.test.ts),
 * or Shopify would leave it out and the delivery would be dead-lettered. Topics whose handler
 * reads nothing from the payload map to an empty list.
 */
export const HANDLER_PAYLOADS: Record<keyof typeof WEBHOOK_HANDLERS, ZodType[]> = {
  "products/create": [payloads.productPayload],
  "products/update": [payloads.productPayload],
  "products/delete": [payloads.deletePayload],
  "collections/update": [payloads.deletePayload],
  "collections/delete": [payloads.deletePayload],
  "orders/create": [payloads.orderPayload, orderRefunds],
  "orders/updated": [payloads.orderPayload, orderRefunds],
  "orders/cancelled": [payloads.orderPayload, orderRefunds],
  "refunds/create": [refundPayload],
  "customers/create": [payloads.customerPayload],
  "customers/update": [payloads.customerPayload],
  "customers/delete": [payloads.deletePayload],
  "customers/data_request": [payloads.customerDataRequestPayload],
  "customers/redact": [payloads.customerRedactPayload],
  "shop/redact": [payloads.shopRedactPayload],
  "shop/update": [payloads.shopUpdatePayload],
  "app/uninstalled": [],
  "app/scopes_update": [payloads.scopesUpdatePayload],
};
