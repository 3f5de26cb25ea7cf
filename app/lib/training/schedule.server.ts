import type { Queue } from "bullmq";
import { shopSchedulerId } from "../schedules.server";
import type { ShopSettings } from "../settings/settings-schema";

/** The job a shop's training scheduler emits; the system worker turns it into a training request. */
export const SCHEDULED_TRAINING_JOB = "request-training";

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

/**
 * The weekly variant of the daily cron: same minute and hour, Mondays only. A cron that already
 * names weekdays, or is not five plain fields, is used as it is.
 */
export function weeklyCron(dailyCron: string): string {
  const fields = dailyCron.trim().split(/\s+/);
  if (fields.length !== 5 || fields[4] !== "*") return dailyCron;
  return [...fields.slice(0, 4), "1"].join(" ");
}

/**
 * Makes the shop's scheduler match its retrain frequency: daily or weekly at the deployment's
 * training time (TRAIN_CRON), or none for "manual". Returns the cron in force, or null.
 * Orders-driven and manual retrains are unaffected: they are requests, not schedules.
 */
export async function applyTrainingSchedule(
  systemQueue: Queue,
  shop: string,
  frequency: ShopSettings["retrainFrequency"],
  dailyCron: string,
): Promise<string | null> {
  if (frequency === "manual") {
    await systemQueue.removeJobScheduler(shopSchedulerId("train", shop));
    return null;
  }
  const cron = frequency === "weekly" ? weeklyCron(dailyCron) : dailyCron;
  await scheduleDailyTraining(systemQueue, shop, cron, SCHEDULED_TRAINING_JOB);
  return cron;
}
