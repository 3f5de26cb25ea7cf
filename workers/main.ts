/**
 * Worker entry point (`npm run worker`). Validates config, checks Redis, starts every queue's
 * worker, and shuts down gracefully on SIGTERM/SIGINT with a bounded wait.
 */
import { fileURLToPath } from "node:url";
import { createDb } from "../app/lib/database/client.server";
import { env } from "../app/lib/env.server";
import { createLogger } from "../app/lib/logger.server";
import { createOfflineTokens } from "../app/lib/shopify/offline-tokens.server";
import { tokenApi } from "../app/lib/shopify/shopify-api.server";
import { createQueue, QUEUE_NAMES } from "../app/lib/jobs/queues";
import { checkRedis, createRedis, redactUrl } from "../app/lib/redis.server";
import { removeShopSchedulers } from "../app/lib/schedules.server";
import { cancelPendingShopJobs } from "../app/lib/sync/pending-shop-jobs.server";
import { exitOnOperatorError } from "../app/lib/startup.server";
import { exposeMetrics } from "../app/lib/metrics/expose.server";
import { setQueueSource } from "../app/lib/metrics/definitions.server";
import { createQueueReader } from "../app/lib/metrics/queue-gauges.server";
import { deleteShopLists, deleteCustomerLists, readCustomerLists } from "../app/lib/storefront-store/run-lists.server";
import { createStorefrontSync } from "../app/lib/storefront-store/worker-sync.server";
import { COLLECTION_JOB_NAME } from "../app/lib/sync/collection-job.server";
import { ensureShopId } from "../app/lib/shops/registry.server";
import { shopSettings } from "../app/lib/shops/stored-settings.server";
import { createBackfillProcessor } from "./processors/backfill";
import { createCollectionProcessor } from "./processors/collections";
import { createInsightWriteProcessor } from "./processors/insight-write";
import {
  INSIGHT_REDACT_JOB_NAME,
  INSIGHT_WRITE_JOB_NAME,
  requestInsightRedactIfWritten,
} from "../app/lib/insights/write-job.server";
import { createInsightRedactProcessor } from "./processors/insight-redact";
import { createEventsProcessor } from "./processors/events";
import { createSystemProcessor } from "./processors/system";
import { createBatchedWebhookProcessor, createJobPuller } from "./processors/webhook-batch";
import { createWebhookProcessor } from "./processors/webhooks";
import { byJobName, startWorkers } from "./run-workers";
import { requestListRefresh, requestTraining, type TrainTrigger } from "../app/lib/training/train-queue.server";
import { applyTrainingSchedule } from "../app/lib/training/schedule.server";

const exitWithReason = (error: unknown): never => exitOnOperatorError("worker", error);

