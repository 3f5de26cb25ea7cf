import { describe, expect, it } from "vitest";
import { strategyFigures } from "../../../app/lib/admin/strategy-figures";

const figure = (ndcg: number, newShare = 0) => ({ hr: 0, recall: 0, ndcg, newShare });
const strategies = (forYou: number, again: number, fresh: number) => ({
  strategies: { for_you: figure(forYou, 0.15), buy_again: figure(again), new_for_you: figure(fresh, 1) },
});
const run = (decisions: Record<string, { served: string; baseline: string }>, model = strategies(0.3, 0.29, 0.095)) =>
  JSON.stringify({
    model,
    baselines: { repeat: strategies(0.27, 0.27, 0.03), cosine: strategies(0.15, 0.2, 0.07) },
    strategies: decisions,
  });

describe("strategyFigures", () => {
  it("says how much better each model-served strategy is than its best baseline, in the merchant's words", () => {
    const rows = strategyFigures(
      run({
        for_you: { served: "model", baseline: "repeat" },
        buy_again: { served: "model", baseline: "repeat" },
        new_for_you: { served: "model", baseline: "cosine" },
      }),
    );
    expect(rows.map((r) => r.sentence)).toEqual([
      "For you: 11 % better than “Buy again” at predicting the next order.",
      "Buy it again: 7 % better than “Buy again” at predicting what customers buy again.",
      "New for you: 36 % better than “Bought together (normalised)” at predicting the next new product.",
    ]);
    expect(rows[0]).toMatchObject({
      served: "model",
      ndcg: 0.3,
      baseline: "repeat",
      baselineNdcg: 0.27,
      newShare: 0.15,
    });
  });

  it("names the baseline that serves a strategy the model did not win, and why", () => {
    const rows = strategyFigures(
      run(
        {
          for_you: { served: "repeat", baseline: "repeat" },
          buy_again: { served: "repeat", baseline: "repeat" },
          new_for_you: { served: "cosine", baseline: "cosine" },
        },
        strategies(0.26, 0.272, 0.071),
      ),
    );
    expect(rows[0]!.sentence).toBe(
      "For you: served by “Buy again”, because the model was 4 % worse at predicting the next order.",
    );
    expect(rows[1]!.sentence).toBe(
      "Buy it again: served by “Buy again”, because the model was only 1 % better at predicting what customers buy again.",
    );
    expect(rows[2]).toMatchObject({ served: "cosine", ndcg: 0.07 });
  });

  it("explains a run without a model, and shows nothing for runs recorded before strategies or unreadable ones", () => {
    const none = JSON.stringify({
      model: null,
      baselines: { repeat: strategies(0.27, 0.27, 0.03) },
      strategies: {
        for_you: { served: "repeat", baseline: "repeat" },
        buy_again: { served: "repeat", baseline: "repeat" },
        new_for_you: { served: "repeat", baseline: "repeat" },
      },
    });
    expect(strategyFigures(none)[2]!.sentence).toBe(
      "New for you: served by “Buy again” until there is enough history to train the model.",
    );
    expect(strategyFigures(JSON.stringify({ model: null, baselines: {} }))).toEqual([]);
    expect(strategyFigures("{not json")).toEqual([]);
  });
});

describe("strategyFigures: the related lists", () => {
  const personal = {
    for_you: { served: "model", baseline: "repeat" },
    buy_again: { served: "model", baseline: "repeat" },
    new_for_you: { served: "model", baseline: "cosine" },
  };
  const withRelated = (related: { served: string; baseline: string }, modelRelated: number) =>
    JSON.stringify({
      model: { ...strategies(0.3, 0.29, 0.095), related: { ndcg: modelRelated } },
      baselines: {
        repeat: { ...strategies(0.27, 0.27, 0.03), related: { ndcg: 0.05 } },
        cosine: { ...strategies(0.15, 0.2, 0.07), related: { ndcg: 0.1 } },
      },
      strategies: personal,
      related,
    });

  it("adds a fourth line for the related and complete-the-cart lists, from their own evaluation", () => {
    const rows = strategyFigures(withRelated({ served: "model", baseline: "cosine" }, 0.125));
    expect(rows).toHaveLength(4);
    expect(rows[3]).toMatchObject({ strategy: "related", served: "model", ndcg: 0.125, baselineNdcg: 0.1 });
    expect(rows[3]!.sentence).toBe(
      "Related to this product and Complete the cart: 25 % better than “Bought together (normalised)” at predicting what else goes in the same order.",
    );
  });

  it("names the baseline that serves them when the model did not win", () => {
    const rows = strategyFigures(withRelated({ served: "cosine", baseline: "cosine" }, 0.09));
    expect(rows[3]).toMatchObject({ served: "cosine", ndcg: 0.1 });
    expect(rows[3]!.sentence).toBe(
      "Related to this product and Complete the cart: served by “Bought together (normalised)”, because the model was 10 % worse at predicting what else goes in the same order.",
    );
  });

  it("has no related line for runs recorded before it, or when no basket held two products", () => {
    expect(strategyFigures(run(personal))).toHaveLength(3);
    const empty = JSON.parse(withRelated({ served: "cosine", baseline: "cosine" }, 0)) as {
      baselines: Record<string, { related: { ndcg: number } }>;
    };
    empty.baselines.cosine!.related.ndcg = 0;
    expect(strategyFigures(JSON.stringify(empty))).toHaveLength(3);
  });

  it("adds a line for the list of visitors with no history, judged on first orders against the most popular products", () => {
    const recorded = JSON.parse(withRelated({ served: "model", baseline: "cosine" }, 0.125)) as Record<
      string,
      unknown
    > & {
      model: Record<string, unknown>;
      baselines: Record<string, Record<string, unknown>>;
    };
    recorded.model.firstVisit = { ndcg: 0.05 };
    recorded.baselines.popularity = { ...strategies(0.07, 0.06, 0.03), firstVisit: { ndcg: 0.06 } };
    recorded.firstVisit = { served: "popularity", baseline: "popularity" };
    const rows = strategyFigures(JSON.stringify(recorded));
    expect(rows.map((r) => r.strategy)).toEqual(["for_you", "buy_again", "new_for_you", "related", "firstVisit"]);
    expect(rows[4]!.sentence).toBe(
      "Visitors with no history yet: served by “Most popular”, because the model was 17 % worse at predicting a first order.",
    );
  });
});
