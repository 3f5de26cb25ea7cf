import { Prisma } from "@prisma/client";
import type { Tx } from "../database/client.server";
import { runRead, runWrite } from "../database/pg-direct.server";
import type { StoredEvent } from "./buyer-match";
import type { Contribution } from "./contribution";
import { fromUnits } from "./money";
import type { VisitorTotalsChange } from "./contribution";
import { columnList } from "../sync/record-upsert-sql";
import { columnWiseInsert, inIds, type ColumnWiseEngine, type UnnestColumn } from "../sync/unnest-columns";

/**
 * The statements of batched attribution (batch-attribution.server.ts): one read of the events a
 * shop's orders can match, and multi-row writes, in SQL both SQLite (3.35+) and PostgreSQL run.
 * Every value is a bound parameter; numbers carry a CAST so PostgreSQL types a VALUES list alike.
 */

/** Rows per statement: an attribution row binds 12 parameters, far under SQLite's 32,766. */
export const ATTRIBUTION_ROWS_PER_STATEMENT = 500;

const CLICK_TYPES = Prisma.join(["click", "add_to_cart"]);

/**
 * The events a shop's orders can match (buyer-match.ts), in one statement: the orders'
 * checkouts, their customers' events between the first order's window start and the last
 * order's placing, and the clicks in that span of the visitors those checkouts (and the
 * customers' checkouts in the span) name. Each order
 * then takes its own from these in memory; the span is a superset of every order's window.
 */
export async function readBatchEvents(
  tx: Tx,
  shopId: string,
  orderIds: string[],
  customerIds: string[],
  span: { from: Date; to: Date },
  /** The engine's one-parameter id lists (unnest-columns.ts inIds); none: an IN list binding every id. */
  engine?: ColumnWiseEngine,
): Promise<StoredEvent[]> {
  const inList = (column: string, ids: string[]) =>
    engine ? inIds(engine, column, ids) : Prisma.sql`${Prisma.raw(column)} IN (${Prisma.join(ids)})`;
  const inSpan = Prisma.sql`e."occurredAt" >= ${span.from} AND e."occurredAt" <= ${span.to}`;
  const customers = customerIds.length
    ? Prisma.sql`OR (${inList(`e."customerShopifyId"`, customerIds)} AND ${inSpan})`
    : Prisma.empty;
  // A customer's own checkouts of other orders in the window also name buyer visitors (the
  // one-order read takes them with the customer's events), so their clicks are read too.
  const customerCheckouts = customerIds.length
    ? Prisma.sql`OR (${inList(`c."customerShopifyId"`, customerIds)} AND c."occurredAt" >= ${span.from}
        AND c."occurredAt" <= ${span.to})`
    : Prisma.empty;
  const rows = await runRead<Array<Omit<StoredEvent, "occurredAt"> & { occurredAt: Date | string | number }>>(
    tx,
    Prisma.sql`
    SELECT e."id", e."type", e."visitorId", e."customerShopifyId", e."recommendationId", e."productShopifyId",
      e."orderShopifyId", e."occurredAt"
    FROM "Event" e
    WHERE e."shopId" = ${shopId} AND (
      (e."type" = 'checkout_completed' AND ${inList(`e."orderShopifyId"`, orderIds)})
      ${customers}
      OR (e."type" IN (${CLICK_TYPES}) AND ${inSpan} AND e."visitorId" IN (
        SELECT c."visitorId" FROM "Event" c
        WHERE c."shopId" = ${shopId} AND c."type" = 'checkout_completed'
          AND (${inList(`c."orderShopifyId"`, orderIds)} ${customerCheckouts})
      ))
    )`,
  );
  // Raw reads return the column as each adapter stores it; matching compares Dates.
  return rows.map((r) => ({ ...r, occurredAt: new Date(r.occurredAt) }));
}

export interface RefundLineRow {
  shopId: string;
  shopifyId: string;
  refundShopifyId: string;
  orderShopifyId: string;
  lineShopifyId: string;
  quantity: number;
}

/** Refund lines, once per refund line item (a redelivery sets the same quantity again). */
export async function upsertRefundLines(tx: Tx, rows: RefundLineRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(
    (r) => Prisma.sql`(${r.shopId}, ${r.shopifyId}, ${r.refundShopifyId}, ${r.orderShopifyId}, ${r.lineShopifyId},
      CAST(${r.quantity} AS INTEGER))`,
  );
  await runWrite(
    tx,
    Prisma.sql`
    INSERT INTO "RefundLine" ("shopId", "shopifyId", "refundShopifyId", "orderShopifyId", "lineShopifyId", "quantity")
    VALUES ${Prisma.join(values)}
    ON CONFLICT ("shopId", "shopifyId") DO UPDATE SET "quantity" = excluded."quantity"`,
  );
}

