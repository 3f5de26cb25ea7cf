import type { Db, DbClient } from "../database/client.server";
import { createUnlessTaken } from "../database/prisma-errors";

/*
 * The shop table's one owner (lint stops any other module from querying it): a shop's row is
 * created, found, marked and deleted here, and the other domains ask for what they need.
 */

/** Records that a shop installed (or re-installed) the app. Safe to call on every login. */
export async function recordInstall(db: Db, domain: string, now: Date = new Date()) {
  return db.shop.upsert({
    where: { domain },
    create: { domain, status: "installed", installedAt: now },
    update: { status: "installed", uninstalledAt: null },
  });
}

/** The shop row an admin page is about; undefined until the first install finished. */
export async function findShop(db: Db, domain: string) {
  return (await db.shop.findUnique({ where: { domain } })) ?? undefined;
}

/**
 * The session's shop has no row yet. afterAuth writes it on install, so this is a page opened in
 * the moment between token exchange and that write, or a shop whose data was redacted.
 */
export class ShopNotFoundError extends Error {
  override name = "ShopNotFoundError";
  readonly status = 404;
  constructor(readonly shop: string) {
    super(`No shop ${shop}; reload the app from the Shopify admin to finish installing`);
  }
}

/**
 * The shop row a page or a job works on. In the admin the domain always comes from the verified
 * session token (authenticate.admin), never from a query or form field, so no request can reach
 * another shop's row.
 */
export async function requireShop(db: Db, domain: string) {
  const shop = await db.shop.findUnique({ where: { domain } });
  if (!shop) throw new ShopNotFoundError(domain);
  return shop;
}

/** The shop's id, or null for a shop we have no row for. */
export async function findShopId(db: Db, domain: string): Promise<string | null> {
  return (await db.shop.findUnique({ where: { domain }, select: { id: true } }))?.id ?? null;
}

/**
 * The shop row for a verified delivery, created on first sight: a webhook can arrive before the
 * install flow finished writing it. Read first: this runs for every webhook, and a plain read is
 * about 4x cheaper than an upsert. Two workers creating the same shop at once is resolved by the
 * unique domain: the loser reads the winner's row.
 */
export async function ensureShopId(db: Db, domain: string): Promise<string> {
  const found = await findShopId(db, domain);
  if (found) return found;
  const created = await createUnlessTaken(() => db.shop.create({ data: { domain }, select: { id: true } }));
  return created?.id ?? (await db.shop.findUniqueOrThrow({ where: { domain }, select: { id: true } })).id;
}

/** What the storefront's cached shop state is built from, or null for a shop never seen. */
export function servingRow(db: Db, domain: string) {
  return db.shop.findUnique({ where: { domain }, select: { status: true, settings: true } });
}

/** app/uninstalled: the row stays (until shop/redact) and says so. For a transaction's list. */
export function markShopUninstalled(db: DbClient, domain: string, now: Date) {
  return db.shop.updateMany({ where: { domain }, data: { status: "uninstalled", uninstalledAt: now } });
}

/** shop/redact: the row, and with it everything that cascades from it. For a transaction's list. */
export function deleteShopRow(db: DbClient, domain: string) {
  return db.shop.deleteMany({ where: { domain } });
}

/** The health check's probe: a cheap query that only a reachable database answers. */
export async function probeShopTable(db: Db): Promise<void> {
  await db.shop.findFirst({ select: { id: true } });
}
