import { describe, expect, it } from "vitest";
import { horizonDays, interOrderDays, percentileOf } from "../../../app/lib/churn/horizon";
import { assignSegments } from "../../../app/lib/churn/segments";
import { churnSettingsFormSchema, churnSettingsSchema } from "../../../app/lib/churn/settings";
import type { ChurnOrder } from "../../../app/lib/churn/types";

const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000);
const order = (customerId: string, d: number): ChurnOrder => ({ customerId, at: day(d), total: 10 });

describe("horizon", () => {
  it("takes the p80 of each customer's gaps: gaps 10,20,30,40,50 -> 40 days", () => {
    const orders = [0, 10, 30, 60].map((d) => order("a", d)).concat([0, 40, 90].map((d) => order("b", d)));
    expect(interOrderDays(orders).sort((x, y) => x - y)).toEqual([10, 20, 30, 40, 50]);
    expect(percentileOf([10, 20, 30, 40, 50], 80)).toBe(40);
    expect(horizonDays(orders)).toBe(40);
  });

  it("clamps to 30..180 days, and a shop without repeats gets 180", () => {
    expect(horizonDays([order("a", 0), order("a", 5)])).toBe(30);
    expect(horizonDays([order("a", 0), order("a", 400)])).toBe(180);
    expect(horizonDays([order("a", 0), order("b", 3)])).toBe(180);
  });
});

describe("segments", () => {
  const settings = { atRiskThreshold: 0.6, championShare: 0.1 };
  const base = { frequency: 3, monetary: 100, risk: 0.1, recencyDays: 5 };

  it("lapsed beyond H, new with one order, at risk over the threshold, champions the top decile", () => {
    const customers = [
      { ...base, customerId: "lapsed", recencyDays: 91 },
      { ...base, customerId: "new", frequency: 1 },
      { ...base, customerId: "risky", risk: 0.6 },
      { ...base, customerId: "rich", monetary: 10_000 },
      ...Array.from({ length: 8 }, (_, i) => ({ ...base, customerId: `c${i}` })),
    ];
    const segments = assignSegments(customers, 90, settings);
    expect(segments.get("lapsed")).toBe("lapsed");
    expect(segments.get("new")).toBe("new");
    expect(segments.get("risky")).toBe("at_risk");
    // 10 active customers -> one champion, the one with the most value.
    expect(segments.get("rich")).toBe("champion");
    expect(segments.get("c0")).toBe("active");
  });

  it("shows a risky champion as at risk", () => {
    const customers = Array.from({ length: 10 }, (_, i) => ({ ...base, customerId: `c${i}`, monetary: i }));
    customers[9]!.risk = 0.9;
    expect(assignSegments(customers, 90, settings).get("c9")).toBe("at_risk");
  });
});

describe("settings", () => {
  it("accepts defaults and rejects out-of-range thresholds with a message", () => {
    expect(churnSettingsSchema.parse({}).atRiskThreshold).toBe(0.6);
    const bad = churnSettingsFormSchema.safeParse({ atRiskThreshold: "1.5", championShare: "0.1" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe("At most 0.95");
    const ok = churnSettingsFormSchema.parse({ atRiskThreshold: "0.7", championShare: "0.2", tagsEnabled: "on" });
    expect(ok).toEqual({ atRiskThreshold: 0.7, championShare: 0.2, tagsEnabled: true, metafieldsEnabled: false });
  });
});
