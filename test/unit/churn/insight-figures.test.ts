import { describe, expect, it } from "vitest";
import { followUpAtRisk, spendBySegment } from "../../../app/lib/churn/insight-figures";
import type { CustomerFeatures } from "../../../app/lib/churn/features";
import type { Segment } from "../../../app/lib/churn/segments";
import { DAY_MS, type ChurnOrder } from "../../../app/lib/churn/types";

const customer = (customerId: string, recencyDays: number, frequency: number): CustomerFeatures => ({
  customerId,
  recencyDays,
  frequency,
  monetary: 100,
  expectedNextAt: 0,
  values: [],
  categories: new Map(),
});

describe("the at-risk follow-up", () => {
  it("counts only active repeat customers at or above the threshold, and who of them left", () => {
    const features = [
      customer("a", 10, 3), // active, risk 0.8, left → marked, churned
      customer("b", 20, 2), // active, risk 0.6 (= threshold), stayed → marked
      customer("c", 5, 4), // active, risk 0.3 → not marked
      customer("d", 90, 5), // beyond H (lapsed), risk 0.9 → not marked
      customer("e", 3, 1), // one order (new), risk 0.9 → not marked
    ];
    const f = followUpAtRisk({ cutoff: 123, features, labels: [1, 0, 1, 1, 1] }, [0.8, 0.6, 0.3, 0.9, 0.9], 60, 0.6);
    expect(f).toEqual({ markedAt: 123, horizonDays: 60, marked: 2, churned: 1 });
  });
});

describe("spend by segment", () => {
  const now = Date.UTC(2026, 11, 1);
  const order = (customerId: string, daysBefore: number, total: number): ChurnOrder => ({
    customerId,
    at: new Date(now - daysBefore * DAY_MS),
    total,
  });
  const segments = new Map<string, Segment>([
    ["a", "at_risk"],
    ["b", "champion"],
  ]);

  it("sums today's segment members' orders into 30-day periods, oldest first, ending at now", () => {
    const spend = spendBySegment(
      [
        order("a", 0, 10), // last period (ends at now, inclusive)
        order("a", 30, 5), // exactly 30 days back: the period before (periods are (start, end])
        order("a", 31, 7), // the period before too
        order("b", 179, 100), // first of six periods
        order("b", 180, 999), // on the first period's start: outside
        order("c", 1, 50), // no segment: not counted
        order("a", -1, 40), // after now: not counted
      ],
      segments,
      now,
      6,
    );
    expect(spend.periods).toEqual([180, 150, 120, 90, 60, 30].map((d) => now - d * DAY_MS));
    expect(spend.revenue.at_risk).toEqual([0, 0, 0, 0, 12, 10]);
    expect(spend.revenue.champion).toEqual([100, 0, 0, 0, 0, 0]);
    expect(spend.revenue.new).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
