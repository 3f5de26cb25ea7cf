import { describe, expect, it } from "vitest";
import { bestSellersFigure } from "../../../app/lib/admin/best-sellers-figure";
import { strategyFigures } from "../../../app/lib/admin/strategy-figures";

const figure = (ndcg: number) => ({ hr: 0, recall: 0, ndcg, newShare: 0 });
const strategies = (forYou: number) => ({
  strategies: { for_you: figure(forYou), buy_again: figure(forYou), new_for_you: figure(0.09) },
});
const decided = {
  for_you: { served: "model", baseline: "repeat" },
  buy_again: { served: "model", baseline: "repeat" },
  new_for_you: { served: "model", baseline: "repeat" },
};

function recorded(extra: Record<string, unknown>): string {
  return JSON.stringify({
    model: { ...strategies(0.3), firstVisit: { ndcg: 0.1 } },
    baselines: { repeat: strategies(0.27), popularity: { ...strategies(0.07), firstVisit: { ndcg: 0.09 } } },
    strategies: decided,
    firstVisit: { served: "model", baseline: "popularity" },
    ...extra,
  });
}

describe("bestSellersFigure (the holdout group's list on the model page)", () => {
  it("compares best sellers with what treated shoppers get: For you on next orders, the first-visit list on first orders", () => {
    const json = recorded({ bestSellers: { all: { ndcg: 0.075 }, firstVisit: { ndcg: 0.08 } } });
    const figure = bestSellersFigure(json, strategyFigures(json));
    expect(figure).toMatchObject({ all: 0.075, firstVisit: 0.08 });
    expect(figure!.sentence).toBe(
      "Best sellers of the last 90 days (what the holdout group sees when you show it best sellers): 75 % worse than “For you” " +
        "at predicting the next order, and 20 % worse than the list for visitors with no history yet at predicting a first order.",
    );
  });

  it("says better when best sellers win, and leaves out the first-visit part when no first order was measured", () => {
    const json = recorded({
      bestSellers: { all: { ndcg: 0.33 }, firstVisit: { ndcg: 0 } },
      firstVisit: undefined,
    });
    expect(bestSellersFigure(json, strategyFigures(json))!.sentence).toBe(
      "Best sellers of the last 90 days (what the holdout group sees when you show it best sellers): 10 % better than “For you” at predicting the next order.",
    );
  });

  it("has no line for runs recorded before best sellers were measured, or unreadable ones", () => {
    const json = recorded({});
    expect(bestSellersFigure(json, strategyFigures(json))).toBeNull();
    expect(bestSellersFigure("{not json", [])).toBeNull();
  });
});
