/**
 * The app's HTTP server (`npm start`; `npm run dev:server` in development). Express serves the
 * built assets and hands pages to Remix. POST /webhooks and the storefront's App Proxy routes
 * (recommendations, events) take lean paths that never enter Remix: the intake must keep up with
 * Shopify's bursts (docs/decisions/004), and the storefront calls them on every page view
 * (docs/decisions/009).
 */
import cluster from "node:cluster";
import { createServer, type Server } from "node:http";
import compression from "compression";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { env, type Env } from "./app/lib/env.server";
import { runServerProcesses } from "./app/lib/http/cluster.server";
import { createLogger } from "./app/lib/logger.server";
import { checkRedis } from "./app/lib/redis.server";
import { exitOnOperatorError } from "./app/lib/startup.server";
import { QUEUE_NAMES } from "./app/lib/jobs/queues";
import { createWebhookIntake } from "./app/lib/endpoints/webhooks-endpoint.server";
import { createRecommendationsEndpoint } from "./app/lib/endpoints/recommendations-endpoint.server";
import { createServingCache } from "./app/lib/recommendations/serving-cache";
import { isInstalledShop } from "./app/lib/recommendations/serve.server";
import { createEventsEndpoint } from "./app/lib/endpoints/events-endpoint.server";
import { createDb } from "./app/lib/database/client.server";
import { closeQueues, queue, queueConnected, redisConnection } from "./app/queues.server";
import { exposeMetrics, type MetricsRole } from "./app/lib/metrics/expose.server";

async function serve(config: Env) {
  const log = createLogger(config.LOG_LEVEL, { service: "app", pid: process.pid });
  const production = config.NODE_ENV === "production";
  const app = express();
  app.disable("x-powered-by");

  const intake = createWebhookIntake({
    secret: config.SHOPIFY_API_SECRET,
    maxBytes: config.WEBHOOK_MAX_BYTES,
    queue: () => queue(QUEUE_NAMES.webhooks),
    connected: queueConnected,
    log,
  });
  const storefront = {
    secret: config.SHOPIFY_API_SECRET,
    // Opened here, after the config check, so a bad DATABASE_URL gets the one-line message.
    db: createDb(config.DATABASE_URL),
    redis: redisConnection(),
    prefix: config.QUEUE_PREFIX,
    cache: createServingCache(),
    connected: queueConnected,
    log,
  };
  const recommendations = createRecommendationsEndpoint({
    ...storefront,
    eventsQueue: () => queue(QUEUE_NAMES.events),
    collectionsQueue: () => queue(QUEUE_NAMES.backfill),
  });
  const events = createEventsEndpoint({
    ...storefront,
    queue: queue(QUEUE_NAMES.events),
    limits: {
      perVisitorPerMinute: config.EVENTS_PER_VISITOR_PER_MINUTE,
      perShopPerMinute: config.EVENTS_PER_SHOP_PER_MINUTE,
    },
    maxBytes: config.EVENTS_MAX_BYTES,
    isInstalled: (shop) => isInstalledShop(storefront, shop),
  });
  app.use(compression());

  let build: ServerBuild | (() => Promise<ServerBuild>);
  if (production) {
    app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
    app.use(express.static("build/client", { maxAge: "1h" }));
    build = (await import(/* @vite-ignore */ `${process.cwd()}/build/server/index.js`)) as ServerBuild;
  } else {
    const vite = await import("vite").then((v) => v.createServer({ server: { middlewareMode: true } }));
    app.use(vite.middlewares);
    build = () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  }
  app.all("*", createRequestHandler({ build, mode: config.NODE_ENV }));

  const port = Number(process.env.PORT ?? 3000);
  // The hot paths skip Express entirely: it adds nothing they need and costs per request.
  const server = createServer((req, res) => {
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    if (path === "/webhooks") void intake(req, res);
    else if (path === "/apps/affinity/recommendations") void recommendations(req, res);
    else if (path === "/apps/affinity/events") void events(req, res);
    else app(req, res);
  });
  server.listen(port, () => {
    // A plain line (not a JSON log) so people and tests can see when the app is up.
    process.stdout.write(`Affinity app listening on http://localhost:${port}\n`);
  });
  // The app can serve its pages without Redis, but webhooks will get 503 until it is back: say so.
  checkRedis(config.REDIS_URL).then(
    (health) => health.warnings.forEach((warning) => log.warn("redis.config", { warning })),
    (error: Error) =>
      process.stderr.write(`affinity app: ${error.message} Webhooks are answered 503 until it is reachable.\n`),
  );
  stopOnSignals(server, log);
}

function loadConfig() {
  try {
    return env();
  } catch (error) {
    return exitOnOperatorError("app", error);
  }
}

/**
 * Stops accepting connections, lets in-flight requests finish, then closes Redis. A second
 * signal changes nothing: Ctrl-C reaches both a cluster's primary and its processes, and the
 * primary passes it on again.
 */
function stopOnSignals(server: Server, log: ReturnType<typeof createLogger>) {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info("app.stopping", { signal });
    server.close(() => void closeQueues().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

// The configuration is checked once, before any process is forked: a mistake gets one message.
const config = loadConfig();
// Development serves through Vite, whose watcher and HMR port exist once per machine: one process.
const processes = config.NODE_ENV === "production" ? config.WEB_CONCURRENCY : 1;
const log = createLogger(config.LOG_LEVEL, { service: "app", pid: process.pid });
const role: MetricsRole = processes <= 1 ? "single" : cluster.isPrimary ? "primary" : "forked";
// The metrics port is taken before any process is forked, so a port in use stops start-up at once.
exposeMetrics(config, "app", role, log).then(
  () => runServerProcesses({ processes, log }, () => void serve(config)),
  (error: unknown) => exitOnOperatorError("app", error),
);
