import type { Tx } from "../database/client.server";
import { shopTimeZone } from "../shops/time-zone.server";
import type { OrderAttributionResult } from "./attribution";
import {
  addToArmTotals,
  addToExperimentVisitors,
  addToRollups,
  ATTRIBUTION_ROWS_PER_STATEMENT,
  readBatchEvents,
  replaceContributions,
  upsertRefundLines,
  type ContributionWrite,
  type RefundLineRow,
  type RollupSum,
  type VisitorSum,
} from "./batch-attribution-sql.server";
import { clickWindow, indexBuyerEvents, matchBuyerActivity, pickExperimentVisitor } from "./buyer-match";
import {
  contributionChange,
  contributionOf,
  storedContribution,
  visitorTotalsChange,
  type VisitorDelta,
} from "./contribution";
import { experimentAt, shopExperiments } from "./experiments.server";
import { toUnits } from "./money";
import { readStoredAttribution } from "./batch-attribution-reads.server";
import type { ColumnWiseEngine } from "../sync/unnest-columns";
import type { OrderFacts } from "./order-facts.server";
import type { RefundPayload } from "./refunds.server";

/**
 * Attribution of a batch of stored orders inside the batch's transaction (docs/decisions/014):
 * per shop, one read each of the events, refunds, stored contributions, experiments and
 * experiment visitors the orders can touch; matching in memory by the one-order path's own rules
 * (buyer-match.ts, contribution.ts); then multi-row writes. The result per order is what
 * recomputeOrderAttribution would give for it; summed changes land on the same rows.
 */

/** One stored order of the batch: the version the batch wrote and the refunds its payload listed. */
export interface BatchOrder {
  shopId: string;
  orderShopifyId: string;
  facts: OrderFacts;
  refunds: RefundPayload[];
}

/** Another writer replaced one of the batch's contributions first; the whole batch must run again. */
export class AttributionRaceError extends Error {
  constructor(shopId: string) {
    super(`shop ${shopId}: an order's attribution changed during the batch; the batch will run again`);
    this.name = "AttributionRaceError";
  }
}

export const orderKey = (shopId: string, orderShopifyId: string) => `${shopId}\u0000${orderShopifyId}`;

/**
 * Stores the orders' refund lines and replaces their contributions. `orders` holds each order
 * once (the batch keeps the newest version per order). Returns each order's attribution by
 * orderKey. Throws AttributionRaceError when a concurrent recompute won a row.
 */
export async function attributeOrderBatch(
  tx: Tx,
  orders: BatchOrder[],
  windowDays: (shopId: string) => number,
  now: Date = new Date(),
  /** The engine's column-wise statements (unnest-columns.ts); none: portable multi-row VALUES. */
  engine?: ColumnWiseEngine,
): Promise<Map<string, OrderAttributionResult>> {
  const results = new Map<string, OrderAttributionResult>();
  await storeRefunds(tx, orders);
  const byShop = new Map<string, BatchOrder[]>();
  for (const o of orders) byShop.set(o.shopId, [...(byShop.get(o.shopId) ?? []), o]);
  const totals: SharedTotals = { rollups: [], arms: [] };
  for (const [shopId, shopOrders] of byShop) {
    const context = { ...(await shopContext(tx, shopId)), engine };
    for (let i = 0; i < shopOrders.length; i += ATTRIBUTION_ROWS_PER_STATEMENT) {
      const part = shopOrders.slice(i, i + ATTRIBUTION_ROWS_PER_STATEMENT);
      await attributeShopPart(tx, shopId, part, windowDays(shopId), context, now, results, totals);
    }
  }
  // The shop-wide rows (a day's rollup, an arm's totals) are what every concurrent batch of the
  // shop updates, and a row lock is held until commit: written once, last, each in key order, so
  // batches wait for each other only over their commits, not over each other's reads and matching.
  await addToRollups(tx, sumRollups(totals.rollups), now);
  await addToArmTotals(tx, totals.arms);
  return results;
}

/** Changes to the rows every batch of a shop shares, gathered over the batch and written at its end. */
interface SharedTotals {
  rollups: RollupSum[];
  arms: VisitorSum[];
}

