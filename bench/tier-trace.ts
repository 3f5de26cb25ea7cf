/**
 * `npx tsx bench/tier-trace.ts [schedule]`: how much V8 still compiles in a warm app server, by
 * count, not time. It starts the production server (`server.ts`, `npm start`'s flags, one
 * process) with `--trace-opt --trace-deopt`, seeds the serving bench's shop, and sends signed
 * webhooks and App Proxy GETs one at a time, as `npm run bench -- metrics-cost` does, natively
 * (no valgrind). It prints, per window of the schedule, the TurboFan compilations and the
 * deoptimisations V8 traced, so one can see whether a server settles or keeps re-optimising.
 *
 * The schedule is comma-separated: `i300` sends 300 webhooks, `s300` 300 App Proxy GETs, `b300`
 * 300 of each interleaved, `g` asks for one full collection. TIER_TRACE_BENCH=1 runs the server
 * with metrics-cost's flags and preload (`--single-threaded`, a 1 GB young generation,
 * `--expose-gc`, the step clock and marks), which `g` needs. The raw trace is written to
 * TIER_TRACE_OUT (default /tmp/tier-trace.txt). Not a timed benchmark: nothing here is timed.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { Redis } from "ioredis";
import { APP_NODE_FLAGS } from "../app/lib/app-node-flags";
import { freePort } from "../test/helpers/child-process";
import { seedServedShop } from "../test/helpers/storefront-seed";
import { createSqliteTestDb } from "../test/helpers/test-db";
import { createTestPrefix } from "../test/helpers/test-redis";
import { signWebhook } from "../test/helpers/webhooks";
import { benchOrder, SHOP as INTAKE_SHOP } from "./intake";
import { BENCH_DB_DIR, createGetter, createPoster } from "./lib";
import { seedData, shopperRequest, SHOP as SERVING_SHOP } from "./serving";

process.env.SHOPIFY_API_KEY ??= "bench-api-key";
process.env.SHOPIFY_API_SECRET ??= "bench-api-secret";
process.env.SHOPIFY_APP_URL ??= "https://affinity.bench";
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";

const DEFAULT_SCHEDULE = "b1000,b1000,b1000,b1000,b1000,b1000,b1000,b1000";
const WINDOW_MARK = "=== tier-trace window";
const benchMode = process.env.TIER_TRACE_BENCH === "1";

type Server = ChildProcessByStdio<null, Readable, Readable>;

/** The server with trace flags; V8 prints through stdio, so `stdbuf -oL` flushes it per line. */
function startServer(env: Record<string, string>, trace: WriteStream): { child: Server; up: Promise<void> } {
  const metricsCostFlags = benchMode
    ? ["--single-threaded", "--expose-gc", "--no-memory-reducer"]
        .concat(["--min-semi-space-size=1024", "--max-semi-space-size=1024"])
        .concat(["--import", "tsx", "--import", "./bench/metrics-cost-marker.ts"])
    : ["--import", "tsx"];
  const node = [process.execPath, ...APP_NODE_FLAGS, "--trace-opt", "--trace-deopt", ...metricsCostFlags];
  const child = spawn("stdbuf", ["-oL", "-eL", ...node, "server.ts"], {
    env: { ...process.env, NODE_ENV: "production", WEB_CONCURRENCY: "1", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const up = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      trace.write(chunk);
      if (chunk.toString().includes("Affinity app listening on")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  child.stderr.on("data", (chunk: Buffer) => trace.write(chunk));
  return { child, up };
}

/** Signed requests of both paths, one at a time on one keep-alive connection each. */
function senders(origin: string) {
  const secret = process.env.SHOPIFY_API_SECRET!;
  const post = createPoster(origin, 1);
  const get = createGetter(origin, 1);
  const orders = Array.from({ length: 50 }, (_, i) =>
    signWebhook({ topic: "orders/create", shop: INTAKE_SHOP, payload: benchOrder(i) }),
  );
  let delivery = 0;
  let shopper = 0;
  const expect200 = (status: number, what: string) => {
    if (status !== 200) throw new Error(`the app answered ${status} to ${what}`);
  };
  return {
    async webhook() {
      const w = orders[delivery % orders.length]!;
      const id = `tt-${String(delivery++).padStart(7, "0")}`;
      expect200(await post("/webhooks", { ...w.headers, "X-Shopify-Webhook-Id": id }, w.body), "a webhook");
    },
    async proxyGet() {
      expect200(await get(shopperRequest(shopper++, secret)), "a proxy GET");
    },
  };
}

/** Counts per window: compilations finished and eager/lazy deoptimisations ("bailout"). */
function summarise(file: string): string[] {
  return readFileSync(file, "utf8")
    .split(new RegExp(`^${WINDOW_MARK} `, "m"))
    .slice(1)
    .map((part) => {
      const label = part.slice(0, part.indexOf("\n")).trim();
      const compiled = (part.match(/\[completed compiling /g) ?? []).length;
      const deopts = (part.match(/\[bailout \(kind/g) ?? []).length;
      const discarded = (part.match(/\[marking dependent code /g) ?? []).length;
      return `${label}: ${compiled} TurboFan compilations, ${deopts} deoptimisations, ${discarded} code objects discarded`;
    });
}

async function main() {
  const schedule = (process.argv[2] ?? DEFAULT_SCHEDULE).split(",").filter(Boolean);
  const out = process.env.TIER_TRACE_OUT ?? "/tmp/tier-trace.txt";
  const t = createSqliteTestDb(BENCH_DB_DIR);
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  const trace = createWriteStream(out);
  try {
    await seedServedShop(t.db, redis, prefix, SERVING_SHOP, seedData());
    const port = await freePort();
    const { child, up } = startServer({ PORT: String(port), DATABASE_URL: t.url, QUEUE_PREFIX: prefix }, trace);
    await up;
    const send = senders(`http://127.0.0.1:${port}`);
    for (const step of schedule) {
      trace.write(`${WINDOW_MARK} ${step}\n`);
      await runStep(step, child, send);
    }
    // What follows the last window is shutdown; the marker keeps it out of the last window.
    trace.write(`${WINDOW_MARK} shutdown\n`);
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  } finally {
    await new Promise((resolve) => trace.end(resolve));
    redis.disconnect();
    await cleanup();
    await t.drop();
  }
  for (const line of summarise(out).slice(0, -1)) console.log(line);
}

/** One step of the schedule; the pause at its end lets V8's trace lines of the step arrive. */
async function runStep(step: string, child: Server, send: ReturnType<typeof senders>): Promise<void> {
  if (step === "g") {
    if (!benchMode) throw new Error("`g` needs TIER_TRACE_BENCH=1 (the marker and --expose-gc)");
    child.kill("SIGTTIN"); // bench/metrics-cost-marker.ts: one full collection
  } else {
    const count = Number(step.slice(1));
    for (let i = 0; i < count; i++) {
      if (step[0] !== "s") await send.webhook();
      if (step[0] !== "i") await send.proxyGet();
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
