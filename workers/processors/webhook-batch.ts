import { hostname } from "node:os";
import { UnrecoverableError, Worker, type ConnectionOptions, type Job, type Processor } from "bullmq";
import { ZodError } from "zod";
import type { Logger } from "../../app/lib/logger.server";
import { recordDeadLetter } from "../../app/lib/sync/dead-letters.server";
import type { BatchWrite } from "../../app/lib/sync/batch-records.server";
import { orderRefunds } from "../../app/lib/conversion/refunds.server";
import {
  askForRetrains,
  catalogResult,
  orderResult,
  storedVersionCarriers,
  writeWebhookBatch,
} from "./webhook-batch-orders";
import * as payloads from "../../app/lib/sync/webhook-payloads";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import { webhookDeliverySchema, type WebhookDelivery } from "../../app/lib/webhooks/webhook-queue.server";
import { countCloses, releaseOrphans } from "../lost-reply-recovery";
import { createWebhookProcessor, describeZodError, type WebhookProcessorDeps } from "./webhooks";

/**
 * Jobs one batch takes at most (docs/decisions/014). With webhook payloads capped at the intake's
 * body limit, this bounds what a batch holds in memory; 500 rows is also one INSERT statement.
 */
export const DEFAULT_BATCH_SIZE = 500;
/** BullMQ's own default lock duration, used when the caller does not set one. */
const DEFAULT_LOCK_DURATION_MS = 30_000;
/** Payload bytes after which a batch stops taking jobs: the memory bound, with the last round of takes (TAKES_AT_ONCE) on top. */
export const DEFAULT_BATCH_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Jobs asked for together while a batch fills: sent without waiting for each reply, so eight
 * takes cost about one round trip (in queue order: Redis runs them as sent). The batch may pass
 * its byte bound by up to this many deliveries.
 */
export const TAKES_AT_ONCE = 8;

/** Topics whose whole effect is a record write, so many can share one transaction. */
const BATCHED_TOPICS = new Set([
  "products/create",
  "products/update",
  "products/delete",
  "customers/create",
  "customers/update",
  "customers/delete",
  "orders/create",
  "orders/updated",
  "orders/cancelled",
]);

type Unkeyed<T> = T extends unknown ? Omit<T, "shopId"> : never;

function toWrite(delivery: WebhookDelivery): Unkeyed<BatchWrite> {
  const { topic, payload } = delivery;
  if (topic.startsWith("orders/")) {
    orderRefunds.parse(payload); // checked now, so a bad refund dead-letters its job before the batch
    return { kind: "order", record: payloads.orderPayload.parse(payload) };
  }
  if (topic === "customers/delete")
    return { kind: "customerDelete", shopifyId: payloads.deletePayload.parse(payload).id };
  if (topic.startsWith("customers/")) return { kind: "customer", record: payloads.customerPayload.parse(payload) };
  if (topic === "products/delete") {
    const deletedAt = new Date(delivery.triggeredAt ?? Date.now());
    return { kind: "productDelete", shopifyId: payloads.deletePayload.parse(payload).id, deletedAt };
  }
  return { kind: "product", record: payloads.productPayload.parse(payload) };
}

/**
 * The webhooks processor with batching. When BullMQ hands it a job of a record topic, it also
 * takes up to `batchSize - 1` more waiting jobs with BullMQ's `getNextJob` (manual processing,
 * through a JobPuller; Worker batches are a BullMQ Pro feature), under the same lock token.
 * Their records are written in one transaction; each job is then completed by hand
 * (`moveToCompleted`) and the first by returning, so no job completes before its rows commit.
 * A payload that fails validation dead-letters only its own job. A database error fails every
 * job of the batch with BullMQ's retry (`moveToFailed` applies each job's attempts and backoff).
 * Jobs of other topics taken along run one at a time through the per-job processor.
 */
