import { z } from "zod";

/**
 * A training run's metrics, as the model page shows them: the network and each baseline side by
 * side, in both settings of shared/data/README.md, each ranker explained in one line. Pure, so
 * the page and its tests share it.
 */
const triple = z.object({ hr: z.number(), recall: z.number(), ndcg: z.number() });
const metricsRow = z.object({ all: triple, new: triple, coverage: z.number() });
const storedMetrics = z.object({
  model: metricsRow.nullable().default(null),
  baselines: z.record(z.string(), metricsRow).default({}),
});

export type MetricsTriple = z.infer<typeof triple>;

export const RANKERS = {
  model: {
    label: "Affinity model",
    explanation: "The neural network trained on this shop's own orders.",
  },
  popularity: {
    // Not "Best sellers": that is the holdout group's 90-day list, which the model page also names.
    label: "Most popular",
    explanation: "The products in the most orders over the shop's whole history, the same list for everyone.",
  },
  cooccurrence: {
    label: "Bought together",
    explanation: "Products often ordered with what the customer bought before (raw counts).",
  },
  cosine: {
    label: "Bought together (normalised)",
    explanation: "The same, corrected so that the most popular products do not crowd out everything else.",
  },
  repeat: {
    label: "Buy again",
    explanation: "The customer's own most-bought products first, then the most popular ones.",
  },
} as const;

export type RankerName = keyof typeof RANKERS;

export const METRIC_HELP = {
  hr: "Hit rate: share of customers whose next order had at least one of the top 10.",
  recall: "Recall: share of the products in the next order that the top 10 found.",
  ndcg: "NDCG: like recall, but rewards putting them near the top. The model is promoted on this.",
  all: "All products: repeat purchases count.",
  new: "New products only: what the customer bought before is removed, so this measures discovery.",
  coverage: "Coverage: share of the catalog that appears in at least one customer's top 10.",
} as const;

export interface MetricsTableRow {
  ranker: RankerName;
  label: string;
  explanation: string;
  all: MetricsTriple;
  new: MetricsTriple;
  coverage: number;
  served: boolean;
  /** The best score of this column among all rows, per column, for highlighting. */
  best: { all: boolean; new: boolean };
}

/** A run's stored metrics JSON through `schema`; null when it is not JSON or not that shape. */
export function parseRunMetrics<T extends z.ZodTypeAny>(json: string, schema: T): z.infer<T> | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Rows for the metrics table, model first; empty for a run without stored metrics. */
export function metricsTable(json: string, served: string | null): MetricsTableRow[] {
  const stored = parseRunMetrics(json, storedMetrics);
  if (!stored) return [];
  const rows: Array<[RankerName, z.infer<typeof metricsRow>]> = [];
  if (stored.model) rows.push(["model", stored.model]);
  for (const [name, row] of Object.entries(stored.baselines)) {
    if (name in RANKERS) rows.push([name as RankerName, row]);
  }
  const bestAll = Math.max(...rows.map(([, r]) => r.all.ndcg));
  const bestNew = Math.max(...rows.map(([, r]) => r.new.ndcg));
  return rows.map(([ranker, row]) => ({
    ranker,
    ...RANKERS[ranker],
    all: row.all,
    new: row.new,
    coverage: row.coverage,
    served: ranker === served,
    best: { all: row.all.ndcg === bestAll, new: row.new.ndcg === bestNew },
  }));
}

/**
 * Why the shop is served a baseline, in plain words; null when the model is served. `reason` is
 * the run's technical reason (promote.ts), kept for the detail line.
 */
export function baselineNote(served: string | null, rows: MetricsTableRow[]): string | null {
  if (!served || served === "model") return null;
  const label = served in RANKERS ? RANKERS[served as RankerName].label : served;
  const model = rows.find((r) => r.ranker === "model");
  const baseline = rows.find((r) => r.ranker === served);
  if (!model) {
    return `Your shop gets the “${label}” recommendations for now: there is not enough order history to train the model yet.`;
  }
  if (baseline && model.all.ndcg <= baseline.all.ndcg * 1.01) {
    return (
      `Your shop gets the “${label}” recommendations: on recent orders they scored ${fixed(baseline.all.ndcg)} ` +
      `against the model's ${fixed(model.all.ndcg)}. The model takes over once it wins by at least 1%.`
    );
  }
  return `Your shop gets the “${label}” recommendations: the model ranked new products worse than the baselines.`;
}

const fixed = (x: number) => x.toFixed(3);
