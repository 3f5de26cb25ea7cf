import type { Db, Tx } from "../database/client.server";
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS, type OrderAttributionResult } from "./attribution";
import { pickExperimentVisitor } from "./buyer-match";
import {
  contributionChange,
  contributionOf,
  storedContribution,
  visitorTotalsChange,
  type Contribution,
  type VisitorDelta,
} from "./contribution";
import { buyerActivity, loadOrderFacts, type OrderFacts } from "./order-facts.server";
import { experimentAt, shopExperiments } from "./experiments.server";
import { fromUnits, toUnits } from "./money";
import { shopTimeZone } from "../shops/time-zone.server";
import { changeArmTotal, changeRollup } from "./rollups.server";

export interface RecomputeOptions {
  /** @defaultValue 7 */
  windowDays?: number;
  /** The order as just stored by the ingest, so it is not read back. */
  known?: OrderFacts;
  /** The order was just created: its contribution row does not exist yet (saves a read). */
  isNew?: boolean;
}

/**
 * Recomputes an order's attribution from everything known now (the order's current version, its
 * refunds, the buyer's clicks and checkout) and replaces what it contributed before, applying only
 * the difference to the rollups and the experiment. Every trigger (orders/create, orders/updated,
 * orders/cancelled, refunds/create, a late checkout or click event) calls this, and calling it
 * again changes nothing. Returns null while the order itself has not arrived. A batch of orders
 * does the same in its own transaction (batch-attribution.server.ts), by the same rules
 * (buyer-match.ts, contribution.ts).
 */
export async function recomputeOrderAttribution(
  db: Db,
  shopId: string,
  orderShopifyId: string,
  options: RecomputeOptions = {},
): Promise<OrderAttributionResult | null> {
  const windowDays = options.windowDays ?? DEFAULT_ATTRIBUTION_WINDOW_DAYS;
  const order = options.known ?? (await loadOrderFacts(db, shopId, orderShopifyId));
  if (!order) return null;
  const { visitorIds, clicks } = await buyerActivity(db, shopId, orderShopifyId, order, windowDays);
  const refunds = await db.refundLine.findMany({
    where: { shopId, orderShopifyId },
    select: { lineShopifyId: true, quantity: true },
  });
  const refunded = new Map<string, number>();
  for (const r of refunds) refunded.set(r.lineShopifyId, (refunded.get(r.lineShopifyId) ?? 0) + r.quantity);

  const { result, next } = contributionOf({
    order: { ...order, visitorIds },
    clicks,
    refunded,
    windowDays,
    inTest: await experimentVisitorOf(db, shopId, visitorIds, order.placedAt),
    timeZone: await shopTimeZone(db, shopId),
  });
  await replaceContribution(db, shopId, orderShopifyId, next, options.isNew ?? false);
  return result;
}

/** The buyer's entry in the experiment running when the order was placed, if exposed before it. */
async function experimentVisitorOf(db: Db, shopId: string, visitorIds: string[], placedAt: Date) {
  if (visitorIds.length === 0) return null;
  const experiment = experimentAt(await shopExperiments(db, shopId), placedAt);
  if (!experiment) return null;
  const candidates = await db.experimentVisitor.findMany({
    where: { experimentId: experiment.id, visitorId: { in: visitorIds }, exposedAt: { lte: placedAt } },
    select: { experimentId: true, visitorId: true, arm: true, exposedAt: true },
  });
  return pickExperimentVisitor(candidates, experiment.id, visitorIds, placedAt);
}

/**
 * Swaps the order's stored contribution for `next` and applies the difference, in one
 * transaction. The row's version makes a concurrent recompute of the same order lose and retry,
 * so two cannot both apply their difference (PostgreSQL runs them side by side).
 */
async function replaceContribution(
  db: Db,
  shopId: string,
  orderShopifyId: string,
  next: Contribution,
  isNew: boolean,
): Promise<void> {
  const data = {
    day: next.day,
    visitorId: next.visitorId,
    experimentId: next.experimentId,
    arm: next.arm,
    counted: next.counted,
    revenue: fromUnits(next.revenue),
    attributedRevenue: fromUnits(next.attributedRevenue),
    attributedLines: next.attributedLines,
  };
  const lost = (error: unknown) => {
    if ((error as { code?: string }).code === "P2002") return false;
    throw error;
  };
  // A new order has no row yet: create it straight away; a unique violation means it does.
  let readFirst = !isNew;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const row = readFirst
      ? await db.orderAttribution.findUnique({ where: { shopId_orderShopifyId: { shopId, orderShopifyId } } })
      : null;
    readFirst = true;
    const previous = storedContribution(row);
    const applied = await db
      .$transaction(async (tx) => {
        if (row) {
          const { count } = await tx.orderAttribution.updateMany({
            where: { shopId, orderShopifyId, version: row.version },
            data: { ...data, version: row.version + 1 },
          });
          if (count === 0) return false;
        } else {
          await tx.orderAttribution.create({ data: { shopId, orderShopifyId, ...data } });
        }
        await applyDifference(tx, shopId, previous, next);
        return true;
      })
      .catch(lost);
    if (applied) return;
  }
  throw new Error(`order ${orderShopifyId}: attribution kept changing under us; the job will retry`);
}

async function applyDifference(tx: Tx, shopId: string, previous: Contribution, next: Contribution): Promise<void> {
  const { rollups, visitors } = contributionChange(previous, next);
  for (const r of rollups) {
    await changeRollup(
      tx,
      { shopId, day: r.day, experimentId: r.experimentId, arm: r.arm },
      {
        orders: r.orders,
        revenue: fromUnits(r.revenue),
        attributedOrders: r.attributedOrders,
        attributedRevenue: fromUnits(r.attributedRevenue),
      },
    );
  }
  for (const v of visitors) await changeExperimentVisitor(tx, v);
}

/** Moves one order in or out of its buyer's experiment totals (orders, revenue, conversion). */
async function changeExperimentVisitor(tx: Tx, delta: VisitorDelta): Promise<void> {
  const key = { experimentId_visitorId: { experimentId: delta.experimentId, visitorId: delta.visitorId } };
  const before = await tx.experimentVisitor.findUnique({ where: key, select: { orders: true, revenue: true } });
  if (!before) return;
  const change = visitorTotalsChange({ orders: before.orders, revenue: toUnits(before.revenue.toString()) }, [delta]);
  await tx.experimentVisitor.update({
    where: key,
    data: { orders: { increment: change.orders }, revenue: { increment: fromUnits(change.revenue) } },
  });
  await changeArmTotal(tx, delta.experimentId, delta.arm, {
    orders: change.orders,
    convertedVisitors: change.convertedVisitors,
    revenue: fromUnits(change.revenue),
    revenueSquares: change.revenueSquares,
  });
}
