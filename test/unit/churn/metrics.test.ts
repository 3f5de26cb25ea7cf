import { describe, expect, it } from "vitest";
import { aucRoc, brier, prAuc } from "../../../app/lib/churn/metrics";

describe("churn metrics, on cases worked out by hand", () => {
  it("AUC: 3 of the 4 positive/negative pairs are ordered right -> 0.75", () => {
    // positives 0.9, 0.4; negatives 0.5, 0.1: pairs (0.9>0.5) (0.9>0.1) (0.4<0.5) (0.4>0.1)
    expect(aucRoc([0.9, 0.4, 0.5, 0.1], [1, 1, 0, 0])).toBeCloseTo(0.75, 12);
  });

  it("AUC: a tie between a positive and a negative earns half a pair", () => {
    // pairs: (0.8>0.2) = 1, (0.5=0.5) = 0.5 for positive 0.5 vs negative 0.5, (0.8>0.5) 1, (0.5>0.2) 1 -> 3.5/4
    expect(aucRoc([0.8, 0.5, 0.5, 0.2], [1, 1, 0, 0])).toBeCloseTo(0.875, 12);
  });

  it("AUC is undefined with one class only", () => {
    expect(aucRoc([0.1, 0.2], [1, 1])).toBeNaN();
  });

  it("PR-AUC (average precision): positives at ranks 1 and 3 -> (1/1 + 2/3) / 2", () => {
    expect(prAuc([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo((1 + 2 / 3) / 2, 12);
  });

  it("PR-AUC counts a tie group at its end: both tied at the top, one positive -> 1/2", () => {
    expect(prAuc([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12);
  });

  it("Brier: ((0.8-1)^2 + (0.3-0)^2) / 2 = 0.065", () => {
    expect(brier([0.8, 0.3], [1, 0])).toBeCloseTo(0.065, 12);
  });

  it("rejects scores and labels of different lengths", () => {
    expect(() => brier([0.1], [1, 0])).toThrow(RangeError);
  });
});

describe("churn metrics on degenerate input", () => {
  it("finishes on NaN scores instead of looping", () => {
    // NaN never equals itself, which once kept the tie loop from advancing.
    expect(typeof aucRoc([Number.NaN, Number.NaN, 0.2], [1, 0, 0])).toBe("number");
    expect(typeof prAuc([Number.NaN, 0.3], [1, 0])).toBe("number");
  });
});
