import { describe, expect, it } from "vitest";
import { segmentSizes } from "../../../app/lib/churn/segment-sizes";
import type { Segment } from "../../../app/lib/churn/segments";
import { DAY_MS, type ChurnOrder } from "../../../app/lib/churn/types";

const day = (n: number) => n * DAY_MS;
const order = (customerId: string, at: number, total: number): ChurnOrder => ({
  customerId,
  at: new Date(day(at)),
  total,
});

describe("segment sizes at the end of each 30-day period", () => {
  // Worked by hand below; horizon 60 days, at risk from 0.5, the top half of active customers by spend are champions.
  const orders = [
    order("A", 10, 50),
    order("A", 100, 50),
    order("B", 130, 100),
    order("B", 135, 100),
    order("B", 165, 100),
    order("C", 170, 20), // exactly on the second date: counted there
    order("D", 120, 10),
    order("D", 138, 10),
    order("E", 190, 30), // after both past dates
  ];
  const current = new Map<string, Segment>([
    ["A", "lapsed"],
    ["B", "at_risk"],
    ["C", "new"],
    ["D", "lapsed"],
    ["E", "new"],
  ]);
  const sizes = segmentSizes(orders, {
    now: day(200),
    horizonDays: 60,
    settings: { atRiskThreshold: 0.5, championShare: 0.5 },
    current,
    // A stand-in for the baseline: more than 20 days since the last order is risky.
    pastRisk: (f) => (f.recencyDays > 20 ? 0.9 : 0.1),
    periods: 3,
  });

  it("dates the points at the ends of the periods, the last at the run's now", () => {
    expect(sizes.asOf).toEqual([day(140), day(170), day(200)]);
  });

  it("applies the segment rules as of each past date and takes today's segments for the last point", () => {
    // Day 140: A (last 100, 2 orders, 40 days: risky) at risk; B (200 spent) and D (20) active,
    //   one champion of three active → B; D 2 days → active. C and E have not ordered yet.
    // Day 170: A 70 days > 60 → lapsed; C one order → new; B and D active, one champion → B
    //   (300); D 32 days → at risk.
    // Day 200: today's map: 2 new, 1 at risk, 2 lapsed.
    expect(sizes.counts).toEqual({
      new: [0, 1, 2],
      active: [1, 0, 0],
      at_risk: [1, 1, 1],
      lapsed: [0, 1, 2],
      champion: [1, 1, 0],
    });
  });

  it("counts nothing for a shop with no orders before the dates", () => {
    const empty = segmentSizes([], {
      now: day(200),
      horizonDays: 60,
      settings: { atRiskThreshold: 0.5, championShare: 0.5 },
      current: new Map(),
      pastRisk: () => 0,
    });
    expect(empty.asOf).toHaveLength(6);
    expect(
      Object.values(empty.counts)
        .flat()
        .every((n) => n === 0),
    ).toBe(true);
  });
});
