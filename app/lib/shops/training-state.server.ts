import type { Db, DbClient } from "../database/client.server";

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

/** A training started: orders from now on count towards the next one, and a pending ask is met. */
export async function resetTrainingCounter(db: Db, shopId: string): Promise<void> {
  await db.shop.update({ where: { id: shopId }, data: { ordersSinceTraining: 0, retrainRequestedAt: null } });
}

/** Asks for a retrain (a customer's data went): for a transaction's list. */
export function requestRetrain(db: DbClient, shopId: string, now: Date) {
  return db.shop.update({ where: { id: shopId }, data: { retrainRequestedAt: now } });
}

/** Which runs the shop serves and keeps for rollback, as Redis has them: for a transaction's list. */
export function setServedRuns(db: DbClient, shopId: string, runs: { active: string; previous: string | null }) {
  return db.shop.update({
    where: { id: shopId },
    data: { activeModelRunId: runs.active, previousModelRunId: runs.previous },
  });
}
