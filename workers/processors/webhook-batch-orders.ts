import type { Job } from "bullmq";
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS, type OrderAttributionResult } from "../../app/lib/conversion/attribution";
import { AttributionRaceError, attributeOrderBatch, orderKey } from "../../app/lib/conversion/batch-attribution.server";
import { orderRefunds } from "../../app/lib/conversion/refunds.server";
import { retrainDue } from "../../app/lib/shops/training-state.server";
import {
  recordKey,
  writeRecordBatch,
  type BatchWrite,
  type RecordBatchStored,
} from "../../app/lib/sync/batch-records.server";
import { orderFactsFromRecord } from "../../app/lib/sync/order-facts";
import { isLearnableOrder } from "../../app/lib/sync/records";
import { askForListRefresh } from "../../app/lib/sync/webhook-handlers.server";
import type { WebhookDelivery } from "../../app/lib/webhooks/webhook-queue.server";
import type { WebhookProcessorDeps } from "./webhooks";

/** Runs of the batch's transaction when a concurrent recompute wins an order's attribution row. */
const ATTRIBUTION_RACE_ATTEMPTS = 5;

type OrderWrite = Extract<BatchWrite, { kind: "order" }>;
type Stored = Map<string, "created" | "updated">;

/**
 * Writes the batch's records in one transaction and, in the same transaction, stores the refunds
 * of the orders it stored and attributes them (docs/decisions/014), so an order's attribution
 * commits with the order or not at all. Each shop's attribution window is read once. If another
 * worker recomputed one of the orders meanwhile, nothing of the transaction is kept and it runs
 * again, as the one-order path does for its own transaction.
 */
export async function writeWebhookBatch(
  deps: WebhookProcessorDeps,
  valid: Array<{ delivery: WebhookDelivery }>,
  writes: BatchWrite[],
): Promise<{ stored: RecordBatchStored; attributed: Map<string, OrderAttributionResult> }> {
  if (writes.length === 0)
    return { stored: { orders: new Map(), products: new Map(), customers: new Map() }, attributed: new Map() };
  const refunds = new Map<BatchWrite, ReturnType<typeof orderRefunds.parse>["refunds"]>();
  const windows = new Map<string, number>();
  for (const [i, write] of writes.entries()) {
    if (write.kind !== "order") continue;
    const delivery = valid[i]!.delivery;
    refunds.set(write, orderRefunds.parse(delivery.payload).refunds);
    if (!windows.has(write.shopId))
      windows.set(write.shopId, (await deps.attributionWindowDays?.(delivery.shop)) ?? DEFAULT_ATTRIBUTION_WINDOW_DAYS);
  }
  for (let attempt = 1; ; attempt += 1) {
    let attributed = new Map<string, OrderAttributionResult>();
    try {
      const stored = await writeRecordBatch(deps.db, writes, {
        countNewOrders: true,
        afterOrders: async (tx, orders: OrderWrite[], engine) => {
          const batch = orders.map((o) => ({
            shopId: o.shopId,
            orderShopifyId: o.record.shopifyId,
            facts: orderFactsFromRecord(o.record),
            refunds: refunds.get(o) ?? [],
          }));
          attributed = await attributeOrderBatch(tx, batch, (shopId) => windows.get(shopId)!, new Date(), engine);
        },
      });
      return { stored, attributed };
    } catch (error) {
      if (!(error instanceof AttributionRaceError) || attempt >= ATTRIBUTION_RACE_ATTEMPTS) throw error;
      deps.log.warn("webhook.batch_attribution_race", { attempt, error });
    }
  }
}

/** An order job's return value: its outcome, as the one-job handler reports it, and the batch mark. */
export function orderResult(
  write: OrderWrite,
  carrier: boolean,
  stored: Stored,
  attributed: Map<string, OrderAttributionResult>,
): Record<string, unknown> {
  const outcome = (carrier && stored.get(recordKey(write.shopId, write.record.shopifyId))) || "stale";
  const result = attributed.get(orderKey(write.shopId, write.record.shopifyId));
  if (outcome === "stale" || !result) return { outcome, batched: true };
  return { outcome, attributedLines: result.lines.length, batched: true };
}

