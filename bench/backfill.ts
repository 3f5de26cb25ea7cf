/**
 * `npm run bench -- backfill [--orders N] [--db postgres|sqlite]`: the install backfill of a big
 * shop (issue 18). The Admin API stand-in serves the big shop (bench/bigshop/generate.ts) as bulk
 * operation results streamed from the generator (test/helpers/bigshop-bulk.ts); the real backfill
 * worker imports them in a child process of its own, so its peak RSS is its own. Beside it, in the
 * same run, the same order rows are written into a fresh database with plain INSERTs
 * (bench/backfill/reference.ts). Not in the default run: 1M orders take several minutes.
 */
import { spawn } from "node:child_process";
import { z } from "zod";
import { ensureShopId } from "../app/lib/shops/registry.server";
import { BACKFILL_WORKER_RSS_BUDGET_MB } from "../app/lib/sync/backfill-import.server";
import type { BackfillResult } from "../workers/processors/backfill";
import { storeOfflineSession } from "../test/helpers/admin-session";
import { startAdminApiStandIn } from "../test/helpers/admin-api-stand-in";
import {
  bigShopOrderJsonl,
  bigShopProductJsonl,
  countBigShopOrders,
  countBigShopProducts,
  loadOnlineRetail,
} from "../test/helpers/bigshop-bulk";
import { createPostgresTestDb, createSqliteTestDb, type TestDb } from "../test/helpers/test-db";
import { createTestPrefix } from "../test/helpers/test-redis";
import { bigShopOrders } from "./bigshop/generate";
import { referencePostgres, referenceSqlite } from "./backfill/reference";
import { BENCH_DB_DIR, result, type BenchResult } from "./lib";

/** Issue 18's target for PostgreSQL. */
const TARGET_LINES_PER_S = 20_000;
const TOKEN = "shpat_offline_test_token"; // what storeOfflineSession stores
const SHOP = "bigshop-backfill.myshopify.com";

const childReport = z.object({
  result: z.record(z.string(), z.unknown()),
  wallSeconds: z.number(),
  ordersImportSeconds: z.number(),
  peakRssMb: z.number(),
  rssFirstHalfMb: z.number().nullable(),
  rssSecondHalfMb: z.number().nullable(),
});

export function backfillOptions(args: readonly string[], quick: boolean) {
  const value = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  return z
    .object({
      orders: z.coerce
        .number()
        .int()
        .positive()
        .default(quick ? 20_000 : 200_000),
      db: z.enum(["postgres", "sqlite"]).default("postgres"),
    })
    .parse({ orders: value("--orders"), db: value("--db") });
}

const createDb = (kind: "postgres" | "sqlite"): Promise<TestDb> =>
  kind === "postgres" ? createPostgresTestDb() : Promise.resolve(createSqliteTestDb(BENCH_DB_DIR));

/** Runs bench/backfill/child.ts; resolves with its one JSON line. Async: the stand-in lives in this process. */
function runChild(env: Record<string, string>): Promise<z.output<typeof childReport>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--import", "./test/helpers/shopify-network-preload.ts", "bench/backfill/child.ts"],
      { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`backfill child exited with ${code}`));
      resolve(childReport.parse(JSON.parse(out.trim().split("\n").at(-1)!)));
    });
  });
}

