/**
 * Storefront serving: signed App Proxy GETs to the real app server at 64 in flight, a mix of
 * logged-in customers, anonymous shoppers with a viewing history, and product pages, against a
 * shop the size of the UCI data set. Beside it, in the same run, raw ioredis GET at 64 in flight:
 * the ceiling any Redis-backed answer is measured against; and a bare Node HTTP server with the
 * app's process count answering a constant body of the app's size (bench/bare-http.ts): what
 * Node's HTTP layer allows here (`serving.http_limit_ratio`). Requests ask for the storefront-
 * context answer the block uses (`format=liquid`, ADR 012).
 */
import { Redis } from "ioredis";
import { signAppProxyQuery } from "../dev/app-proxy-signature";
import { freePort, spawnProcess } from "../test/helpers/child-process";
import { startAppProcess } from "../test/helpers/stack";
import { catalogProduct, seedServedShop } from "../test/helpers/storefront-seed";
import { createSqliteTestDb } from "../test/helpers/test-db";
import { createTestPrefix } from "../test/helpers/test-redis";
import { APP_PROCESSES, BENCH_DB_DIR, median, percentile, result, runConcurrent, type BenchResult } from "./lib";
import { loadGenerator, measureLoad, type LoadRequest, type LoadRun } from "./load";

export const SHOP = "bench-serving.myshopify.com";
const IN_FLIGHT = 64;
/** The UCI shop's catalog and customer counts. */
const PRODUCTS = 3_659;
const CUSTOMERS = 4_334;
const LIST = 24;

/** A deterministic pseudo-random list of product ids, as training would store. */
function list(seed: number, length = LIST): string[] {
  const ids: string[] = [];
  for (let k = 1; ids.length < length; k++) ids.push(String(1 + ((seed * 7_919 + k * 104_729) % PRODUCTS)));
  return ids;
}

export function seedData() {
  const products = Array.from({ length: PRODUCTS }, (_, i) =>
    catalogProduct(String(i + 1), { title: `Bench product ${i + 1} with a typical title`, tags: "bench, gift" }),
  );
  const forCustomer = new Map(Array.from({ length: CUSTOMERS }, (_, c) => [String(10_000 + c), list(c)]));
  const related = new Map(products.map((p, i) => [p.shopifyId, list(i + CUSTOMERS)]));
  return { products, lists: { forCustomer, related, popular: list(0) } };
}

/**
 * One storefront request in three: a known customer, an anonymous history, a product page (with
 * the strategy the block's automatic setting asks for there). A thousand visitors share the
 * requests, as shoppers view several pages each.
 */
export function shopperRequest(i: number, secret: string): string {
  const kind = i % 3;
  const query = new URLSearchParams({
    limit: "8",
    visitor: `visitor${i % 1_000}`,
    format: process.env.BENCH_FORMAT ?? "liquid",
  });
  let customer = "";
  if (kind === 0) {
    query.set("context", "home");
    customer = String(10_000 + (i % CUSTOMERS));
  } else if (kind === 1) {
    query.set("context", "home");
    query.set("history", list(i, 5).join(","));
  } else {
    query.set("context", "product");
    query.set("strategy", "related");
    query.set("product_id", String(1 + (i % PRODUCTS)));
    query.set("history", list(i, 3).join(","));
  }
  const signed = signAppProxyQuery(query, { shop: SHOP, loggedInCustomerId: customer }, secret);
  return `/apps/affinity/recommendations?${signed}`;
}

