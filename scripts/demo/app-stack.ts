import path from "node:path";
import { APP_NODE_FLAGS } from "../../app/lib/app-node-flags";
import { DEMO_API_KEY, DEMO_API_SECRET, DEMO_SCOPES, type DemoPaths } from "./config";
import { startChild, type DemoChild } from "./processes";

export interface StackSettings {
  paths: DemoPaths;
  redisUrl: string;
  prefix: string;
  appPort: number;
}

/** The local URL the app answers on; it is also SHOPIFY_APP_URL for the demo. */
export const appOrigin = (port: number) => `http://localhost:${port}`;

/** The environment both app processes run with: the demo's database, Redis, prefix and credentials. */
export function demoAppEnv(settings: StackSettings): Record<string, string> {
  return {
    NODE_ENV: "production",
    SHOPIFY_API_KEY: DEMO_API_KEY,
    SHOPIFY_API_SECRET: DEMO_API_SECRET,
    SHOPIFY_APP_URL: appOrigin(settings.appPort),
    SCOPES: DEMO_SCOPES,
    DATABASE_URL: settings.paths.databaseUrl,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: settings.prefix,
    LOG_LEVEL: "info",
    PORT: String(settings.appPort),
    // The replay delivers a year of orders in a minute. Retraining every 50 of them, as a live
    // shop would, only queues runs the demo replaces with the one it starts after the replay.
    TRAIN_AFTER_ORDERS: "1000000",
  };
}

/** `npm start` and `npm run worker`, as child processes of the demo with their logs in its folder. */
export async function startAppAndWorker(settings: StackSettings): Promise<{ app: DemoChild; worker: DemoChild }> {
  const env = demoAppEnv(settings);
  const node = (script: string, flags: readonly string[] = []) => ({
    command: process.execPath,
    args: [...flags, "--import", "tsx", path.join(settings.paths.root, script)],
    identity: path.join(settings.paths.root, script),
    cwd: settings.paths.root,
    env,
  });
  // Started together: each takes a few seconds to load, and neither needs the other to start.
  const [app, worker] = await Promise.allSettled([
    startChild(settings.paths, {
      name: "app",
      ...node("server.ts", APP_NODE_FLAGS),
      ready: /Affinity app listening on/,
    }),
    startChild(settings.paths, { name: "worker", ...node("workers/main.ts"), ready: /"event":"worker.started"/ }),
  ]);
  if (app.status === "fulfilled" && worker.status === "fulfilled") return { app: app.value, worker: worker.value };
  // One failed: stop the other rather than leave it running.
  await Promise.all([app, worker].map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
  throw [app, worker].find((r) => r.status === "rejected")!.reason;
}
