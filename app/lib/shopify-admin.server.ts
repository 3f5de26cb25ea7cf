import { createAdminApiClient } from "@shopify/admin-api-client";
import type { Db } from "./db.server";
import type { Logger } from "./logger.server";

/** The Admin API version the workers speak; the same one app/shopify.server.ts pins. */
export const ADMIN_API_VERSION = "2026-10";

export interface AdminGraphqlOptions {
  /** The shop's myshopify domain, e.g. `example.myshopify.com`. */
  shop: string;
  /** The shop's offline access token. Sent only to the shop's own Admin API. */
  accessToken: string;
  /** @defaultValue ADMIN_API_VERSION */
  apiVersion?: string;
  log?: Logger;
}

/** Sends one Admin GraphQL operation and returns its `data`, or throws an {@link AdminApiError}. */
export type AdminGraphql = <T = unknown>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/**
 * An Admin API call that failed: an HTTP error (`status` set), a network failure, or GraphQL
 * `errors`. `retryable` says whether the same call may succeed later (throttling, 5xx, network);
 * a 401 means the token was revoked (the app was uninstalled), so retrying cannot help.
 */
export class AdminApiError extends Error {
  override name = "AdminApiError";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly codes: string[] = [],
  ) {
    super(message);
  }
}

interface ClientErrors {
  networkStatusCode?: number;
  message?: string;
  graphQLErrors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export function createAdminGraphql(options: AdminGraphqlOptions): { request: AdminGraphql } {
  const client = createAdminApiClient({
    storeDomain: options.shop,
    apiVersion: options.apiVersion ?? ADMIN_API_VERSION,
    accessToken: options.accessToken,
    // The client retries 429 and 503 itself, honouring Retry-After.
    retries: 2,
    // Looked up on every call rather than captured once, so fetch instrumentation (tracing, an
    // egress proxy) installed after this client was created still sees the requests.
    customFetchApi: (url, init) => globalThis.fetch(url, init),
    logger: (entry) => {
      if (entry.type === "HTTP-Retry")
        options.log?.warn("admin_api.retry", { shop: options.shop, attempt: entry.content.retryAttempt });
    },
  });

  async function request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await client.request<T>(query, variables ? { variables } : undefined);
    if (response.errors) throw toAdminApiError(options.shop, response.errors as ClientErrors);
    if (response.data === undefined)
      throw new AdminApiError(`Admin API answered ${options.shop} without data`, undefined, true);
    return response.data;
  }
  return { request };
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
  const where = graphql.length > 0 ? "GraphQL errors" : status === undefined ? "network" : `HTTP ${status}`;
  return new AdminApiError(`Admin API request for ${shop} failed (${where}): ${detail}`, status, retryable, codes);
}

/** The shop's offline Admin API token, or null when the app is not installed there. */
export async function offlineAccessToken(db: Db, shop: string): Promise<string | null> {
  const session = await db.session.findUnique({ where: { id: `offline_${shop}` }, select: { accessToken: true } });
  return session?.accessToken || null;
}
