import { Redis, type RedisOptions } from "ioredis";

/** Thrown when Redis cannot be reached; the message says where we looked and what to do. */
export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
  constructor(url: string, cause: unknown) {
    super(
      `Cannot reach Redis at ${redactUrl(url)} (${(cause as Error)?.message ?? String(cause)}). ` +
        "Start it (e.g. `redis-server --appendonly yes --appendfsync everysec --maxmemory-policy noeviction`) " +
        "or point REDIS_URL at a running Redis.",
      { cause },
    );
  }
}

/** Removes the password from a redis:// URL so it can be logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

export type RedisRole = "worker" | "producer";

/**
 * Opens an ioredis connection. Workers block on Redis and must never give up on a command
 * (BullMQ requires maxRetriesPerRequest: null). Producers in the web process instead fail fast,
 * so a webhook can be answered 503 and retried by Shopify rather than hang. The offline queue
 * stays on for producers because BullMQ sends INFO as soon as a Queue is built; callers check
 * `isConnected()` before adding instead.
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const options: RedisOptions =
    role === "worker"
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : {
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          // A hung Redis must not hang the request: fail the command and let the caller answer 503.
          commandTimeout: 2_000,
          retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
        };
  return new Redis(url, { lazyConnect: role === "worker", ...options, ...extra });
}

/**
 * True when the connection can take commands. A connection that is still (re)connecting gets a
 * short grace period, so the first request after start-up or a blip does not fail needlessly.
 */
export async function isConnected(redis: Redis, graceMs = 1_000): Promise<boolean> {
  if (redis.status === "ready") return true;
  if (redis.status === "end" || redis.status === "close") return false;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, graceMs);
    redis.once("ready", done);
  });
  return (redis.status as string) === "ready";
}

export interface RedisHealth {
  maxmemoryPolicy: string | null;
  warnings: string[];
}

/**
 * Connects and checks the settings BullMQ depends on. Any eviction policy other than
 * `noeviction` lets Redis silently drop queue keys under memory pressure, losing jobs.
 */
export async function checkRedis(url: string, timeoutMs = 3_000): Promise<RedisHealth> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  probe.on("error", () => undefined); // reported through the rejected connect() below
  try {
    await probe.connect();
    const reply = (await probe.config("GET", "maxmemory-policy")) as string[];
    const policy = reply[1] ?? null;
    const warnings =
      policy !== null && policy !== "noeviction"
        ? [`Redis maxmemory-policy is "${policy}"; set it to "noeviction" or queued jobs can be evicted and lost.`]
        : [];
    return { maxmemoryPolicy: policy, warnings };
  } catch (error) {
    throw new RedisUnavailableError(url, error);
  } finally {
    probe.disconnect();
  }
}
