import { createAdminApiClient, type AdminApiClient } from "@shopify/admin-api-client";
import type { Logger } from "../logger.server";
import { recordAdminThrottle } from "../metrics/definitions.server";
import { AdminApiError } from "./admin-api-error";
import { OfflineTokenError } from "./token-errors";

export { AdminApiError } from "./admin-api-error";
import type { OfflineTokens } from "./offline-tokens.server";

/** The Admin API version the workers speak; the same one app/shopify.server.ts pins. */
export const ADMIN_API_VERSION = "2026-10";

export interface AdminGraphqlOptions {
  /** The shop's myshopify domain, e.g. `example.myshopify.com`. */
  shop: string;
  /**
   * Where the shop's offline token comes from: the kept-fresh tokens (every call in the app and
   * the workers), or one fixed token (tests of a single call). Sent only to the shop's own Admin API.
   */
  accessToken: string | OfflineTokens;
  /** @defaultValue ADMIN_API_VERSION */
  apiVersion?: string;
  log?: Logger;
}

/** Sends one Admin GraphQL operation and returns its `data`, or throws an {@link AdminApiError}. */
export type AdminGraphql = <T = unknown>(query: string, variables?: Record<string, unknown>) => Promise<T>;

interface ClientErrors {
  networkStatusCode?: number;
  message?: string;
  graphQLErrors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export function createAdminGraphql(options: AdminGraphqlOptions): { request: AdminGraphql } {
  const { shop } = options;
  const tokens = options.accessToken;
  let client: { token: string; api: AdminApiClient } | undefined;
  const clientFor = (token: string) => {
    if (client?.token !== token) client = { token, api: newClient(options, token) };
    return client.api;
  };

  async function request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const send = (token: string) => clientFor(token).request<T>(query, variables ? { variables } : undefined);
    let token = typeof tokens === "string" ? tokens : await tokens.accessToken(shop);
    let response = await send(token);
    if (typeof tokens !== "string" && unauthorized(response.errors)) {
      // Expired early, or renewed elsewhere and retired: renew (or pick up the renewal) and retry once.
      token = await tokens.replaceRejected(shop, token);
      response = await send(token);
      if (unauthorized(response.errors)) {
        throw new OfflineTokenError(`Shopify refused ${shop}'s freshly renewed token too`, shop, "revoked");
      }
    }
    if (response.errors) throw toAdminApiError(shop, response.errors as ClientErrors);
    if (response.data === undefined)
      throw new AdminApiError(`Admin API answered ${shop} without data`, undefined, true);
    return response.data;
  }
  return { request };
}

const unauthorized = (errors: unknown) => (errors as ClientErrors | undefined)?.networkStatusCode === 401;

function newClient(options: AdminGraphqlOptions, accessToken: string): AdminApiClient {
  return createAdminApiClient({
    storeDomain: options.shop,
    apiVersion: options.apiVersion ?? ADMIN_API_VERSION,
    accessToken,
    // The client retries 429 and 503 itself, honouring Retry-After.
    retries: 2,
    // Looked up on every call rather than captured once, so fetch instrumentation (tracing, an
    // egress proxy) installed after this client was created still sees the requests.
    customFetchApi: (url, init) => globalThis.fetch(url, init),
    logger: (entry) => {
      if (entry.type !== "HTTP-Retry") return;
      // The client retries 429 (throttled) and 503 (unavailable); only the first is a throttle.
      if (entry.content.lastResponse?.status === 429) recordAdminThrottle();
      options.log?.warn("admin_api.retry", { shop: options.shop, attempt: entry.content.retryAttempt });
    },
  });
}

function toAdminApiError(shop: string, errors: ClientErrors): AdminApiError {
  const status = errors.networkStatusCode;
  const graphql = errors.graphQLErrors ?? [];
  const codes = graphql.map((e) => e.extensions?.code).filter((c): c is string => typeof c === "string");
  const detail = graphql.length > 0 ? graphql.map((e) => e.message).join("; ") : (errors.message ?? "unknown error");
  // Throttling arrives as HTTP 200 with a THROTTLED code; 5xx and network failures are passing.
  const retryable =
    status === undefined ||
    status === 429 ||
    status >= 500 ||
    codes.includes("THROTTLED") ||
    codes.includes("INTERNAL_SERVER_ERROR");
  if (status === 429 || codes.includes("THROTTLED")) recordAdminThrottle();
  const where = graphql.length > 0 ? "GraphQL errors" : status === undefined ? "network" : `HTTP ${status}`;
  return new AdminApiError(`Admin API request for ${shop} failed (${where}): ${detail}`, status, retryable, codes);
}
