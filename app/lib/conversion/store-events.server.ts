import { shopTimeZone } from "../shops/time-zone.server";
import type { Db, Tx } from "../database/client.server";
import { assignArm } from "./assignment";
import { experimentAt, shopExperiments, type ExperimentSpan } from "./experiments.server";
import { changeArmTotal, changeRollup, dayOf, type RollupChange } from "./rollups.server";
import { isUniqueViolation } from "../database/prisma-errors";
import { ensureShopId } from "../shops/registry.server";
import type { EventsJob, EventType, StorefrontEvent } from "../events/event-schema";

type Count = Exclude<keyof RollupChange, "revenue" | "attributedRevenue">;

/** Which daily counter each event type adds to (also used by the rollup rebuild). */
export const COUNTER: Record<EventType, Count | null> = {
  impression: "impressions",
  click: "clicks",
  add_to_cart: "addToCarts",
  exposure: null,
  product_viewed: "productViews",
  product_added_to_cart: "cartAdds",
  checkout_completed: "checkouts",
};
export const EXPOSURES: EventType[] = ["impression", "exposure"];
const FOLLOWED_UP: EventType[] = ["click", "add_to_cart", "checkout_completed"];

export interface StoredEvents {
  stored: number;
  duplicates: number;
  /** Events after which orders may need their attribution recomputed (see the events processor). */
  followUps: StorefrontEvent[];
}

/** An event placed in its experiment, arm and day. */
interface Placed {
  event: StorefrontEvent;
  at: Date;
  day: Date;
  experimentId: string;
  arm: string;
  exposure: boolean;
}

/**
 * Stores a batch of events once each and keeps the daily rollups and experiment totals in step,
 * all in one transaction, so a crash and retry neither loses nor double-counts. Events already
 * stored (same derived id) are skipped. If another worker stores one of them meanwhile, the
 * unique key fails this transaction and the job's retry skips it.
 */
export async function storeEvents(db: Db, job: EventsJob): Promise<StoredEvents> {
  // The route only accepts shops with an offline session; their row may not be written yet.
  const shopId = await ensureShopId(db, job.shop);
  const known = await db.event.findMany({ where: { id: { in: job.events.map((e) => e.id) } }, select: { id: true } });
  const seen = new Set(known.map((e) => e.id));
  const fresh = job.events.filter((e) => !seen.has(e.id) && seen.add(e.id));
  const duplicates = job.events.length - fresh.length;
  if (fresh.length === 0) return { stored: 0, duplicates, followUps: [] };
  const placed = place(fresh, await shopExperiments(db, shopId), await shopTimeZone(db, shopId));
  try {
    const newlyExposed = await db.$transaction((tx) => storeBatch(tx, shopId, placed));
    const followUps = fresh.filter((e) => FOLLOWED_UP.includes(e.type) || newlyExposed.has(e.visitorId));
    return { stored: fresh.length, duplicates, followUps };
  } catch (error) {
    if (isUniqueViolation(error))
      throw new Error("events stored concurrently by another job; retrying", { cause: error });
    throw error;
  }
}

function place(events: StorefrontEvent[], experiments: ExperimentSpan[], timeZone: string): Placed[] {
  return events.map((event) => {
    const at = new Date(event.occurredAt);
    const experiment = experimentAt(experiments, at);
    const arm = experiment
      ? assignArm({
          shop: event.shop,
          experimentId: experiment.id,
          visitorId: event.visitorId,
          holdoutPercent: experiment.holdoutPercent,
        })
      : "";
    return {
      event,
      at,
      day: dayOf(at, timeZone),
      experimentId: experiment?.id ?? "",
      arm,
      exposure: EXPOSURES.includes(event.type),
    };
  });
}

/** Groups items by a key, keeping order. */
function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

/** The batch's rows and counts; returns the visitors who entered their experiment with it. */
async function storeBatch(tx: Tx, shopId: string, placed: Placed[]): Promise<Set<string>> {
  await tx.event.createMany({
    data: placed.map(({ event, at }) => ({
      id: event.id,
      shopId,
      type: event.type,
      visitorId: event.visitorId,
      customerShopifyId: event.customerId,
      recommendationId: event.recommendationId,
      productShopifyId: event.productId,
      orderShopifyId: event.orderId,
      occurredAt: at,
    })),
  });
  const newlyExposed = new Set<string>();
  // One rollup change per day, experiment and arm (a batch is usually one visitor, one row).
  for (const group of groupBy(placed, (p) => `${p.day.toISOString()}|${p.experimentId}|${p.arm}`)) {
    const { day, experimentId, arm } = group[0]!;
    const change: Partial<Record<Count, number>> = {};
    const add = (count: Count, n: number) => (change[count] = (change[count] ?? 0) + n);
    for (const visitor of groupBy(group, (p) => p.event.visitorId)) {
      const exposure = visitor.find((p) => p.exposure) ?? null;
      const counted = await countVisitorDay(tx, shopId, day, visitor[0]!.event.visitorId, exposure !== null);
      add("visitors", counted.visitors ?? 0);
      add("exposedVisitors", counted.exposedVisitors ?? 0);
      if (experimentId && (await countExperimentVisitor(tx, experimentId, arm, visitor[0]!, exposure))) {
        newlyExposed.add(visitor[0]!.event.visitorId);
      }
    }
    for (const p of group) {
      const counter = COUNTER[p.event.type];
      if (counter) add(counter, 1);
    }
    await changeRollup(tx, { shopId, day, experimentId, arm }, change);
  }
  return newlyExposed;
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

/**
 * The experiment's visitor, created on first sight; their first exposure is when they enter the
 * test. Returns whether that happened now.
 */
async function countExperimentVisitor(
  tx: Tx,
  experimentId: string,
  arm: string,
  first: Placed,
  exposure: Placed | null,
): Promise<boolean> {
  const visitorId = first.event.visitorId;
  const key = { experimentId_visitorId: { experimentId, visitorId } };
  const row = await tx.experimentVisitor.findUnique({ where: key, select: { exposedAt: true } });
  if (!row) {
    await tx.experimentVisitor.create({
      data: { experimentId, visitorId, arm, firstSeenAt: first.at, exposedAt: exposure?.at ?? null },
    });
    await changeArmTotal(tx, experimentId, arm, { visitors: 1, exposedVisitors: exposure ? 1 : 0 });
    return exposure !== null;
  }
  if (!exposure || row.exposedAt) return false;
  await tx.experimentVisitor.update({ where: key, data: { exposedAt: exposure.at } });
  await changeArmTotal(tx, experimentId, arm, { exposedVisitors: 1 });
  return true;
}
