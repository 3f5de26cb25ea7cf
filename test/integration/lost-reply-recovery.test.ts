import { afterEach, describe, expect, it } from "vitest";
import { Queue, type Job } from "bullmq";
import { Redis } from "ioredis";
import { createLogger } from "../../app/lib/logger.server";
import { startWorkers } from "../../workers/run-workers";
import { startReplyDroppingProxy } from "../helpers/reply-dropping-proxy";
import { eventually } from "../helpers/stack";
import { createTestPrefix } from "../helpers/test-redis";

const QUEUE = "lost-reply";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** RESP text of a request whose keys run `…:pc`, then `…:<next>`: BullMQ's moveToActive (`marker`) or moveToFinished (`completed`). */
const keysInOrder = (base: string, next: string) => (resp: string) =>
  new RegExp(`${escape(base)}:pc\\r\\n\\$\\d+\\r\\n${escape(base)}:${next}\\r\\n`).test(resp);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Two waiting jobs, then a worker (startWorkers, through the proxy) whose fetch of type `next`
 * loses its reply. Locks and stalled checks are far longer than the test's wait, so a job left
 * active by the lost reply can only complete if the worker gives it back itself.
 */
async function runWithLostReply(next: "marker" | "completed") {
  const { prefix, cleanup } = createTestPrefix();
  const redisUrl = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const connection = new Redis(redisUrl.href, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE, { connection, prefix });
  const proxy = await startReplyDroppingProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
  cleanups.push(cleanup, async () => (await queue.close(), connection.disconnect(), await proxy.close()));

  const jobs = await queue.addBulk([
    { name: "a", data: {} },
    { name: "b", data: {} },
  ]);
  const dropped = proxy.dropReplyTo(keysInOrder(`${prefix}:${QUEUE}`, next));
  const processed: string[] = [];
  const workers = startWorkers(
    { [QUEUE]: async (job: Job) => void processed.push(job.id!) },
    { redisUrl: proxy.url, prefix, concurrency: 1, lockDurationMs: 300_000, stalledIntervalMs: 300_000 },
    createLogger("silent"),
  );
  cleanups.push(async () => void (await workers.close(5_000)));

  await dropped;
  await eventually(async () => (await queue.getCompletedCount()) === 2, "both jobs to complete", 20_000);
  expect(await queue.getActiveCount()).toBe(0);
  return { jobs, processed };
}

describe("a worker whose fetch loses its reply across a reconnect", () => {
  it("gives back the job its lost moveToActive took, and runs both jobs", async () => {
    const { jobs, processed } = await runWithLostReply("marker");
    // The lost fetch took a; the resent one took b, so b ran first and a only after its release.
    expect(processed).toEqual([jobs[1]!.id, jobs[0]!.id]);
  });

  it("gives back the next job its lost settle-and-fetch-next took", async () => {
    const { jobs, processed } = await runWithLostReply("completed");
    // a was completed by the command whose reply was lost; b, fetched by it, ran after release.
    expect(processed).toEqual([jobs[0]!.id, jobs[1]!.id]);
  });
});
