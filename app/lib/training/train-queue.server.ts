import type { Job, Queue } from "bullmq";
import { z } from "zod";

export const TRAIN_TRIGGERS = ["install", "orders", "schedule", "manual", "redact"] as const;
export type TrainTrigger = (typeof TRAIN_TRIGGERS)[number];

export const trainJobData = z.object({
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/),
  trigger: z.enum(TRAIN_TRIGGERS),
});
export type TrainJobData = z.infer<typeof trainJobData>;

/**
 * Each shop has two job ids. Whatever triggers a retrain, a shop has at most one training job
 * waiting: if one waits, the request joins it; otherwise the free slot takes a new job. With at
 * most one slot busy running, a request that arrives mid-run always finds the other slot free,
 * so new data is never ignored, and a burst of triggers never piles up jobs.
 */
const SLOTS = ["a", "b"] as const;
export const trainJobId = (shop: string, slot: (typeof SLOTS)[number]) => `train-${shop}-${slot}`;

const WAITING = new Set(["waiting", "delayed", "prioritized", "waiting-children"]);

export async function requestTraining(queue: Queue, shop: string, trigger: TrainTrigger): Promise<Job> {
  const data = trainJobData.parse({ shop, trigger });
  const jobs = await Promise.all(SLOTS.map((slot) => queue.getJob(trainJobId(shop, slot))));
  const states = await Promise.all(jobs.map((job) => job?.getState() ?? "missing"));
  const waiting = jobs.find((job, i) => job && WAITING.has(states[i]!));
  if (waiting) return waiting;
  const free = SLOTS.findIndex((_, i) => states[i] !== "active");
  const slot = SLOTS[free === -1 ? 0 : free]!;
  // A finished job keeps its id for a while (removeOnComplete), and BullMQ ignores an add with a
  // taken id, so the finished one is removed first.
  await jobs[free === -1 ? 0 : free]?.remove().catch(() => undefined);
  return queue.add("train", data, {
    jobId: trainJobId(shop, slot),
    attempts: 3,
    backoff: { type: "exponential", delay: 60_000 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
}
