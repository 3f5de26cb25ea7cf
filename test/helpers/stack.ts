import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { APP_NODE_FLAGS } from "../../app/lib/app-node-flags";
import { freePort, spawnProcess, type Spawned } from "./child-process";

/** Stops a test's app or worker when the test process dies first (parent-watch.ts). */
export const WATCH_PARENT = ["--import", "./test/helpers/parent-watch.ts"];

/**
 * The built app server, as `npm start` runs it, on a free port. With `shopifyOrigin`, its calls
 * to Shopify's Admin API go to that stand-in (test/helpers/shopify-network-preload.ts). One
 * process unless `WEB_CONCURRENCY` says otherwise: tests run side by side on few cores, and one
 * test (app-cluster) covers several.
 */
export function spawnAppProcess(env: Record<string, string>, options: { shopifyOrigin?: string } = {}): Spawned {
  const preload = options.shopifyOrigin ? ["--import", "./test/helpers/shopify-network-preload.ts"] : [];
  return spawnProcess(
    process.execPath,
    [...APP_NODE_FLAGS, "--import", "tsx", ...WATCH_PARENT, ...preload, "server.ts"],
    {
      NODE_ENV: "production",
      WEB_CONCURRENCY: "1",
      ...env,
      ...(options.shopifyOrigin ? { AFFINITY_TEST_SHOPIFY_ORIGIN: options.shopifyOrigin } : {}),
    },
  );
}

export async function startAppProcess(
  env: Record<string, string>,
  options: { shopifyOrigin?: string } = {},
): Promise<{ app: Spawned; origin: string }> {
  const port = await freePort();
  const app = spawnAppProcess({ PORT: String(port), ...env }, options);
  await untilStarted(app, /Affinity app listening on/);
  return { app, origin: `http://127.0.0.1:${port}` };
}

/** How long a process that did not come up gets to stop on SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;
/** How long a child may take to print its start-up line (spawnProcess's own default). */
const START_TIMEOUT_MS = 30_000;

/**
 * Waits for a child's start-up line. If it does not come (timeout, or it exited), the child is
 * stopped before the error is passed on: the caller never gets a handle to it, so nobody else
 * would, and a process left starting would keep its port, Redis connections and CPU.
 */
export async function untilStarted(
  child: Spawned,
  pattern: RegExp,
  timing: { startMs?: number; graceMs?: number } = {},
): Promise<void> {
  try {
    await child.waitFor(pattern, timing.startMs ?? START_TIMEOUT_MS);
  } catch (error) {
    const killer = setTimeout(() => child.child.kill("SIGKILL"), timing.graceMs ?? STOP_GRACE_MS);
    await child.stop("SIGTERM");
    clearTimeout(killer);
    throw error;
  }
}

/**
 * The worker process (`npm run worker`). With `shopifyOrigin`, its Admin API calls go to that
 * stand-in, as for the app.
 */
export async function startWorkerProcess(
  env: Record<string, string>,
  options: { shopifyOrigin?: string } = {},
): Promise<Spawned> {
  const preload = options.shopifyOrigin ? ["--import", "./test/helpers/shopify-network-preload.ts"] : [];
  const worker = spawnProcess(process.execPath, ["--import", "tsx", ...WATCH_PARENT, ...preload, "workers/main.ts"], {
    LOG_LEVEL: "info",
    ...env,
    ...(options.shopifyOrigin ? { AFFINITY_TEST_SHOPIFY_ORIGIN: options.shopifyOrigin } : {}),
  });
  await untilStarted(worker, /"event":"worker.started"/);
  return worker;
}

/**
 * A Redis of the test's own, with AOF persistence in a temporary folder, so it can be stopped
 * and started again without touching the shared one. `maxmemoryPolicy` lets a test start a
 * misconfigured one on purpose.
 */
export async function startOwnRedis(
  options: { maxmemoryPolicy?: string } = {},
): Promise<{ url: string; start(): Promise<Spawned>; dir: string; port: number }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "affinity-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
  args.push("--appendonly", "yes", "--appendfsync", "everysec");
  args.push("--maxmemory-policy", options.maxmemoryPolicy ?? "noeviction");
  const start = async () => {
    const redis = spawnProcess("redis-server", args, {});
    await redis.waitFor(/Ready to accept connections/);
    return redis;
  };
  return { url: `redis://127.0.0.1:${port}`, start, dir, port };
}

/** Polls until `check` is true; fails with `what` after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Stops what a test (or bench) started against a real app and worker, in the order that loses
 * nothing to a late write: both processes first, then the Redis connection, the database and the
 * Redis prefix they wrote to. Either process may be missing when its start failed.
 */
export async function stopStack(parts: {
  app?: Spawned;
  worker?: Spawned;
  redis: { disconnect(): void };
  db: { drop(): Promise<void> };
  cleanup: () => Promise<void>;
}): Promise<void> {
  await parts.app?.stop();
  await parts.worker?.stop();
  parts.redis.disconnect();
  await parts.db.drop();
  await parts.cleanup();
}
