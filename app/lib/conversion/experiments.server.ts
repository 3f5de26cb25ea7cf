import type { RedisClient } from "../redis.server";
import { experimentKey } from "../storefront-store/keys";
import type { Db } from "../database/client.server";
import { createUnlessTaken } from "../database/prisma-errors";
import { ensureShopId } from "../shops/registry.server";
import { DEFAULT_HOLDOUT_PERCENT } from "./assignment";

/** What the recommendations route needs to assign a visitor: the experiment and its split. */
export interface ExperimentRef {
  id: string;
  holdoutPercent: number;
  startedAt: string;
}

export interface ExperimentDeps {
  db: Db;
  redis: RedisClient;
  prefix: string;
}

/** The cache lives a few minutes; a split change replaces it at once (see currentExperiment). */
const CACHE_SECONDS = 300;

/**
 * The shop's running experiment, from Redis on the hot path. When the merchant's holdout differs
 * from the running experiment's, that experiment ends and a new one starts: results measured
 * under one split are never mixed with another's. The settings page may call this on save to
 * start the new experiment at once; otherwise the next storefront request does.
 */
export async function currentExperiment(
  deps: ExperimentDeps,
  shop: string,
  holdoutPercent: number = DEFAULT_HOLDOUT_PERCENT,
  now: Date = new Date(),
): Promise<ExperimentRef> {
  const cached = await deps.redis.get(experimentKey(deps.prefix, shop));
  if (cached) {
    const ref = JSON.parse(cached) as ExperimentRef;
    if (ref.holdoutPercent === holdoutPercent) return ref;
  }
  const ref = await ensureRunningExperiment(deps.db, shop, holdoutPercent, now);
  await deps.redis.set(experimentKey(deps.prefix, shop), JSON.stringify(ref), "EX", CACHE_SECONDS);
  return ref;
}

const toRef = (e: { id: string; holdoutPercent: number; startedAt: Date }): ExperimentRef => ({
  id: e.id,
  holdoutPercent: e.holdoutPercent,
  startedAt: e.startedAt.toISOString(),
});

/**
 * The running experiment with this split, started if needed. The unique `runningShopId` keeps it
 * to one per shop: when two servers race, one create fails and that server reads the winner's.
 */
export async function ensureRunningExperiment(
  db: Db,
  shop: string,
  holdoutPercent: number,
  now: Date = new Date(),
): Promise<ExperimentRef> {
  const shopId = await ensureShopId(db, shop);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const running = await db.experiment.findUnique({ where: { runningShopId: shopId } });
    if (running?.holdoutPercent === holdoutPercent) return toRef(running);
    if (running) {
      await db.experiment.updateMany({
        where: { id: running.id, runningShopId: shopId },
        data: { runningShopId: null, endedAt: now },
      });
    }
    const created = await createUnlessTaken(() =>
      db.experiment.create({ data: { shopId, holdoutPercent, startedAt: now, runningShopId: shopId } }),
    );
    if (created) return toRef(created);
  }
  throw new Error(`Could not start an experiment for ${shop}: it kept changing under us`);
}

export interface ExperimentSpan {
  id: string;
  holdoutPercent: number;
  startedAt: Date;
  endedAt: Date | null;
}

/** The shop's experiments, oldest first (a shop has a handful: one per split change). */
export async function shopExperiments(db: Pick<Db, "experiment">, shopId: string): Promise<ExperimentSpan[]> {
  return db.experiment.findMany({
    where: { shopId },
    orderBy: { startedAt: "asc" },
    select: { id: true, holdoutPercent: true, startedAt: true, endedAt: true },
  });
}

/** The experiment that was running at `at`, if any. */
export function experimentAt(experiments: ExperimentSpan[], at: Date): ExperimentSpan | null {
  let found: ExperimentSpan | null = null;
  for (const e of experiments) {
    if (e.startedAt <= at && (e.endedAt === null || at < e.endedAt)) found = e;
  }
  return found;
}
