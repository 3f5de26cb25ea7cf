/**
 * Drain measurements shared by the intake and events benchmarks: how fast the real worker process
 * empties a queued backlog, and the reference beside it, a no-op BullMQ worker draining as many.
 */
import { Worker, type Queue } from "bullmq";
import { Redis } from "ioredis";
import { createQueue } from "../app/lib/jobs/queues";
import { eventually } from "../test/helpers/stack";

/** Waits until `total` jobs of `queue` are completed or failed; the seconds that took. */
export async function timeDrain(queue: Queue, total: number, what: string) {
  const start = performance.now();
  await eventually(
    async () => (await queue.getCompletedCount()) + (await queue.getFailedCount()) >= total,
    what,
    600_000,
  );
  return { seconds: (performance.now() - start) / 1000, failed: await queue.getFailedCount() };
}

/** Seconds a no-op worker (concurrency 8) takes to drain the same jobs, queued on `name`. */
export async function timeNoopDrain(
  redis: Redis,
  prefix: string,
  name: string,
  jobs: Array<{ name: string; data: unknown }>,
): Promise<number> {
  const noop = createQueue(name, redis, prefix);
  for (let i = 0; i < jobs.length; i += 1000)
    await noop.addBulk(jobs.slice(i, i + 1000).map(({ name: jobName, data }) => ({ name: jobName, data })));
  let done = 0;
  const start = performance.now();
  const worker = new Worker(name, async () => undefined, {
    connection: new Redis(redis.options),
    prefix,
    concurrency: 8,
  });
  await new Promise<void>((resolve) => worker.on("completed", () => ++done === jobs.length && resolve()));
  const seconds = (performance.now() - start) / 1000;
  await worker.close();
  await noop.obliterate({ force: true });
  await noop.close();
  return seconds;
}
