import type { Db } from "../../app/lib/database/client.server";
import { restoreRecommender } from "../../app/lib/model/artifact";
import { indexShopData } from "../../app/lib/model/dataset";
import type { TrainedRecommender } from "../../app/lib/model/evaluate";
import { initTfBackend } from "../../app/lib/tf/backend.server";
import { loadCatalog, loadOrderHistory } from "../../app/lib/training/shop-history.server";

type StoredRun = Awaited<ReturnType<Db["modelRun"]["findUniqueOrThrow"]>>;

/**
 * Hands `use` a run's model restored on the shop's history as the database holds it now, as a
 * restore or a list refresh reads it, and frees the network afterwards.
 */
export async function withRestoredRun<T>(
  db: Db,
  runId: string,
  use: (model: TrainedRecommender, run: StoredRun) => Promise<T> | T,
): Promise<T> {
  await initTfBackend({ force: "auto", log: () => undefined });
  const run = await db.modelRun.findUniqueOrThrow({ where: { id: runId } });
  const [orders, catalog] = await Promise.all([loadOrderHistory(db, run.shopId), loadCatalog(db, run.shopId)]);
  const model = restoreRecommender(run.artifact, indexShopData(orders, catalog));
  try {
    return await use(model, run);
  } finally {
    model.dnn?.dispose();
  }
}
