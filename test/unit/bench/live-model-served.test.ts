import { describe, expect, it } from "vitest";
import { PERSONAL_STRATEGIES, type PersonalStrategy } from "../../../app/lib/model/strategies";
import { LIVE_STRATEGIES, type LiveAnswer, type LiveStrategy } from "../../../bench/live-eval";
import { modelServedRows } from "../../../bench/live-model-served";

const perStrategy = <T>(make: () => T) =>
  Object.fromEntries(PERSONAL_STRATEGIES.map((s) => [s, make()])) as Record<PersonalStrategy, T>;
/** Scores per customer for every list the live bench asks for, as LiveScores keeps them. */
const scoresPerList = () =>
  Object.fromEntries(LIVE_STRATEGIES.map((s) => [s, new Map<string, number>()])) as Record<
    LiveStrategy,
    Map<string, number>
  >;

const answer = (customer: string, strategy: PersonalStrategy, runId: string): LiveAnswer => ({
  customer,
  strategy,
  served: strategy,
  fallback: null,
  ids: [],
  runId,
});

describe("live.before.model_served rows", () => {
  it("keep the baskets answered by runs that served the strategy with their model, with one training and the reference on the same baskets", () => {
    const beforeScores = scoresPerList();
    const atEndScores = scoresPerList();
    const references = perStrategy(() => ({ name: "repeat", byCustomer: new Map<string, number>() }));
    const answers: LiveAnswer[] = [];
    // a and b asked early, when the run served repeat; c and d later, from the model's lists.
    for (const [customer, runId, before, atEnd, reference] of [
      ["a", "early", 0.1, 0.3, 0.1],
      ["b", "early", 0.2, 0.3, 0.2],
      ["c", "late", 0.4, 0.35, 0.3],
      ["d", "late", 0.6, 0.55, 0.5],
    ] as const) {
      answers.push(answer(customer, "for_you", runId));
      beforeScores.for_you.set(customer, before);
      atEndScores.for_you.set(customer, atEnd);
      references.for_you.byCustomer.set(customer, reference);
    }
    const rankerOf = (runId: string) => (runId === "late" ? "model" : "repeat");
    const rows = modelServedRows({
      before: { answers, byCustomer: beforeScores },
      atEnd: { byCustomer: atEndScores },
      rankerOf,
      references,
    });
    // Only for you was asked: the other strategies have no row.
    expect(rows.map((r) => r.id)).toEqual(["live.before.model_served.for_you"]);
    expect(rows[0]).toMatchObject({ value: 0.5, reference: 0.4, ratio: 1.25 });
    expect(rows[0]!.note).toMatch(/^2 of 4 scored baskets/);
    expect(rows[0]!.note).toMatch(/one training on the same baskets 0\.4500 \(1\.125×\)/);
  });

  it("leaves out answers with no run, and customers not scored (the control arm)", () => {
    const beforeScores = scoresPerList();
    const atEndScores = scoresPerList();
    beforeScores.new_for_you.set("scored", 0.5);
    atEndScores.new_for_you.set("scored", 0.4);
    const references = perStrategy(() => ({ name: "cosine", byCustomer: new Map([["scored", 0.25]]) }));
    const answers = [
      answer("control", "new_for_you", "late"),
      { ...answer("scored", "new_for_you", "late"), runId: undefined },
    ];
    const rows = modelServedRows({
      before: { answers, byCustomer: beforeScores },
      atEnd: { byCustomer: atEndScores },
      rankerOf: () => "model",
      references,
    });
    expect(rows).toEqual([]);
  });
});
