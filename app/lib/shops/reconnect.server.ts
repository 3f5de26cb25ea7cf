import type { Db } from "../database/client.server";

/**
 * Why a shop's offline token could not be had. `revoked`: Shopify refused the refresh (or
 * migration) itself, so only the merchant can fix it by opening the app again or reinstalling.
 * `unavailable`: the token endpoint timed out, answered 5xx or 429, or another process held the
 * shop's refresh lock too long; the same call may work later. Kept on the shop row.
 */
export type TokenFailureReason = "revoked" | "unavailable";

export interface ReconnectState {
  since: Date;
  reason: TokenFailureReason;
}

/**
 * Records that the shop needs the merchant to reconnect. The first time wins, so the banner says
 * since when. A shop without a row (never finished installing) has nothing to show it on.
 */
export async function markReconnectRequired(
  db: Db,
  shop: string,
  reason: TokenFailureReason,
  now: Date = new Date(),
): Promise<void> {
  await db.shop.updateMany({
    where: { domain: shop, reconnectRequiredAt: null },
    data: { reconnectRequiredAt: now, reconnectReason: reason },
  });
  // The stored token is dead even if its expiry says otherwise.
  if (reason === "revoked") await expireOfflineSession(db, shop, now);
}

/**
 * Marks the shop's stored offline token expired. The Remix library then runs a fresh token
 * exchange with the merchant's session token on the next admin request, and storing that token
 * clears the reconnect state; until then every renewal attempt finds the token stale.
 */
export async function expireOfflineSession(db: Db, shop: string, now: Date = new Date()): Promise<void> {
  // Not the epoch: the session storage reads an expiry of 0 ms as "never expires".
  await db.session.updateMany({ where: { id: `offline_${shop}` }, data: { expires: now } });
}

/** A fresh token was stored: the shop is connected again. */
export async function clearReconnectRequired(db: Db, shop: string): Promise<void> {
  await db.shop.updateMany({
    where: { domain: shop, NOT: { reconnectRequiredAt: null } },
    data: { reconnectRequiredAt: null, reconnectReason: null },
  });
}

/** What the admin's banner shows, or null when the shop is connected. */
export async function reconnectState(db: Db, shop: string): Promise<ReconnectState | null> {
  const row = await db.shop.findUnique({
    where: { domain: shop },
    select: { reconnectRequiredAt: true, reconnectReason: true },
  });
  if (!row?.reconnectRequiredAt) return null;
  return { since: row.reconnectRequiredAt, reason: row.reconnectReason === "unavailable" ? "unavailable" : "revoked" };
}
