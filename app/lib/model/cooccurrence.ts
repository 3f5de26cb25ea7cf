/**
 * Order-level counts that grow as time moves forward: how many orders contain each item, and
 * each pair of items. Both the baselines and the model's features read them, always as of a
 * cutoff, so nothing from the future leaks into a score.
 */
import type { IndexedOrder } from "./types";

export interface CooccurrenceCounts {
  numItems: number;
  /** Orders containing item i. */
  itemOrders: Float32Array;
  /** Row-major numItems × numItems; pair[i * n + j] = orders containing both (diagonal unused). */
  pair: Float32Array;
}

export function emptyCounts(numItems: number): CooccurrenceCounts {
  // Dense on purpose: 4k items = 64 MB and every update is one add. Past ~8k items this
  // should become a sparse top-N neighbour table (see ADR 005).
  return { numItems, itemOrders: new Float32Array(numItems), pair: new Float32Array(numItems * numItems) };
}

export function addOrder(counts: CooccurrenceCounts, items: ArrayLike<number>, sign = 1): void {
  const n = counts.numItems;
  for (let a = 0; a < items.length; a++) {
    const i = items[a] ?? 0;
    counts.itemOrders[i] = (counts.itemOrders[i] ?? 0) + sign;
    const row = i * n;
    for (let b = 0; b < items.length; b++) {
      if (a === b) continue;
      const at = row + (items[b] ?? 0);
      counts.pair[at] = (counts.pair[at] ?? 0) + sign;
    }
  }
}

/** Adds every order with `at < cutoff`, starting from `next`; returns the new position. */
export function advanceCounts(
  counts: CooccurrenceCounts,
  orders: readonly IndexedOrder[],
  next: number,
  cutoff: number,
): number {
  let i = next;
  for (; i < orders.length; i++) {
    const order = orders[i];
    if (!order || order.at >= cutoff) break;
    addOrder(counts, order.items);
  }
  return i;
}

/**
 * Σ over (weighted) history items h of the co-occurrence row of h, into `out`.
 * `cosine` divides each count by √(n_h · n_j), which stops best-sellers from dominating.
 */
export function cooccurrenceScores(
  counts: CooccurrenceCounts,
  history: ReadonlyMap<number, number>,
  cosine: boolean,
  out = new Float32Array(counts.numItems),
): Float32Array {
  const n = counts.numItems;
  out.fill(0);
  const pair = counts.pair;
  for (const [h, weight] of history) {
    const nh = counts.itemOrders[h] ?? 0;
    if (nh <= 0 || weight === 0) continue;
    const row = h * n;
    if (!cosine) {
      for (let j = 0; j < n; j++) out[j]! += weight * pair[row + j]!;
      continue;
    }
    // Accumulate c_hj/√n_h here and divide by √n_j once at the end.
    const scale = weight / Math.sqrt(nh);
    for (let j = 0; j < n; j++) out[j]! += scale * pair[row + j]!;
  }
  if (cosine) {
    for (let j = 0; j < n; j++) {
      const nj = counts.itemOrders[j]!;
      out[j] = nj > 0 ? out[j]! / Math.sqrt(nj) : 0;
    }
  }
  return out;
}
