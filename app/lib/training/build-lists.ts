import type { TrainedRecommender } from "../model/evaluate";
import type { HistoryOrder } from "../model/types";
import { firstVisitList, personalListsForCustomers, relatedForProducts } from "../model/lists";
import type { CustomerLists, RunLists } from "../storefront-store/run-lists.server";
import { bestSellers, purchasedByCustomer } from "./purchased";

/**
 * How many products each list keeps. The block shows at most 12; the rest are spares for the
 * business rules applied at serving time (sold out, already in the cart, excluded).
 */
export const STORED_LIST_LENGTH = 24;

/**
 * Every list a run stores, built in this one place for a fresh training and for a run restored
 * from its artifact: the model's lists, and what the shop's orders say without a model.
 */
export function runListsFor(
  model: TrainedRecommender,
  orders: readonly HistoryOrder[],
  k = STORED_LIST_LENGTH,
): RunLists {
  return { ...buildListsFor(model, k), bought: purchasedByCustomer(orders), bestSellers: bestSellers(orders, k) };
}

/**
 * Some customers' lists only, built as runListsFor builds theirs: what a refresh after their new
 * orders rewrites. Its cost follows those customers, not the shop's.
 */
export function customerListsFor(
  model: TrainedRecommender,
  orders: readonly HistoryOrder[],
  customers: readonly string[],
  k = STORED_LIST_LENGTH,
): CustomerLists {
  const personal = personalListsForCustomers(model, k, customers);
  const wanted = new Set(customers);
  return {
    forCustomer: personal.for_you,
    againForCustomer: personal.buy_again,
    newForCustomer: personal.new_for_you,
    bought: purchasedByCustomer(orders.filter((o) => wanted.has(o.customerId))),
  };
}

/** The lists the model ranks, from the rankers the run promoted (per strategy). */
export function buildListsFor(model: TrainedRecommender, k = STORED_LIST_LENGTH): RunLists {
  const personal = personalListsForCustomers(model, k);
  return {
    forCustomer: personal.for_you,
    againForCustomer: personal.buy_again,
    newForCustomer: personal.new_for_you,
    related: relatedForProducts(model, k),
    // A visitor with no history: the answer for an empty basket, from the ranker that won on first orders.
    popular: firstVisitList(model, k),
  };
}
