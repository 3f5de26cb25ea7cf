/**
 * `live.before.model_served.<strategy>` rows of `npm run bench -- live --read-before` (ADR 005,
 * "Lists read before the basket"). A replayed shop's first runs have too little history to promote
 * the model, and serve a baseline's lists to the baskets they cover; the later runs' weights are
 * up to `--retrain-days` old. These rows keep only the baskets whose list came from a run that
 * served the strategy with its model, and set the one-training figure on the same baskets beside
 * them, both against the same reference per customer: what is left of the difference is the
 * moment and the weights' age, not the early baselines.
 */
import type { PersonalStrategy } from "../app/lib/model/strategies";
import { PERSONAL_STRATEGIES } from "../app/lib/model/strategies";
import { mean, result, type BenchResult } from "./lib";
import type { LiveAnswer, LiveScores } from "./live-eval";

export function modelServedRows(r: {
  /** Lists read before their baskets, each answer tagged with the run that served it. */
  before: Pick<LiveScores, "answers" | "byCustomer">;
  /** The same customers after one training on the whole replay. */
  atEnd: Pick<LiveScores, "byCustomer">;
  /** The ranker a run served a strategy with ("model" or a baseline's name). */
  rankerOf: (runId: string, strategy: PersonalStrategy) => string;
  /** Per strategy, the best baseline's NDCG@10 per scored customer (live-intervals.ts). */
  references: Record<PersonalStrategy, { name: string; byCustomer: ReadonlyMap<string, number> }>;
}): BenchResult[] {
  return PERSONAL_STRATEGIES.flatMap((strategy) => {
    const scored = r.before.byCustomer[strategy];
    const byModel = (a: LiveAnswer) =>
      a.strategy === strategy && a.runId !== undefined && r.rankerOf(a.runId, strategy) === "model";
    const customers = [...new Set(r.before.answers.filter(byModel).map((a) => a.customer))].filter(
      (c) => scored.has(c) && r.atEnd.byCustomer[strategy].has(c) && r.references[strategy].byCustomer.has(c),
    );
    if (customers.length === 0) return [];
    const before = mean(customers.map((c) => scored.get(c)!));
    const atEnd = mean(customers.map((c) => r.atEnd.byCustomer[strategy].get(c)!));
    const reference = mean(customers.map((c) => r.references[strategy].byCustomer.get(c)!));
    const note =
      `${customers.length} of ${scored.size} scored baskets, read before the basket from a run whose ` +
      `${strategy} list was its model's; one training on the same baskets ${atEnd.toFixed(4)} ` +
      `(${(atEnd / reference).toFixed(3)}×); reference: the ${r.references[strategy].name} baseline on them`;
    return [result(`live.before.model_served.${strategy}`, before, "ndcg", reference, note)];
  });
}
