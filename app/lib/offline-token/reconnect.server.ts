import type { Db } from "../db.server";
import type { TokenFailureReason } from "./errors";

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
  if (reason === "revoked") {
    // The stored token is dead even if its expiry says otherwise. Marking it expired makes the
    // Remix library run a fresh token exchange the next time the merchant opens the app
    // (afterAuth then clears this state); until then every refresh attempt finds it stale.
    await db.session.updateMany({ where: { id: `offline_${shop}` }, data: { expires: new Date(0) } });
  }
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
