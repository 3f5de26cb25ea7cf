import type { Db } from "../database/client.server";
import { OfflineTokenError } from "../shopify/token-errors";
import type { OfflineTokens } from "../shopify/offline-tokens.server";
import { reconnectState, type ReconnectState } from "../shops/reconnect.server";

/**
 * Runs when the merchant opens the app (the layout's loader, after `authenticate.admin`). A
 * non-expiring offline token stored before expiring ones were requested is exchanged for an
 * expiring pair now, as Shopify's migration page asks; the library keeps such a session because
 * it never expires. Returns what the reconnect banner should say, or null.
 */
export async function openAppConnection(
  db: Db,
  tokens: OfflineTokens,
  session: { shop: string; isOnline: boolean; expires?: Date },
): Promise<ReconnectState | null> {
  const nonExpiring = !session.isOnline && session.expires === undefined;
  if (nonExpiring) await tryToken(tokens, session.shop);
  const state = await reconnectState(db, session.shop);
  if (!state || nonExpiring) return state;
  // The merchant is here (or chose Reconnect): try once more, so a passing outage clears at once.
  await tryToken(tokens, session.shop);
  return reconnectState(db, session.shop);
}

async function tryToken(tokens: OfflineTokens, shop: string): Promise<void> {
  try {
    await tokens.accessToken(shop);
  } catch (error) {
    // The page still opens: the failure is on the shop row now, and the banner says what to do.
    if (!(error instanceof OfflineTokenError)) throw error;
  }
}
