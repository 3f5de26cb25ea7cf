import { z } from "zod";
import { formatNumber } from "./progress";

const setting = z.object({ hr: z.number(), recall: z.number(), ndcg: z.number() });
const row = z.object({ all: setting, new: setting, coverage: z.number() });

/** ModelRun.metrics as runTraining stores it (app/lib/training/run-training.server.ts). */
export const storedMetrics = z.object({
  model: row.nullable().default(null),
  baselines: z.record(z.string(), row).default({}),
});
export type StoredMetrics = z.infer<typeof storedMetrics>;

export interface RunSummary {
  id: string;
  status: string;
  served: string | null;
  reason: string | null;
  backend: string | null;
  orders: number;
  customers: number;
  items: number;
  examples: number;
  durationMs: number | null;
  metrics: StoredMetrics;
  /** Each storefront strategy's figure in the admin's words (app/lib/admin/strategy-figures.ts). */
  strategies: string[];
}

const f3 = (x: number) => x.toFixed(3);

/**
 * The model's metrics beside every baseline from the same run, as the admin will show them:
 * HR, Recall and NDCG at 10 over all of each customer's last order, and over only the products
 * new to the customer (discovery), plus catalog coverage. The served ranker is marked.
 */
export function formatRunMetrics(run: RunSummary): string {
  const seconds = run.durationMs === null ? "?" : (run.durationMs / 1000).toFixed(1);
  const lines = [
    `  run ${run.id}: ${run.status} in ${seconds} s on ${run.backend ?? "?"}; ` +
      `${formatNumber(run.orders)} orders, ${formatNumber(run.customers)} customers, ` +
      `${formatNumber(run.items)} products, ${formatNumber(run.examples)} training examples`,
    "",
    "  K = 10          all products:            new to the customer:     coverage",
    "                  HR     Recall  NDCG      HR     Recall  NDCG",
  ];
  const rows: Array<[string, z.infer<typeof row> | null]> = [
    ["model", run.metrics.model],
    ...Object.entries(run.metrics.baselines),
  ];
  for (const [name, m] of rows) {
    const mark = name === run.served ? "  ◀ served" : "";
    if (!m) {
      lines.push(`  ${name.padEnd(14)}  (not trained)${mark}`);
      continue;
    }
    lines.push(
      `  ${name.padEnd(14)}  ${f3(m.all.hr)}  ${f3(m.all.recall)}   ${f3(m.all.ndcg)}     ` +
        `${f3(m.new.hr)}  ${f3(m.new.recall)}   ${f3(m.new.ndcg)}     ${f3(m.coverage)}${mark}`,
    );
  }
  lines.push("", `  served: ${run.served ?? "nothing"}${run.reason ? ` (${run.reason})` : ""}`);
  if (run.strategies.length > 0) lines.push("", "  what each block shows:", ...run.strategies.map((s) => `    ${s}`));
  return lines.join("\n");
}
