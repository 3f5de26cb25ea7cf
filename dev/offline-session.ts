import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { Db } from "../app/lib/database/client.server";

/**
 * Stores the offline session Shopify's token exchange would have produced at install, for tests
 * and the demo. With it in place the app never attempts a token exchange (which needs Shopify).
 */
export async function storeOfflineSession(
  db: Db,
  shop: string,
  options: {
    scope?: string;
    accessToken?: string;
    /** Store an expiring token (with a refresh token) that expires then; without it, a non-expiring one. */
    expires?: Date;
  } = {},
): Promise<void> {
  const storage = new PrismaSessionStorage(db);
  await storage.storeSession(
    new Session({
      id: `offline_${shop}`,
      shop,
      state: "installed",
      isOnline: false,
      scope: options.scope,
      // Never used to call Shopify offline: the tests and the demo fake Shopify at its boundary.
      accessToken: options.accessToken ?? "shpat_offline_test_token",
      ...(options.expires
        ? { expires: options.expires, refreshToken: "shprt_offline_test_token", refreshTokenExpires: options.expires }
        : {}),
    }),
  );
}
