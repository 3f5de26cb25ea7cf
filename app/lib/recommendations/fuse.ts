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

/*
 * Score tallies, kept across requests: one per product id, shared by every list that holds the
 * id, and reset lazily by round. Each cached list gets its tallies looked up once; after that a
 * request fuses by walking arrays. (A fresh Map per request spent most of fusion's time growing
 * its table, and a Map lookup per list entry was most of the rest.)
 */
interface Tally {
  id: string;
  score: number;
  round: number;
}
const tallies = new Map<string, Tally>();
/** The tallies of each list, by the list's array: lists are cached and reused as they are. */
const listTallies = new WeakMap<readonly string[], { generation: number; tallies: Tally[] }>();
/** Beyond this many distinct products (across shops) the tallies start over. */
const TALLIES_MAX = 200_000;
/** Bumped when the tallies start over, so lists look theirs up again. */
let generation = 0;
let round = 0;

function talliesOf(ids: readonly string[]): Tally[] {
  const known = listTallies.get(ids);
  if (known?.generation === generation) return known.tallies;
  const found = new Array<Tally>(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    let tally = tallies.get(id);
    if (tally === undefined) tallies.set(id, (tally = { id, score: 0, round: 0 }));
    found[i] = tally;
  }
  listTallies.set(ids, { generation, tallies: found });
  return found;
}

/**
 * Reciprocal-rank fusion: every list votes for its products, more for those near its top.
 * Returns the best `take` products (all of them by default), best first, ties by id.
 */
export function fuseLists(sources: WeightedList[], take = Infinity): string[] {
  if (take <= 0) return [];
  if (tallies.size > TALLIES_MAX) {
    tallies.clear();
    generation++;
  }
  round++;
  const touched: Tally[] = [];
  for (const { ids, weight } of sources) {
    const listed = talliesOf(ids);
    for (let rank = 0; rank < listed.length; rank++) {
      const tally = listed[rank]!;
      if (tally.round !== round) {
        tally.round = round;
        tally.score = 0;
        touched.push(tally);
      }
      tally.score += weight / (RRF_K + rank);
    }
  }
  const kept = touched.length > take ? bestByScore(touched, take) : touched;
  kept.sort(byScore);
  const ranked = new Array<string>(Math.min(kept.length, take));
  for (let i = 0; i < ranked.length; i++) ranked[i] = kept[i]!.id;
  return ranked;
}

/** Higher score first; ties by id, so equal inputs always give the same order. */
const byScore = (a: Tally, b: Tally) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The tallies that can be among the best `take` (every one whose score reaches the take-th
 * best, so ties at the cut are all kept for `byScore` to order). A serving request needs a few
 * dozen of ~150 fused products: selecting them first spares the comparator sort most of its
 * work. Reorders `tallies`.
 */
function bestByScore(tallies: Tally[], take: number): Tally[] {
  const cut = selectScore(tallies, take - 1);
  return tallies.filter((t) => t.score >= cut);
}

/** The score that would sit at `k` (0-based) if `items` were sorted best first (quickselect). */
function selectScore(items: Tally[], k: number): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const pivot = items[(lo + hi) >>> 1]!.score;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (items[i]!.score > pivot) i++;
      while (items[j]!.score < pivot) j--;
      if (i <= j) {
        const swap = items[i]!;
        items[i++] = items[j]!;
        items[j--] = swap;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return items[k]!.score;
  }
  return items[k]!.score;
}
