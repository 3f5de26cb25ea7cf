import type { RecommendationRequest } from "./request";

/** The precomputed lists a request can draw from, as read from Redis. */
export interface SourceLists {
  /** The logged-in customer's own list, empty for anonymous shoppers. */
  personal: string[];
  /** Related products per seed product (the page's product, cart items, viewed products). */
  related: Map<string, string[]>;
  popular: string[];
  /** What the logged-in customer bought, when the shop does not recommend it again. */
  bought: string[];
  /** The shop's best-sellers: what the holdout group may be shown instead. */
  bestSellers: string[];
}

export interface WeightedList {
  ids: readonly string[];
  weight: number;
}

/*
 * Weights per source. A product page is mostly about that product; a known customer's own list
 * is the strongest signal elsewhere. Viewed products fade with recency (each older view counts
 * HISTORY_DECAY as much as the next), and popularity only fills what is left.
 */
const WEIGHTS = { page: 1, personalOnPage: 0.6, personal: 1, cart: 0.8, history: 0.5, popular: 0.05 };
const HISTORY_DECAY = 0.7;
/** Reciprocal-rank fusion constant: damps the gap between ranks 1 and 2 of any one list. */
const RRF_K = 10;

/** The seed products whose related lists a request needs. */
export function relatedSeeds(request: RecommendationRequest): string[] {
  const seeds = new Set<string>();
  if (request.context === "product" && request.productId) seeds.add(request.productId);
  request.cart.forEach((id) => seeds.add(id));
  request.history.forEach((id) => seeds.add(id));
  return [...seeds];
}

/** Which lists to blend for this request, and how much each counts. */
export function weightedSources(request: RecommendationRequest, lists: SourceLists): WeightedList[] {
  const related = (id: string) => lists.related.get(id) ?? [];
  const onProductPage = request.context === "product" && request.productId !== null;
  const sources: WeightedList[] = [];
  if (onProductPage) sources.push({ ids: related(request.productId!), weight: WEIGHTS.page });
  sources.push({ ids: lists.personal, weight: onProductPage ? WEIGHTS.personalOnPage : WEIGHTS.personal });
  request.cart.forEach((id) => sources.push({ ids: related(id), weight: WEIGHTS.cart / request.cart.length }));
  request.history.forEach((id, i) => sources.push({ ids: related(id), weight: WEIGHTS.history * HISTORY_DECAY ** i }));
  sources.push({ ids: lists.popular, weight: WEIGHTS.popular });
  return sources.filter((s) => s.ids.length > 0);
}

/** Reciprocal-rank fusion: every list votes for its products, more for those near its top. */
export function fuseLists(sources: WeightedList[]): string[] {
  // Plain loops and one numeric sort: this runs on every storefront request.
  const scores = new Map<string, number>();
  for (const { ids, weight } of sources) {
    for (let rank = 0; rank < ids.length; rank++) {
      const id = ids[rank]!;
      scores.set(id, (scores.get(id) ?? 0) + weight / (RRF_K + rank));
    }
  }
  const scored: Array<{ id: string; score: number }> = [];
  for (const [id, score] of scores) scored.push({ id, score });
  scored.sort(byScore);
  const ranked = new Array<string>(scored.length);
  for (let i = 0; i < scored.length; i++) ranked[i] = scored[i]!.id;
  return ranked;
}

/** Higher score first; ties by id, so equal inputs always give the same order. */
const byScore = (a: { id: string; score: number }, b: { id: string; score: number }) =>
  b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
