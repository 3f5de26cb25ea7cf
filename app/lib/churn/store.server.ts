/**
 * The churn run as the training job runs it: load the shop's orders, run, record the run and
 * replace the shop's predictions. Redaction and data requests live in app/lib/sync/compliance.server.ts with the other tables.
 */
import type { Db } from "../database/client.server";
import type { Logger } from "../logger.server";
import { requireShop } from "../shops/registry.server";
import { loadCatalog, loadOrderHistory } from "../training/shop-history.server";
import { churnOrdersFromHistory } from "./from-history";
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

export async function runChurnForShop(db: Db, log: Logger, shopDomain: string): Promise<ChurnOutcome> {
  const shop = await requireShop(db, shopDomain);
  const [history, catalog, settings] = await Promise.all([
    loadOrderHistory(db, shop.id),
    loadCatalog(db, shop.id),
    loadChurnSettings(db, shop.id),
  ]);
  const started = performance.now();
  const result = runChurn(churnOrdersFromHistory(history, catalog), { settings });
  const run = await db.churnRun.create({
    data: {
      shopId: shop.id,
      horizonDays: result.horizonDays,
      served: result.served,
      reason: result.reason,
      // The follow-up and spend figures ride with the metrics: read together, by the Customers page.
      metrics: JSON.stringify({ ...result.metrics, followUp: result.followUp, spend: result.spend }),
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
