import type { Db } from "../db.server";
import { createUnlessTaken } from "./prisma-errors";

/**
 * The shop row for a verified delivery, created on first sight: a webhook can arrive before the
 * install flow finished writing it. Read first: this runs for every webhook, and a plain read is
 * about 4x cheaper than an upsert. Two workers creating the same shop at once is resolved by the
 * unique domain: the loser reads the winner's row.
 */
export async function ensureShopId(db: Db, domain: string): Promise<string> {
  const found = await db.shop.findUnique({ where: { domain }, select: { id: true } });
  if (found) return found.id;
  const created = await createUnlessTaken(() => db.shop.create({ data: { domain }, select: { id: true } }));
  return created?.id ?? (await db.shop.findUniqueOrThrow({ where: { domain }, select: { id: true } })).id;
}
