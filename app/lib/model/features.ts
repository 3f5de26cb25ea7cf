/**
 * What the DNN sees for one customer at one moment: a recency-pooled bag of past items (the
 * tower input), a few customer features, and per-item signal channels the network blends with
 * its own logits with per-customer gates:
 *  - repeat: own purchase frequency, share of orders, recency and repurchase cycle;
 *  - discovery: cosine co-occurrence with the customer's items (plain and recency-weighted);
 *  - popularity: shop-wide popularity and 28-day trend (added per batch from the snapshots).
 * Everything is read strictly before the moment, so the same code builds leak-free training
 * examples and serving inputs.
 */
import { DAY_MS, dayIndex, neighboursAt, type ShopSnapshots } from "./snapshots";

/** Sparse channels carried by a row; popularity is the third, dense channel. */
export const CHANNELS = ["repeat", "discovery", "popularity"] as const;
export const USER_FEATURES = ["orders", "lastOrderRecency", "repeatRatio", "distinctItems"] as const;

export interface PastPurchase {
  item: number;
  /** Epoch ms. */
  at: number;
  quantity: number;
}

export interface PastOrder {
  at: number;
  items: readonly number[] | Int32Array;
}

export interface FeatureRow {
  /** Epoch ms of the moment ranked for (the target order's time). */
  at: number;
  day: number;
  /** Tower input: item indices and recency-pooled, L2-normalised weights. */
  inputIndex: Int32Array;
  inputValue: Float32Array;
  /** Items with sparse channel values, laid out [repeat: m][discovery: m]. */
  featureIndex: Int32Array;
  featureValue: Float32Array;
  user: Float32Array;
}

export interface FeatureOptions {
  /** Recency scale (days) of the tower input's weights. @defaultValue 90 */
  inputDays?: number;
  /** Co-occurrence candidates kept besides past items. @defaultValue 150 */
  coocCandidates?: number;
}

/**
 * Fixed mix inside each channel (a hand-set repeat ranker). The network learns how much of
 * each channel a customer needs; mixing inside a channel is fixed because, on wasm, every
 * extra learned [batch × items] channel costs ~25 ms per batch (see ADR 005).
 */
const REPEAT_MIX = { freq: 4, share: 2, recent: 1, recentLong: 2, cycle: 1 };
const DISCOVERY_MIX = { cooc: 3, coocRecent: 1 };
export const POPULARITY_MIX = { popularity: 2, trend: 2 };

interface ItemStats {
  orders: number;
  first: number;
  last: number;
  /** Σ exp((t_order − origin)/inputDays): rescaled to any later moment in O(1). */
  pooled: number;
}

/** A customer's purchase state, grown one order at a time (training walks orders in time). */
export class CustomerState {
  readonly stats = new Map<number, ItemStats>();
  orders = 0;
  lastAt = -Infinity;
  repeats = 0;
  laterLines = 0;
  private origin: number | null = null;

  constructor(private readonly inputDays = 90) {}

  add(order: PastOrder): void {
    this.origin ??= order.at;
    const weight = Math.exp((order.at - this.origin) / DAY_MS / this.inputDays);
    if (this.orders > 0) this.laterLines += order.items.length;
    for (const item of order.items) {
      const s = this.stats.get(item);
      if (s) {
        s.orders++;
        s.last = order.at;
        s.pooled += weight;
        this.repeats++;
      } else this.stats.set(item, { orders: 1, first: order.at, last: order.at, pooled: weight });
    }
    this.orders++;
    this.lastAt = order.at;
  }

  /** Pooled weight of an item as of `at` (exp(−age/inputDays) summed over its orders). */
  pooledAt(s: ItemStats, at: number): number {
    return s.pooled * Math.exp(((this.origin ?? at) - at) / DAY_MS / this.inputDays);
  }
}

/** Groups purchases into orders by timestamp (an anonymous history has no order ids). */
export function groupPurchases(history: readonly PastPurchase[]): PastOrder[] {
  const byTime = new Map<number, Set<number>>();
  for (const p of history) {
    const set = byTime.get(p.at) ?? new Set<number>();
    set.add(p.item);
    byTime.set(p.at, set);
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([at, items]) => ({ at, items: [...items] }));
}

