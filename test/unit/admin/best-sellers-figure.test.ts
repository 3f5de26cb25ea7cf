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
const best = (all: number, firstVisit: number, firstCases = 100) => ({
  bestSellers: { all: { ndcg: all, cases: 100 }, firstVisit: { ndcg: firstVisit, cases: firstCases } },
});

function recorded(extra: Record<string, unknown>): string {
  return JSON.stringify({
    model: { ...strategies(0.3), firstVisit: { ndcg: 0.1 } },
    baselines: { repeat: strategies(0.27), popularity: { ...strategies(0.07), firstVisit: { ndcg: 0.09 } } },
    strategies: decided,
    firstVisit: { served: "model", baseline: "popularity" },
    ...extra,
  });
}
const sentence = (json: string) => bestSellersFigure(json, strategyFigures(json))?.sentence;
const HEAD = "Best sellers of the last 90 days (what the holdout group sees when you show it best sellers): ";

describe("bestSellersFigure (the holdout group's list on the model page)", () => {
  it("compares best sellers with what treated shoppers get: For you on next orders, the first-visit list on first orders", () => {
    const json = recorded(best(0.075, 0.08));
    expect(bestSellersFigure(json, strategyFigures(json))).toMatchObject({ all: 0.075, firstVisit: 0.08 });
    expect(sentence(json)).toBe(
      `${HEAD}75 % worse than “For you” at predicting the next order, ` +
        "and 20 % worse than the list for visitors with no history yet at predicting a first order.",
    );
  });

  it("says better when best sellers win, and counts a measured score of 0 as a score", () => {
    expect(sentence(recorded(best(0.33, 0)))).toBe(
      `${HEAD}10 % better than “For you” at predicting the next order, ` +
        "and 100 % worse than the list for visitors with no history yet at predicting a first order.",
    );
  });

  it("leaves out the first-visit part when no first order was scored", () => {
    expect(sentence(recorded(best(0.075, 0, 0)))).toBe(
      `${HEAD}75 % worse than “For you” at predicting the next order.`,
    );
  });

  it("leaves out the first-visit part when the run recorded no first-visit list", () => {
    expect(sentence(recorded({ ...best(0.075, 0.08), firstVisit: undefined }))).toBe(
      `${HEAD}75 % worse than “For you” at predicting the next order.`,
    );
  });

  it("has no line for runs recorded before best sellers were measured, or unreadable ones", () => {
    const json = recorded({});
    expect(bestSellersFigure(json, strategyFigures(json))).toBeNull();
    expect(bestSellersFigure("{not json", [])).toBeNull();
  });
});
