/**
 * The Customers page's side of writing insights to Shopify: the preview of what a write would
 * change (before anything is written), saving the opt-ins and queueing the write, and the
 * progress of the latest write.
 */
import type { Queue } from "bullmq";
import type { Db } from "../database/client.server";
import { loadChurnSettings, saveChurnSettings } from "../churn/store.server";
import { summarise, type PlanSummary, type WriteOptions } from "./plan";
import type { RecommendedLookup } from "./recommended.server";
import { requestInsightWrite } from "./write-job.server";
import { latestWriteRun, planForShop } from "./write.server";

export interface InsightPreview extends PlanSummary {
  options: WriteOptions;
}

export interface InsightWriteStatus {
  status: string;
  step: string | null;
  /** Lines Shopify reports done in the operation in flight. */
  objectCount: number;
  planned: number;
  written: number;
  failed: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/** What a write with these opt-ins would send now, without writing anything. */
export async function previewInsightWrite(
  db: Db,
  shopId: string,
  options: WriteOptions,
  recommended?: RecommendedLookup,
): Promise<InsightPreview> {
  return { ...summarise(await planForShop(db, shopId, { options, recommended })), options };
}

/** Saves the opt-ins (thresholds unchanged) and queues the write that applies them. */
export async function saveAndWrite(
  db: Db,
  queue: Queue,
  shop: { id: string; domain: string },
  options: WriteOptions,
): Promise<void> {
  const settings = await loadChurnSettings(db, shop.id);
  await saveChurnSettings(db, shop.id, { ...settings, ...options });
  await requestInsightWrite(queue, shop.domain);
}

export async function insightWriteStatus(db: Db, shopId: string): Promise<InsightWriteStatus | null> {
  const run = await latestWriteRun(db, shopId);
  if (!run) return null;
  return {
    status: run.status,
    step: run.step,
    objectCount: run.objectCount,
    planned: run.planned,
    written: run.written,
    failed: run.failed,
    error: run.error,
    startedAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}
