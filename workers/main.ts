/**
 * Worker entry point (`npm run worker`). Validates config, checks Redis, starts every queue's
 * worker, and shuts down gracefully on SIGTERM/SIGINT with a bounded wait.
 */
import { ConfigError, env } from "../app/lib/env.server";
import { createLogger } from "../app/lib/logger.server";
import { QUEUE_NAMES } from "../app/lib/queues.server";
import { checkRedis, redactUrl, RedisUnavailableError } from "../app/lib/redis.server";
import { processSystemJob } from "./processors/system";
import { startWorkers } from "./run-workers";

/** A startup problem the operator can fix: printed as one readable message, no stack trace. */
function exitWithReason(error: unknown): never {
  if (error instanceof ConfigError || error instanceof RedisUnavailableError) {
    process.stderr.write(`affinity worker: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

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

  const running = startWorkers(
    { [QUEUE_NAMES.system]: processSystemJob },
    { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY },
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
    log.info("worker.stopped", { signal, timedOut });
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

void main();