async function storeRefunds(tx: Tx, orders: BatchOrder[]) {
  // One row per refund line item; a later mention in the batch wins, as sequential upserts would.
  const rows = new Map<string, RefundLineRow>();
  for (const { shopId, refunds } of orders) {
    for (const refund of refunds) {
      for (const line of refund.refund_line_items) {
        rows.set(orderKey(shopId, line.id), {
          shopId,
          shopifyId: line.id,
          refundShopifyId: refund.id,
          orderShopifyId: refund.order_id,
          lineShopifyId: line.line_item_id,
          quantity: line.quantity,
        });
      }
    }
  }
  const all = [...rows.values()];
  for (let i = 0; i < all.length; i += ATTRIBUTION_ROWS_PER_STATEMENT)
    await upsertRefundLines(tx, all.slice(i, i + ATTRIBUTION_ROWS_PER_STATEMENT));
}

interface ShopContext {
  experiments: Awaited<ReturnType<typeof shopExperiments>>;
  timeZone: string;
  engine?: ColumnWiseEngine;
}

async function shopContext(tx: Tx, shopId: string): Promise<ShopContext> {
  return { experiments: await shopExperiments(tx, shopId), timeZone: await shopTimeZone(tx, shopId) };
}

/** What one part of a shop's orders reads, once for all of them. */
async function readPart(tx: Tx, shopId: string, part: BatchOrder[], windowDays: number, engine?: ColumnWiseEngine) {
  const ids = part.map((o) => o.orderShopifyId);
  const customers = [...new Set(part.flatMap((o) => (o.facts.customerId ? [o.facts.customerId] : [])))];
  const placed = part.map((o) => o.facts.placedAt.getTime());
  const span = {
    from: clickWindow(new Date(Math.min(...placed)), windowDays).from,
    to: new Date(Math.max(...placed)),
  };
  const events = await readBatchEvents(tx, shopId, ids, customers, span, engine);
  const { refunds: refundRows, stored } = await readStoredAttribution(tx, shopId, ids, engine);
  const refunded = new Map<string, Map<string, number>>();
  for (const r of refundRows) {
    const lines = refunded.get(r.orderShopifyId) ?? new Map<string, number>();
    lines.set(r.lineShopifyId, (lines.get(r.lineShopifyId) ?? 0) + r.quantity);
    refunded.set(r.orderShopifyId, lines);
  }
  return { index: indexBuyerEvents(events), refunded, stored: new Map(stored.map((s) => [s.orderShopifyId, s])) };
}

async function attributeShopPart(
  tx: Tx,
  shopId: string,
  part: BatchOrder[],
  windowDays: number,
  context: ShopContext,
  now: Date,
  results: Map<string, OrderAttributionResult>,
  totals: SharedTotals,
) {
  const { index, refunded, stored } = await readPart(tx, shopId, part, windowDays, context.engine);
  const matched = part.map((o) => {
    const activity = matchBuyerActivity(index, o.orderShopifyId, o.facts, windowDays);
    const experiment = activity.visitorIds.length ? experimentAt(context.experiments, o.facts.placedAt) : null;
    const row = stored.get(o.orderShopifyId) ?? null;
    return { o, activity, experiment, row, previous: storedContribution(row) };
  });
  const visitors = await readExperimentVisitors(tx, matched);

  const writes: ContributionWrite[] = [];
  const rollupDeltas: RollupSum[] = [];
  const visitorDeltas: VisitorDelta[] = [];
  // Contributions written in order id order: one lock order for every writer of these rows.
  matched.sort((a, b) => (a.o.orderShopifyId < b.o.orderShopifyId ? -1 : 1));
  for (const { o, activity, experiment, row, previous } of matched) {
    const { result, next } = contributionOf({
      order: { ...o.facts, visitorIds: activity.visitorIds },
      clicks: activity.clicks,
      refunded: refunded.get(o.orderShopifyId) ?? new Map(),
      windowDays,
      inTest: experiment && pickExperimentVisitor(visitors, experiment.id, activity.visitorIds, o.facts.placedAt),
      timeZone: context.timeZone,
    });
    results.set(orderKey(shopId, o.orderShopifyId), result);
    writes.push({ shopId, orderShopifyId: o.orderShopifyId, next, version: row?.version ?? null });
    const change = contributionChange(previous, next);
    rollupDeltas.push(...change.rollups.map((r) => ({ shopId, ...r })));
    visitorDeltas.push(...change.visitors);
  }
  if ((await replaceContributions(tx, writes, now, context.engine)) !== writes.length)
    throw new AttributionRaceError(shopId);
  // Visitor rows now: the next part of this shop reads them and must see this part's changes.
  const sums = sumVisitors(visitors, visitorDeltas);
  await addToExperimentVisitors(tx, sums);
  totals.rollups.push(...rollupDeltas);
  totals.arms.push(...sums);
}

