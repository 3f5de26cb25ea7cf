import { describe, expect, it } from "vitest";
import { liftSentence } from "../../../app/lib/admin/lift-sentence";
import type { LiftEstimate } from "../../../app/lib/conversion/lift";

const estimate = (over: Partial<LiftEstimate>): LiftEstimate => ({
  treatment: 0.0427,
  control: 0.041,
  difference: 0.0017,
  differenceCi: { low: -0.001, high: 0.0044 },
  relativeLift: 0.041,
  relativeLiftCi: { low: 0.012, high: 0.07 },
  pValue: 0.01,
  significant: true,
  moreVisitorsNeeded: 0,
  ...over,
});

describe("the lift in plain words", () => {
  it("states a significant lift with its interval, signs and one decimal", () => {
    expect(liftSentence(estimate({}))).toEqual({
      kind: "significant",
      headline: "+4.1% conversion (95% CI +1.2% to +7.0%)",
      detail: null,
    });
    const drop = liftSentence(estimate({ relativeLift: -0.052, relativeLiftCi: { low: -0.09, high: -0.014 } }));
    expect(drop.headline).toBe("−5.2% conversion (95% CI −9.0% to −1.4%)");
  });

  it("says how many more visitors are needed while not significant, with the estimate so far", () => {
    const pending = liftSentence(
      estimate({
        significant: false,
        moreVisitorsNeeded: 3400,
        relativeLiftCi: { low: -0.031, high: 0.074 },
        relativeLift: 0.02,
      }),
    );
    expect(pending).toEqual({
      kind: "pending",
      headline: "Not yet significant: 3,400 more visitors needed",
      detail: "So far +2.0% conversion (95% CI −3.1% to +7.4%).",
    });
    expect(liftSentence(estimate({ significant: false, moreVisitorsNeeded: null })).headline).toBe(
      "Not yet significant: more visitors needed",
    );
    expect(liftSentence(estimate({ significant: false, moreVisitorsNeeded: 1 })).headline).toBe(
      "Not yet significant: 1 more visitor needed",
    );
  });

  it("falls back to percentage points while the control group has no conversions", () => {
    const points = liftSentence(
      estimate({
        relativeLift: null,
        relativeLiftCi: null,
        difference: 0.012,
        differenceCi: { low: 0.003, high: 0.021 },
      }),
      "revenue per visitor",
    );
    expect(points.headline).toBe("+1.20 pts revenue per visitor (95% CI +0.30 pts to +2.10 pts)");
  });

  it("has nothing to compare without visitors in both groups", () => {
    expect(liftSentence(null).kind).toBe("none");
  });
});
