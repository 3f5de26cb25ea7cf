import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { DEFAULT_QUEUE_PREFIX } from "../../app/lib/env.server";
import { checkRedis, redactUrl } from "../../app/lib/redis.server";
import { deleteMatching } from "../../app/lib/storefront-store/delete-matching.server";
import { everyKeyPattern, storefrontSpace } from "../../app/lib/storefront-store/keys";
import { commandInstalled, pingRedis, REDIS_INSTALL } from "../local-redis";
import type { DemoPaths } from "./config";
import { DemoError } from "./errors";
import { anyFreePort } from "./ports";
import { startChild, type DemoChild } from "./processes";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface DemoRedis {
  url: string;
  /** Set when the demo started its own redis-server (and so stops it at the end). */
  child?: DemoChild;
  /** Where it came from, for the summary. */
  description: string;
  warnings: string[];
}

export interface RedisChoice {
  /** A Redis the user named with --redis-url: used as it is, never replaced. */
  requestedUrl?: string;
  /** Where a Redis is looked for first. @defaultValue redis://127.0.0.1:6379 */
  probeUrl?: string;
  /** The server binary to start when none answers. @defaultValue redis-server */
  serverCommand?: string;
}

/**
 * The Redis the demo runs on: the one asked for; else one answering PING on 127.0.0.1:6379;
 * else a redis-server the demo starts with the durability settings production uses (AOF
 * `everysec`, `noeviction`; docs/decisions/004) and its data in the demo folder, so a later run
 * finds its queues again; else a DemoError that says how to install Redis.
 */
export async function provideRedis(paths: DemoPaths, choice: RedisChoice = {}): Promise<DemoRedis> {
  if (choice.requestedUrl) {
    if ((await pingRedis(choice.requestedUrl)) !== "PONG")
      throw new DemoError(
        `No Redis answers at ${redactUrl(choice.requestedUrl)} (--redis-url). Start it, or leave --redis-url out.`,
      );
    return described(choice.requestedUrl, `${redactUrl(choice.requestedUrl)} (from --redis-url)`);
  }
  const probeUrl = choice.probeUrl ?? DEFAULT_REDIS_URL;
  const answer = await pingRedis(probeUrl);
  if (answer === "PONG") return described(probeUrl, `${redactUrl(probeUrl)} (already running)`);
  if (answer === "NOAUTH")
    throw new DemoError(
      `The Redis at ${redactUrl(probeUrl)} wants a password. Pass it with --redis-url redis://:<password>@127.0.0.1:6379.`,
    );
  const command = choice.serverCommand ?? "redis-server";
  if (!commandInstalled(command)) throw new DemoError(noRedisMessage(probeUrl));
  return startOwnRedis(paths, command);
}

async function described(url: string, description: string): Promise<DemoRedis> {
  const { warnings } = await checkRedis(url);
  return { url, description, warnings };
}

async function startOwnRedis(paths: DemoPaths, command: string): Promise<DemoRedis> {
  const port = await anyFreePort();
  const child = await startChild(paths, {
    name: "redis",
    command,
    args: [
      ...["--port", String(port), "--bind", "127.0.0.1", "--dir", paths.redisData],
      ...["--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"],
      // AOF alone is the persistence; no RDB snapshots on top.
      ...["--save", ""],
    ],
    env: {},
    cwd: paths.root,
    identity: `${command.split("/").pop()} 127.0.0.1:${port}`,
    ready: /Ready to accept connections/,
  });
  const url = `redis://127.0.0.1:${port}`;
  return { url, child, description: `${url} (started by the demo, data in ${paths.redisData})`, warnings: [] };
}

function noRedisMessage(probeUrl: string): string {
  return [
    `No Redis answers at ${redactUrl(probeUrl)}, and redis-server is not installed, so the demo cannot start one.`,
    "Install Redis, then run `npm run demo` again (the demo starts and stops it for you):",
    `  Debian/Ubuntu:  ${REDIS_INSTALL.debian}`,
    `  Fedora:         ${REDIS_INSTALL.fedora}`,
    `  macOS:          ${REDIS_INSTALL.macos}`,
    "Or start any Redis 6.2+ yourself and pass --redis-url redis://host:port.",
  ].join("\n");
}

/**
 * Deletes what an earlier demo database left in Redis under the demo's prefix: its queues, the
 * webhook and event ids it had seen, its visitors' exposures and the storefront's lists. Called
 * only when the demo database is new (the folder was deleted), before the app and worker start.
 * Left in place, those ids would make the app drop the new database's webhooks and events as
 * repeats of ones it already stored, in a database that no longer exists. Returns the keys deleted.
 */
export async function clearStaleDemoKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return await deleteMatching(redis, everyKeyPattern(prefix));
  } finally {
    redis.disconnect();
  }
}

const resetMarker = (paths: DemoPaths) => path.join(paths.dir, "redis-reset-pending");

/** Notes that the demo's Redis keys belong to a database that is gone (the database file was missing). */
export function markRedisResetPending(paths: DemoPaths): void {
  writeFileSync(resetMarker(paths), "The demo database is new: its Redis keys are cleared at the Redis step.\n");
}

/**
 * When a reset is pending, clears the demo's keys and the marker. Never under the app's default
 * prefix, nor one whose storefront space is the same (`affinity` and `{affinity}` share
 * `affinity:recs`): those keys are a development setup's, not the demo's.
 */
export async function resetRedisIfPending(
  paths: DemoPaths,
  url: string,
  prefix: string,
): Promise<number | "app prefix" | "none pending"> {
  if (!existsSync(resetMarker(paths))) return "none pending";
  if (storefrontSpace(prefix) === storefrontSpace(DEFAULT_QUEUE_PREFIX)) {
    rmSync(resetMarker(paths));
    return "app prefix";
  }
  const cleared = await clearStaleDemoKeys(url, prefix);
  rmSync(resetMarker(paths));
  return cleared;
}
