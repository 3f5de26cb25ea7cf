/**
 * customers/delete: the customer no longer exists in Shopify, and the tag and metafields Affinity
 * wrote went with them. Their churn prediction goes at once (off the Customers page and its CSV,
 * not only at the next training), and what CustomerInsightWrite recorded for them is marked
 * `gone`, so no insight write plans a mutation for them again (plan.ts) and none is sent to learn
 * from Shopify that they are gone. A row kept only for a pending redaction is deleted: there is
 * nothing left to remove, and a redacted id is not kept longer than needed.
 */
import type { Db, Tx } from "../database/client.server";

/** Ids per statement: far under SQLite's 999 bound parameters and PostgreSQL's limits. */
const IDS_PER_STATEMENT = 500;

export async function forgetDeletedCustomers(
  db: Db | Tx,
  deletes: ReadonlyArray<{ shopId: string; shopifyId: string }>,
): Promise<void> {
  const byShop = new Map<string, string[]>();
  for (const { shopId, shopifyId } of deletes) {
    const ids = byShop.get(shopId);
    if (ids) ids.push(shopifyId);
    else byShop.set(shopId, [shopifyId]);
  }
  for (const [shopId, ids] of byShop) {
    for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
      const customerShopifyId = { in: ids.slice(i, i + IDS_PER_STATEMENT) };
      await db.churnPrediction.deleteMany({ where: { shopId, customerShopifyId } });
      await db.customerInsightWrite.deleteMany({ where: { shopId, customerShopifyId, redacted: true } });
      await db.customerInsightWrite.updateMany({
        where: { shopId, customerShopifyId },
        data: { gone: true, tag: null, metafields: null },
      });
    }
  }
}
