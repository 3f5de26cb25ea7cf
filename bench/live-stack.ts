/**
 * The app and worker the live evaluation replays into (the bench and its tests), with the shop
 * installed and the holdout's draw fixed.
 */
import type { Db } from "../app/lib/database/client.server";
import { DEFAULT_SETTINGS } from "../app/lib/settings/settings-schema";
import { ensureShopId, recordInstall } from "../app/lib/shops/registry.server";
import { storeOfflineSession } from "../dev/offline-session";
import type { Spawned } from "../test/helpers/child-process";
import { startAppProcess, startWorkerProcess } from "../test/helpers/stack";

/**
 * The holdout's experiment, started with a fixed id before the first request. The id decides
 * which customers the control arm takes, and so which are scored. With a fresh id each run, the
 * live ratio moved by about 1 % between runs of unchanged code (ADR 005). With a fixed one, runs
 * of different code are scored on the same customers. It is still one draw: its figure is one
 * sample of what another draw would give.
 */
const LIVE_EXPERIMENT_ID = "live-bench";
async function startFixedExperiment(db: Db, shop: string): Promise<void> {
  const shopId = await ensureShopId(db, shop);
  // The split serving asks for (the shop keeps default settings): with any other, serving would
  // end this experiment and start one with a fresh id.
  const holdoutPercent = DEFAULT_SETTINGS.holdoutPercent;
  await db.experiment.create({ data: { id: LIVE_EXPERIMENT_ID, shopId, holdoutPercent, runningShopId: shopId } });
}

/** Fails the bench if serving replaced the fixed experiment: its draw would then be a fresh one. */
export async function assertFixedExperiment(db: Db, shop: string): Promise<void> {
  const ids = (await db.experiment.findMany({ where: { shop: { domain: shop } }, select: { id: true } })).map(
    (e) => e.id,
  );
  if (ids.length !== 1 || ids[0] !== LIVE_EXPERIMENT_ID)
    throw new Error(`the live bench's experiment was replaced (experiments: ${ids.join(", ")})`);
}

/**
 * Starts the app and worker on `database` and `prefix` and installs `shop`. Trainings come only
 * when the caller asks, and no list refresh comes on its own: one would rebuild a run's lists
 * while its customers ask (the read-before design asks for its refreshes itself).
 */
export async function startLiveStack(
  database: { db: Db; url: string },
  prefix: string,
  shop: string,
): Promise<{ app: Spawned; worker: Spawned; origin: string }> {
  const env = {
    DATABASE_URL: database.url,
    QUEUE_PREFIX: prefix,
    TRAIN_AFTER_ORDERS: "1000000",
    LIST_REFRESH_SECONDS: "0",
  };
  const [{ app, origin }, worker] = await Promise.all([startAppProcess(env), startWorkerProcess(env)]);
  await recordInstall(database.db, shop);
  await storeOfflineSession(database.db, shop);
  await startFixedExperiment(database.db, shop);
  return { app, worker, origin };
}
