import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { db } from "./db.server";
import { env } from "./lib/env.server";
import { createLogger } from "./lib/logger.server";
import { activatePixelAfterAuth } from "./lib/pixel/activate.server";
import { AffinitySessionStorage } from "./lib/shopify/session-storage.server";
import { loadPixelSettings } from "./lib/pixel/settings";
import { QUEUE_NAMES } from "./lib/jobs/queues";
import { forgetShopState } from "./lib/storefront-store/shop-state.server";
import { shopDomainTransformations } from "./lib/shops/domain-transformations";
import { createAdminGraphql } from "./lib/shopify/admin-client.server";
import { findShop, recordInstall } from "./lib/shops/registry.server";
import { enqueueBackfill } from "./lib/sync/backfill-queue.server";
import { offlineTokens } from "./offline-tokens.server";
import { queue, redisConnection } from "./queues.server";

const config = env();
const log = createLogger(config.LOG_LEVEL, { service: "app" });

/** The only call to shopifyApp(); everything else imports from here. */
const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  // Pinned explicitly: a silent API-version bump would change webhook and GraphQL shapes.
  apiVersion: ApiVersion.October26,
  scopes: config.SCOPES.split(",").map((s) => s.trim()),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  // Storing a fresh offline token also clears the shop's reconnect state.
  sessionStorage: new AffinitySessionStorage(db),
  distribution: AppDistribution.AppStore,
  // Expiring offline tokens (1 h, with a refresh token): Shopify refuses non-expiring ones from
  // public apps from 2027-01-01. The library refreshes what it loads itself; every Admin API call
  // of ours renews through lib/offline-token under a per-shop lock (docs/decisions/011).
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
  hooks: {
    afterAuth: async ({ session }) => {
      const before = await findShop(db, session.shop);
      await recordInstall(db, session.shop);
      // The storefront cached "unknown" or "uninstalled" for this shop; let it read the row again.
      await forgetShopState(redisConnection(), config.QUEUE_PREFIX, session.shop);
      // A reinstall inside the 48 h before shop/redact finds its old import "completed"; force a
      // fresh one so what changed while the app was gone is picked up.
      await enqueueBackfill(queue(QUEUE_NAMES.backfill), session.shop, { force: before?.status === "uninstalled" });
      // The web pixel reports product views and checkouts for attribution (docs/decisions/007).
      const { request } = createAdminGraphql({ shop: session.shop, accessToken: offlineTokens(), log });
      await activatePixelAfterAuth(request, loadPixelSettings, log, session.shop);
    },
  },
  // customShopDomains is gone from shopify-app-remix 6; domainTransformations replaced it.
  domainTransformations: shopDomainTransformations(config.SHOP_CUSTOM_DOMAIN),
});

export default shopify;
export const apiVersion = ApiVersion.October26;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
