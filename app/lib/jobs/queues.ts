import { type FinishedStatus, type JobState, Queue, type QueueOptions } from "bullmq";
import type { RedisClient } from "../redis.server";

/** Every queue Affinity uses. Work classes are separate queues so one cannot starve another. */
export const QUEUE_NAMES = {
  /** Health checks: proves a worker is alive and which TF backend it runs. */
  system: "system",
  /** Verified webhook deliveries waiting to be written to the database. */
  webhooks: "webhooks",
  /** The install-time import of a shop's catalog and order history (Admin API bulk operations). */
  backfill: "backfill",
  /** Per-shop model training, in its own process (workers/processors/train.ts). */
  train: "train",
  /** Storefront events (block beacons, web pixel) waiting to be stored and rolled up. */
  events: "events",
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** The states of a job that has not started yet: BullMQ's own states, less running and finished. */
type PendingState = Exclude<JobState, "active" | FinishedStatus>;
// A record over the type, so a state BullMQ adds in an upgrade fails to compile until placed here.
const PENDING: Record<PendingState, true> = {
  waiting: true,
  delayed: true,
  prioritized: true,
  "waiting-children": true,
};
export const PENDING_STATES: ReadonlySet<string> = new Set(Object.keys(PENDING));

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

/**
 * Webhook jobs retry for about an hour (8 attempts, exponential from 2 s) to ride out a database
 * restart. Completed jobs are kept a day so a redelivery with the same webhook id is recognised.
 */
export const WEBHOOK_JOB_OPTIONS: QueueOptions["defaultJobOptions"] = {
  attempts: 8,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/**
 * Event batches are small and many: completed ones are kept an hour (enough to drop a re-sent
 * batch at the queue; the database dedupes after that) and retried like webhooks.
 */
export const EVENTS_JOB_OPTIONS: QueueOptions["defaultJobOptions"] = {
  attempts: 8,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 3600, count: 20_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

const JOB_OPTIONS: Partial<Record<string, QueueOptions["defaultJobOptions"]>> = {
  [QUEUE_NAMES.webhooks]: WEBHOOK_JOB_OPTIONS,
  [QUEUE_NAMES.events]: EVENTS_JOB_OPTIONS,
};

/**
 * Opens a queue for producing jobs. `skipWaitingForReady` keeps construction from waiting on a
 * connection, so a process can start while Redis is down; web requests check the connection
 * themselves (isConnected) and answer 503 rather than wait on add().
 */
export function createQueue(name: string, connection: RedisClient, prefix: string): Queue {
  return new Queue(name, {
    connection,
    prefix,
    skipWaitingForReady: true,
    defaultJobOptions: JOB_OPTIONS[name] ?? DEFAULT_JOB_OPTIONS,
  });
}
