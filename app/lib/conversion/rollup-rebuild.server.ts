import { Prisma } from "@prisma/client";
import type { Db } from "../database/client.server";
import { COUNTER, EXPOSURES } from "./store-events.server";
import type { EventType } from "../events/event-schema";
import { assignArm } from "./assignment";
import { experimentAt, shopExperiments, type ExperimentSpan } from "./experiments.server";
import { fromUnits, toUnits } from "./money";
import type { Tx } from "../database/client.server";
import { dayOf, type RollupChange } from "./rollups.server";

/** Rows read per query while rebuilding. */
const PAGE = 2_000;
/**
 * A large shop's rebuild reads every stored event in one transaction; Prisma's default of 5 s is
 * far too short. A zone change is rare (the merchant edits the store's settings), so waiting
 * this long once is acceptable.
 */
const REBUILD_TIMEOUT_MS = 300_000;

type Counts = Required<Omit<RollupChange, "revenue" | "attributedRevenue">> & {
  revenue: number;
  attributedRevenue: number;
};

const emptyCounts = (): Counts => ({
  visitors: 0,
  exposedVisitors: 0,
  productViews: 0,
  impressions: 0,
  clicks: 0,
  addToCarts: 0,
  cartAdds: 0,
  checkouts: 0,
  orders: 0,
  attributedOrders: 0,
  revenue: 0,
  attributedRevenue: 0,
});

/** Counts per rollup row, keyed "day|experimentId|arm", filled in as rows are read. */
class RollupTable {
  readonly rows = new Map<string, Counts>();
  at(day: Date, experimentId: string, arm: string): Counts {
    const key = `${day.toISOString()}|${experimentId}|${arm}`;
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = emptyCounts()));
    return row;
  }
}

/**
 * Rebuilds a shop's daily rollups and visitor days for a new time zone, from what they summarise:
 * the stored events (counted in time order, as the events worker counted them) and each order's
 * attribution row, whose day is moved to the order's day in the new zone. Runs in the caller's
 * transaction, so the old rows and the new ones are never both visible.
 */
export async function rebuildRollups(tx: Tx, shopId: string, shopDomain: string, timeZone: string) {
  await tx.dailyRollup.deleteMany({ where: { shopId } });
  await tx.visitorDay.deleteMany({ where: { shopId } });
  const table = new RollupTable();
  const visitorDays = await countEvents(tx, table, shopId, shopDomain, timeZone);
  const orders = await countOrders(tx, table, shopId, timeZone);
  const rows = [...table.rows.entries()].map(([key, c]) => {
    const [day, experimentId, arm] = key.split("|") as [string, string, string];
    return {
      shopId,
      day: new Date(day),
      experimentId,
      arm,
      ...c,
      revenue: fromUnits(c.revenue),
      attributedRevenue: fromUnits(c.attributedRevenue),
    };
  });
  for (let i = 0; i < rows.length; i += PAGE) await tx.dailyRollup.createMany({ data: rows.slice(i, i + PAGE) });
  const days = [...visitorDays.entries()].map(([key, exposed]) => {
    const [day, visitorId] = key.split("|") as [string, string];
    return { shopId, day: new Date(day), visitorId, exposed };
  });
  for (let i = 0; i < days.length; i += PAGE) await tx.visitorDay.createMany({ data: days.slice(i, i + PAGE) });
  return { rollupRows: rows.length, visitorDays: days.length, orders };
}

/** Adds every stored event to its row; returns the visitor days seen (exposed or not). */
async function countEvents(tx: Tx, table: RollupTable, shopId: string, shop: string, timeZone: string) {
  const experiments: ExperimentSpan[] = await shopExperiments(tx, shopId);
  const visitorDays = new Map<string, boolean>();
  let cursor: { id: string } | undefined;
  for (;;) {
    const page = await tx.event.findMany({
      where: { shopId },
      orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
      select: { id: true, type: true, visitorId: true, occurredAt: true },
      take: PAGE,
      ...(cursor ? { cursor, skip: 1 } : {}),
    });
    for (const event of page) {
      const day = dayOf(event.occurredAt, timeZone);
      const experiment = experimentAt(experiments, event.occurredAt);
      const arm = experiment
        ? assignArm({
            shop,
            experimentId: experiment.id,
            visitorId: event.visitorId,
            holdoutPercent: experiment.holdoutPercent,
          })
        : "";
      const row = table.at(day, experiment?.id ?? "", arm);
      const type = event.type as EventType;
      const exposure = EXPOSURES.includes(type);
      const seen = `${day.toISOString()}|${event.visitorId}`;
      const before = visitorDays.get(seen);
      // First sight counts the visitor; the first exposure counts them as exposed (store-events).
      if (before === undefined) row.visitors += 1;
      if (exposure && before !== true) row.exposedVisitors += 1;
      visitorDays.set(seen, before === true || exposure);
      const counter = COUNTER[type];
      if (counter) row[counter] += 1;
    }
    if (page.length < PAGE) return visitorDays;
    cursor = { id: page[page.length - 1]!.id };
  }
}

/** Moves each order's attribution row to its day in the zone and adds what it counts. */
async function countOrders(tx: Tx, table: RollupTable, shopId: string, timeZone: string): Promise<number> {
  let moved = 0;
  let after = "";
  for (;;) {
    const page = await tx.orderAttribution.findMany({
      where: { shopId, orderShopifyId: { gt: after } },
      orderBy: { orderShopifyId: "asc" },
      take: PAGE,
    });
    if (page.length === 0) return moved;
    const placed = await tx.order.findMany({
      where: { shopId, shopifyId: { in: page.map((row) => row.orderShopifyId) } },
      select: { shopifyId: true, processedAt: true },
    });
    const placedAt = new Map(placed.map((o) => [o.shopifyId, o.processedAt]));
    const byDay = new Map<string, string[]>();
    for (const row of page) {
      const at = placedAt.get(row.orderShopifyId);
      const day = at ? dayOf(at, timeZone) : row.day;
      if (day.getTime() !== row.day.getTime()) {
        byDay.set(day.toISOString(), [...(byDay.get(day.toISOString()) ?? []), row.orderShopifyId]);
      }
      if (!row.counted) continue;
      const counts = table.at(day, row.experimentId, row.arm);
      counts.orders += 1;
      counts.revenue += toUnits(row.revenue.toString());
      counts.attributedRevenue += toUnits(row.attributedRevenue.toString());
      if (row.attributedLines !== "[]") counts.attributedOrders += 1;
    }
    for (const [day, ids] of byDay) {
      // The version moves too: a recompute that read the old day must retry, not take it back there.
      const { count } = await tx.orderAttribution.updateMany({
        where: { shopId, orderShopifyId: { in: ids } },
        data: { day: new Date(day), version: { increment: 1 } },
      });
      moved += count;
    }
    after = page[page.length - 1]!.orderShopifyId;
  }
}

/**
 * Runs `work` (a zone change and its rebuild) in one serializable transaction, retried when a
 * concurrent writer conflicts with it: PostgreSQL then fails one side (P2034) rather than let an
 * event counted meanwhile land in a row the rebuild is replacing. SQLite has one writer at a time.
 */
export async function inRebuildTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.$transaction(work, {
        isolationLevel: Prisma.TransactionIsolationLevel.Serializable,
        timeout: REBUILD_TIMEOUT_MS,
        maxWait: 30_000,
      });
    } catch (error) {
      const conflict = (error as { code?: string }).code === "P2034" || (error as { code?: string }).code === "P2002";
      if (!conflict || attempt >= 5) throw error;
    }
  }
}
