/**
 * What the Customers page shows: segment sizes and value, the at-risk customers with the most
 * value (with their own recommended products), and the latest churn run beside its baselines.
 */
import { z } from "zod";
import type { AtRiskFollowUp, SpendBySegment } from "../churn/insight-figures";
import type { ChurnMetrics } from "../churn/metrics";
import type { SegmentSizes } from "../churn/segment-sizes";
import { SEGMENTS, type Segment } from "../churn/segments";
import type { Db } from "../database/client.server";
import type { RedisClient } from "../redis.server";
import { readList } from "../storefront-store/run-lists.server";
import { productSummaries } from "./products.server";

export const AT_RISK_ROWS = 20;
const RECOMMENDED_PER_CUSTOMER = 3;

export interface CustomersPage {
  segments: { segment: Segment; customers: number; value: number }[];
  atRisk: { customerId: string; risk: number; value: number; expectedNextAt: string; products: string[] }[];
  run: null | {
    createdAt: string;
    horizonDays: number;
    served: string;
    reason: string;
    metrics: { model: ChurnMetrics | null; recency: ChurnMetrics; rfm: ChurnMetrics };
    /** Absent on runs stored before these figures existed. */
    followUp: AtRiskFollowUp | null;
    spend: SpendBySegment | null;
    segmentSizes: SegmentSizes | null;
  };
}

const followUpSchema = z.object({
  markedAt: z.number(),
  horizonDays: z.number(),
  marked: z.number().int().nonnegative(),
  churned: z.number().int().nonnegative(),
});
const series = z.array(z.number());
const spendSchema = z.object({
  periods: series,
  revenue: z.object({ new: series, active: series, at_risk: series, lapsed: series, champion: series }),
});

const counts = z.array(z.number().int().nonnegative());
const segmentSizesSchema = z.object({
  asOf: series,
  counts: z.object({ new: counts, active: counts, at_risk: counts, lapsed: counts, champion: counts }),
});

type RunFigures = Pick<NonNullable<CustomersPage["run"]>, "metrics" | "followUp" | "spend" | "segmentSizes">;

/** A stored run's metrics JSON; the extra figures are optional so older runs still read. */
function parseRunFigures(json: string): RunFigures {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const followUp = followUpSchema.safeParse(raw.followUp);
  const spend = spendSchema.safeParse(raw.spend);
  const sizes = segmentSizesSchema.safeParse(raw.segmentSizes);
  return {
    metrics: raw as unknown as RunFigures["metrics"],
    followUp: followUp.success ? followUp.data : null,
    spend: spend.success ? spend.data : null,
    segmentSizes: sizes.success ? sizes.data : null,
  };
}

export async function customersPage(
  deps: { db: Db; redis: RedisClient; prefix: string },
  shop: { id: string; domain: string },
): Promise<CustomersPage> {
  const { db } = deps;
  const [groups, atRisk, run] = await Promise.all([
    db.churnPrediction.groupBy({ by: ["segment"], where: { shopId: shop.id }, _count: true, _sum: { value: true } }),
    db.churnPrediction.findMany({
      where: { shopId: shop.id, segment: "at_risk" },
      orderBy: { value: "desc" },
      take: AT_RISK_ROWS,
    }),
    db.churnRun.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" } }),
  ]);
  const lists = await Promise.all(
    atRisk.map((p) => readList(deps.redis, deps.prefix, shop.domain, "for", p.customerShopifyId)),
  );
  const titles = await productSummaries(db, shop.id, lists.flat());
  return {
    segments: SEGMENTS.map((segment) => {
      const g = groups.find((row) => row.segment === segment);
      return { segment, customers: g?._count ?? 0, value: g?._sum.value ?? 0 };
    }),
    atRisk: atRisk.map((p, i) => ({
      customerId: p.customerShopifyId,
      risk: p.risk,
      value: p.value,
      expectedNextAt: p.expectedNextAt.toISOString(),
      products: lists[i]!.slice(0, RECOMMENDED_PER_CUSTOMER).map((id) => titles[id]?.title ?? id),
    })),
    run: run && {
      createdAt: run.createdAt.toISOString(),
      horizonDays: run.horizonDays,
      served: run.served,
      reason: run.reason,
      ...parseRunFigures(run.metrics),
    },
  };
}

const csvField = (value: string | number) => {
  const text = String(value);
  // Quote fields with separators, and neutralise a leading formula character for spreadsheets.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** Every customer's prediction as CSV, riskiest first. */
export async function predictionsCsv(db: Db, shopId: string): Promise<string> {
  const rows = await db.churnPrediction.findMany({
    where: { shopId },
    orderBy: [{ risk: "desc" }, { customerShopifyId: "asc" }],
  });
  const lines = ["customer_id,segment,churn_risk,expected_next_order,value"];
  for (const r of rows) {
    lines.push(
      [
        r.customerShopifyId,
        r.segment,
        r.risk.toFixed(4),
        r.expectedNextAt.toISOString().slice(0, 10),
        r.value.toFixed(2),
      ]
        .map(csvField)
        .join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/** The run's figures in plain words for the merchant. */
export function metricsSentences(run: NonNullable<CustomersPage["run"]>): string[] {
  const { model, recency, rfm } = run.metrics;
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const out = [
    `A customer counts as gone after ${run.horizonDays} days without an order, your shop's usual longest gap.`,
    `Picking one customer who came back and one who did not, "days since last order" alone ranks them right ${pct(recency.auc)} of the time; a classic recency-frequency-value score ${pct(rfm.auc)}.`,
  ];
  if (model) out.push(`Affinity's model ranks them right ${pct(model.auc)} of the time.`);
  // PR-AUC and Brier, each for every scorer of the run, in the same order.
  const each = (figure: (m: ChurnMetrics) => string) =>
    [
      ...(model ? [`the model ${figure(model)}`] : []),
      `the recency-frequency-value score ${figure(rfm)}`,
      `days since last order ${figure(recency)}`,
    ].join(", ");
  out.push(
    `Going down each one's list from most to least at risk, the share who really did not come back among those listed first averages ${each((m) => pct(m.prAuc))} (PR-AUC; a random list gets ${pct(rfm.positives / Math.max(1, rfm.n))}, the share who did not come back).`,
    `How close the risk percentages come to what happened (Brier score: 0 is perfect, always saying 50 % scores 0.25, lower is better): ${each((m) => m.brier.toFixed(3))}.`,
  );
  const f = run.followUp;
  if (f && f.marked > 0) {
    const day = new Date(f.markedAt).toISOString().slice(0, 10);
    out.push(
      `Of the ${f.marked} customers these scores would have marked at risk on ${day}, ${pct(f.churned / f.marked)} did not order again within ${f.horizonDays} days.`,
    );
  }
  out.push(
    `Risk scores now come from ${run.served === "model" ? "the model" : `the ${run.served} baseline`}: ${run.reason}.`,
  );
  return out;
}
