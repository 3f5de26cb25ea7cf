/**
 * Precomputed and online top-K lists from whichever ranker was promoted. Returns productIds;
 * business rules (stock, exclusions, pins) run after this, in the serving layer.
 */
import { baselineScores, type BaselineName, type ScoredList } from "./baselines";
import { advanceCounts, emptyCounts, type CooccurrenceCounts } from "./cooccurrence";
import type { TrainedRecommender } from "./evaluate";
import type { PastPurchase } from "./customer-state";
import { featureRowForHistory } from "./features";
import { topK } from "./rank";
import type { Contender } from "./promote";
import { pastItems } from "./split";
import {
  PERSONAL_STRATEGIES,
  personalLists,
  repeatShare,
  type PersonalLists,
  type PersonalStrategy,
} from "./strategies";
import { ownOrderCounts } from "./sweep";

export interface VisitorEvent {
  productId: string;
  at: Date;
  quantity: number;
  /**
   * What the visitor did. A view is weaker history than a purchase or a cart add, as in
   * training (views have features of their own). @defaultValue "bought"
   */
  kind?: "viewed" | "carted" | "bought";
}

const countsCache = new WeakMap<TrainedRecommender, CooccurrenceCounts>();

/** Counts over the whole history, built once per trained recommender. */
function finalCounts(model: TrainedRecommender): CooccurrenceCounts {
  let counts = countsCache.get(model);
  if (!counts) {
    counts = emptyCounts(model.data.productIds.length);
    advanceCounts(counts, model.data.orders, 0, Infinity);
    countsCache.set(model, counts);
  }
  return counts;
}

/** Just after the shop's last order and the shopper's last event: the moment features are read at. */
function presentOf(model: TrainedRecommender, events: ReadonlyArray<{ at: number }>): number {
  const last = model.data.orders[model.data.orders.length - 1]?.at ?? 0;
  return Math.max(last, ...events.map((e) => e.at)) + 1;
}

/** The network's scores over the catalog for one shopper's history, read just after it. */
function networkScores(
  model: TrainedRecommender,
  dnn: NonNullable<TrainedRecommender["dnn"]>,
  history: readonly PastPurchase[],
  views: ReadonlyArray<{ item: number; at: number }>,
): Float32Array {
  const present = presentOf(model, [...history, ...views]);
  const row = featureRowForHistory(model.snapshots, history, present, model.features, views);
  return dnn.score([row])[0] ?? new Float32Array(model.data.productIds.length);
}

function toIds(model: TrainedRecommender, items: readonly number[]): string[] {
  return items.map((i) => model.data.productIds[i] ?? "");
}

function rankIndices(
  model: TrainedRecommender,
  history: readonly PastPurchase[],
  k: number,
  exclude: ReadonlySet<number>,
  fallback: BaselineName,
  views: ReadonlyArray<{ item: number; at: number }> = [],
): number[] {
  const counts = finalCounts(model);
  if (model.promoted === "model" && model.dnn) {
    return topK(networkScores(model, model.dnn, history, views), k, exclude, counts.itemOrders);
  }
  const own = new Map<number, number>();
  for (const p of history) own.set(p.item, (own.get(p.item) ?? 0) + 1);
  const name = model.promoted === "model" ? fallback : model.promoted;
  const { scores, tiebreak } = baselineScores(name, { counts, ownOrders: own });
  return topK(scores, k, exclude, tiebreak);
}

/**
 * The ranker behind the list for a shopper with no history: the run's decision on first orders
 * (first-visit-eval.ts); for a run recorded before that, the overall winner, as before.
 */
export function firstVisitBy(model: TrainedRecommender): Contender {
  const chosen = model.firstVisit ?? model.promoted;
  return chosen === "model" && !model.dnn ? "popularity" : chosen;
}

/** The list for a shopper the shop knows nothing about ("popular"), from `firstVisitBy`'s ranker. */
export function firstVisitList(model: TrainedRecommender, k: number): string[] {
  const counts = finalCounts(model);
  const ranker = firstVisitBy(model);
  if (ranker === "model" && model.dnn)
    return toIds(model, topK(networkScores(model, model.dnn, [], []), k, undefined, counts.itemOrders));
  // With no history every baseline ranks by popularity.
  const { scores, tiebreak } = baselineScores(ranker === "model" ? "popularity" : ranker, {
    counts,
    ownOrders: new Map(),
  });
  return toIds(model, topK(scores, k, undefined, tiebreak));
}

/**
 * Top-K for an anonymous visitor from their in-browser history (bought, carted or viewed
 * products). One forward pass over the catalog: a few ms on wasm for ~4k items.
 */
export function rankForHistory(
  model: TrainedRecommender,
  history: readonly VisitorEvent[],
  k: number,
  exclude?: ReadonlySet<string>,
): string[] {
  const purchases: PastPurchase[] = [];
  const views: Array<{ item: number; at: number }> = [];
  for (const e of history) {
    const item = model.data.itemIndex.get(e.productId);
    if (item === undefined) continue;
    if (e.kind === "viewed") views.push({ item, at: e.at.getTime() });
    else purchases.push({ item, at: e.at.getTime(), quantity: e.quantity });
  }
  const excluded = new Set<number>();
  for (const id of exclude ?? []) {
    const item = model.data.itemIndex.get(id);
    if (item !== undefined) excluded.add(item);
  }
  return toIds(model, rankIndices(model, purchases, k, excluded, "cosine", views));
}

