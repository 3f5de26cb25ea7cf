import { db } from "./db.server";
import { offlineTokens } from "./offline-tokens.server";
import { queue, redisConnection } from "./queues.server";
import { env } from "./lib/env.server";
import { QUEUE_NAMES } from "./lib/jobs/queues";
import { createAdminGraphql } from "./lib/shopify/admin-client.server";
import { ShopNotFoundError } from "./lib/shops/registry.server";

/**
 * What the admin routes hand to the domain modules, built from the verified session alone: the
 * shop is the session's, and the Admin API client gets that shop's offline token, renewed when it
 * nears expiry, from the same place the workers do. Routes
 * call `authenticate.admin(request)` first and pass its session here.
 */
export function adminContext(session: { shop: string }) {
  const config = env();
  return {
    shop: session.shop,
    db,
    redis: redisConnection(),
    prefix: config.QUEUE_PREFIX,
    apiKey: config.SHOPIFY_API_KEY,
    dailyCron: config.TRAIN_CRON,
    trainAfterOrders: config.TRAIN_AFTER_ORDERS,
    admin: createAdminGraphql({ shop: session.shop, accessToken: offlineTokens() }).request,
    trainQueue: () => queue(QUEUE_NAMES.train),
    systemQueue: () => queue(QUEUE_NAMES.system),
    /** Admin API jobs (backfill, collections, insight writes). */
    adminApiQueue: () => queue(QUEUE_NAMES.backfill),
  };
}

export type AdminContext = ReturnType<typeof adminContext>;

/** Runs a page's data load; a shop without a row answers 404 instead of failing the page. */
export async function orNotFound<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof ShopNotFoundError) throw new Response(error.message, { status: 404 });
    throw error;
  }
}
