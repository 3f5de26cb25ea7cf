import type { Db } from "./db.server";

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