export interface ContributionWrite {
  shopId: string;
  orderShopifyId: string;
  next: Contribution;
  /** The stored row's version, or null when the order had no row when read. */
  version: number | null;
}

/**
 * Replaces the orders' contributions, each only if its row is still at the version read (or still
 * absent): the same guard as the one-order path, so a concurrent recompute of one of these orders
 * cannot have both apply their difference. Returns how many rows were written; fewer than given
 * means another writer came first, and the caller must not apply this batch's differences.
 */
export async function replaceContributions(
  tx: Tx,
  writes: ContributionWrite[],
  now: Date,
  /** The engine's column-wise rows (unnest-columns.ts); none: a multi-row VALUES binding every value. */
  engine?: ColumnWiseEngine,
): Promise<number> {
  if (writes.length === 0) return 0;
  const rows = writes.map((w) => ({ ...w, now }));
  const insert = engine
    ? columnWiseInsert(engine, "OrderAttribution", CONTRIBUTION_COLUMNS, CONTRIBUTION_ROW, rows)
    : Prisma.sql`INSERT INTO "OrderAttribution" ${columnList(CONTRIBUTION_COLUMNS)}
    VALUES ${Prisma.join(rows.map(contributionValues))}`;
  const written = await runWrite<Array<{ orderShopifyId: string }>>(
    tx,
    Prisma.sql`${insert}
    ON CONFLICT ("shopId", "orderShopifyId") DO UPDATE SET
      "day" = excluded."day", "visitorId" = excluded."visitorId", "experimentId" = excluded."experimentId",
      "arm" = excluded."arm", "counted" = excluded."counted", "revenue" = excluded."revenue",
      "attributedRevenue" = excluded."attributedRevenue", "attributedLines" = excluded."attributedLines",
      "version" = excluded."version", "updatedAt" = excluded."updatedAt"
    WHERE "OrderAttribution"."version" = excluded."version" - 1
    RETURNING "orderShopifyId"`,
  );
  return written.length;
}

/** A new row starts at 0, as Prisma's create leaves it; an absent row "at -1" can never match. */
const nextVersion = (w: ContributionWrite) => (w.version === null ? 0 : w.version + 1);

const CONTRIBUTION_COLUMNS = [
  "shopId",
  "orderShopifyId",
  "day",
  "visitorId",
  "experimentId",
  "arm",
  "counted",
  "revenue",
  "attributedRevenue",
  "attributedLines",
  "version",
  "updatedAt",
] as const;

type ContributionRow = ContributionWrite & { now: Date };

const CONTRIBUTION_ROW: Record<(typeof CONTRIBUTION_COLUMNS)[number], UnnestColumn<ContributionRow>> = {
  shopId: { type: "text", value: (w) => w.shopId },
  orderShopifyId: { type: "text", value: (w) => w.orderShopifyId },
  day: { type: "timestamp(3)", value: (w) => w.next.day },
  visitorId: { type: "text", value: (w) => w.next.visitorId },
  experimentId: { type: "text", value: (w) => w.next.experimentId },
  arm: { type: "text", value: (w) => w.next.arm },
  counted: { type: "boolean", value: (w) => w.next.counted },
  revenue: { type: "numeric", value: (w) => fromUnits(w.next.revenue) },
  attributedRevenue: { type: "numeric", value: (w) => fromUnits(w.next.attributedRevenue) },
  attributedLines: { type: "text", value: (w) => w.next.attributedLines },
  version: { type: "integer", value: nextVersion },
  updatedAt: { type: "timestamp(3)", value: (w) => w.now },
};

function contributionValues(w: ContributionRow): Prisma.Sql {
  const c = w.next;
  return Prisma.sql`(${w.shopId}, ${w.orderShopifyId}, ${c.day}, ${c.visitorId}, ${c.experimentId}, ${c.arm}, ${c.counted},
      CAST(${fromUnits(c.revenue)} AS DECIMAL), CAST(${fromUnits(c.attributedRevenue)} AS DECIMAL),
      ${c.attributedLines}, CAST(${nextVersion(w)} AS INTEGER), ${w.now})`;
}

export interface RollupSum {
  shopId: string;
  day: Date;
  experimentId: string;
  arm: string;
  orders: number;
  /** Money units. */
  revenue: number;
  attributedOrders: number;
  attributedRevenue: number;
}

/** Adds the summed changes to each day's row, creating rows as changeRollup does. */
export async function addToRollups(tx: Tx, sums: RollupSum[], now: Date): Promise<void> {
  // A batch's rows (several parts and shops) may exceed one statement's bound parameters.
  for (let i = 0; i < sums.length; i += ATTRIBUTION_ROWS_PER_STATEMENT)
    await addToRollupRows(tx, sums.slice(i, i + ATTRIBUTION_ROWS_PER_STATEMENT), now);
}

