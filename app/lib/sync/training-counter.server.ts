import type { Db } from "../db.server";

/**
 * Counts a newly stored order towards the next retrain. True exactly once per `threshold` orders:
 * the increment and the reset are single statements, so concurrent workers cannot both fire.
 */
export async function countNewOrder(db: Db, shopId: string, threshold: number): Promise<boolean> {
  await db.shop.update({ where: { id: shopId }, data: { ordersSinceTraining: { increment: 1 } } });
  const { count } = await db.shop.updateMany({
    where: { id: shopId, ordersSinceTraining: { gte: threshold } },
    data: { ordersSinceTraining: 0 },
  });
  return count > 0;
}