/** The row for `state` (orders strictly before `at` only — the caller's contract). */
export function buildFeatureRow(
  snapshots: ShopSnapshots,
  state: CustomerState,
  at: number,
  /** 2 × numItems zeros, reused across calls (and left zeroed). */
  scratch: Float32Array,
  options: FeatureOptions = {},
): FeatureRow {
  const { coocCandidates = 150 } = options;
  const { stats } = state;
  // Co-occurrence with the customer's items, plain and recency-weighted (scratch holds both).
  const n = snapshots.numItems;
  const table = neighboursAt(snapshots, at);
  const touched: number[] = [];
  if (table) {
    for (const [h, s] of stats) {
      const w = Math.exp(-(at - s.last) / DAY_MS / 30);
      const base = h * table.perItem;
      for (let k = 0; k < table.perItem; k++) {
        const j = table.index[base + k]!;
        if (j < 0) break;
        if (scratch[j] === 0 && scratch[n + j] === 0) touched.push(j);
        scratch[j]! += table.value[base + k]!;
        scratch[n + j]! += w * table.value[base + k]!;
      }
    }
  }
  let maxPlain = 0;
  let maxRecent = 0;
  for (const j of touched) {
    maxPlain = Math.max(maxPlain, scratch[j]!);
    maxRecent = Math.max(maxRecent, scratch[n + j]!);
  }
  const discovery = (j: number) =>
    (maxPlain > 0 ? (DISCOVERY_MIX.cooc * scratch[j]!) / maxPlain : 0) +
    (maxRecent > 0 ? (DISCOVERY_MIX.coocRecent * scratch[n + j]!) / maxRecent : 0);
  // Best co-occurrence candidates the customer has not bought. A native numeric sort finds
  // the cut-off value; sorting or inserting thousands of touched items per row by comparator
  // dominated example building.
  const fresh = touched.filter((j) => !stats.has(j));
  let candidates = fresh;
  if (fresh.length > coocCandidates) {
    const values = Float32Array.from(fresh, (j) => scratch[j]!).sort();
    const threshold = values[values.length - coocCandidates]!;
    candidates = fresh.filter((j) => scratch[j]! >= threshold).slice(0, coocCandidates);
  }
  const items = [...stats.keys(), ...candidates];
  const m = items.length;
  const featureValue = new Float32Array(2 * m);
  const logOrders = Math.log1p(Math.max(state.orders, 1));
  items.forEach((item, k) => {
    const s = stats.get(item);
    if (s) {
      const since = (at - s.last) / DAY_MS;
      let cycle = 0;
      if (s.orders >= 2) {
        // Repurchase cycle: 1 when the item's usual gap has just elapsed, falling off both ways.
        const gap = (s.last - s.first) / DAY_MS / (s.orders - 1);
        cycle = Math.exp(-Math.abs(Math.log((since + 1) / (gap + 1))));
      }
      featureValue[k] =
        (REPEAT_MIX.freq * Math.log1p(s.orders)) / logOrders +
        (REPEAT_MIX.share * s.orders) / state.orders +
        REPEAT_MIX.recent * Math.exp(-since / 14) +
        REPEAT_MIX.recentLong * Math.exp(-since / 120) +
        REPEAT_MIX.cycle * cycle;
    }
    featureValue[m + k] = discovery(item);
  });
  // Leave scratch zeroed for the next row: clearing only what was touched is O(row).
  for (const j of touched) scratch[j] = scratch[n + j] = 0;

  const inputIndex = Int32Array.from(stats.keys());
  const inputValue = Float32Array.from(stats.values(), (s) => state.pooledAt(s, at));
  let norm = 0;
  for (const v of inputValue) norm += v * v;
  if (norm > 0) inputValue.forEach((v, i) => (inputValue[i] = v / Math.sqrt(norm)));
  return {
    at,
    day: dayIndex(snapshots, at),
    inputIndex,
    inputValue,
    featureIndex: Int32Array.from(items),
    featureValue,
    user: Float32Array.from([
      Math.log1p(state.orders) / 4,
      state.orders > 0 ? Math.exp(-(at - state.lastAt) / DAY_MS / 30) : 0,
      state.laterLines > 0 ? state.repeats / state.laterLines : 0,
      Math.log1p(stats.size) / 7,
    ]),
  };
}

/** Serving: a row from a raw purchase list (e.g. an anonymous visitor's browser history). */
export function featureRowForHistory(
  snapshots: ShopSnapshots,
  history: readonly PastPurchase[],
  at: number,
  options: FeatureOptions = {},
): FeatureRow {
  const state = new CustomerState(options.inputDays);
  for (const order of groupPurchases(history.filter((p) => p.at < at))) state.add(order);
  return buildFeatureRow(snapshots, state, at, new Float32Array(2 * snapshots.numItems), options);
}