export function createBatchedWebhookProcessor(deps: WebhookProcessorDeps & { puller: JobPuller }): Processor {
  const single = createWebhookProcessor(deps);
  return async (first: Job, token?: string) => {
    if (!token || !BATCHED_TOPICS.has(first.name)) return single(first, token);
    const jobs = [first];
    const disconnectsBefore = deps.puller.disconnects();
    // BullMQ renews only the first job's lock; the jobs taken by hand are ours to renew until
    // settled (all are renewed together, the first again too, which costs nothing more).
    const locks = deps.puller.holdLocks(jobs, token);
    try {
      let bytes = payloadBytes(first);
      while (jobs.length < deps.puller.batchSize && bytes < deps.puller.maxBytes) {
        const wanted = Math.min(TAKES_AT_ONCE, deps.puller.batchSize - jobs.length);
        // A Redis error while taking more ends the batch with the jobs already taken.
        const taken = await Promise.all(
          Array.from({ length: wanted }, () =>
            deps.puller.next(token).catch((error: unknown) => {
              deps.log.warn("webhook.batch_take_failed", { error });
              return undefined;
            }),
          ),
        );
        const got = taken.filter((job): job is Job => job !== undefined);
        jobs.push(...got);
        bytes += got.reduce((sum, job) => sum + payloadBytes(job), 0);
        if (got.length < wanted) break; // the queue ran dry (or Redis failed)
      }
      const batched = jobs.filter((j) => BATCHED_TOPICS.has(j.name));
      const others = jobs.filter((j) => !BATCHED_TOPICS.has(j.name));
      const outcome = await runBatch(deps, batched, first, token);
      for (const job of others) await settle(deps, job, token, () => single(job, token));
      return outcome();
    } finally {
      locks.stop();
      // A connection dropped while a take was in flight: Redis may have moved a job to active
      // under our token and lost the reply (ioredis then sends the command again, which takes
      // another job). Such a job is held by nobody; give it back now rather than after its lock
      // expires and the stalled-job check runs (lock duration plus up to two check intervals).
      if (deps.puller.disconnects() !== disconnectsBefore) {
        await deps.puller.releaseOrphans(token, new Set(jobs.map((j) => j.id!))).catch((error: unknown) => {
          deps.log.warn("webhook.batch_release_failed", { error });
        });
      }
    }
  };
}

const payloadBytes = (job: Job) => Buffer.byteLength(JSON.stringify(job.data) ?? "");

/** Takes waiting jobs by hand for a batch (BullMQ's manual processing). */
export interface JobPuller {
  batchSize: number;
  /** Payload bytes (as JSON) after which the batch takes no more jobs. */
  maxBytes: number;
  next(token: string): Promise<Job | undefined>;
  /**
   * Renews the locks of `jobs` (read again at each renewal, so jobs added later are renewed too)
   * every half lock duration, as BullMQ's LockManager does for the jobs it runs, until `stop`.
   */
  holdLocks(jobs: readonly Job[], token: string): { stop(): void };
  /** Moves back to waiting the active jobs locked with `token` that are not in `held`; returns how many. */
  releaseOrphans(token: string, held: ReadonlySet<string>): Promise<number>;
  /** How many times the puller's connection has closed; a change means a reply may have been lost. */
  disconnects(): number;
  close(): Promise<void>;
}

/**
 * A Worker without a processor that never runs on its own, used only for `getNextJob`: the jobs
 * it hands out are locked with the calling job's token for `lockDuration` (the running workers'
 * WORKER_LOCK_DURATION_MS, so a killed process's jobs come back as soon as its own would), and
 * its stalled-job checks are left to the queue's running worker, which gives a job whose lock
 * expired (its process died) to another.
 */
export function createJobPuller(
  queue: string,
  settings: {
    connection: ConnectionOptions;
    prefix: string;
    log: Logger;
    batchSize?: number;
    maxBytes?: number;
    /** @defaultValue BullMQ's 30000 */
    lockDurationMs?: number;
  },
): JobPuller {
  const lockDuration = settings.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
  const worker = new Worker(queue, null, {
    connection: settings.connection,
    prefix: settings.prefix,
    autorun: false,
    lockDuration,
    // The name the running workers give (run-workers.ts): recorded on each job as processedBy.
    name: `${hostname()}:${process.pid}`,
  });
  // Without a listener BullMQ prints connection errors to stderr; they are expected while Redis restarts.
  worker.on("error", (error) => settings.log.warn("webhook.puller_error", { error }));
  const closes = countCloses(worker);
  return {
    batchSize: settings.batchSize ?? DEFAULT_BATCH_SIZE,
    maxBytes: settings.maxBytes ?? DEFAULT_BATCH_MAX_BYTES,
    next: async (token) => (await worker.getNextJob(token, { block: false })) ?? undefined,
    holdLocks: (jobs, token) => holdLocks(worker, settings.log, lockDuration, jobs, token),
    releaseOrphans: async (token, held) => {
      const jobIds = await releaseOrphans(worker, token, held);
      if (jobIds.length > 0) settings.log.warn("webhook.batch_orphans_released", { jobIds: jobIds.join(",") });
      return jobIds.length;
    },
    disconnects: closes,
    close: () => worker.close(),
  };
}

function holdLocks(worker: Worker, log: Logger, lockDuration: number, jobs: readonly Job[], token: string) {
  let renewing = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (renewing) return; // a renewal still waiting on a slow Redis; the next tick tries again
    renewing = true;
    const ids = jobs.map((j) => j.id!);
    worker
      .extendJobLocks(
        ids,
        ids.map(() => token),
        lockDuration,
      )
      .then(
        (lost: string[]) => {
          // Another worker may now run these (the stalled-job check gave them back); settling them
          // here will fail on the lock, and their re-run finds the rows already at that version.
          // After stop, the jobs were settled while the renewal was on its way: no lock is expected.
          if (lost.length > 0 && !stopped) log.warn("webhook.batch_lock_lost", { jobIds: lost.join(",") });
        },
        (error: unknown) => log.warn("webhook.batch_lock_renewal_failed", { error }),
      )
      .finally(() => (renewing = false));
  }, lockDuration / 2);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** Completes or fails a job taken by hand; errors reach BullMQ's retry like a thrown one would. */
