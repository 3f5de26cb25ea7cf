import type { Db } from "../database/client.server";
import { attributeOrder, DEFAULT_ATTRIBUTION_WINDOW_DAYS, type OrderAttributionResult } from "./attribution";
import { buyerActivity, loadOrderFacts, type OrderFacts } from "./order-facts.server";
import { experimentAt, shopExperiments } from "./experiments.server";
import { fromUnits, toUnits, unitsToNumber } from "./money";
import type { Tx } from "../database/client.server";
import { shopTimeZone } from "../shops/time-zone.server";
import { changeArmTotal, changeRollup, dayOf } from "./rollups.server";

/** What one order contributes to the rollups (the OrderAttribution row). */
interface Contribution {
  day: Date;
  visitorId: string | null;
  experimentId: string;
  arm: string;
  counted: boolean;
  /** Money units. */
  revenue: number;
  attributedRevenue: number;
  attributedLines: string;
}

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
 * again changes nothing. Returns null while the order itself has not arrived.
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

  const result = attributeOrder({ ...order, visitorIds }, clicks, refunded, windowDays);
  const inTest = await experimentVisitorOf(db, shopId, visitorIds, order.placedAt);
  const next: Contribution = {
    day: dayOf(order.placedAt, await shopTimeZone(db, shopId)),
    visitorId: inTest?.visitorId ?? visitorIds[0] ?? null,
    experimentId: inTest?.experimentId ?? "",
    arm: inTest?.arm ?? "",
    counted: !(order.cancelled || order.test),
    revenue: result.revenue,
    attributedRevenue: result.attributedRevenue,
    attributedLines: JSON.stringify(result.lines.map((l) => ({ ...l, revenue: fromUnits(l.revenue) }))),
  };
  await replaceContribution(db, shopId, orderShopifyId, next, options.isNew ?? false);
  return result;
}

/** The buyer's entry in the experiment running when the order was placed, if exposed before it. */
async function experimentVisitorOf(db: Db, shopId: string, visitorIds: string[], placedAt: Date) {
  if (visitorIds.length === 0) return null;
  const experiment = experimentAt(await shopExperiments(db, shopId), placedAt);
  if (!experiment) return null;
  return db.experimentVisitor.findFirst({
    where: { experimentId: experiment.id, visitorId: { in: visitorIds }, exposedAt: { lte: placedAt } },
    orderBy: { exposedAt: "asc" },
    select: { experimentId: true, visitorId: true, arm: true },
  });
}

const NONE: Contribution = {
  day: new Date(0),
  visitorId: null,
  experimentId: "",
  arm: "",
  counted: false,
  revenue: 0,
  attributedRevenue: 0,
  attributedLines: "[]",
};

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
    const previous: Contribution = row
      ? {
          ...row,
          revenue: toUnits(row.revenue.toString()),
          attributedRevenue: toUnits(row.attributedRevenue.toString()),
        }
      : NONE;
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

const isAttributed = (c: Contribution) => c.attributedLines !== "[]";

async function applyDifference(tx: Tx, shopId: string, previous: Contribution, next: Contribution): Promise<void> {
  for (const [c, sign] of [
    [previous, -1],
    [next, 1],
  ] as const) {
    if (!c.counted) continue;
    await changeRollup(
      tx,
      { shopId, day: c.day, experimentId: c.experimentId, arm: c.arm },
      {
        orders: sign,
        revenue: fromUnits(sign * c.revenue),
        attributedOrders: isAttributed(c) ? sign : 0,
        attributedRevenue: fromUnits(sign * c.attributedRevenue),
      },
    );
  }
  await changeExperimentVisitor(tx, previous, -1);
  await changeExperimentVisitor(tx, next, 1);
}

/** Moves one order in or out of its buyer's experiment totals (orders, revenue, conversion). */
async function changeExperimentVisitor(tx: Tx, c: Contribution, sign: 1 | -1): Promise<void> {
  if (!c.counted || !c.experimentId || !c.visitorId) return;
  const key = { experimentId_visitorId: { experimentId: c.experimentId, visitorId: c.visitorId } };
  const before = await tx.experimentVisitor.findUnique({ where: key, select: { orders: true, revenue: true } });
  if (!before) return;
  const revenueBefore = unitsToNumber(toUnits(before.revenue.toString()));
  const revenueAfter = revenueBefore + sign * unitsToNumber(c.revenue);
  const ordersAfter = before.orders + sign;
  await tx.experimentVisitor.update({
    where: key,
    data: { orders: ordersAfter, revenue: { increment: fromUnits(sign * c.revenue) } },
  });
  const converted = (ordersAfter > 0 ? 1 : 0) - (before.orders > 0 ? 1 : 0);
  await changeArmTotal(tx, c.experimentId, c.arm, {
    orders: sign,
    convertedVisitors: converted,
    revenue: fromUnits(sign * c.revenue),
    revenueSquares: revenueAfter ** 2 - revenueBefore ** 2,
  });
}
