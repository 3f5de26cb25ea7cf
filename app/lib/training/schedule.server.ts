import type { Queue } from "bullmq";
import { shopSchedulerId } from "../schedules.server";

/**
 * Gives a shop its daily retrain: a BullMQ job scheduler on the system queue, named after the
 * shop so app/uninstalled finds and removes it. Upserting is idempotent, so calling this after
 * every backfill (install, reinstall) keeps exactly one schedule per shop.
 */
export async function scheduleDailyTraining(systemQueue: Queue, shop: string, cron: string, jobName: string) {
  await systemQueue.upsertJobScheduler(
    shopSchedulerId("train", shop),
    { pattern: cron },
    { name: jobName, data: { shop } },
  );
}
