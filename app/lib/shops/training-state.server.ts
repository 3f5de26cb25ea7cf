import type { Db, DbClient } from "../database/client.server";

/**
 * Counts a newly stored order towards the next retrain. True exactly once per `threshold` orders:
 * the increment and the reset are single statements, so concurrent workers cannot both fire.
 */
export async function countNewOrder(db: Db, shopId: string, threshold: number): Promise<boolean> {
  await addNewOrders(db, shopId, 1);
  return retrainDue(db, shopId, threshold);
}

/** Adds `n` new orders to the count towards a retrain; a batch does it in its own transaction. */
export async function addNewOrders(db: DbClient, shopId: string, n: number): Promise<void> {
  await db.shop.update({ where: { id: shopId }, data: { ordersSinceTraining: { increment: n } } });
}

/**
 * True if the count reached `threshold`, which it resets in the same conditional statement, so
 * two workers cannot both see one crossing. A batch adding several multiples of the threshold
 * at once gets one retrain, not several.
 */
export async function retrainDue(db: Db, shopId: string, threshold: number): Promise<boolean> {
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
