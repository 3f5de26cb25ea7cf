import type { TrainAndEvaluateResult, TrainedRecommender } from "../model/evaluate";
import { personalListsForCustomers, rankForHistory, relatedForProducts } from "../model/lists";
import type { RunLists } from "../storefront-store/run-lists.server";

/**
 * How many products each list keeps. The block shows at most 12; the rest are spares for the
 * business rules applied at serving time (sold out, already in the cart, excluded).
 */
export const STORED_LIST_LENGTH = 24;

/** The lists the storefront serves, from the rankers this run promoted (per strategy). */
export function buildRunLists(result: TrainAndEvaluateResult, k = STORED_LIST_LENGTH): RunLists {
  return buildListsFor(result.model, k);
}

/** The same lists from any recommender (a fresh run's, or one restored from its artifact). */
export function buildListsFor(model: TrainedRecommender, k = STORED_LIST_LENGTH): RunLists {
  const personal = personalListsForCustomers(model, k);
  return {
    forCustomer: personal.for_you,
    againForCustomer: personal.buy_again,
    newForCustomer: personal.new_for_you,
    related: relatedForProducts(model, k),
    // A visitor with no history: the promoted ranker's answer for an empty basket.
    popular: rankForHistory(model, [], k),
  };
}
