import { hostname } from "node:os";
import type { Processor } from "bullmq";
import type { Logger } from "../app/lib/logger.server";
import { createRedis } from "../app/lib/redis.server";
import { observeJobs } from "./job-metrics";
import { RecoveringWorker } from "./lost-reply-recovery";

export interface WorkerSettings {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  /** @defaultValue BullMQ's 30000 */
  lockDurationMs?: number;
  /** @defaultValue BullMQ's 30000 */
  stalledIntervalMs?: number;
}

export interface RunningWorkers {
  queues: string[];
  /** Stops taking jobs, waits up to `timeoutMs` for running ones, then force-closes. */
  close(timeoutMs: number): Promise<{ timedOut: boolean }>;
}

/**
 * What runs a queue: a function in this process, or a file BullMQ runs in child processes
 * (sandboxed), optionally with its own concurrency.
 */
export type QueueProcessor = Processor | string | { processor: Processor | string; concurrency: number };

/** One queue, several kinds of job: each named kind to its processor, any other to `others`. */
export function byJobName(others: Processor, named: Record<string, Processor>): Processor {
  return (job, token) => (named[job.name] ?? others)(job, token);
}

/**
 * Starts one BullMQ worker per queue. Each gets its own connection, as blocking reads require.
 * Each gives back the jobs a lost reply left active under its token (lost-reply-recovery.ts).
 */
export function startWorkers(
  processors: Record<string, QueueProcessor>,
  settings: WorkerSettings,
  log: Logger,
): RunningWorkers {
  const workers = Object.entries(processors).map(([queue, entry]) => {
    const { processor, concurrency } =
      typeof entry === "object" ? entry : { processor: entry, concurrency: settings.concurrency };
    const connection = createRedis(settings.redisUrl, "worker");
    const worker = new RecoveringWorker(
      queue,
      processor,
      {
        connection,
        prefix: settings.prefix,
        // Recorded on each job as processedBy: which process handled it, when several run.
        name: `${hostname()}:${process.pid}`,
        concurrency,
        ...(settings.lockDurationMs ? { lockDuration: settings.lockDurationMs } : {}),
        ...(settings.stalledIntervalMs ? { stalledInterval: settings.stalledIntervalMs } : {}),
      },
      log,
    );
    // Without an error listener a Redis hiccup becomes an unhandled 'error' event and kills the process.
    worker.on("error", (error) => log.error("worker.error", { queue, error }));
    worker.on("failed", (job, error) =>
      log.warn("job.failed", { queue, jobId: job?.id, name: job?.name, attempts: job?.attemptsMade, error }),
    );
    observeJobs(worker, queue);
    return { worker, connection };
  });

  return {
    queues: Object.keys(processors),
    async close(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      // BullMQ leaves a connection it was given open on close; it is this worker's alone, so it goes too.
      const closing = workers.map(({ worker, connection }) => worker.close().then(() => connection.disconnect()));
      const graceful = Promise.all(closing).then(() => false);
      const deadline = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      const timedOut = await Promise.race([graceful, deadline]);
      clearTimeout(timer);
      // Past the deadline the caller exits without waiting. A job still running keeps its lock
      // until it expires; BullMQ's stalled-job check then gives it to another worker, so the
      // job runs again rather than being lost.
      return { timedOut };
    },
  };
}
