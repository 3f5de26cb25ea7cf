import { createHash } from "node:crypto";
import type { Job, Queue } from "bullmq";
import { PENDING_STATES } from "../jobs/queues";
import { z } from "zod";
import { shopDomainSchema } from "../shops/domain";
import type { RedisClient } from "../redis.server";
import { refreshCustomersKey } from "../storefront-store/keys";

export const TRAIN_TRIGGERS = ["install", "orders", "schedule", "manual", "redact"] as const;
export type TrainTrigger = (typeof TRAIN_TRIGGERS)[number];

export const trainJobData = z.object({
  shop: shopDomainSchema,
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

export async function requestTraining(queue: Queue, shop: string, trigger: TrainTrigger): Promise<Job> {
  const data = trainJobData.parse({ shop, trigger });
  const jobs = await Promise.all(SLOTS.map((slot) => queue.getJob(trainJobId(shop, slot))));
  const states = await Promise.all(jobs.map((job) => job?.getState() ?? "missing"));
  const waiting = jobs.find((job, i) => job && PENDING_STATES.has(states[i]!));
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

export const restoreJobData = z.object({
  shop: trainJobData.shape.shop,
  /** The earlier run whose lists Redis lost: rebuilt from its stored model, then served. */
  runId: z.string().min(1).max(64),
});
export type RestoreJobData = z.infer<typeof restoreJobData>;

/** The training queue's other job: a rollback's lost lists rebuilt (see requestRestore). */
export const RESTORE_JOB_NAME = "restore";

export const restoreJobId = (shop: string) => `restore-${shop}`;

/**
 * Asks the training process to rebuild an earlier run's lists and serve it: a rollback whose
 * lists are gone. It runs beside trainings (same queue, same shop lock), never in a request:
 * rebuilding reads the whole order history. One per shop: a repeated request joins the waiting
 * one, and a finished one is cleared first so its id can be used again.
 */
export async function requestRestore(queue: Queue, shop: string, runId: string): Promise<Job> {
  const data = restoreJobData.parse({ shop, runId });
  const earlier = await queue.getJob(restoreJobId(shop));
  if (earlier && ["completed", "failed"].includes(await earlier.getState()))
    await earlier.remove().catch(() => undefined);
  return queue.add(RESTORE_JOB_NAME, data, {
    jobId: restoreJobId(shop),
    attempts: 3,
    backoff: { type: "exponential", delay: 10_000 },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
}

export const refreshJobData = z.object({
  shop: trainJobData.shape.shop,
  /**
   * When the window the refresh covers ended (epoch ms): every order it was asked for was stored
   * before then. A run that started training later already read them, and the refresh is skipped.
   * Absent in jobs queued before the field existed: those always refresh.
   */
  after: z.number().int().nonnegative().optional(),
  /**
   * The window's index: its customers (those whose orders asked) are kept in Redis under it
   * (refreshCustomersKey). Absent in older jobs, which rebuild every customer's lists.
   */
  window: z.number().int().optional(),
});
export type RefreshJobData = z.infer<typeof refreshJobData>;

/** The training queue's third job: the served run's lists rebuilt after new orders (see requestListRefresh). */
export const REFRESH_JOB_NAME = "refresh";

/** One id per shop and window: BullMQ ignores an add whose id exists, so a window's orders share one job. */
export const refreshJobId = (shop: string, window: number) => `refresh-${shop}-${window}`;

/**
 * The refresh window `now` falls in for a shop. Each shop's windows are shifted by an offset drawn
 * from its domain: windows aligned to the clock would make every shop's refresh fall due at the
 * same instant and queue together on the training process, where shifted ones spread evenly over
 * the window.
 */
export function refreshWindow(shop: string, windowMs: number, now: number): { index: number; endsAt: number } {
  const offset = createHash("sha1").update(shop).digest().readUIntBE(0, 6) % windowMs;
  const index = Math.floor((now - offset) / windowMs);
  return { index, endsAt: (index + 1) * windowMs + offset };
}

/** Where refresh requests go: the training queue, and the Redis its window's customers are kept in. */
export interface RefreshTarget {
  queue: Queue;
  redis: RedisClient;
  prefix: string;
}

/**
 * How long a window's customers are kept after it ends: the job may wait behind trainings and
 * retry, and an expired set costs only a rebuild of every customer's lists instead.
 */
const REFRESH_CUSTOMERS_GRACE_MS = 24 * 3600_000;

/**
 * Asks for the lists of `customers` (who just ordered) to be rebuilt once the current window of
 * `windowMs` ends. Every order stored in the window joins the same job, which starts after the
 * window, so after every one of them was written: a shop's refreshes cost at most one rebuild per
 * window, however busy it is, and each rebuilds only the window's customers. It runs in the
 * training process under the shop's lock, like a restore.
 */
export async function requestListRefresh(
  target: RefreshTarget,
  shop: string,
  customers: readonly string[],
  windowMs: number,
  now = Date.now(),
): Promise<Job> {
  const { index, endsAt } = refreshWindow(shop, windowMs, now);
  const data = refreshJobData.parse({ shop, after: endsAt, window: index });
  if (customers.length > 0) {
    const key = refreshCustomersKey(target.prefix, shop, index);
    await target.redis
      .multi()
      .sadd(key, ...customers)
      .pexpire(key, endsAt - now + REFRESH_CUSTOMERS_GRACE_MS)
      .exec();
  }
  return target.queue.add(REFRESH_JOB_NAME, data, {
    jobId: refreshJobId(shop, index),
    delay: endsAt - now,
    attempts: 3,
    backoff: { type: "exponential", delay: 10_000 },
    // A window's id is never asked for again, so a finished job has nothing left to deduplicate.
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}

/** The customers a refresh job is for; empty when it names no window or Redis no longer has them. */
export async function refreshCustomers(redis: RedisClient, prefix: string, data: RefreshJobData): Promise<string[]> {
  return data.window === undefined ? [] : redis.smembers(refreshCustomersKey(prefix, data.shop, data.window));
}

/** Forgets a window's customers once their lists were rebuilt. */
export async function forgetRefreshCustomers(redis: RedisClient, prefix: string, data: RefreshJobData): Promise<void> {
  if (data.window !== undefined) await redis.del(refreshCustomersKey(prefix, data.shop, data.window));
}
