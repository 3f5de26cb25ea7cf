/**
 * What the DNN sees for one customer at one moment: a recency-pooled bag of past items (the
 * tower input), a few customer features, and per-item signals the network blends with its
 * own logits: repeat frequency, recency and repurchase cycle, co-occurrence with the
 * customer's items, and shop-wide popularity and trend. All are read strictly before the
 * moment, so the same code builds leak-free training examples and serving inputs.
 */
import { DAY_MS, dayIndex, neighboursAt, type ShopSnapshots } from "./snapshots";

/** Sparse per-item features, in this order (documented in ADR 005). */
export const SPARSE_FEATURES = ["freq", "share", "recent", "recentLong", "cycle", "cooc", "coocRecent"] as const;
/** Dense per-item features read from the day snapshot. */
export const DENSE_FEATURES = ["popularity", "trend"] as const;
export const NUM_ITEM_FEATURES = SPARSE_FEATURES.length + DENSE_FEATURES.length;
export const USER_FEATURES = ["orders", "lastOrderRecency", "repeatRatio", "distinctItems"] as const;

export interface PastPurchase {
  item: number;
  /** Epoch ms. */
  at: number;
  quantity: number;
}

export interface FeatureRow {
  /** Epoch ms of the moment ranked for (the target order's time). */
  at: number;
  day: number;
  /** Tower input: item indices and recency-pooled, L2-normalised weights. */
  inputIndex: Int32Array;
  inputValue: Float32Array;
  /** Items with sparse features; values laid out [feature][k]. */
  featureIndex: Int32Array;
  featureValue: Float32Array;
  user: Float32Array;
}

export interface FeatureOptions {
  /** Half-life-like scale (days) of the tower input's recency weights. @defaultValue 90 */
  inputDays?: number;
  /** Co-occurrence candidates kept besides past items. @defaultValue 150 */
  coocCandidates?: number;
}

interface ItemStats {
  orders: number;
  first: number;
  last: number;
  pooled: number;
}

/** Groups purchases into orders by timestamp (an anonymous history has no order ids). */
function ordersOf(history: readonly PastPurchase[]): Array<{ at: number; items: number[] }> {
  const byTime = new Map<number, Set<number>>();
  for (const p of history) {
    const set = byTime.get(p.at) ?? new Set<number>();
    set.add(p.item);
    byTime.set(p.at, set);
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([at, items]) => ({ at, items: [...items] }));
}

export function buildFeatureRow(
  snapshots: ShopSnapshots,
  history: readonly PastPurchase[],
  at: number,
  scratch: Float32Array,
  options: FeatureOptions = {},
): FeatureRow {
  const { inputDays = 90, coocCandidates = 150 } = options;
  const orders = ordersOf(history.filter((p) => p.at < at));
  const stats = new Map<number, ItemStats>();
  let repeats = 0;
  let laterLines = 0;
  for (const order of orders) {
    const weight = Math.exp(-(at - order.at) / DAY_MS / inputDays);
    for (const item of order.items) {
      const s = stats.get(item);
      if (s) {
        s.orders++;
        s.last = order.at;
        s.pooled += weight;
        repeats++;
      } else stats.set(item, { orders: 1, first: order.at, last: order.at, pooled: weight });
    }
    if (order !== orders[0]) laterLines += order.items.length;
  }

  // Co-occurrence with the customer's items, plain and recency-weighted (scratch holds both).
  const n = snapshots.numItems;
  scratch.fill(0, 0, 2 * n);
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
  const candidates = touched
    .filter((j) => !stats.has(j))
    .sort((a, b) => scratch[b]! - scratch[a]! || a - b)
    .slice(0, coocCandidates);
  const items = [...stats.keys(), ...candidates];
  const m = items.length;
  const featureValue = new Float32Array(SPARSE_FEATURES.length * m);
  const nOrders = orders.length;
  items.forEach((item, k) => {
    const s = stats.get(item);
    if (s) {
      const since = (at - s.last) / DAY_MS;
      featureValue[k] = Math.log1p(s.orders) / Math.log1p(Math.max(nOrders, 1));
      featureValue[m + k] = s.orders / nOrders;
      featureValue[2 * m + k] = Math.exp(-since / 14);
      featureValue[3 * m + k] = Math.exp(-since / 120);
      if (s.orders >= 2) {
        // Repurchase cycle: 1 when the item's usual gap has just elapsed, falling off both ways.
        const gap = (s.last - s.first) / DAY_MS / (s.orders - 1);
        featureValue[4 * m + k] = Math.exp(-Math.abs(Math.log((since + 1) / (gap + 1))));
      }
    }
    featureValue[5 * m + k] = maxPlain > 0 ? scratch[item]! / maxPlain : 0;
    featureValue[6 * m + k] = maxRecent > 0 ? scratch[n + item]! / maxRecent : 0;
  });

  let norm = 0;
  for (const s of stats.values()) norm += s.pooled * s.pooled;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const last = orders[orders.length - 1];
  return {
    at,
    day: dayIndex(snapshots, at),
    inputIndex: Int32Array.from(stats.keys()),
    inputValue: Float32Array.from(stats.values(), (s) => s.pooled * inv),
    featureIndex: Int32Array.from(items),
    featureValue,
    user: Float32Array.from([
      Math.log1p(nOrders) / 4,
      last ? Math.exp(-(at - last.at) / DAY_MS / 30) : 0,
      laterLines > 0 ? repeats / laterLines : 0,
      Math.log1p(stats.size) / 7,
    ]),
  };
}
