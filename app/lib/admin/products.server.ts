import type { Db } from "../database/client.server";

/** What the admin shows of a product it names: enough for a list row with a thumbnail. */
export interface ProductSummary {
  id: string;
  title: string;
  imageUrl: string | null;
  /** Deleted, draft or archived products are shown greyed: they cannot be recommended anyway. */
  available: boolean;
}

/** Summaries of the shop's products with these ids, by id; unknown ids are left out. */
export async function productSummaries(
  db: Db,
  shopId: string,
  ids: readonly string[],
): Promise<Record<string, ProductSummary>> {
  if (ids.length === 0) return {};
  const rows = await db.product.findMany({
    where: { shopId, shopifyId: { in: [...new Set(ids)] } },
    select: { shopifyId: true, title: true, imageUrl: true, status: true, deletedAt: true },
  });
  return Object.fromEntries(
    rows.map((row) => [
      row.shopifyId,
      {
        id: row.shopifyId,
        title: row.title,
        imageUrl: row.imageUrl,
        available: row.status === "active" && row.deletedAt === null,
      },
    ]),
  );
}
