import type { Db } from "../database/client.server";
import { markShopUninstalled } from "../shops/registry.server";

/**
 * Stops the work a shop has queued: its recurring jobs (training schedules, rollups) and its
 * backfill and training jobs that have not started. Returns how many it stopped.
 */
export type RemoveShopSchedules = (shopDomain: string) => Promise<number>;

/**
 * app/uninstalled: the shop's tokens are already revoked, so its sessions go; its queued work stops;
 * the data stays until shop/redact, in case the merchant reinstalls within 48 hours.
 */
export async function markUninstalled(
  db: Db,
  domain: string,
  removeSchedules: RemoveShopSchedules,
  now = new Date(),
): Promise<{ schedulesRemoved: number }> {
  await db.$transaction([db.session.deleteMany({ where: { shop: domain } }), markShopUninstalled(db, domain, now)]);
  return { schedulesRemoved: await removeSchedules(domain) };
}

/** app/scopes_update: keep the stored sessions' scope in step with what the merchant granted. */
export async function updateGrantedScopes(db: Db, domain: string, scopes: string[]): Promise<void> {
  await db.session.updateMany({ where: { shop: domain }, data: { scope: scopes.join(",") } });
}