/** Top-K per known customer over every product (all customers when `customerIds` is omitted). */
export function topKForCustomers(
  model: TrainedRecommender,
  k: number,
  customerIds?: readonly string[],
): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  forEachCustomer(model, customerIds, (id, customer) => {
    const { scores, tiebreak } = customerScores(model, customer, servedBy(model, "for_you"));
    lists.set(id, toIds(model, topK(scores, k, undefined, tiebreak)));
  });
  return lists;
}

/** The ranker each personal strategy is built from: the run's per-strategy decision, else the overall one. */
export function servedBy(model: TrainedRecommender, strategy: PersonalStrategy): Contender {
  const chosen = model.strategies?.[strategy] ?? model.promoted;
  // A model choice without a network (restored without one) falls back to the overall ranker.
  return chosen === "model" && !model.dnn ? (model.promoted === "model" ? "cosine" : model.promoted) : chosen;
}

/**
 * Each known customer's buy-again, new-for-you and for-you lists, built by `personalLists` from
 * the ranker that won that strategy in the run's evaluation: the lists the run measured.
 */
export function personalListsForCustomers(
  model: TrainedRecommender,
  k: number,
  customerIds?: readonly string[],
): Record<PersonalStrategy, Map<string, string[]>> {
  const out = { for_you: new Map(), buy_again: new Map(), new_for_you: new Map() } as Record<
    PersonalStrategy,
    Map<string, string[]>
  >;
  forEachCustomer(model, customerIds, (id, customer, orderIdx) => {
    const past = pastItems(model.data, orderIdx);
    const share = repeatShare(orderIdx.map((i) => model.data.orders[i]?.items ?? []));
    const byRanker = new Map<Contender, PersonalLists>();
    for (const strategy of PERSONAL_STRATEGIES) {
      const ranker = servedBy(model, strategy);
      let lists = byRanker.get(ranker);
      if (!lists) {
        const { scores, tiebreak } = customerScores(model, customer, ranker);
        byRanker.set(ranker, (lists = personalLists(scores, tiebreak, past, share, k, model.mix)));
      }
      out[strategy].set(id, toIds(model, lists[strategy]));
    }
  });
  return out;
}

function forEachCustomer(
  model: TrainedRecommender,
  customerIds: readonly string[] | undefined,
  visit: (id: string, customer: number, orderIdx: number[]) => void,
): void {
  const { data } = model;
  const wanted = customerIds ? new Set(customerIds) : null;
  data.ordersByCustomer.forEach((orderIdx, customer) => {
    const id = data.customerIds[customer] ?? "";
    if (!wanted || wanted.has(id)) visit(id, customer, orderIdx);
  });
}

/** One customer's scores over the catalog from `ranker`, as of the end of the history. */
function customerScores(model: TrainedRecommender, customer: number, ranker: Contender): ScoredList {
  const { data } = model;
  const orderIdx = data.ordersByCustomer[customer] ?? [];
  const counts = finalCounts(model);
  if (ranker === "model" && model.dnn) {
    const history = orderIdx.flatMap((i) => {
      const order = data.orders[i];
      return order
        ? Array.from(order.items, (item, q) => ({ item, at: order.at, quantity: order.quantities[q] ?? 1 }))
        : [];
    });
    const scores = networkScores(model, model.dnn, history, data.viewsByCustomer[customer] ?? []);
    return { scores, tiebreak: counts.itemOrders };
  }
  // Baselines count orders per item, which is what ownOrderCounts gives.
  const name = ranker === "model" ? "cosine" : ranker;
  return baselineScores(name, { counts, ownOrders: ownOrderCounts(data, orderIdx) });
}

/**
 * The ranker behind the related lists: the run's decision on their own evaluation
 * (related-eval.ts); for a run recorded before that, the model when it was promoted, else cosine
 * co-occurrence, because a repeat or popularity list would ignore the product altogether.
 */
export function relatedBy(model: TrainedRecommender): Contender {
  const chosen = model.related ?? (model.promoted === "model" ? "model" : "cosine");
  return chosen === "model" && !model.dnn ? "cosine" : chosen;
}

/**
 * "Customers who bought this also bought" per product: the list for a visitor whose only event
 * is that product, from the ranker `relatedBy` names. The same list the evaluation scores.
 */
export function relatedForProducts(
  model: TrainedRecommender,
  k: number,
  productIds?: readonly string[],
): Map<string, string[]> {
  const ids = productIds ?? model.data.productIds;
  const counts = finalCounts(model);
  const lists = new Map<string, string[]>();
  const now = presentOf(model, []);
  const ranker = relatedBy(model);
  for (const id of ids) {
    const item = model.data.itemIndex.get(id);
    if (item === undefined) continue;
    const self = new Set([item]);
    if (ranker === "model" && model.dnn) {
      const scores = networkScores(model, model.dnn, [{ item, at: now - 1, quantity: 1 }], []);
      lists.set(id, toIds(model, topK(scores, k, self, counts.itemOrders)));
    } else {
      const name = ranker === "model" ? "cosine" : ranker;
      const { scores, tiebreak } = baselineScores(name, { counts, ownOrders: new Map([[item, 1]]) });
      lists.set(id, toIds(model, topK(scores, k, self, tiebreak)));
    }
  }
  return lists;
}
