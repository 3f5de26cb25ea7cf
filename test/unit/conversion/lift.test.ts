import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../app/lib/tf/seeded-random";
import { assignArm } from "../../../app/lib/conversion/assignment";
import { conversionLift, revenuePerVisitorLift, type ArmTotals } from "../../../app/lib/conversion/lift";

const arm = (exposedVisitors: number, convertedVisitors: number, revenues: number[] = []): ArmTotals => ({
  exposedVisitors,
  convertedVisitors,
  revenue: revenues.reduce((a, b) => a + b, 0),
  revenueSquares: revenues.reduce((a, b) => a + b * b, 0),
});

describe("conversion lift (two-proportion test)", () => {
  it("matches a case worked by hand", () => {
    // 50/1000 against 30/1000: pooled p = 0.04, SE0 = sqrt(0.04·0.96·2/1000) = 0.0087636,
    // z = 0.02 / 0.0087636 = 2.2822, p = 0.0225; unpooled SE = 0.0087522, CI 0.02 ± 0.017154.
    const lift = conversionLift(arm(1000, 50), arm(1000, 30))!;
    expect(lift.difference).toBeCloseTo(0.02, 10);
    expect(lift.pValue).toBeCloseTo(0.0225, 3);
    expect(lift.significant).toBe(true);
    expect(lift.differenceCi.low).toBeCloseTo(0.002846, 5);
    expect(lift.differenceCi.high).toBeCloseTo(0.037154, 5);
    expect(lift.relativeLift).toBeCloseTo(2 / 3, 10);
    // Katz: log(5/3) ± 1.96·sqrt(0.95/50 + 0.97/30) = 0.51083 ± 0.44408 → [0.0690, 1.5984].
    expect(lift.relativeLiftCi!.low).toBeCloseTo(0.069, 3);
    expect(lift.relativeLiftCi!.high).toBeCloseTo(1.5984, 3);
    expect(lift.moreVisitorsNeeded).toBe(0);
  });

  it("says how many more visitors a small, unclear difference needs", () => {
    const lift = conversionLift(arm(900, 30), arm(100, 3))!;
    expect(lift.significant).toBe(false);
    // Detecting 0.0033 between ~3.3% and 3% at a 90/10 split takes hundreds of thousands more.
    expect(lift.moreVisitorsNeeded).toBeGreaterThan(100_000);
  });

  it("has nothing to say before both arms have exposed visitors", () => {
    expect(conversionLift(arm(10, 1), arm(0, 0))).toBeNull();
  });
});

describe("revenue per visitor lift (delta method)", () => {
  it("matches a case worked by hand", () => {
    // Treatment [0, 10, 20]: mean 10, s² 100. Control [0, 0, 10, 10]: mean 5, s² 33.33.
    // Difference 5 ± 1.96·sqrt(100/3 + 33.33/4) = 5 ± 12.652.
    // Ratio 2, SE 2·sqrt(100/(3·100) + 33.33/(4·25)) = 1.63299: lift 1 ± 3.2006.
    const lift = revenuePerVisitorLift(arm(3, 2, [0, 10, 20]), arm(4, 2, [0, 0, 10, 10]))!;
    expect(lift.treatment).toBeCloseTo(10, 10);
    expect(lift.control).toBeCloseTo(5, 10);
    expect(lift.differenceCi.low).toBeCloseTo(5 - 12.652, 2);
    expect(lift.differenceCi.high).toBeCloseTo(5 + 12.652, 2);
    expect(lift.relativeLift).toBeCloseTo(1, 10);
    expect(lift.relativeLiftCi!.high).toBeCloseTo(1 + 3.2006, 3);
    expect(lift.significant).toBe(false);
    expect(lift.moreVisitorsNeeded).toBeGreaterThan(0);
  });
});

/**
 * Synthetic shoppers, assigned by the real assignment function: each converts with its arm's
 * probability and then spends an exponentially distributed basket (mean 60).
 */
function simulate(seed: number, visitors: number, rates: { treatment: number; control: number }) {
  const next = seededRandom(seed);
  const totals = { treatment: arm(0, 0), control: arm(0, 0) };
  for (let i = 0; i < visitors; i += 1) {
    const which = assignArm({ shop: "sim.myshopify.com", experimentId: `exp-${seed}`, visitorId: `v${i}` });
    const t = totals[which];
    t.exposedVisitors += 1;
    if (next() < rates[which]) {
      const spend = -60 * Math.log(1 - next());
      t.convertedVisitors += 1;
      t.revenue += spend;
      t.revenueSquares += spend * spend;
    }
  }
  return totals;
}

describe("simulated experiments", () => {
  it("with a real effect, finds a positive lift whose CI excludes 0", () => {
    for (const seed of [1, 2, 3]) {
      const { treatment, control } = simulate(seed, 60_000, { treatment: 0.045, control: 0.03 });
      const conversion = conversionLift(treatment, control)!;
      const revenue = revenuePerVisitorLift(treatment, control)!;
      expect(conversion.relativeLift).toBeGreaterThan(0);
      expect(conversion.differenceCi.low).toBeGreaterThan(0);
      expect(conversion.relativeLiftCi!.low).toBeGreaterThan(0);
      expect(conversion.significant).toBe(true);
      expect(revenue.differenceCi.low).toBeGreaterThan(0);
      expect(revenue.relativeLiftCi!.low).toBeGreaterThan(0);
    }
  });

  it("with no effect, the CI includes 0 in the large majority of seeded runs", () => {
    const runs = 40;
    let conversionCovers = 0;
    let revenueCovers = 0;
    for (let seed = 100; seed < 100 + runs; seed += 1) {
      const { treatment, control } = simulate(seed, 8_000, { treatment: 0.03, control: 0.03 });
      const conversion = conversionLift(treatment, control)!;
      const revenue = revenuePerVisitorLift(treatment, control)!;
      if (conversion.differenceCi.low <= 0 && conversion.differenceCi.high >= 0) conversionCovers += 1;
      if (revenue.differenceCi.low <= 0 && revenue.differenceCi.high >= 0) revenueCovers += 1;
    }
    // 95% intervals: about 38 of 40 should cover 0; fewer than 34 would point to a biased formula.
    expect(conversionCovers).toBeGreaterThanOrEqual(34);
    expect(revenueCovers).toBeGreaterThanOrEqual(34);
  });
});
