import { describe, expect, it } from "vitest";
import { catalogCoverage, meanMetrics, newOnlyTargets, scoreRanking } from "../../../app/lib/model/metrics";
import { topK } from "../../../app/lib/model/rank";

describe("scoreRanking (binary relevance, K = 3)", () => {
  it("Given hits at ranks 1 and 3 of two targets, then HR 1, recall 1, NDCG (1 + 1/2) / (1 + 1/log2 3)", () => {
    const m = scoreRanking([7, 8, 9], new Set([7, 9]), 3);
    expect(m.hr).toBe(1);
    expect(m.recall).toBe(1);
    // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309
    expect(m.ndcg).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 6);
  });

  it("caps the ideal DCG at K when there are more targets than slots", () => {
    // 5 targets, K = 2, one hit at rank 2: DCG = 1/log2 3; IDCG = 1 + 1/log2 3 (two slots)
    const m = scoreRanking([1, 2], new Set([2, 3, 4, 5, 6]), 2);
    expect(m.recall).toBeCloseTo(1 / 5, 9);
    expect(m.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 6);
  });

  it("scores a miss as zeros and refuses an empty target set", () => {
    expect(scoreRanking([1, 2, 3], new Set([4]), 3)).toEqual({ hr: 0, recall: 0, ndcg: 0 });
    expect(() => scoreRanking([1], new Set(), 3)).toThrow(RangeError);
  });

  it("only looks at the first K entries", () => {
    expect(scoreRanking([1, 2, 3, 4], new Set([4]), 3).hr).toBe(0);
  });
});

describe("meanMetrics, coverage and the new-only view", () => {
  it("averages per case", () => {
    const mean = meanMetrics([
      { hr: 1, recall: 0.5, ndcg: 0.25 },
      { hr: 0, recall: 0, ndcg: 0 },
    ]);
    expect(mean).toEqual({ hr: 0.5, recall: 0.25, ndcg: 0.125 });
    expect(meanMetrics([])).toEqual({ hr: 0, recall: 0, ndcg: 0 });
  });

  it("coverage is the share of the catalog in any top-K list", () => {
    expect(
      catalogCoverage(
        [
          [0, 1, 2],
          [1, 3],
        ],
        2,
        10,
      ),
    ).toBeCloseTo(3 / 10, 9); // {0,1} ∪ {1,3}
  });

  it("new-only drops past purchases from the targets and skips customers with nothing new", () => {
    expect(newOnlyTargets([1, 2, 3], new Set([2]))).toEqual(new Set([1, 3]));
    expect(newOnlyTargets([2], new Set([2]))).toBeNull();
  });
});

describe("topK", () => {
  it("orders by score, then tiebreak, then lower index, and honours exclusions", () => {
    expect(topK([0.5, 0.9, 0.5, 0.5, 0.1], 4, new Set([1]), [0, 0, 3, 0, 0])).toEqual([2, 0, 3, 4]);
    expect(topK([1, 2], 5)).toEqual([1, 0]);
  });
});
