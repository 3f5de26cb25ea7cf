import "@shopify/shopify-api/adapters/node";
import { ApiVersion, LogSeverity, shopifyApi, type Shopify } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import type { Logger } from "../logger.server";
import { shopDomainTransformations } from "../shops/domain-transformations";

/** The two token-endpoint calls the app makes outside a merchant's request. */
export type TokenApi = Pick<Shopify["auth"], "refreshToken" | "migrateToExpiringToken">;

export interface TokenApiConfig {
  SHOPIFY_API_KEY: string;
  SHOPIFY_API_SECRET: string;
  SHOPIFY_APP_URL: string;
  SCOPES: string;
  SHOP_CUSTOM_DOMAIN?: string;
}

/**
 * A token request that takes longer than this is abandoned and counts as a passing failure (the
 * job retries with backoff). Shopify answers in well under a second. @defaultValue 10 s
 */
export const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

let instance: { key: string; api: Shopify } | undefined;

/**
 * The one `shopifyApi()` instance outside Remix: the workers have no `shopifyApp()`, and the app's
 * refresh must take the same per-shop lock as theirs (offline-tokens.server.ts), so both refresh
 * and migrate tokens through this instance, built from the same configuration.
 */
export function tokenApi(
  config: TokenApiConfig,
  log?: Logger,
  /** @defaultValue TOKEN_REQUEST_TIMEOUT_MS */
  timeoutMs: number = TOKEN_REQUEST_TIMEOUT_MS,
): TokenApi {
  const key = `${config.SHOPIFY_API_KEY}|${config.SHOPIFY_APP_URL}|${config.SHOP_CUSTOM_DOMAIN ?? ""}|${timeoutMs}`;
  if (instance?.key === key) return instance.api.auth;
  // The node adapter captured `fetch` when it was imported. Look it up per call instead, so fetch
  // instrumentation installed later (an egress proxy, the tests' network boundary) sees token
  // requests too, and give each request a deadline: the library sets none.
  setAbstractFetchFunc((input, init) =>
    globalThis.fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
  );
  const url = new URL(config.SHOPIFY_APP_URL);
  const api = shopifyApi({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    apiVersion: ApiVersion.October26,
    scopes: config.SCOPES.split(",").map((s) => s.trim()),
    hostName: url.host,
    hostScheme: url.protocol === "http:" ? "http" : "https",
    isEmbeddedApp: true,
    domainTransformations: shopDomainTransformations(config.SHOP_CUSTOM_DOMAIN),
    logger: {
      level: LogSeverity.Warning,
      log: (severity, message) => log?.warn("shopify_api.log", { severity, message }),
    },
    _logDisabledFutureFlags: false,
  });
  instance = { key, api };
  return api.auth;
}