/**
 * The experiment visitors the part can touch, in one read per 500 visitor ids: the buyers'
 * entries in the experiments running when their orders were placed, and the entries the stored
 * contributions counted the orders under (a superset: matching picks from it).
 */
async function readExperimentVisitors(
  tx: Tx,
  matched: Array<{
    activity: { visitorIds: string[] };
    experiment: { id: string } | null;
    previous: { experimentId: string; visitorId: string | null };
  }>,
) {
  const experiments = new Set<string>();
  const visitorIds = new Set<string>();
  for (const { activity, experiment, previous } of matched) {
    if (experiment) {
      experiments.add(experiment.id);
      for (const v of activity.visitorIds) visitorIds.add(v);
    }
    if (previous.experimentId && previous.visitorId) {
      experiments.add(previous.experimentId);
      visitorIds.add(previous.visitorId);
    }
  }
  if (experiments.size === 0) return [];
  const rows = [];
  const ids = [...visitorIds];
  // Prisma binds every id and refuses more than 999 on SQLite; 500 orders may name thousands.
  for (let i = 0; i < ids.length; i += VISITORS_PER_QUERY) {
    rows.push(
      ...(await tx.experimentVisitor.findMany({
        where: { experimentId: { in: [...experiments] }, visitorId: { in: ids.slice(i, i + VISITORS_PER_QUERY) } },
        select: { experimentId: true, visitorId: true, arm: true, exposedAt: true, orders: true, revenue: true },
      })),
    );
  }
  return rows;
}

/** Visitor ids per experiment-visitor read: under the 999 parameters Prisma allows on SQLite. */
const VISITORS_PER_QUERY = 500;

/** Changes per rollup row, summed (money in units, so the sums are exact). */
function sumRollups(deltas: RollupSum[]): RollupSum[] {
  const sums = new Map<string, RollupSum>();
  for (const d of deltas) {
    const k = [d.shopId, d.day.toISOString(), d.experimentId, d.arm].join("\u0000");
    const s = sums.get(k);
    if (!s) sums.set(k, { ...d });
    else {
      s.orders += d.orders;
      s.revenue += d.revenue;
      s.attributedOrders += d.attributedOrders;
      s.attributedRevenue += d.attributedRevenue;
    }
  }
  // A row whose changes cancel out is left alone, as changeRollup leaves an empty change. Sorted
  // by key, so two batches lock a shop's rows in one order (PostgreSQL would otherwise deadlock them).
  return [...sums.entries()]
    .filter(([, s]) => s.orders || s.revenue || s.attributedOrders || s.attributedRevenue)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, s]) => s);
}

/**
 * Each visitor's changes applied in batch order from its stored totals (visitorTotalsChange), as
 * the one-order path would apply them one order after the other. A visitor without a row is left
 * alone, as there.
 */
function sumVisitors(
  rows: Array<{ experimentId: string; visitorId: string; orders: number; revenue: { toString(): string } }>,
  deltas: VisitorDelta[],
): VisitorSum[] {
  const byKey = new Map<string, VisitorDelta[]>();
  for (const d of deltas) {
    const k = `${d.experimentId}\u0000${d.visitorId}`;
    byKey.set(k, [...(byKey.get(k) ?? []), d]);
  }
  const sums: VisitorSum[] = [];
  // In key order, like the rollups, so concurrent batches take the rows' locks in one order.
  const sorted = [...rows].sort((a, b) =>
    a.experimentId !== b.experimentId ? (a.experimentId < b.experimentId ? -1 : 1) : a.visitorId < b.visitorId ? -1 : 1,
  );
  for (const row of sorted) {
    const list = byKey.get(`${row.experimentId}\u0000${row.visitorId}`);
    if (!list) continue;
    // One arm per visitor and experiment: the contributions took it from this row.
    const change = visitorTotalsChange({ orders: row.orders, revenue: toUnits(row.revenue.toString()) }, list);
    sums.push({ experimentId: row.experimentId, visitorId: row.visitorId, arm: list[0]!.arm, change });
  }
  return sums;
}
