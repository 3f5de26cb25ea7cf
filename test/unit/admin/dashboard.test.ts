import { describe, expect, it } from "vitest";
import { dashboardSummary } from "../../../app/lib/admin/dashboard";
import type { DayFunnel } from "../../../app/lib/conversion/reports.server";

const day = (date: string, over: Partial<DayFunnel>): DayFunnel => ({
  day: date,
  visitors: 0,
  exposedVisitors: 0,
  productViews: 0,
  impressions: 0,
  clicks: 0,
  addToCarts: 0,
  cartAdds: 0,
  checkouts: 0,
  orders: 0,
  attributedOrders: 0,
  revenue: 0,
  attributedRevenue: 0,
  ...over,
});
const range = { preset: "custom" as const, from: "2026-03-01", to: "2026-03-03", days: 3 };

describe("the dashboard summary", () => {
  it("sums the range and derives rates from the sums, not by averaging days", () => {
    const summary = dashboardSummary(
      range,
      [
        day("2026-03-01", { impressions: 100, clicks: 10, addToCarts: 2, attributedOrders: 1, attributedRevenue: 30 }),
        day("2026-03-03", { impressions: 300, clicks: 6, addToCarts: 4, attributedOrders: 2, attributedRevenue: 45.5 }),
      ],
      [
        { day: "2026-03-01", arm: "treatment", exposedVisitors: 50, orders: 2 },
        { day: "2026-03-01", arm: "control", exposedVisitors: 10, orders: 0 },
        { day: "2026-03-03", arm: "treatment", exposedVisitors: 30, orders: 4 },
      ],
      null,
    );
    expect(summary.totals).toEqual({
      impressions: 400,
      clicks: 16,
      addToCarts: 6,
      attributedOrders: 3,
      attributedRevenue: 75.5,
      clickThroughRate: 16 / 400,
      addToCartRate: 6 / 400,
      // (2 + 4) orders over (50 + 30) visitors, not the mean of 4% and 13.3%.
      conversion: { treatment: 6 / 80, control: 0 },
    });
    // Every day of the range is on the chart; days without rows are zero or gaps.
    expect(summary.chart).toEqual([
      { day: "2026-03-01", attributedRevenue: 30, treatment: 0.04, control: 0 },
      { day: "2026-03-02", attributedRevenue: 0, treatment: null, control: null },
      { day: "2026-03-03", attributedRevenue: 45.5, treatment: 4 / 30, control: null },
    ]);
    expect(summary.empty).toBe(false);
    expect(summary.experiment).toBeNull();
  });

  it("is empty without any activity, and has no rates without impressions", () => {
    const summary = dashboardSummary(range, [], [], null);
    expect(summary.empty).toBe(true);
    expect(summary.totals.clickThroughRate).toBeNull();
    expect(summary.totals.conversion).toEqual({ treatment: null, control: null });
  });
});