async function addToRollupRows(tx: Tx, sums: RollupSum[], now: Date): Promise<void> {
  const values = sums.map(
    (s) => Prisma.sql`(${s.shopId}, ${s.day}, ${s.experimentId}, ${s.arm}, CAST(${s.orders} AS INTEGER),
      CAST(${fromUnits(s.revenue)} AS DECIMAL), CAST(${s.attributedOrders} AS INTEGER),
      CAST(${fromUnits(s.attributedRevenue)} AS DECIMAL), ${now})`,
  );
  await runWrite(
    tx,
    Prisma.sql`
    INSERT INTO "DailyRollup" ("shopId", "day", "experimentId", "arm", "orders", "revenue", "attributedOrders",
      "attributedRevenue", "updatedAt")
    VALUES ${Prisma.join(values)}
    ON CONFLICT ("shopId", "day", "experimentId", "arm") DO UPDATE SET
      "orders" = "DailyRollup"."orders" + excluded."orders",
      "revenue" = "DailyRollup"."revenue" + excluded."revenue",
      "attributedOrders" = "DailyRollup"."attributedOrders" + excluded."attributedOrders",
      "attributedRevenue" = "DailyRollup"."attributedRevenue" + excluded."attributedRevenue",
      "updatedAt" = excluded."updatedAt"`,
  );
}

export interface VisitorSum {
  experimentId: string;
  visitorId: string;
  arm: string;
  change: VisitorTotalsChange;
}

/** Adds each visitor's order and revenue changes to its row (only rows that exist: read before). */
export async function addToExperimentVisitors(tx: Tx, sums: VisitorSum[]): Promise<void> {
  if (sums.length === 0) return;
  const values = sums.map(
    (s) => Prisma.sql`(${s.experimentId}, ${s.visitorId}, CAST(${s.change.orders} AS INTEGER),
      CAST(${fromUnits(s.change.revenue)} AS DECIMAL))`,
  );
  // UPDATE … FROM a VALUES list named by a WITH clause: the form both engines accept.
  await runWrite(
    tx,
    Prisma.sql`
    WITH v ("experimentId", "visitorId", "orders", "revenue") AS (VALUES ${Prisma.join(values)})
    UPDATE "ExperimentVisitor" SET
      "orders" = "ExperimentVisitor"."orders" + v."orders",
      "revenue" = "ExperimentVisitor"."revenue" + v."revenue"
    FROM v
    WHERE "ExperimentVisitor"."experimentId" = v."experimentId" AND "ExperimentVisitor"."visitorId" = v."visitorId"`,
  );
}

/** Adds the visitors' changes, summed per experiment arm, to its running totals (changeArmTotal). */
export async function addToArmTotals(tx: Tx, sums: VisitorSum[]): Promise<void> {
  const arms = new Map<string, { experimentId: string; arm: string; change: VisitorTotalsChange }>();
  for (const s of sums) {
    const k = `${s.experimentId}\u0000${s.arm}`;
    const sum = arms.get(k) ?? {
      experimentId: s.experimentId,
      arm: s.arm,
      change: { orders: 0, revenue: 0, convertedVisitors: 0, revenueSquares: 0 },
    };
    sum.change.orders += s.change.orders;
    sum.change.revenue += s.change.revenue;
    sum.change.convertedVisitors += s.change.convertedVisitors;
    sum.change.revenueSquares += s.change.revenueSquares;
    arms.set(k, sum);
  }
  const changed = [...arms.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, sum]) => sum)
    .filter(
      ({ change: c }) => c.orders !== 0 || c.revenue !== 0 || c.convertedVisitors !== 0 || c.revenueSquares !== 0,
    );
  if (changed.length === 0) return;
  const values = changed.map(
    ({ experimentId, arm, change: c }) => Prisma.sql`(${experimentId}, ${arm}, CAST(${c.convertedVisitors} AS INTEGER),
      CAST(${c.orders} AS INTEGER), CAST(${fromUnits(c.revenue)} AS DECIMAL), CAST(${c.revenueSquares} AS DOUBLE PRECISION))`,
  );
  await runWrite(
    tx,
    Prisma.sql`
    INSERT INTO "ExperimentArmTotal" ("experimentId", "arm", "convertedVisitors", "orders", "revenue", "revenueSquares")
    VALUES ${Prisma.join(values)}
    ON CONFLICT ("experimentId", "arm") DO UPDATE SET
      "convertedVisitors" = "ExperimentArmTotal"."convertedVisitors" + excluded."convertedVisitors",
      "orders" = "ExperimentArmTotal"."orders" + excluded."orders",
      "revenue" = "ExperimentArmTotal"."revenue" + excluded."revenue",
      "revenueSquares" = "ExperimentArmTotal"."revenueSquares" + excluded."revenueSquares"`,
  );
}
