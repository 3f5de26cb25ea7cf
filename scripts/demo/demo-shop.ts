import type { Db } from "../../app/lib/db.server";
import { recordInstall } from "../../app/lib/shops.server";
import { storeOfflineSession } from "../../dev/offline-session";
import { DEMO_SCOPES } from "./config";

/**
 * The demo shop as an install would leave it: the Shop row and the offline session Shopify's
 * token exchange stores. With the session in place the admin never tries a token exchange,
 * which would need Shopify's network. Safe to run again.
 */
export async function createDemoShop(db: Db, shop: string): Promise<void> {
  await recordInstall(db, shop);
  await storeOfflineSession(db, shop, { scope: DEMO_SCOPES, accessToken: "shpat_affinity_demo_offline" });
}
