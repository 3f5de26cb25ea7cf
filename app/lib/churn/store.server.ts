/**
 * The churn run as the training job runs it: load the shop's orders, run, record the run and
 * replace the shop's predictions. Redaction and data requests live in app/lib/sync/compliance.server.ts with the other tables.
 */
import { Prisma } from "@prisma/client";
import type { Db } from "../database/client.server";
import { runSql } from "../database/raw-sql.server";
import type { Logger } from "../logger.server";
import { requireShop } from "../shops/registry.server";
import { DEFAULT_TRAIN_BUDGET_MB, type WindowCaps } from "../model/window";
import { chooseHistoryWindow, readOrderHistory } from "../training/shop-history.server";
import { churnOrderFrom } from "./from-history";
import type { ChurnOrder } from "./types";
import type { ChurnEvent } from "./events";
import { runChurn } from "./run";
import { churnSettingsSchema, DEFAULT_CHURN_SETTINGS, type ChurnSettings } from "./settings";

/** Rows per insert: keeps each statement well under SQLite's variable limit. */
const INSERT_CHUNK = 500;

export interface ChurnOutcome {
  runId: string;
  shopId: string;
  served: string;
  reason: string;
  customers: number;
}

export async function loadChurnSettings(db: Db, shopId: string): Promise<ChurnSettings> {
  const row = await db.customerInsightSettings.findUnique({ where: { shopId } });
  if (!row) return DEFAULT_CHURN_SETTINGS;
  // A row written by an older version falls back to defaults field by field, never fails the run.
  const parsed = churnSettingsSchema.safeParse(JSON.parse(row.settings));
  return parsed.success ? parsed.data : DEFAULT_CHURN_SETTINGS;
}

export async function saveChurnSettings(db: Db, shopId: string, settings: ChurnSettings): Promise<void> {
  const json = JSON.stringify(churnSettingsSchema.parse(settings));
  await db.customerInsightSettings.upsert({
    where: { shopId },
    create: { shopId, settings: json },
    update: { settings: json },
  });
}

/** The part of the training window the churn step cuts by (recorded on its run when it cuts). */
export interface ChurnWindow {
  since: Date;
  linesTotal: number;
  budgetMb: number;
  caps: WindowCaps;
}

/**
 * The shop's orders as the churn model reads them, cut to the same training window as the
 * recommender (TRAIN_MAX_RSS_MB, model/window.ts) so a big shop's history is never loaded
 * whole. Only the window's days apply, not its product cut: churn keeps no product × product
 * tables, and an order's total and types need all its lines. Memory bound: the days are chosen
 * so that their lines fit caps.maxLines; lines pass one page (2,000 orders) at a time, and what
 * stays is one small record per order (customer, date, total, types, and a reference to each
 * product id: at most caps.maxLines of them) and each live product's type. A shop inside the caps loads exactly what it did before the window.
 */
export async function loadChurnOrders(
  db: Db,
  shopId: string,
  budgetMb: number = DEFAULT_TRAIN_BUDGET_MB,
  caps?: WindowCaps,
): Promise<{ orders: ChurnOrder[]; window: ChurnWindow | null }> {
  // Churn cuts by days: its labels look a horizon past a cut date, which a customer window has not.
  const chosen = await chooseHistoryWindow(db, shopId, budgetMb, caps, "days");
  const since = chosen?.window.since ?? null;
  const typeOf = await productTypes(db, shopId);
  const refunds = await refundedByOrder(db, shopId, since);
  const orders: ChurnOrder[] = [];
  for await (const order of readOrderHistory(db, shopId, { since, keep: null })) {
    orders.push(churnOrderFrom(order, typeOf, refunds.get(order.orderId)));
  }
  const window =
    chosen && since ? { since, linesTotal: chosen.window.linesTotal, budgetMb, caps: chosen.window.caps } : null;
  return { orders, window };
}

/**
 * The bound on the events a churn run reads: the newest this many logged-in customer events (two
 * numbers and a shared id string each, so tens of MB at most), whatever the shop's traffic.
 */
export const MAX_CHURN_EVENTS = 500_000;

/**
 * Logged-in customers' storefront events since `since` (the run's window), newest first up to
 * MAX_CHURN_EVENTS. Only what the shopper's browser sent counts, which it does only with their
 * consent (events.ts); the App Proxy's own exposure records are left out, since the proxy answers
 * shoppers who declined tracking too.
 */
