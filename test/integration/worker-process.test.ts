import { afterEach, describe, expect, it } from "vitest";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { createQueue } from "../../app/lib/jobs/queues";
import { freePort, spawnProcess, type Spawned } from "../helpers/child-process";
import { startOwnRedis } from "../helpers/stack";
import { createTestPrefix } from "../helpers/test-redis";

const redisUrl = process.env.REDIS_URL!;
const started: Spawned[] = [];
const cleanups: Array<() => Promise<void>> = [];

function startWorker(env: Record<string, string>): Spawned {
  const worker = spawnProcess(process.execPath, ["--import", "tsx", "workers/main.ts"], { LOG_LEVEL: "info", ...env });
  started.push(worker);
  return worker;
}

afterEach(async () => {
  for (const proc of started.splice(0)) await proc.stop("SIGKILL");
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("npm run worker (the real process)", () => {
  it("takes a job, then stops cleanly on SIGTERM", async () => {
    const { prefix, cleanup } = createTestPrefix();
    cleanups.push(cleanup);
    const worker = startWorker({ QUEUE_PREFIX: prefix });
    await worker.waitFor(/"event":"worker.started"/);

    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = createQueue("system", connection, prefix);
    const events = new QueueEvents("system", {
      connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
      prefix,
    });
    cleanups.push(async () => {
      await events.close();
      await queue.close();
      connection.disconnect();
    });
    await events.waitUntilReady();
    const result = await (await queue.add("ping", {})).waitUntilFinished(events, 20_000);
    expect(result).toMatchObject({ pong: true, pid: expect.any(Number) });
    expect(result.pid).not.toBe(process.pid);

    worker.child.kill("SIGTERM");
    const { code } = await worker.exited;
    expect(code).toBe(0);
    expect(worker.stdout()).toMatch(/"event":"worker.stopped".*"timedOut":false/);
  });

  it("refuses to start without a required variable, naming it, without a stack trace", async () => {
    const worker = startWorker({ SHOPIFY_API_SECRET: "" });
    const { code } = await worker.exited;
    expect(code).toBe(1);
    expect(worker.stderr()).toContain("SHOPIFY_API_SECRET");
    expect(worker.stderr()).toContain(".env.example");
    expect(worker.stderr()).not.toMatch(/\n\s+at /);
  });

  it("says clearly that Redis is unreachable, without a stack trace", async () => {
    const port = await freePort();
    const worker = startWorker({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const { code } = await worker.exited;
    expect(code).toBe(1);
    expect(worker.stderr()).toContain(`Cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(worker.stderr()).toContain("REDIS_URL");
    expect(worker.stderr()).not.toMatch(/\n\s+at /);
  });

  it("warns when Redis may evict queue keys", async () => {
    const own = await startOwnRedis({ maxmemoryPolicy: "allkeys-lru" });
    started.push(await own.start());
    const port = own.port;
    const worker = startWorker({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const line = await worker.waitFor(/"event":"redis.config"/);
    expect(line).toContain('maxmemory-policy is \\"allkeys-lru\\"');
    expect(line).toContain("noeviction");
  });
});
