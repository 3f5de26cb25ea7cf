import { describe, expect, it } from "vitest";
import {
  attributeOrder,
  type AttributionOrder,
  type RecommendationClick,
} from "../../../app/lib/conversion/attribution";
import { toUnits } from "../../../app/lib/conversion/money";

const placedAt = new Date("2026-03-10T12:00:00Z");
const daysBefore = (days: number) => new Date(placedAt.getTime() - days * 24 * 3600 * 1000);

function order(overrides: Partial<AttributionOrder> = {}): AttributionOrder {
  return {
    placedAt,
    customerId: "555",
    visitorIds: ["v1"],
    cancelled: false,
    test: false,
    lines: [
      { lineId: "L1", productId: "101", quantity: 2, price: "12.50", properties: [] },
      { lineId: "L2", productId: "102", quantity: 1, price: "30.00", properties: [] },
    ],
    ...overrides,
  };
}

const click = (overrides: Partial<RecommendationClick> = {}): RecommendationClick => ({
  productId: "101",
  recommendationId: "rec_click",
  at: daysBefore(1),
  visitorId: "v1",
  customerId: null,
  ...overrides,
});
const none = new Map<string, number>();

describe("order attribution", () => {
  it("direct: a line carrying _affinity_rec is attributed, the others are not", () => {
    const direct = order({
      lines: [
        {
          lineId: "L1",
          productId: "101",
          quantity: 2,
          price: "12.50",
          properties: [{ name: "_affinity_rec", value: "rec_abc" }],
        },
        { lineId: "L2", productId: "102", quantity: 1, price: "30.00", properties: [{ name: "gift", value: "yes" }] },
      ],
    });
    const result = attributeOrder(direct, [], none);
    expect(result.lines).toEqual([
      { lineId: "L1", productId: "101", kind: "direct", recommendationId: "rec_abc", revenue: toUnits("25.00") },
    ]);
    expect(result.attributedRevenue).toBe(toUnits("25.00"));
    expect(result.revenue).toBe(toUnits("55.00"));
  });

  it("click-through inside the window: the same visitor clicked the product 6 days before", () => {
    const result = attributeOrder(order(), [click({ at: daysBefore(6) })], none);
    expect(result.lines.map((l) => [l.lineId, l.kind, l.recommendationId])).toEqual([["L1", "click", "rec_click"]]);
    expect(result.attributedRevenue).toBe(toUnits("25.00"));
  });

  it("click-through by the same logged-in customer on another device", () => {
    const result = attributeOrder(order(), [click({ visitorId: "other-device", customerId: "555" })], none);
    expect(result.attributedRevenue).toBe(toUnits("25.00"));
  });

  it("click-through outside the window, after the order, or by someone else is not attributed", () => {
    const clicks = [
      click({ at: daysBefore(7.01) }),
      click({ at: new Date(placedAt.getTime() + 60_000) }),
      click({ visitorId: "stranger" }),
      click({ productId: "999" }),
    ];
    expect(attributeOrder(order(), clicks, none)).toMatchObject({ attributedRevenue: 0, lines: [] });
  });

  it("honours a shorter configured window", () => {
    expect(attributeOrder(order(), [click({ at: daysBefore(3) })], none, 2).lines).toEqual([]);
    expect(attributeOrder(order(), [click({ at: daysBefore(3) })], none, 7).lines).toHaveLength(1);
  });

  it("a mixed order: only the recommended lines count, by the latest click", () => {
    const clicks = [
      click({ at: daysBefore(4), recommendationId: "old" }),
      click({ at: daysBefore(2), recommendationId: "new" }),
    ];
    const result = attributeOrder(order(), clicks, none);
    expect(result.lines).toEqual([
      { lineId: "L1", productId: "101", kind: "click", recommendationId: "new", revenue: toUnits("25.00") },
    ]);
    expect(result.revenue).toBe(toUnits("55.00"));
  });

  it("a partial refund removes the refunded units only", () => {
    const result = attributeOrder(order(), [click()], new Map([["L1", 1]]));
    expect(result.attributedRevenue).toBe(toUnits("12.50"));
    expect(result.revenue).toBe(toUnits("42.50"));
  });

  it("a fully refunded line is no longer attributed", () => {
    const result = attributeOrder(order(), [click()], new Map([["L1", 2]]));
    expect(result.lines).toEqual([]);
    expect(result.revenue).toBe(toUnits("30.00"));
  });

  it("a cancelled order and a test order count for nothing", () => {
    expect(attributeOrder(order({ cancelled: true }), [click()], none)).toEqual({
      revenue: 0,
      attributedRevenue: 0,
      lines: [],
    });
    expect(attributeOrder(order({ test: true }), [click()], none)).toEqual({
      revenue: 0,
      attributedRevenue: 0,
      lines: [],
    });
  });

  it("is the same result however often it runs (recompute and replace)", () => {
    const first = attributeOrder(order(), [click()], none);
    expect(attributeOrder(order(), [click(), click()], none)).toEqual(first);
  });
});