/**
 * A product or customer job's return value, as the one-job handler reports it (`created`,
 * `updated` or `stale`; `deleted` for a delete, which always ends with the record gone), marked
 * as batched with the number of jobs in its batch.
 */
export function catalogResult(
  write: Exclude<BatchWrite, OrderWrite>,
  carrier: boolean,
  stored: RecordBatchStored,
  batchJobs: number,
): Record<string, unknown> {
  const batch = { batched: true, batchJobs };
  if (write.kind === "productDelete") return { outcome: "deleted", deleted: write.shopifyId, ...batch };
  if (write.kind === "customerDelete") return { outcome: "deleted", ...batch };
  const kept = write.kind === "product" ? stored.products : stored.customers;
  return { outcome: (carrier && kept.get(recordKey(write.shopId, write.record.shopifyId))) || "stale", ...batch };
}

/**
 * The job per record whose version the batch stored: the newest, the first of equals. Only it
 * reports the write (and, for an order, does its follow-up, so two deliveries of one version in
 * a batch do not count the order twice); the others report "stale".
 */
export function storedVersionCarriers(jobs: Job[], writes: BatchWrite[]): Map<Job, boolean> {
  const newest = new Map<string, { job: Job; at: number }>();
  for (const [i, write] of writes.entries()) {
    if (write.kind !== "order" && write.kind !== "product" && write.kind !== "customer") continue;
    const k = `${write.kind}\u0000${recordKey(write.shopId, write.record.shopifyId)}`;
    const at = write.record.updatedAt.getTime();
    const seen = newest.get(k);
    if (!seen || at > seen.at) newest.set(k, { job: jobs[i]!, at });
  }
  return new Map([...newest.values()].map(({ job }) => [job, true]));
}

/**
 * The batch counted its new orders per shop in its transaction; each shop whose count reached
 * TRAIN_AFTER_ORDERS gets one retrain request. If that fails, the jobs of the shop's new orders
 * fail and retry, as a failed count did in the one-job path (the retry finds the orders stored).
 */
export async function askForRetrains(
  deps: WebhookProcessorDeps,
  valid: Array<{ job: Job; delivery: WebhookDelivery }>,
  writes: BatchWrite[],
  orders: Map<string, "created" | "updated">,
  outcomes: Map<Job, { result?: unknown; error?: Error }>,
) {
  // Per shop: its new orders' jobs, and the customers of those training learns from.
  const created = new Map<string, { shop: string; jobs: Job[]; learners: Set<string> }>();
  for (const [i, { job, delivery }] of valid.entries()) {
    const write = writes[i]!;
    if (write.kind !== "order" || outcomes.get(job)?.error) continue;
    const outcome = (outcomes.get(job)?.result as { outcome?: string } | undefined)?.outcome;
    if (outcome !== "created" || orders.get(recordKey(write.shopId, write.record.shopifyId)) !== "created") continue;
    const entry = created.get(write.shopId) ?? { shop: delivery.shop, jobs: [], learners: new Set<string>() };
    entry.jobs.push(job);
    if (isLearnableOrder(write.record)) entry.learners.add(write.record.customerShopifyId!);
    created.set(write.shopId, entry);
  }
  for (const [shopId, { shop, jobs, learners }] of created) {
    try {
      const due = await retrainDue(deps.db, shopId, deps.trainAfterOrders);
      if (due) await deps.requestTraining(shop, "orders");
      else if (learners.size > 0) await askForListRefresh(deps.requestListRefresh, shop, [...learners], deps.log);
      for (const job of jobs) {
        const result = outcomes.get(job)?.result as Record<string, unknown>;
        outcomes.set(job, { result: { ...result, retrain: due } });
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const job of jobs) outcomes.set(job, { error: failure });
    }
  }
}
