import { describe, expect, it } from "vitest";
import {
  indexBuyerEvents,
  matchBuyerActivity,
  pickExperimentVisitor,
  type StoredEvent,
} from "../../../app/lib/conversion/buyer-match";
import { contributionChange, visitorTotalsChange, NO_CONTRIBUTION } from "../../../app/lib/conversion/contribution";

const placedAt = new Date("2026-03-10T12:00:00Z");
const daysBefore = (days: number) => new Date(placedAt.getTime() - days * 24 * 3600_000);
let n = 0;
const event = (overrides: Partial<StoredEvent>): StoredEvent => ({
  id: `e${n++}`,
  type: "click",
  visitorId: "v1",
  customerShopifyId: null,
  recommendationId: "rec",
  productShopifyId: "101",
  orderShopifyId: null,
  occurredAt: daysBefore(1),
  ...overrides,
});
const order = (customerId: string | null) => ({
  placedAt,
  customerId,
  lines: [{ lineId: "L1", productId: "101", quantity: 1, price: "10.00", properties: [] }],
});

describe("matchBuyerActivity", () => {
  it("given a checkout, the buyer is its visitor and their clicks on the order's products count", () => {
    const events = [
      event({ type: "checkout_completed", orderShopifyId: "9", occurredAt: placedAt }),
      event({ productShopifyId: "101" }),
      event({ productShopifyId: "999" }), // not in the order
      event({ visitorId: "v2" }), // someone else
      event({ occurredAt: daysBefore(8) }), // outside the 7-day window
    ];
    const activity = matchBuyerActivity(indexBuyerEvents(events), "9", order(null), 7);
    expect(activity.visitorIds).toEqual(["v1"]);
    expect(activity.clicks.map((c) => c.productId)).toEqual(["101"]);
  });

  it("without a checkout, a customer's visitors are the buyer, newest first, and another order's checkout is ignored", () => {
    const events = [
      event({ type: "impression", visitorId: "old", customerShopifyId: "5", occurredAt: daysBefore(3) }),
      event({ type: "impression", visitorId: "new", customerShopifyId: "5", occurredAt: daysBefore(1) }),
      event({ type: "checkout_completed", visitorId: "x", orderShopifyId: "8", occurredAt: placedAt }),
    ];
    const activity = matchBuyerActivity(indexBuyerEvents(events), "9", order("5"), 7);
    expect(activity.visitorIds).toEqual(["new", "old"]);
    expect(activity.clicks).toEqual([]);
  });

  it("gives the same answer whatever order the events were read in, and drops repeated rows", () => {
    const events = [
      event({ type: "impression", visitorId: "a", customerShopifyId: "5", occurredAt: daysBefore(2) }),
      event({ type: "click", visitorId: "b", customerShopifyId: "5", occurredAt: daysBefore(2) }),
    ];
    const forward = matchBuyerActivity(indexBuyerEvents(events), "9", order("5"), 7);
    const backward = matchBuyerActivity(indexBuyerEvents([...events, ...events].reverse()), "9", order("5"), 7);
    expect(backward).toEqual(forward);
    expect(forward.clicks).toHaveLength(1);
  });
});

describe("pickExperimentVisitor", () => {
  const entry = (visitorId: string, exposedAt: Date | null, experimentId = "x") => ({
    experimentId,
    visitorId,
    arm: "control",
    exposedAt,
  });
  it("takes the buyer's first exposure before the order, ties by visitor id", () => {
    const candidates = [
      entry("b", daysBefore(5)),
      entry("a", daysBefore(5)),
      entry("c", daysBefore(9)),
      entry("d", null),
      entry("e", daysBefore(-1)),
    ];
    expect(pickExperimentVisitor(candidates, "x", ["a", "b", "d", "e"], placedAt)?.visitorId).toBe("a");
    expect(pickExperimentVisitor(candidates, "x", ["d", "e"], placedAt)).toBeNull();
    expect(pickExperimentVisitor(candidates, "other", ["a"], placedAt)).toBeNull();
  });
});

describe("contribution changes", () => {
  it("an order counted in an arm moves out of one day and into another", () => {
    const before = {
      ...NO_CONTRIBUTION,
      counted: true,
      day: daysBefore(1),
      experimentId: "x",
      visitorId: "v",
      arm: "control",
      revenue: 100_000,
    };
    const after = { ...before, day: placedAt, revenue: 50_000, attributedRevenue: 50_000, attributedLines: "[{}]" };
    const { rollups, visitors } = contributionChange(before, after);
    expect(rollups.map((r) => [r.day, r.orders, r.revenue, r.attributedOrders])).toEqual([
      [daysBefore(1), -1, -100_000, 0],
      [placedAt, 1, 50_000, 1],
    ]);
    expect(visitors.map((v) => v.sign)).toEqual([-1, 1]);
  });

  it("a visitor's changes applied in a row give the arm what one at a time gives", () => {
    const deltas = [
      { experimentId: "x", visitorId: "v", arm: "control", sign: 1 as const, revenue: 100_000 },
      { experimentId: "x", visitorId: "v", arm: "control", sign: -1 as const, revenue: 100_000 },
      { experimentId: "x", visitorId: "v", arm: "control", sign: 1 as const, revenue: 30_000 },
    ];
    // Hand-worked: revenue 0 → 10 → 0 → 3; squares 100 − 100 + 9; converted 1 − 1 + 1.
    expect(visitorTotalsChange({ orders: 0, revenue: 0 }, deltas)).toEqual({
      orders: 1,
      revenue: 30_000,
      convertedVisitors: 1,
      revenueSquares: 9,
    });
  });
});
