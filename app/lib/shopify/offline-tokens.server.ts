import { HttpResponseError, HttpRetriableError, type Session } from "@shopify/shopify-api";
import { offlineTokenLockKey } from "../storefront-store/keys";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import { recordTokenRefresh } from "../metrics/definitions.server";
import type { RedisClient } from "../redis.server";
import { acquireShopLock } from "../training/shop-lock.server";
import type { TokenFailureReason } from "../shops/reconnect.server";
import { NoOfflineSessionError, OfflineTokenError } from "./token-errors";
import { clearReconnectRequired, markReconnectRequired } from "../shops/reconnect.server";
import type { TokenApi } from "./shopify-api.server";

export interface OfflineTokensOptions {
  db: Db;
  redis: RedisClient;
  /** Prefix of the per-shop lock key (QUEUE_PREFIX). */
  prefix: string;
  api: TokenApi;
  log?: Logger;
  /** The clock expiries are read on. @defaultValue Date.now */
  now?: () => number;
  /** A token this close to its expiry is renewed before use: the Remix library's margin. @defaultValue 300000 (5 min) */
  renewWithinMs?: number;
  /** How long a caller waits while another process renews the same shop. @defaultValue 20000 */
  lockWaitMs?: number;
}

/** The shop's offline Admin API token, kept fresh. Every Admin API call gets its token here. */
export interface OfflineTokens {
  /** A token valid for at least `renewWithinMs` more, renewed first if needed. */
  accessToken(shop: string): Promise<string>;
  /** Shopify answered 401 to `rejected`: a different token, renewing it unless someone already did. */
  replaceRejected(shop: string, rejected: string): Promise<string>;
}

const LOCK_TTL_MS = 30_000;
const LOCK_POLL_MS = 50;

/**
 * Renewal happens under a per-shop Redis lock, and the session is read again once the lock is
 * held: of two workers that find the same token stale, one refreshes and stores the new pair,
 * the other finds that pair and uses it. One refresh, one stored pair (docs/decisions/011).
 */
export function createOfflineTokens(options: OfflineTokensOptions): OfflineTokens {
  const { db, redis, api } = options;
  const storage = new PrismaSessionStorage(db);
  const now = options.now ?? Date.now;
  const renewWithinMs = options.renewWithinMs ?? 5 * 60_000;
  const lockWaitMs = options.lockWaitMs ?? 20_000;

  async function load(shop: string): Promise<Session & { accessToken: string }> {
    const session = await storage.loadSession(`offline_${shop}`);
    if (!session?.accessToken) throw new NoOfflineSessionError(shop);
    return session as Session & { accessToken: string };
  }

  // A token without an expiry is a non-expiring one from before expiring tokens were requested:
  // Shopify stops accepting those on 2027-01-01, so it counts as stale and is migrated.
  const isStale = (session: Session) =>
    session.expires === undefined || session.expires.getTime() - renewWithinMs <= now();

  async function renew(shop: string, rejected?: string): Promise<string> {
    const release = await lock(shop);
    try {
      const session = await load(shop);
      const renewedMeanwhile = rejected === undefined || session.accessToken !== rejected;
      if (renewedMeanwhile && !isStale(session)) return session.accessToken;
      const fresh = await obtain(shop, session).catch((error: unknown) => {
        recordTokenRefresh("failed");
        throw error;
      });
      recordTokenRefresh("renewed");
      // The library dates the expiry on the system clock; keep it on ours.
      if (fresh.expires) fresh.expires = new Date(fresh.expires.getTime() - Date.now() + now());
      // One upsert of the whole row: the access token and its refresh token change together.
      await storage.storeSession(fresh);
      await clearReconnectRequired(db, shop);
      options.log?.info("offline_token.renewed", { shop, expires: fresh.expires?.toISOString() });
      return fresh.accessToken!;
    } finally {
      await release();
    }
  }

  async function obtain(shop: string, session: Session): Promise<Session> {
    try {
      if (session.refreshToken) return (await api.refreshToken({ shop, refreshToken: session.refreshToken })).session;
      if (session.expires === undefined) {
        // Shopify's migration: exchange the non-expiring token for an expiring pair, no user needed.
        const nonExpiringOfflineAccessToken = session.accessToken!;
        return (await api.migrateToExpiringToken({ shop, nonExpiringOfflineAccessToken })).session;
      }
    } catch (error) {
      const reason = failureReason(error);
      if (reason === "revoked") await markReconnectRequired(db, shop, reason, new Date(now()));
      options.log?.warn("offline_token.renew_failed", { shop, reason, error: describe(error) });
      throw new OfflineTokenError(`Shopify would not renew ${shop}'s offline token: ${describe(error)}`, shop, reason, {
        cause: error,
      });
    }
    await markReconnectRequired(db, shop, "revoked", new Date(now()));
    throw new OfflineTokenError(`${shop}'s offline token expired and there is no refresh token`, shop, "revoked");
  }

  async function lock(shop: string): Promise<() => Promise<void>> {
    const key = offlineTokenLockKey(options.prefix, shop);
    const giveUpAt = Date.now() + lockWaitMs;
    for (;;) {
      const release = await acquireShopLock(redis, key, LOCK_TTL_MS);
      if (release) return release;
      if (Date.now() >= giveUpAt) {
        throw new OfflineTokenError(
          `another process has been renewing ${shop}'s token for too long`,
          shop,
          "unavailable",
        );
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  return {
    async accessToken(shop) {
      const session = await load(shop);
      return isStale(session) ? renew(shop) : session.accessToken;
    },
    replaceRejected: (shop, rejected) => renew(shop, rejected),
  };
}

/**
 * Shopify answered the token request with a client error (400 `invalid_grant`, 401): the grant
 * is gone and only the merchant can restore it. Everything else, 429, 5xx, a timeout, a dropped
 * connection or a body that is not JSON, may pass.
 */
function failureReason(error: unknown): TokenFailureReason {
  return error instanceof HttpResponseError && !(error instanceof HttpRetriableError) ? "revoked" : "unavailable";
}

function describe(error: unknown): string {
  if (error instanceof HttpResponseError) {
    const body = error.response.body as { error?: unknown } | undefined;
    return `HTTP ${error.response.code}${typeof body?.error === "string" ? ` ${body.error}` : ""}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
