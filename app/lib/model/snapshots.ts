/**
 * Time-indexed views of the shop used as model features: per-day popularity and trend
 * vectors, and periodic cosine-neighbour tables. Each is built from orders strictly before
 * its boundary, so a feature read "as of" a cutoff never sees the future.
 */
import { addOrder, emptyCounts, type CooccurrenceCounts } from "./cooccurrence";
import type { ShopData } from "./dataset";
import { itemAttributes, type ItemAttributes } from "./item-attributes";

export const DAY_MS = 86_400_000;

export interface NeighbourTable {
  /** Epoch ms; built from orders with at < boundary. */
  boundary: number;
  perItem: number;
  /** numItems × perItem neighbour indices (−1 = none) and cosine values, best first. */
  index: Int32Array;
  value: Float32Array;
  /**
   * Per item: of the customers who bought it, the share who bought it in two or more orders
   * (smoothed). Staples score high, one-off gifts low: it tells repeat from discovery per item.
   */
  repeatRate: Float32Array;
  /**
   * Per item, the items most often in the same customer's *next* order (cosine-normalised,
   * repeats of the item itself left out): "bought A, came back for B" (empty when not built).
   */
  nextIndex: Int32Array;
  nextValue: Float32Array;
}

export interface ShopSnapshots {
  numItems: number;
  /** Midnight (UTC) of the first order's day. */
  day0: number;
  /** Per day d (boundary day0 + d·DAY): log-scaled all-time popularity in [0, 1]. */
  popularity: Float32Array[];
  /** Per day: log-scaled orders in the trailing `trendDays`, in [0, 1]. */
  trend: Float32Array[];
  neighbours: NeighbourTable[];
  /** Epoch ms of each item's first order (Infinity if never ordered): "new product" age. */
  firstSold: Float64Array;
  attributes: ItemAttributes;
  /** Neighbour rows and per-day arrays computed while building (each O(items)): what the work test counts. */
  work: { rows: number; dayArrays: number };
}

export interface SnapshotOptions {
  /** @defaultValue 28 — one month of demand: short enough to see the Christmas ramp. */
  trendDays?: number;
  /** @defaultValue 28 */
  neighbourEveryDays?: number;
  /** @defaultValue 40 */
  neighboursPerItem?: number;
}

function logScaled(counts: Float32Array): Float32Array {
  let max = 0;
  for (const c of counts) if (c > max) max = c;
  const scale = max > 0 ? 1 / Math.log1p(max) : 0;
  return counts.map((c) => Math.log1p(c) * scale);
}

/**
 * Per item in `rows`, the `m` items with the highest c_ij/√(n_i·n_j), best first (−1 pads),
 * written into `index`/`value`; other rows keep what they hold. O(rows × items).
 */
function topNeighbours(
  pair: Float32Array,
  itemOrders: Float32Array,
  m: number,
  rows: Iterable<number>,
  index: Int32Array,
  value: Float32Array,
): number {
  const n = itemOrders.length;
  let work = 0;
  for (const i of rows) {
    const base = i * m;
    index.fill(-1, base, base + m);
    value.fill(0, base, base + m);
    const ni = itemOrders[i]!;
    if (ni <= 0) continue;
    work++;
    const row = i * n;
    let filled = 0;
    for (let j = 0; j < n; j++) {
      const c = pair[row + j]!;
      if (c <= 0) continue;
      const v = c / Math.sqrt(ni * itemOrders[j]!);
      if (filled === m && v <= value[base + m - 1]!) continue;
      let pos = filled < m ? filled++ : m - 1;
      while (pos > 0 && value[base + pos - 1]! < v) {
        value[base + pos] = value[base + pos - 1]!;
        index[base + pos] = index[base + pos - 1]!;
        pos--;
      }
      value[base + pos] = v;
      index[base + pos] = j;
    }
  }
  return work;
}

/**
 * Top-`m` cosine neighbours (same order, and next order when `transitions` is given) of the
 * items in `rows`, copying every other row from `previous`: a row is refreshed when its item
 * sells. Rebuilding every row at every boundary cost (boundaries × items²), which grows with
 * the square of a long history; this costs (items sold × items).
 */
export function neighbourTable(
  counts: CooccurrenceCounts,
  m: number,
  boundary: number,
  options: {
    repeatRate?: Float32Array;
    transitions?: Float32Array;
    previous?: NeighbourTable;
    rows?: Iterable<number>;
    work?: { rows: number };
  } = {},
): NeighbourTable {
  const n = counts.numItems;
  const copy = <T extends Int32Array | Float32Array>(prev: T | undefined, blank: T) =>
    prev && prev.length === blank.length ? (blank.set(prev), blank) : blank;
  const prev = options.previous?.perItem === m ? options.previous : undefined;
  const rows = prev && options.rows ? options.rows : Array.from({ length: n }, (_, i) => i);
  const index = copy(prev?.index, new Int32Array(n * m).fill(-1));
  const value = copy(prev?.value, new Float32Array(n * m));
  let work = topNeighbours(counts.pair, counts.itemOrders, m, rows, index, value);
  const nextIndex = options.transitions ? copy(prev?.nextIndex, new Int32Array(n * m).fill(-1)) : new Int32Array(0);
  const nextValue = options.transitions ? copy(prev?.nextValue, new Float32Array(n * m)) : new Float32Array(0);
  if (options.transitions) work += topNeighbours(options.transitions, counts.itemOrders, m, rows, nextIndex, nextValue);
  if (options.work) options.work.rows += work;
  const repeatRate = options.repeatRate ?? new Float32Array(n);
  return { boundary, perItem: m, index, value, nextIndex, nextValue, repeatRate };
}

