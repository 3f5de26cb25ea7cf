import type { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { Db } from "../database/client.server";
import { clearReconnectRequired } from "../shops/reconnect.server";

/**
 * The Remix library's session storage. Storing an offline session means a token exchange (or the
 * library's own refresh) just produced a fresh token, so the shop no longer needs reconnecting.
 * Clearing here rather than in afterAuth matters: the library awaits storeSession before the
 * request's loaders go on, while afterAuth runs for only one of a page's parallel loaders.
 */
export class AffinitySessionStorage extends PrismaSessionStorage<Db> {
  constructor(private readonly db: Db) {
    super(db);
  }

  override async storeSession(session: Session): Promise<boolean> {
    const stored = await super.storeSession(session);
    if (!session.isOnline && session.accessToken) await clearReconnectRequired(this.db, session.shop);
    return stored;
  }
}
