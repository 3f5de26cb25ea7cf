/**
 * Precomputed and online top-K lists from whichever ranker was promoted. Returns productIds;
 * business rules (stock, exclusions, pins) run after this, in the serving layer.
 */
import { baselineScores, type BaselineName } from "./baselines";
import { advanceCounts, emptyCounts, type CooccurrenceCounts } from "./cooccurrence";
import type { TrainedRecommender } from "./evaluate";
import type { PastPurchase } from "./customer-state";
import { featureRowForHistory } from "./features";
import { topK } from "./rank";
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

/** The model's "now": just after the later of its last order and the visitor's last event. */
/** Just after the shop's last order and the shopper's last event: the moment features are read at. */
function presentOf(model: TrainedRecommender, events: ReadonlyArray<{ at: number }>): number {
  const last = model.data.orders[model.data.orders.length - 1]?.at ?? 0;
  return Math.max(last, ...events.map((e) => e.at)) + 1;
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
  if (model.dnn) {
    const present = presentOf(model, [...history, ...views]);
    const row = featureRowForHistory(model.snapshots, history, present, model.features, views);
    const [scores] = model.dnn.score([row]);
    return topK(scores ?? [], k, exclude, counts.itemOrders);
  }
  const own = new Map<number, number>();
  for (const p of history) own.set(p.item, (own.get(p.item) ?? 0) + 1);
  const name = model.promoted === "model" ? fallback : model.promoted;
  const { scores, tiebreak } = baselineScores(name, { counts, ownOrders: own });
  return topK(scores, k, exclude, tiebreak);
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

/** Top-K per known customer (all customers when `customerIds` is omitted). */
export function topKForCustomers(
  model: TrainedRecommender,
  k: number,
  customerIds?: readonly string[],
): Map<string, string[]> {
  const { data } = model;
  const wanted = new Set(customerIds ?? data.customerIds);
  const lists = new Map<string, string[]>();
  data.ordersByCustomer.forEach((orderIdx, customer) => {
    const id = data.customerIds[customer] ?? "";
    if (!wanted.has(id)) return;
    const history = orderIdx.flatMap((i) => {
      const order = data.orders[i];
      return order
        ? Array.from(order.items, (item, q) => ({ item, at: order.at, quantity: order.quantities[q] ?? 1 }))
        : [];
    });
    if (!model.dnn && model.promoted !== "model") {
      // Baselines count orders per item, which is what ownOrderCounts gives.
      const own = ownOrderCounts(data, orderIdx);
      const { scores, tiebreak } = baselineScores(model.promoted, { counts: finalCounts(model), ownOrders: own });
      lists.set(id, toIds(model, topK(scores, k, undefined, tiebreak)));
      return;
    }
    const views = data.viewsByCustomer[customer] ?? [];
    lists.set(id, toIds(model, rankIndices(model, history, k, new Set(), "cosine", views)));
  });
  return lists;
}

/**
 * "Customers who bought this also bought" per product. With the model: the list for a
 * visitor whose only event is that product. With a baseline: cosine co-occurrence, because
 * a repeat or popularity list would ignore the product altogether.
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
  for (const id of ids) {
    const item = model.data.itemIndex.get(id);
    if (item === undefined) continue;
    const self = new Set([item]);
    if (model.dnn) {
      lists.set(id, toIds(model, rankIndices(model, [{ item, at: now - 1, quantity: 1 }], k, self, "cosine")));
    } else {
      const { scores, tiebreak } = baselineScores("cosine", { counts, ownOrders: new Map([[item, 1]]) });
      lists.set(id, toIds(model, topK(scores, k, self, tiebreak)));
    }
  }
  return lists;
}
