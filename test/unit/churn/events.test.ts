import { describe, expect, it } from "vitest";
import { eventFeatureValues, indexEvents } from "../../../app/lib/churn/events";
import { featuresAsOf, FEATURE_NAMES } from "../../../app/lib/churn/features";
import { DAY_MS } from "../../../app/lib/churn/types";

const T0 = Date.UTC(2024, 0, 1);
const day = (d: number) => new Date(T0 + d * DAY_MS);

describe("churn event features", () => {
  const times = indexEvents([
    { customerId: "A", at: day(50) },
    { customerId: "A", at: day(10) },
    { customerId: "A", at: day(95) },
    { customerId: "A", at: day(120) }, // after the cutoff: never read
    { customerId: "B", at: day(5) },
  ]);

  it("indexes each customer's events in time order", () => {
    expect([...times.get("A")!]).toEqual([10, 50, 95, 120].map((d) => day(d).getTime()));
  });

  it("counts the horizon's events, the days since the last and browsing after the last order, up to the cutoff", () => {
    // Cutoff day 100, horizon 60 days: events on days 50 and 95 are inside (40, 100]; the last is 5 days old,
    // after the last order on day 80.
    const [recent, since, browsed] = eventFeatureValues(times.get("A"), day(80).getTime(), day(100).getTime(), 60);
    expect(recent).toBeCloseTo(Math.log1p(2), 12);
    expect(since).toBeCloseTo(Math.log1p(5), 12);
    expect(browsed).toBe(1);
    // B's one event is 95 days old, before their last order on day 20; the days cap at twice the horizon.
    expect(eventFeatureValues(times.get("B"), day(20).getTime(), day(100).getTime(), 60)).toEqual([
      0,
      Math.log1p(95),
      0,
    ]);
    expect(eventFeatureValues(times.get("B"), day(20).getTime(), day(300).getTime(), 60)[1]).toBeCloseTo(
      Math.log1p(120),
      12,
    );
  });

  it("reads a customer with no events, or none before the cutoff, as long gone", () => {
    expect(eventFeatureValues(undefined, 0, day(100).getTime(), 60)).toEqual([0, Math.log1p(120), 0]);
    expect(eventFeatureValues(times.get("A"), 0, day(9).getTime(), 60)).toEqual([0, Math.log1p(120), 0]);
  });

  it("ends every customer's feature row, under their names", () => {
    const orders = [{ customerId: "A", at: day(80), total: 10 }];
    const [a] = featuresAsOf(orders, day(100).getTime(), 60, times);
    expect(a!.values).toHaveLength(FEATURE_NAMES.length);
    expect(FEATURE_NAMES.slice(-3)).toEqual([
      "log_events_last_horizon",
      "log_days_since_event",
      "browsed_since_last_order",
    ]);
    expect(a!.values.slice(-3)).toEqual(eventFeatureValues(times.get("A"), day(80).getTime(), day(100).getTime(), 60));
  });
});