/** Builds every snapshot from the first order's day to the day after `until`. */
export function buildSnapshots(data: ShopData, until: number, options: SnapshotOptions = {}): ShopSnapshots {
  const { trendDays = 28, neighbourEveryDays = 28, neighboursPerItem = 40 } = options;
  const numItems = data.productIds.length;
  const first = data.orders[0]?.at ?? until;
  const day0 = Math.floor(first / DAY_MS) * DAY_MS;
  const days = Math.max(1, Math.floor((until - day0) / DAY_MS) + 2);
  const counts = emptyCounts(numItems);
  const window = new Float32Array(numItems);
  const firstSold = new Float64Array(numItems).fill(Infinity);
  const snapshots: ShopSnapshots = {
    numItems,
    day0,
    popularity: [],
    trend: [],
    neighbours: [],
    firstSold,
    attributes: itemAttributes(data),
    work: { rows: 0, dayArrays: 0 },
  };
  // (customer, item) → orders, for the per-item repeat rate: buyers and repeat buyers per item.
  const bought = new Map<number, number>();
  const buyers = new Float32Array(numItems);
  // Dense like the co-occurrence counts (see ADR 005): previous order's items → this order's.
  const transitions = new Float32Array(numItems * numItems);
  const previous = new Map<number, Int32Array>();
  // Items whose rows changed since the last table: the ones sold, and the ones bought before them.
  const dirty = new Set<number>();
  const repeaters = new Float32Array(numItems);
  let added = 0;
  let expired = 0;
  for (let d = 0; d < days; d++) {
    const boundary = day0 + d * DAY_MS;
    const before = { added, expired };
    for (; added < data.orders.length && data.orders[added]!.at < boundary; added++) {
      const order = data.orders[added]!;
      addOrder(counts, order.items);
      for (const a of previous.get(order.customer) ?? []) {
        dirty.add(a);
        for (const b of order.items) if (a !== b) transitions[a * numItems + b]!++;
      }
      for (const item of order.items) dirty.add(item);
      previous.set(order.customer, order.items);
      for (const item of order.items) {
        window[item]!++;
        if (firstSold[item] === Infinity) firstSold[item] = order.at;
        const key = order.customer * numItems + item;
        const times = (bought.get(key) ?? 0) + 1;
        bought.set(key, times);
        if (times === 1) buyers[item]!++;
        if (times === 2) repeaters[item]!++;
      }
    }
    for (; expired < added && data.orders[expired]!.at < boundary - trendDays * DAY_MS; expired++) {
      for (const item of data.orders[expired]!.items) window[item]!--;
    }
    // A day without sales or expiries shares the previous day's arrays: a shop with a long, thin
    // history costs what its orders cost, not (days × items).
    const changed = d === 0 || added !== before.added || expired !== before.expired;
    snapshots.popularity.push(changed ? logScaled(counts.itemOrders) : snapshots.popularity[d - 1]!);
    snapshots.trend.push(changed ? logScaled(window) : snapshots.trend[d - 1]!);
    if (changed) snapshots.work.dayArrays++;
    if ((d % neighbourEveryDays === 0 || d === days - 1) && (dirty.size > 0 || d === 0)) {
      // Smoothed towards 0.3 (a typical share) so an item with two buyers is not 0 or 1.
      const rate = buyers.map((b, j) => (repeaters[j]! + 0.3 * 2) / (b + 2));
      snapshots.neighbours.push(
        neighbourTable(counts, neighboursPerItem, boundary, {
          repeatRate: rate,
          transitions,
          previous: snapshots.neighbours.at(-1),
          rows: [...dirty].sort((x, y) => x - y),
          work: snapshots.work,
        }),
      );
      dirty.clear();
    }
  }
  return snapshots;
}

/** The last day index whose boundary is ≤ `at` (clamped to the snapshots built). */
export function dayIndex(snapshots: ShopSnapshots, at: number): number {
  const d = Math.floor((at - snapshots.day0) / DAY_MS);
  return Math.min(Math.max(d, 0), snapshots.popularity.length - 1);
}

/** The newest neighbour table built strictly from orders before `at`. */
export function neighboursAt(snapshots: ShopSnapshots, at: number): NeighbourTable | undefined {
  let found: NeighbourTable | undefined;
  for (const table of snapshots.neighbours) if (table.boundary <= at) found = table;
  return found;
}

const popularCache = new WeakMap<ShopSnapshots, Map<number, Int32Array>>();

/** The `count` items with the highest popularity + trend on `day` (cached per day's arrays). */
export function popularOn(snapshots: ShopSnapshots, day: number, count: number): Int32Array {
  let byDay = popularCache.get(snapshots);
  if (!byDay) popularCache.set(snapshots, (byDay = new Map()));
  const cached = byDay.get(day);
  if (cached && cached.length >= Math.min(count, snapshots.numItems)) return cached.subarray(0, count);
  const pop = snapshots.popularity[day]!;
  const trend = snapshots.trend[day]!;
  const score = pop.map((p, j) => p + trend[j]!);
  // A native sort finds the cut-off; only the few above it get the comparator sort.
  const sorted = Float32Array.from(score).sort();
  const threshold = Math.max(sorted[Math.max(0, sorted.length - count)] ?? 0, Number.MIN_VALUE);
  const order = Int32Array.from(score.keys())
    .filter((j) => score[j]! >= threshold)
    .sort((a, b) => score[b]! - score[a]! || a - b)
    .slice(0, count);
  byDay.set(day, order);
  return order;
}