export async function benchServing(options: { quick: boolean }): Promise<BenchResult[]> {
  const requests = options.quick ? 3_000 : 9_000;
  const rounds = options.quick ? 1 : 3;
  const seconds = options.quick ? 3 : 5;
  const secret = process.env.SHOPIFY_API_SECRET!;
  const t = createSqliteTestDb(BENCH_DB_DIR);
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  await seedServedShop(t.db, redis, prefix, SHOP, seedData());
  const { app, origin } = await startAppProcess({
    ...APP_PROCESSES,
    DATABASE_URL: t.url,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "warn",
  });
  try {
    // Signed per round: Shopify's signatures expire after 90 s.
    const round = (count: number, seconds: number) =>
      measureLoad(
        origin,
        Array.from({ length: count }, (_, i): LoadRequest => ({ method: "GET", path: shopperRequest(i, secret) })),
        IN_FLIGHT,
        seconds,
      );
    await round(1_000, 2); // warm-up: JIT, the shop's cached state, connection pools
    const bare = await startBareServer(await answerBytes(origin, shopperRequest(0, secret)));
    const bareRuns: LoadRun[] = [];
    const serving: LoadRun[] = [];
    const reference = [];
    const key = `${prefix}:bench-get`;
    await redis.set(key, list(1).join(","));
    for (let r = 0; r < rounds; r++) {
      serving.push(await round(requests, seconds));
      reference.push(await runConcurrent(requests * 4, IN_FLIGHT, async () => void (await redis.get(key))));
      bareRuns.push(await bare.measure(requests, seconds));
    }
    await bare.stop();
    const getLatencies = reference.flatMap((x) => x.latenciesMs).sort((a, b) => a - b);
    return [
      result(
        "serving.throughput",
        median(serving.map((x) => x.requests / x.seconds)),
        "requests/s",
        median(reference.map((x) => (requests * 4) / x.seconds)),
        `signed proxy GETs (customers, anonymous histories, product pages), ${IN_FLIGHT} in flight, ` +
          `${PRODUCTS} products, load from ${loadGenerator()}; reference: raw ioredis GET`,
      ),
      result(
        "serving.http_limit_ratio",
        median(serving.map((x) => x.requests / x.seconds)),
        "requests/s",
        median(bareRuns.map((x) => x.requests / x.seconds)),
        `the same requests' throughput (median of ${rounds}) beside a bare node:http server with the app's ` +
          `${APP_PROCESSES.WEB_CONCURRENCY} processes answering a constant ${bare.bytes}-byte body; ` +
          `bare p99 ${median(bareRuns.map((x) => x.p99Ms)).toFixed(2)} ms`,
      ),
      result("serving.p50_ms", median(serving.map((x) => x.p50Ms)), "ms", percentile(getLatencies, 50)),
      result("serving.p99_ms", median(serving.map((x) => x.p99Ms)), "ms", percentile(getLatencies, 99)),
    ];
  } finally {
    await app.stop();
    redis.disconnect();
    await cleanup();
    await t.drop();
  }
}

/** The size of the app's answer to one request: the bare server answers as many bytes. */
async function answerBytes(origin: string, path: string): Promise<number> {
  const response = await fetch(`${origin}${path}`);
  if (!response.ok) throw new Error(`the app answered ${response.status} to ${path}`);
  return Buffer.byteLength(await response.text());
}

/** Starts bench/bare-http.ts with the app's process count; `measure` loads it as the app is loaded. */
async function startBareServer(bytes: number) {
  const port = await freePort();
  const server = spawnProcess(process.execPath, ["--import", "tsx", "bench/bare-http.ts"], {
    PORT: String(port),
    PROCESSES: APP_PROCESSES.WEB_CONCURRENCY,
    BODY_BYTES: String(bytes),
  });
  await server.waitFor(/bare http listening/);
  const origin = `http://127.0.0.1:${port}`;
  // The app's request paths, so request parsing costs the same.
  const paths = Array.from({ length: 200 }, (_, i): LoadRequest => ({
    method: "GET",
    path: `/apps/affinity/recommendations?i=${i}&limit=8&visitor=v${i}&format=liquid`,
  }));
  await measureLoad(origin, paths, IN_FLIGHT, 1); // warm-up
  return {
    bytes,
    measure: (count: number, seconds: number) =>
      measureLoad(
        origin,
        Array.from({ length: count }, (_, i) => paths[i % paths.length]!),
        IN_FLIGHT,
        seconds,
      ),
    stop: () => server.stop(),
  };
}
