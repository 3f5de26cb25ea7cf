import type { Db } from "../db.server";
import { assignArm } from "../conversion/assignment";
import { experimentAt, shopExperiments, type ExperimentSpan } from "../conversion/experiments.server";
import { changeArmTotal, changeRollup, dayOf, type RollupChange, type Tx } from "../conversion/rollups.server";
import { isUniqueViolation } from "../sync/prisma-errors";
import { ensureShopId } from "../sync/shops-registry.server";
import type { EventsJob, EventType, StorefrontEvent } from "./schema";

/** Which daily counter each event type adds to. */
const COUNTER: Record<EventType, keyof RollupChange | null> = {
  impression: "impressions",
  click: "clicks",
  add_to_cart: "addToCarts",
  exposure: null,
  product_viewed: "productViews",
  product_added_to_cart: "cartAdds",
  checkout_completed: "checkouts",
};
const EXPOSURES: EventType[] = ["impression", "exposure"];

export interface StoredEvents {
  stored: number;
  duplicates: number;
  /** Events after which orders may need their attribution recomputed (see the events processor). */
  followUps: StorefrontEvent[];
}

/**
 * Stores a batch of events once each and keeps the daily rollups and experiment totals in step,
 * each event in one transaction with its counts, so a retry after a crash neither loses nor
 * double-counts. A duplicate (same derived id) is skipped.
 */
export async function storeEvents(db: Db, job: EventsJob): Promise<StoredEvents> {
  // The route only accepts shops with an offline session; their row may not be written yet.
  const shop = { id: await ensureShopId(db, job.shop) };
  const known = await db.event.findMany({ where: { id: { in: job.events.map((e) => e.id) } }, select: { id: true } });
  const seen = new Set(known.map((e) => e.id));
  const experiments = await shopExperiments(db, shop.id);
  const result: StoredEvents = { stored: 0, duplicates: 0, followUps: [] };
  for (const event of job.events) {
    if (seen.has(event.id)) {
      result.duplicates += 1;
      continue;
    }
    seen.add(event.id);
    let newlyExposed = false;
    try {
      newlyExposed = await db.$transaction((tx) => storeOne(tx, shop.id, event, experiments));
    } catch (error) {
      // Stored meanwhile by another worker (a re-sent batch in a second job): already counted.
      if (!isUniqueViolation(error)) throw error;
      result.duplicates += 1;
      continue;
    }
    result.stored += 1;
    if (newlyExposed || ["click", "add_to_cart", "checkout_completed"].includes(event.type))
      result.followUps.push(event);
  }
  return result;
}

/** One event with its counts. Returns whether it was the visitor's first exposure in its experiment. */
async function storeOne(
  tx: Tx,
  shopId: string,
  event: StorefrontEvent,
  experiments: ExperimentSpan[],
): Promise<boolean> {
  const at = new Date(event.occurredAt);
  await tx.event.create({
    data: {
      id: event.id,
      shopId,
      type: event.type,
      visitorId: event.visitorId,
      customerShopifyId: event.customerId,
      recommendationId: event.recommendationId,
      productShopifyId: event.productId,
      orderShopifyId: event.orderId,
      occurredAt: at,
    },
  });
  const experiment = experimentAt(experiments, at);
  const arm = experiment
    ? assignArm({
        shop: event.shop,
        experimentId: experiment.id,
        visitorId: event.visitorId,
        holdoutPercent: experiment.holdoutPercent,
      })
    : "";
  const exposure = EXPOSURES.includes(event.type);
  const day = dayOf(at);
  const change: RollupChange = await countVisitorDay(tx, shopId, day, event.visitorId, exposure);
  const counter = COUNTER[event.type];
  if (counter) (change as Record<string, number>)[counter] = ((change as Record<string, number>)[counter] ?? 0) + 1;
  await changeRollup(tx, { shopId, day, experimentId: experiment?.id ?? "", arm }, change);
  return experiment ? countExperimentVisitor(tx, experiment.id, arm, event.visitorId, at, exposure) : false;
}

/** Distinct visitors (and exposed visitors) of the day: counted on first sight only. */
async function countVisitorDay(
  tx: Tx,
  shopId: string,
  day: Date,
  visitorId: string,
  exposure: boolean,
): Promise<RollupChange> {
  const key = { shopId_day_visitorId: { shopId, day, visitorId } };
  const row = await tx.visitorDay.findUnique({ where: key, select: { exposed: true } });
  if (!row) {
    await tx.visitorDay.create({ data: { shopId, day, visitorId, exposed: exposure } });
    return { visitors: 1, exposedVisitors: exposure ? 1 : 0 };
  }
  if (!exposure || row.exposed) return {};
  await tx.visitorDay.update({ where: key, data: { exposed: true } });
  return { exposedVisitors: 1 };
}

/** The experiment's visitor, created on first sight; the first exposure is when they enter the test. */
async function countExperimentVisitor(
  tx: Tx,
  experimentId: string,
  arm: string,
  visitorId: string,
  at: Date,
  exposure: boolean,
): Promise<boolean> {
  const key = { experimentId_visitorId: { experimentId, visitorId } };
  const row = await tx.experimentVisitor.findUnique({ where: key, select: { exposedAt: true } });
  if (!row) {
    await tx.experimentVisitor.create({
      data: { experimentId, visitorId, arm, firstSeenAt: at, exposedAt: exposure ? at : null },
    });
    await changeArmTotal(tx, experimentId, arm, { visitors: 1, exposedVisitors: exposure ? 1 : 0 });
    return exposure;
  }
  if (!exposure || row.exposedAt) return false;
  await tx.experimentVisitor.update({ where: key, data: { exposedAt: at } });
  await changeArmTotal(tx, experimentId, arm, { exposedVisitors: 1 });
  return true;
}
