import type { Db } from "../db.server";

/** Removes every recurring job a shop has (training schedules, rollups). */
export type RemoveShopSchedules = (shopDomain: string) => Promise<number>;

/**
 * app/uninstalled: the shop's tokens are already revoked, so its sessions go; its schedules stop;
 * the data stays until shop/redact, in case the merchant reinstalls within 48 hours.
 */
export async function markUninstalled(
  db: Db,
  domain: string,
  removeSchedules: RemoveShopSchedules,
  now = new Date(),
): Promise<{ schedulesRemoved: number }> {
  await db.$transaction([
    db.session.deleteMany({ where: { shop: domain } }),
    db.shop.updateMany({ where: { domain }, data: { status: "uninstalled", uninstalledAt: now } }),
  ]);
  return { schedulesRemoved: await removeSchedules(domain) };
}

/** app/scopes_update: keep the stored sessions' scope in step with what the merchant granted. */
export async function updateGrantedScopes(db: Db, domain: string, scopes: string[]): Promise<void> {
  await db.session.updateMany({ where: { shop: domain }, data: { scope: scopes.join(",") } });
}
