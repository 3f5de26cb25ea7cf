import path from "node:path";
import { DEMO_SHOP } from "./config";
import type { DemoState } from "./demo-state";
import { formatNumber } from "./progress";
import type { StepRecord } from "./steps";

interface ShopCounts {
  products: number;
  orders: number;
  customers: number;
}

/** The shop's records as the database holds them now (not as the replay planned them). */
export async function countShop(state: DemoState): Promise<ShopCounts | null> {
  const db = state.clients?.db;
  if (!db) return null;
  const shop = await db.shop.findUnique({ where: { domain: DEMO_SHOP }, select: { id: true } });
  if (!shop) return null;
  const where = { shopId: shop.id };
  const [products, orders, customers] = await Promise.all([
    db.product.count({ where: { ...where, deletedAt: null } }),
    db.order.count({ where }),
    db.order.findMany({ where, distinct: ["customerShopifyId"], select: { customerShopifyId: true } }),
  ]);
  return { products, orders, customers: customers.filter((c) => c.customerShopifyId !== null).length };
}

/** What is running where, what the shop holds, how the model did, and how each step went. */
export function formatSummary(state: DemoState, records: StepRecord[], counts: ShopCounts | null): string {
  const rel = (file: string) => path.relative(process.cwd(), file) || file;
  const run = state.training?.run;
  const model = run?.metrics.model;
  const best = bestBaseline(run?.metrics.baselines ?? {});
  const rows: Array<[string, string | undefined]> = [
    ["shop", DEMO_SHOP],
    ["app", state.appOrigin && `${state.appOrigin}  (log: ${rel(`${state.paths.logs}/app.log`)})`],
    [
      "worker",
      state.services.some((s) => s.name === "worker") ? `log: ${rel(`${state.paths.logs}/worker.log`)}` : undefined,
    ],
    ["admin", state.adminUrl && `${state.adminUrl}  (development-only preview of the embedded admin)`],
    ["storefront", state.storefront && (state.storefront.url ?? state.storefront.message)],
    ["traffic", state.traffic?.message],
    ["redis", state.redis && `${state.redis.description}, prefix ${state.args.prefix}`],
    [
      "database",
      counts
        ? `${rel(state.paths.databaseFile)}: ${formatNumber(counts.products)} products, ` +
          `${formatNumber(counts.orders)} orders, ${formatNumber(counts.customers)} customers`
        : undefined,
    ],
    [
      "model",
      run &&
        `serving ${run.served ?? "nothing"}; NDCG@10 model ${model ? model.all.ndcg.toFixed(3) : "-"} ` +
          `vs best baseline ${best ? `${best.name} ${best.ndcg.toFixed(3)}` : "-"} (all), ` +
          `new-only model ${model ? model.new.ndcg.toFixed(3) : "-"}`,
    ],
    ["steps", `${records.filter((r) => r.ok).length} succeeded, ${records.filter((r) => !r.ok).length} failed`],
  ];
  const failed = records.find((r) => !r.ok);
  const lines = rows.filter((r): r is [string, string] => r[1] !== undefined).map(([k, v]) => `  ${k.padEnd(11)} ${v}`);
  if (failed) lines.push(`  ${"failed".padEnd(11)} ${failed.title}: ${failed.detail.split("\n")[0]}`);
  return `\nSummary\n${lines.join("\n")}\n`;
}

function bestBaseline(baselines: Record<string, { all: { ndcg: number } }>): { name: string; ndcg: number } | null {
  let best: { name: string; ndcg: number } | null = null;
  for (const [name, m] of Object.entries(baselines))
    if (!best || m.all.ndcg > best.ndcg) best = { name, ndcg: m.all.ndcg };
  return best;
}