async function settle(deps: WebhookProcessorDeps, job: Job, token: string, run: () => Promise<unknown>) {
  const outcome = await run().then(
    (result) => ({ result }),
    (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }),
  );
  await finish(deps, job, token, outcome);
}

/**
 * Moves a job taken by hand to completed or failed. If that fails (its lock was lost, so the
 * stalled-job check gave it to another run; or Redis went away and ioredis's resend found the job
 * already moved), the job is left to that other run or to the stalled-job check, and the rest of
 * the batch is still settled: one job's lost lock must not strand the others.
 */
async function finish(
  deps: WebhookProcessorDeps,
  job: Job,
  token: string,
  { result, error }: { result?: unknown; error?: Error },
): Promise<void> {
  try {
    if (error) await job.moveToFailed(error, token, false);
    else await job.moveToCompleted(result, token, false);
  } catch (settleError) {
    deps.log.warn("webhook.batch_settle_failed", { jobId: job.id, error: settleError });
  }
}

/**
 * Writes the batch and settles every job but `first`, whose outcome it returns as a thunk (to
 * return or throw from the processor, so BullMQ settles it the usual way).
 */
async function runBatch(deps: WebhookProcessorDeps, jobs: Job[], first: Job, token: string): Promise<() => unknown> {
  // Validation first, without the database: a payload that does not parse is this job's alone.
  const valid: Array<{ job: Job; delivery: WebhookDelivery; write: Unkeyed<BatchWrite> }> = [];
  const poison: Array<{ job: Job; reason: string }> = [];
  for (const job of jobs) {
    try {
      const delivery = webhookDeliverySchema.parse(job.data);
      valid.push({ job, delivery, write: toWrite(delivery) });
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      poison.push({ job, reason: describeZodError(error) });
    }
  }
  const outcomes = new Map<Job, { result?: unknown; error?: Error }>();
  for (const { job, reason } of poison) {
    outcomes.set(job, { error: new UnrecoverableError(`${job.name} job ${job.id}: ${reason}`) });
  }
  // Then everything that touches the database or Redis. Any error before the commit fails the
  // whole batch with BullMQ's retry (the poison jobs too: they are dead-lettered on the retry).
  try {
    for (const { job, reason } of poison) {
      const parsed = webhookDeliverySchema.safeParse(job.data);
      if (parsed.success) await recordDeadLetter(deps.db, parsed.data, reason);
      deps.log.warn("webhook.dead_letter", { jobId: job.id, topic: job.name, reason });
    }
    const shopIds = new Map<string, string>();
    for (const { delivery } of valid) {
      if (!shopIds.has(delivery.shop)) shopIds.set(delivery.shop, await ensureShopId(deps.db, delivery.shop));
    }
    const writes = valid.map(
      ({ delivery, write }) => ({ ...write, shopId: shopIds.get(delivery.shop)! }) as BatchWrite,
    );
    const { stored, attributed } = await writeWebhookBatch(deps, valid, writes);
    const orders = stored.orders;
    // Also the products whose version was older than the stored one: the card may be what is behind.
    await refreshCards(deps, writes, shopIds);
    const carriers = storedVersionCarriers(
      valid.map((v) => v.job),
      writes,
    );
    for (const [i, { job }] of valid.entries()) {
      const write = writes[i]!;
      const carrier = carriers.get(job) ?? false;
      if (write.kind !== "order") outcomes.set(job, { result: catalogResult(write, carrier, stored, jobs.length) });
      else outcomes.set(job, { result: orderResult(write, carrier, orders, attributed) });
    }
    await askForRetrains(deps, valid, writes, orders, outcomes);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    deps.log.warn("webhook.batch_failed", { jobs: jobs.length, error: failure });
    for (const job of jobs) outcomes.set(job, { error: failure });
  }
  // Settled together: each is one Redis script, and ioredis sends them without waiting for the
  // previous reply, so 499 jobs cost about one round trip instead of 499 (finish never throws).
  await Promise.all(
    jobs.filter((job) => job !== first).map((job) => finish(deps, job, token, outcomes.get(job) ?? {})),
  );
  const mine = outcomes.get(first) ?? {};
  return () => {
    if (mine.error) throw mine.error;
    return mine.result;
  };
}

async function refreshCards(deps: WebhookProcessorDeps, writes: BatchWrite[], shopIds: Map<string, string>) {
  for (const [shop, shopId] of shopIds) {
    const ids = writes.flatMap((w) =>
      w.shopId !== shopId
        ? []
        : w.kind === "product"
          ? [w.record.shopifyId]
          : w.kind === "productDelete"
            ? [w.shopifyId]
            : [],
    );
    if (ids.length > 0) await deps.storefront.productsChanged(shop, shopId, [...new Set(ids)]);
  }
}
