import type { Queue } from "bullmq";
import type { RedisClient } from "./lib/redis.server";
import { env } from "./lib/env.server";
import { createQueue, type QUEUE_NAMES } from "./lib/jobs/queues";
import { createRedis, isConnected } from "./lib/redis.server";

declare global {
  // One connection per app process, kept across Vite reloads in development.
  var __affinityQueues: { connection: RedisClient; queues: Map<string, Queue> } | undefined;
}

function state() {
  if (!globalThis.__affinityQueues) {
    const connection = createRedis(env().REDIS_URL, "producer");
    // Reconnects are automatic; while Redis is down, adds fail fast and requests answer 503.
    connection.on("error", () => undefined);
    globalThis.__affinityQueues = { connection, queues: new Map() };
  }
  return globalThis.__affinityQueues;
}

/** The app process's producer for a queue (the web process never consumes jobs). */
export function queue(name: (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES]): Queue {
  const { connection, queues } = state();
  let existing = queues.get(name);
  if (!existing) {
    existing = createQueue(name, connection, env().QUEUE_PREFIX);
    existing.on("error", () => undefined);
    queues.set(name, existing);
  }
  return existing;
}

/** The app process's Redis connection, shared by the queues and the storefront's reads. */
export function redisConnection(): RedisClient {
  return state().connection;
}

/** Whether the producer connection is up; routes answer 503 at once when it is not. */
export function queueConnected(): Promise<boolean> {
  return isConnected(state().connection);
}

/** Closes the producer queues and their connection (graceful shutdown). */
export async function closeQueues(): Promise<void> {
  const current = globalThis.__affinityQueues;
  if (!current) return;
  globalThis.__affinityQueues = undefined;
  await Promise.allSettled([...current.queues.values()].map((q) => q.close()));
  current.connection.disconnect();
}