export async function benchBackfill({ quick, args = [] }: { quick: boolean; args?: readonly string[] }) {
  const { orders, db: kind } = backfillOptions(args, quick);
  const source = loadOnlineRetail();
  const shape = { orders };
  const counted = countBigShopOrders(source, shape);
  const catalog = countBigShopProducts(source, shape);
  const standIn = await startAdminApiStandIn({
    accessToken: TOKEN,
    pollsUntilDone: 2,
    bulkResults: (root, since) => {
      if (root === "products") return { lineCount: catalog.lines, lines: () => bigShopProductJsonl(source, shape) };
      const { orders: n, lineItems } = countBigShopOrders(source, shape, since);
      return { lineCount: n + lineItems, lines: () => bigShopOrderJsonl(source, shape, since) };
    },
  });
  const { prefix, cleanup } = createTestPrefix();
  const t = await createDb(kind);
  const reference = await createDb(kind);
  try {
    await storeOfflineSession(t.db, SHOP);
    process.stderr.write(
      `  backfill: ${counted.orders.toLocaleString("en")} orders, ${counted.lineItems.toLocaleString("en")} lines, ` +
        `${catalog.products.toLocaleString("en")} products into ${kind}…\n`,
    );
    const report = await runChild({
      DATABASE_URL: t.url,
      AFFINITY_TEST_SHOPIFY_ORIGIN: standIn.origin,
      BENCH_PREFIX: prefix,
      BENCH_SHOP: SHOP,
      // Every generated order falls inside the window the worker asks Shopify for.
      BENCH_NOW: new Date(counted.latest.getTime() + 86_400_000).toISOString(),
      BENCH_MONTHS: "60",
    });
    const imported = report.result as BackfillResult;
    const shopId = await ensureShopId(t.db, SHOP);
    const stored = await t.db.orderLine.count({ where: { shopId } });
    if (stored !== counted.lineItems) throw new Error(`backfill stored ${stored} of ${counted.lineItems} order lines`);

    const referenceShop = await ensureShopId(reference.db, SHOP);
    await reference.db.$disconnect();
    const write = kind === "postgres" ? referencePostgres : referenceSqlite;
    const referenceSeconds = await write(reference.url, referenceShop, bigShopOrders(source, shape));

    const linesPerS = counted.lineItems / report.ordersImportSeconds;
    const referencePerS = counted.lineItems / referenceSeconds;
    const { rssFirstHalfMb: first, rssSecondHalfMb: second } = report;
    const growth = first === null || second === null ? null : second - first;
    process.stderr.write(
      `  backfill: orders imported in ${report.ordersImportSeconds.toFixed(1)} s (${Math.round(linesPerS)} lines/s; ` +
        `plain INSERTs ${referenceSeconds.toFixed(1)} s), whole job ${report.wallSeconds.toFixed(1)} s, ` +
        `peak RSS ${report.peakRssMb.toFixed(0)} MB (orders: ${first?.toFixed(0) ?? "?"} MB at most in the file's ` +
        `first half, ${second?.toFixed(0) ?? "?"} MB in its second), ` +
        `${imported.orders?.recordsImported ?? 0} orders\n`,
    );
    if (report.peakRssMb > BACKFILL_WORKER_RSS_BUDGET_MB) {
      process.stderr.write(
        `  backfill: peak RSS ${report.peakRssMb.toFixed(0)} MB is over the ${BACKFILL_WORKER_RSS_BUDGET_MB} MB budget\n`,
      );
      process.exitCode = 1;
    }
    const tag = `${orders} orders, ${kind}`;
    const rows: BenchResult[] = [
      result(
        "backfill.order_lines_per_s",
        linesPerS,
        "lines/s",
        referencePerS,
        `reference: ${kind === "postgres" ? "plain multi-row INSERTs (pg)" : "prepared INSERTs (better-sqlite3)"} of the same rows (${tag}); target ≥ ${TARGET_LINES_PER_S} on postgres`,
      ),
      result(
        "backfill.peak_rss_mb",
        report.peakRssMb,
        "MB",
        BACKFILL_WORKER_RSS_BUDGET_MB,
        `reference: the stated budget (BACKFILL_WORKER_RSS_BUDGET_MB); ${tag}`,
      ),
    ];
    if (growth !== null) {
      rows.push(
        result(
          "backfill.rss_growth_mb",
          growth,
          "MB",
          null,
          "highest RSS at a checkpoint in the orders file's second half minus that in its first half (flat: about 0)",
        ),
      );
    }
    return rows;
  } finally {
    await standIn.close();
    await t.drop();
    await reference.drop();
    await cleanup();
  }
}
