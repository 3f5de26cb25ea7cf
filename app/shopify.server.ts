import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { shopifyApi } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { db } from "./db.server";
import { env } from "./lib/env.server";
import { recordInstall } from "./lib/shops.server";

const config = env();

/** The only call to shopifyApp(); everything else imports from here. */
const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  // Pinned explicitly: a silent API-version bump would change webhook and GraphQL shapes.
  apiVersion: ApiVersion.October26,
  scopes: config.SCOPES.split(",").map((s) => s.trim()),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(db),
  distribution: AppDistribution.AppStore,
  future: { unstable_newEmbeddedAuthStrategy: true },
  hooks: {
    afterAuth: async ({ session }) => {
      await recordInstall(db, session.shop);
    },
  },
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

/**
 * The library's webhook check (HMAC over the raw body, required headers), from a shopifyApi()
 * built with the same credentials. authenticate.webhook runs this same check but then loads the
 * shop's session from the database, which the intake must not wait on (docs/decisions/004).
 */
export const validateWebhook = shopifyApi({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: ApiVersion.October26,
  hostName: new URL(config.SHOPIFY_APP_URL).host,
  isEmbeddedApp: true,
  logger: { level: 0 },
}).webhooks.validate;

export default shopify;
export const apiVersion = ApiVersion.October26;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
