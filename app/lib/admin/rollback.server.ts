import type { RedisClient } from "../redis.server";
import type { Db } from "../db.server";
import { rollbackRun } from "../serving/lists.server";
import { requireShop } from "./shop.server";

/** There is no earlier model whose lists are still stored; the message is for the merchant. */
export class NothingToRollBackError extends Error {
  override name = "NothingToRollBackError";
}

/**
 * Serves the previous training run again. Redis decides (its lists are what the storefront
 * reads, and only the previous run's lists are kept), then the shop row follows, so the model
 * page shows what shoppers get. Rolling back twice returns to where it started.
 */
export async function rollBackModel(db: Db, redis: RedisClient, prefix: string, shopDomain: string): Promise<string> {
  const shop = await requireShop(db, shopDomain);
  if (!shop.previousModelRunId) throw new NothingToRollBackError("There is no earlier model to go back to.");
  const served = await rollbackRun(redis, prefix, shopDomain);
  if (!served) {
    throw new NothingToRollBackError("The earlier model's recommendations are no longer stored. Retrain instead.");
  }
  const before = shop.activeModelRunId;
  await db.shop.update({
    where: { id: shop.id },
    data: { activeModelRunId: served, previousModelRunId: before === served ? shop.previousModelRunId : before },
  });
  return served;
}