export async function loadChurnEvents(db: Db, shopId: string, since: Date | null): Promise<ChurnEvent[]> {
  const rows = await db.event.findMany({
    where: {
      shopId,
      customerShopifyId: { not: null },
      type: { not: "exposure" },
      ...(since ? { occurredAt: { gte: since } } : {}),
    },
    orderBy: { occurredAt: "desc" },
    take: MAX_CHURN_EVENTS,
    select: { customerShopifyId: true, occurredAt: true },
  });
  return rows.map((r) => ({ customerId: r.customerShopifyId!, at: r.occurredAt }));
}

/**
 * What was refunded on each order of the window: each refunded line's quantity at the line's
 * unit price. One row per refunded order, so it holds at most the window's orders (and in
 * practice the few that had refunds).
 */
export async function refundedByOrder(db: Db, shopId: string, since: Date | null): Promise<Map<string, number>> {
  const rows = await runSql<{ order: string; amount: Prisma.Decimal | number | string | null }[]>(
    db,
    Prisma.sql`SELECT r."orderShopifyId" AS "order", SUM(r."quantity" * l."price") AS "amount"
      FROM "RefundLine" r
      JOIN "OrderLine" l ON l."shopId" = r."shopId" AND l."shopifyId" = r."lineShopifyId"
      JOIN "Order" o ON o."id" = l."orderId"
      WHERE r."shopId" = ${shopId} ${since ? Prisma.sql`AND o."processedAt" >= ${since}` : Prisma.empty}
      GROUP BY r."orderShopifyId"`,
  );
  return new Map(rows.map((r) => [r.order, Number(r.amount ?? 0)]));
}

/** Each live product's type, as loadCatalog reads it (deleted products have none). */
async function productTypes(db: Db, shopId: string): Promise<Map<string, string>> {
  const rows = await db.product.findMany({
    where: { shopId, deletedAt: null, productType: { not: "" } },
    select: { shopifyId: true, productType: true },
  });
  return new Map(rows.map((r) => [r.shopifyId, r.productType]));
}

export async function runChurnForShop(
  db: Db,
  log: Logger,
  shopDomain: string,
  budget: { budgetMb?: number; caps?: WindowCaps } = {},
): Promise<ChurnOutcome> {
  const shop = await requireShop(db, shopDomain);
  const [{ orders, window }, settings] = await Promise.all([
    loadChurnOrders(db, shop.id, budget.budgetMb, budget.caps),
    loadChurnSettings(db, shop.id),
  ]);
  const events = await loadChurnEvents(db, shop.id, window?.since ?? null);
  const started = performance.now();
  const result = runChurn(orders, { settings, events });
  const note = window
    ? ` Learned from orders from ${window.since.toISOString().slice(0, 10)} on, to stay within ${window.budgetMb} MB.`
    : "";
  const run = await db.churnRun.create({
    data: {
      shopId: shop.id,
      horizonDays: result.horizonDays,
      served: result.served,
      reason: result.reason + note,
      // The follow-up, spend and segment-size figures ride with the metrics: read together, by the Customers page.
      metrics: JSON.stringify({
        ...result.metrics,
        followUp: result.followUp,
        spend: result.spend,
        segmentSizes: result.segmentCounts,
        ...(window ? { window } : {}),
      }),
      customers: result.predictions.length,
      durationMs: Math.round(performance.now() - started),
    },
  });
  await db.$transaction(async (tx) => {
    await tx.churnPrediction.deleteMany({ where: { shopId: shop.id } });
    for (let i = 0; i < result.predictions.length; i += INSERT_CHUNK) {
      await tx.churnPrediction.createMany({
        data: result.predictions.slice(i, i + INSERT_CHUNK).map((p) => ({
          shopId: shop.id,
          customerShopifyId: p.customerId,
          runId: run.id,
          risk: p.risk,
          expectedNextAt: p.expectedNextAt,
          segment: p.segment,
          value: p.value,
        })),
      });
    }
  });
  log.info("churn_run", { shop: shopDomain, runId: run.id, served: result.served, reason: result.reason });
  return {
    runId: run.id,
    shopId: shop.id,
    served: result.served,
    reason: result.reason,
    customers: result.predictions.length,
  };
}
