import { Cluster, Redis, type RedisOptions } from "ioredis";

/** A connection to one Redis, or to a Redis Cluster (REDIS_URL `redis+cluster://h:p,h:p`). */
export type RedisClient = Redis | Cluster;

export type RedisTarget =
  | { kind: "single"; url: string }
  | { kind: "cluster"; nodes: { host: string; port: number }[]; username?: string; password?: string; tls: boolean };

/**
 * Reads REDIS_URL. `redis+cluster://[user:password@]host:port,host:port,…` names seed nodes of a
 * cluster (any few masters; the client discovers the rest); `rediss+cluster://` adds TLS.
 */
export function parseRedisTarget(url: string): RedisTarget {
  const cluster = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)/.exec(url);
  if (!cluster) return { kind: "single", url };
  const nodes = cluster[4]!.split(",").map((hostPort) => {
    const [host = "", port = "6379"] = hostPort.split(":");
    return { host, port: Number(port) };
  });
  if (nodes.some((n) => !n.host || !Number.isInteger(n.port) || n.port <= 0)) {
    throw new Error(`REDIS_URL names a cluster node that is not host:port (${cluster[4]})`);
  }
  const decode = (v: string | undefined) => (v ? decodeURIComponent(v) : undefined);
  return {
    kind: "cluster",
    nodes,
    username: decode(cluster[2]),
    password: decode(cluster[3]),
    tls: cluster[1] === "rediss",
  };
}

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
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): RedisClient {
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
  const target = parseRedisTarget(url);
  if (target.kind === "single") return new Redis(url, { lazyConnect: role === "worker", ...options, ...extra });
  const { username, password, tls } = target;
  return new Cluster(target.nodes, {
    lazyConnect: role === "worker",
    // Queue keys share the prefix's hash tag; reads of storefront keys can go to replicas' masters only.
    scaleReads: "master",
    redisOptions: { ...options, ...extra, username, password, ...(tls ? { tls: {} } : {}) },
  });
}

/**
 * True when the connection can take commands. A connection that is still (re)connecting gets a
 * short grace period, so the first request after start-up or a blip does not fail needlessly.
 */
export async function isConnected(redis: RedisClient, graceMs = 1_000): Promise<boolean> {
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
  const target = parseRedisTarget(url);
  // On a cluster, one seed node stands for the rest: they are configured alike.
  const seed = target.kind === "cluster" ? target.nodes[0]! : null;
  const probeOptions: RedisOptions = {
    ...(target.kind === "cluster" ? { username: target.username, password: target.password } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  };
  const probe = seed ? new Redis(seed.port, seed.host, probeOptions) : new Redis(url, probeOptions);
  probe.on("error", () => undefined); // reported through the rejected connect() below
  try {
    await probe.connect();
    const reply = (await probe.config("GET", "maxmemory-policy")) as string[];
    const policy = reply[1] ?? null;
    const warnings =
      policy !== null && policy !== "noeviction"
        ? [`Redis maxmemory-policy is "${policy}"; set it to "noeviction" or queued jobs can be evicted and lost.`]
        : [];
    if (seed && !String(await probe.call("CLUSTER", "INFO")).includes("cluster_state:ok")) {
      warnings.push("Redis Cluster does not report cluster_state:ok; some keys may be unreachable.");
    }
    return { maxmemoryPolicy: policy, warnings };
  } catch (error) {
    throw new RedisUnavailableError(url, error);
  } finally {
    probe.disconnect();
  }
}
