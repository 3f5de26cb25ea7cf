import { existsSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { startAdminPreview } from "./admin-preview-process";
import { appOrigin, startAppAndWorker } from "./app-stack";
import { DEMO_API_SECRET, DEMO_SHOP, PREFERRED_PORTS } from "./config";
import type { DemoState } from "./demo-state";
import { formatRunMetrics } from "./metrics-table";
import { buildIfStale, prepareDatabase } from "./prepare";
import { choosePort } from "./ports";
import { stopLeftovers } from "./leftovers";
import { formatNumber } from "./progress";
import { markRedisResetPending, provideRedis, resetRedisIfPending } from "./redis";
import { simulateShopperTraffic } from "./shopper-traffic";
import { DEMO_DATA_DIR, loadDemoSlice } from "./slice-data";
import type { StepRunner } from "./steps";
import { previewStorefront } from "./storefront-preview";
import { prepareWorkspace } from "./workspace";

export const STEP_COUNT = 10;

/** Simulated shoppers per slice: enough for a funnel in full, quick for the tests' tiny slice. */
const TRAFFIC_VISITORS = { full: 400, tiny: 80 } as const;

const say = (text: string) => process.stdout.write(`  ${text}\n`);

/** Every step of the demo, in order; the first failure stops the run (StepFailedError). */
export async function runDemoSteps(state: DemoState, steps: StepRunner): Promise<void> {
  const { args, paths } = state;
  const ports = await steps.run(
    "Check the demo folder and ports",
    async () => {
      prepareWorkspace(paths);
      (await stopLeftovers(paths)).forEach(say);
      const app = await choosePort("app", "--port", args.port, PREFERRED_PORTS.app);
      let admin = await choosePort("admin preview", "--admin-port", args.adminPort, PREFERRED_PORTS.admin);
      if (admin.port === app.port) admin = await choosePort("admin preview", "--admin-port", undefined, app.port + 1);
      let storefront = await choosePort(
        "storefront preview",
        "--storefront-port",
        args.storefrontPort,
        PREFERRED_PORTS.storefront,
      );
      const taken = [app.port, admin.port];
      for (let next = Math.max(...taken) + 1; taken.includes(storefront.port); next += 1)
        storefront = await choosePort("storefront preview", "--storefront-port", undefined, next);
      for (const note of [app.note, admin.note, storefront.note]) if (note) say(note);
      return (state.ports = { app: app.port, admin: admin.port, storefront: storefront.port });
    },
    (p) =>
      `${paths.dir} is writable; app on port ${p.app}, admin preview on port ${p.admin}, ` +
      `storefront preview on port ${p.storefront}`,
  );

  // A new database (the demo folder was deleted) must not inherit what Redis kept for the old one.
  // The marker outlives a run that stops before the Redis step, so the next run still resets.
  if (!existsSync(paths.databaseFile)) markRedisResetPending(paths);
  await steps.run(
    "Prepare the database and the app build",
    async () => [
      ...(await prepareDatabase(paths)),
      ...((await buildIfStale(paths)) === "built" ? ["built the app"] : []),
    ],
    (done) => (done.length > 0 ? done.join("; ") : "database migrated and build up to date already"),
  );

  const redis = await steps.run(
    "Redis",
    async () => {
      const found = await provideRedis(paths, { requestedUrl: args.redisUrl });
      found.warnings.forEach(say);
      const cleared = await resetRedisIfPending(paths, found.url, args.prefix);
      if (cleared === "app prefix")
        say(`the database is new, but ${args.prefix} is the app's own prefix: Redis left as it is`);
      else if (typeof cleared === "number" && cleared > 0)
        say(
          `the database is new: deleted ${formatNumber(cleared)} keys an earlier demo database left under ${args.prefix}`,
        );
      return (state.redis = found);
    },
    (r) => `${r.description}; key prefix ${args.prefix}`,
  );

  state.appOrigin = appOrigin(ports.app);
  await steps.run(
    "Start the app and the worker",
    async () => {
      const started = await startAppAndWorker({ paths, redisUrl: redis.url, prefix: args.prefix, appPort: ports.app });
      state.services.push(started.app, started.worker);
      return started;
    },
    (s) => `app (pid ${s.app.pid}) on ${state.appOrigin}, worker (pid ${s.worker.pid}); logs in ${paths.logs}`,
  );

  const { db } = await steps.run(
    "Create the demo shop",
    async () => {
      // Loaded only now: the Prisma client exists once the database step has generated it.
      const { createDb } = await import("../../app/lib/database/client.server");
      const { createDemoShop } = await import("./demo-shop");
      state.clients = { db: createDb(paths.databaseUrl), redis: new Redis(redis.url, { maxRetriesPerRequest: null }) };
      await createDemoShop(state.clients.db, DEMO_SHOP);
      return state.clients;
    },
    () => `${DEMO_SHOP}, installed, with an offline session`,
  );

  await steps.run(
    `Replay a real shop (${args.slice} slice of UCI Online Retail) as signed webhooks`,
    async () => {
      const { replayShop } = await import("./replay");
      const data = loadDemoSlice(args.slice, path.join(paths.root, DEMO_DATA_DIR));
      say(`${formatNumber(data.products.length)} products and ${formatNumber(data.orders.length)} orders`);
      return (state.replay = await replayShop(
        {
          db,
          shop: DEMO_SHOP,
          origin: state.appOrigin!,
          secret: DEMO_API_SECRET,
          logs: { app: `${paths.logs}/app.log`, worker: `${paths.logs}/worker.log` },
        },
        data,
      ));
    },
    (r) =>
      r.sent === 0
        ? `already in the database: ${formatNumber(r.products)} products, ${formatNumber(r.orders)} orders (nothing sent)`
        : `${formatNumber(r.sent)} webhooks delivered and stored`,
  );

  await steps.run(
    "Train the shop's model",
    async () => {
      const { trainDemoShop } = await import("./train");
      const outcome = await trainDemoShop({
        db,
        redis: state.clients!.redis,
        prefix: args.prefix,
        shop: DEMO_SHOP,
        retrain: args.retrain,
        workerLog: `${paths.logs}/worker.log`,
      });
      process.stdout.write(`${formatRunMetrics(outcome.run)}\n`);
      return (state.training = outcome);
    },
    (t) => (t.reused ? "kept the model already trained (pass --retrain to train again)" : "trained and serving"),
  );

  await steps.run(
    "Storefront preview",
    async () =>
      (state.storefront = await previewStorefront({
        db,
        redis: state.clients!.redis,
        prefix: args.prefix,
        shop: DEMO_SHOP,
        port: ports.storefront,
        appOrigin: state.appOrigin!,
        secret: DEMO_API_SECRET,
      })),
    (s) => s.message,
  );
  await steps.run(
    "Simulated shopper traffic",
    async () =>
      (state.traffic = await simulateShopperTraffic({
        db,
        redis: state.clients!.redis,
        prefix: args.prefix,
        shop: DEMO_SHOP,
        appOrigin: state.appOrigin!,
        secret: DEMO_API_SECRET,
        visitors: TRAFFIC_VISITORS[args.slice],
      })),
    (t) => t.message,
  );

  await steps.run(
    "Admin dashboard (local preview)",
    async () => {
      const preview = await startAdminPreview(paths, {
        port: ports.admin,
        appOrigin: state.appOrigin!,
        shop: DEMO_SHOP,
      });
      state.services.push(preview.child);
      return (state.adminUrl = preview.url);
    },
    (url) => `open ${url}`,
  );
}
