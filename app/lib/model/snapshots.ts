/**
 * Time-indexed views of the shop used as model features: per-day popularity and trend
 * vectors, and periodic cosine-neighbour tables. Each is built from orders strictly before
 * its boundary, so a feature read "as of" a cutoff never sees the future.
 */
import { addOrder, emptyCounts, type CooccurrenceCounts } from "./cooccurrence";
import type { ShopData } from "./dataset";

export const DAY_MS = 86_400_000;

export interface NeighbourTable {
  /** Epoch ms; built from orders with at < boundary. */
  boundary: number;
  perItem: number;
  /** numItems × perItem neighbour indices (−1 = none) and cosine values, best first. */
  index: Int32Array;
  value: Float32Array;
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

/** Top-`m` cosine neighbours of every item from the counts as they are now. */
export function neighbourTable(counts: CooccurrenceCounts, m: number, boundary: number): NeighbourTable {
  const n = counts.numItems;
  const index = new Int32Array(n * m).fill(-1);
  const value = new Float32Array(n * m);
  const inv = counts.itemOrders.map((c) => (c > 0 ? 1 / Math.sqrt(c) : 0));
  for (let i = 0; i < n; i++) {
    if (inv[i] === 0) continue;
    const row = i * n;
    const base = i * m;
    let filled = 0;
    for (let j = 0; j < n; j++) {
      const c = counts.pair[row + j]!;
      if (c <= 0) continue;
      const v = c * inv[i]! * inv[j]!;
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
  return { boundary, perItem: m, index, value };
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
  const snapshots: ShopSnapshots = { numItems, day0, popularity: [], trend: [], neighbours: [] };
  let added = 0;
  let expired = 0;
  for (let d = 0; d < days; d++) {
    const boundary = day0 + d * DAY_MS;
    for (; added < data.orders.length && data.orders[added]!.at < boundary; added++) {
      const items = data.orders[added]!.items;
      addOrder(counts, items);
      for (const item of items) window[item]!++;
    }
    for (; expired < added && data.orders[expired]!.at < boundary - trendDays * DAY_MS; expired++) {
      for (const item of data.orders[expired]!.items) window[item]!--;
    }
    snapshots.popularity.push(logScaled(counts.itemOrders));
    snapshots.trend.push(logScaled(window));
    if (d % neighbourEveryDays === 0 || d === days - 1) {
      snapshots.neighbours.push(neighbourTable(counts, neighboursPerItem, boundary));
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
