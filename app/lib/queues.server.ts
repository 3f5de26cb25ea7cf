import { Queue, type QueueOptions } from "bullmq";
import type { Redis } from "ioredis";

/** Every queue Affinity uses. Work classes are separate queues so one cannot starve another. */
export const QUEUE_NAMES = {
  /** Health checks: proves a worker is alive and which TF backend it runs. */
  system: "system",
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * Default job options. Completed jobs are kept briefly (and bounded) so dedupe by jobId keeps
 * working for retries that arrive soon after; failed jobs are kept longer for inspection.
 */
export const DEFAULT_JOB_OPTIONS: QueueOptions["defaultJobOptions"] = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createQueue(name: string, connection: Redis, prefix: string): Queue {
  return new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
}
