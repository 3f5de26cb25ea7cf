import type { Db } from "../../app/lib/database/client.server";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { storeOfflineSession } from "../../dev/offline-session";
import { DEMO_SCOPES } from "./config";

/** Ten years: the demo runs offline and must never reach Shopify's token endpoint. */
const DEMO_TOKEN_LIFETIME_MS = 10 * 365 * 24 * 3600_000;

/**
 * The demo shop as an install would leave it: the Shop row and the offline session Shopify's
 * token exchange stores. With the session in place the admin never tries a token exchange,
 * which would need Shopify's network. The token is an expiring one that expires far ahead, so
 * nothing tries to renew or migrate it either (docs/decisions/011). Safe to run again.
 */
export async function createDemoShop(db: Db, shop: string): Promise<void> {
  await recordInstall(db, shop);
  await storeOfflineSession(db, shop, {
    scope: DEMO_SCOPES,
    accessToken: "shpat_affinity_demo_offline",
    expires: new Date(Date.now() + DEMO_TOKEN_LIFETIME_MS),
  });
}
