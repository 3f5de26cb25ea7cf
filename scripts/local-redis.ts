/**
 * Finding a Redis to run on, shared by the demo (scripts/demo/redis.ts) and the test set-up
 * (test/setup/services/): is one answering, and could we start one ourselves?
 */
import { spawnSync } from "node:child_process";
import { Redis } from "ioredis";

/** "PONG", "NOAUTH" (a Redis that wants a password), or null when nothing answers. */
export async function pingRedis(url: string): Promise<"PONG" | "NOAUTH" | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG" ? "PONG" : null;
  } catch (error) {
    return /NOAUTH/.test((error as Error).message) ? "NOAUTH" : null;
  } finally {
    redis.disconnect();
  }
}

/** Whether `command --version` runs: the binary is installed and on the PATH. */
export function commandInstalled(command: string): boolean {
  const result = spawnSync(command, ["--version"], { stdio: "ignore" });
  return !result.error && result.status === 0;
}

/** How to install Redis, for messages that say what is missing. */
export const REDIS_INSTALL = {
  debian: "sudo apt-get install redis-server",
  fedora: "sudo dnf install redis",
  macos: "brew install redis",
};