async function main(): Promise<void> {
  const config = (() => {
    try {
      return env();
    } catch (error) {
      return exitWithReason(error);
    }
  })();
  const log = createLogger(config.LOG_LEVEL, { service: "worker", pid: process.pid });
  const health = await checkRedis(config.REDIS_URL).catch(exitWithReason);
  for (const warning of health.warnings) log.warn("redis.config", { warning });

  const db = createDb(config.DATABASE_URL);
  const producer = createRedis(config.REDIS_URL, "worker");
  const systemQueue = createQueue(QUEUE_NAMES.system, producer, config.QUEUE_PREFIX);
  const trainQueue = createQueue(QUEUE_NAMES.train, producer, config.QUEUE_PREFIX);
  const backfillQueue = createQueue(QUEUE_NAMES.backfill, producer, config.QUEUE_PREFIX);
  // Queue depth and age are read from BullMQ when /metrics is scraped, through queues of their own.
  const watched =
    config.METRICS_PORT === undefined
      ? []
      : Object.values(QUEUE_NAMES).map((name) => createQueue(name, producer, config.QUEUE_PREFIX));
  setQueueSource(createQueueReader(watched));
  const metrics = await exposeMetrics(config, "worker", "single", log).catch(exitWithReason);
  // Queues whose recurring jobs belong to shops; app/uninstalled stops them.
  const scheduled = [systemQueue];
  const train = (shop: string, trigger: TrainTrigger) => requestTraining(trainQueue, shop, trigger);
  const storefront = createStorefrontSync(db, producer, config.QUEUE_PREFIX);
  // Every Admin API call renews the shop's offline token through here (docs/decisions/011).
  const tokens = createOfflineTokens({
    db,
    redis: producer,
    prefix: config.QUEUE_PREFIX,
    api: tokenApi(config, log),
    log,
  });
  const settingsOf = (shop: string) => shopSettings(db, shop);
  const attributionWindowDays = async (shop: string) => (await settingsOf(shop)).attributionWindowDays;

  // Takes waiting webhook jobs into a batch (docs/decisions/014); its own connection, like a worker's.
  const puller = createJobPuller(QUEUE_NAMES.webhooks, {
    connection: createRedis(config.REDIS_URL, "worker"),
    prefix: config.QUEUE_PREFIX,
    log,
    batchSize: config.WEBHOOK_BATCH_SIZE,
    maxBytes: config.WEBHOOK_BATCH_MAX_BYTES,
    lockDurationMs: config.WORKER_LOCK_DURATION_MS,
  });
  const running = startWorkers(
    {
      [QUEUE_NAMES.system]: createSystemProcessor({ requestTraining: (shop) => train(shop, "schedule") }),
      [QUEUE_NAMES.backfill]: byJobName(
        createBackfillProcessor({
          db,
          log,
          tokens,
          months: config.BACKFILL_MONTHS,
          onImported: async (shop) => {
            await storefront.catalogImported(shop, await ensureShopId(db, shop));
            await applyTrainingSchedule(
              systemQueue,
              shop,
              (await settingsOf(shop)).retrainFrequency,
              config.TRAIN_CRON,
            );
            await train(shop, "install");
          },
        }),
        // Collection pages' product lists: Admin API reads like the backfill's, far smaller.
        {
          [COLLECTION_JOB_NAME]: createCollectionProcessor({
            db,
            redis: producer,
            prefix: config.QUEUE_PREFIX,
            log,
            tokens,
          }),
          // Customer tags and metafields written back to Shopify (issue 21, ADR 013).
          [INSIGHT_WRITE_JOB_NAME]: createInsightWriteProcessor({
            db,
            redis: producer,
            prefix: config.QUEUE_PREFIX,
            log,
            tokens,
          }),
          // customers/redact: that customer's tag and metafields taken off promptly.
          [INSIGHT_REDACT_JOB_NAME]: createInsightRedactProcessor({ db, log, tokens }),
        },
      ),
      // Training runs in child processes, one at a time per worker process (it uses a whole core).
      [QUEUE_NAMES.train]: {
        processor: fileURLToPath(new URL("./processors/train.ts", import.meta.url)),
        concurrency: 1,
      },
      [QUEUE_NAMES.webhooks]: (config.WEBHOOK_BATCH_SIZE > 1 ? createBatchedWebhookProcessor : createWebhookProcessor)({
        puller,
        db,
        log,
        removeShopSchedules: async (shop) =>
          (await removeShopSchedulers(scheduled, shop)) +
          (await cancelPendingShopJobs(
            { backfill: backfillQueue, train: trainQueue },
            shop,
            config.LIST_REFRESH_SECONDS * 1000,
          )),
        requestTraining: train,
        trainAfterOrders: config.TRAIN_AFTER_ORDERS,
        ...(config.LIST_REFRESH_SECONDS > 0
          ? {
              requestListRefresh: (shop, customers) =>
                requestListRefresh(
                  { queue: trainQueue, redis: producer, prefix: config.QUEUE_PREFIX },
                  shop,
                  customers,
                  config.LIST_REFRESH_SECONDS * 1000,
                ),
            }
          : {}),
        forgetShop: (shop) => deleteShopLists(producer, config.QUEUE_PREFIX, shop),
        customerLists: (shop, customerId) => readCustomerLists(producer, config.QUEUE_PREFIX, shop, customerId),
        forgetCustomerLists: (shop, customerId) => deleteCustomerLists(producer, config.QUEUE_PREFIX, shop, customerId),
        removeWrittenInsights: (shop, customerId) => requestInsightRedactIfWritten(db, backfillQueue, shop, customerId),
        storefront,
        attributionWindowDays,
      }),
      [QUEUE_NAMES.events]: createEventsProcessor({ db, log, attributionWindowDays }),
    },
    {
      redisUrl: config.REDIS_URL,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDurationMs: config.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    },
    log,
  );
  log.info("worker.started", {
    queues: running.queues,
    redis: redactUrl(config.REDIS_URL),
    prefix: config.QUEUE_PREFIX,
  });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info("worker.stopping", { signal, timeoutMs: config.WORKER_SHUTDOWN_TIMEOUT_MS });
    const { timedOut } = await running.close(config.WORKER_SHUTDOWN_TIMEOUT_MS);
    await puller.close();
    await Promise.allSettled([
      systemQueue.close(),
      trainQueue.close(),
      backfillQueue.close(),
      ...watched.map((queue) => queue.close()),
      metrics?.close(),
      db.$disconnect(),
    ]);
    producer.disconnect();
    log.info("worker.stopped", { signal, timedOut });
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

void main();
