import type { Queue } from "bullmq";
import { setServedRuns } from "../shops/training-state.server";
import type { RedisClient } from "../redis.server";
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import { activateRun, rollbackRun } from "../storefront-store/run-lists.server";
import { rebuildRunLists } from "./rebuild-lists.server";
import { requestRestore } from "./train-queue.server";
import { requireShop } from "../shops/registry.server";

/** There is no earlier model to go back to; the message is for the merchant. */
export class NothingToRollBackError extends Error {
  override name = "NothingToRollBackError";
}

export interface RollbackDeps {
  db: Db;
  redis: RedisClient;
  prefix: string;
  trainQueue: () => Queue;
}

/** Served now, or being rebuilt from its stored model because Redis lost its lists. */
export type RollbackOutcome = { kind: "served"; runId: string } | { kind: "restoring"; runId: string };

/**
 * Serves the previous training run again. Redis decides (its lists are what the storefront
 * reads), then the shop row follows, so the model page shows what shoppers get. Rolling back
 * twice returns to where it started. When Redis no longer holds the earlier run's lists (a
 * flushed or replaced Redis), a job rebuilds them from the run's stored model and then serves it.
 */
export async function rollBackModel(deps: RollbackDeps, shopDomain: string): Promise<RollbackOutcome> {
  const shop = await requireShop(deps.db, shopDomain);
  const previousId = shop.previousModelRunId;
  if (!previousId) throw new NothingToRollBackError("There is no earlier model to go back to.");
  const served = await serveStoredPrevious(deps.db, deps.redis, deps.prefix, shopDomain);
  if (served) return { kind: "served", runId: served };
  await requestRestore(deps.trainQueue(), shopDomain, previousId);
  return { kind: "restoring", runId: previousId };
}

/** Swaps the active and previous runs if the previous one's lists are in Redis; null if not. */
async function serveStoredPrevious(db: Db, redis: RedisClient, prefix: string, shopDomain: string) {
  const served = await rollbackRun(redis, prefix, shopDomain);
  if (served) await swapRunsInDb(db, shopDomain, served);
  return served;
}

/** The shop row follows Redis: `runId` active, the run it replaced previous. */
async function swapRunsInDb(db: Db, shopDomain: string, runId: string) {
  const shop = await requireShop(db, shopDomain);
  const before = shop.activeModelRunId;
  await setServedRuns(db, shop.id, { active: runId, previous: before === runId ? shop.previousModelRunId : before });
}

/**
 * The restore job's work: rebuild the run's lists from the database and its stored model, then
 * serve it, unless the shop has moved on meanwhile (a new training made another run the
 * previous one), in which case the rebuilt lists are left for Redis to drop with the next run.
 */
export async function restoreRun(
  deps: Omit<RollbackDeps, "trainQueue"> & { log: Logger; budgetMb?: number },
  shopDomain: string,
  runId: string,
): Promise<{ served: boolean; fromRun: string | null; model: string }> {
  const rebuilt = await rebuildRunLists(deps, shopDomain, runId);
  const shop = await requireShop(deps.db, shopDomain);
  const served = shop.previousModelRunId === runId;
  if (served) {
    // Not rollbackRun: Redis may have lost its run pointers along with the lists.
    await activateRun(deps.redis, deps.prefix, shopDomain, runId);
    await swapRunsInDb(deps.db, shopDomain, runId);
  }
  deps.log.info(served ? "model.restored" : "model.restore_superseded", { shop: shopDomain, runId, ...rebuilt });
  return { served, fromRun: rebuilt.fromRun, model: rebuilt.served };
}
