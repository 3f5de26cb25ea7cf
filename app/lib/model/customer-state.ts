/**
 * A customer's purchase (and view) history as of a moment, grown one order at a time, so that
 * training can walk a customer's orders in time and read features before each one in O(items
 * of that order) per step.
 */
import { DAY_MS } from "./snapshots";

export interface PastPurchase {
  item: number;
  /** Epoch ms. */
  at: number;
  quantity: number;
}

export interface PastOrder {
  at: number;
  items: readonly number[] | Int32Array;
  /** Units per item, aligned with `items` (1 each when absent). */
  quantities?: ArrayLike<number>;
}

export interface ItemStats {
  orders: number;
  units: number;
  first: number;
  last: number;
  /** Σ exp((t_order − origin)/inputDays): rescaled to any later moment in O(1). */
  pooled: number;
  /** Σ ORDER_DECAY^−k over the customer's orders k containing the item (see orderDecayed). */
  byOrder: number;
  /** Index of the customer's last order containing it. */
  lastOrder: number;
}

/** Per-order decay of the order-position frequency (TIFU-KNN style, Hu et al. 2020). */
export const ORDER_DECAY = 0.85;

/** A shopper's state: what they bought and viewed, strictly before the moment asked about. */
export class CustomerState {
  readonly stats = new Map<number, ItemStats>();
  /** Product views: count and last time, per item (weaker history than purchases). */
  readonly views = new Map<number, { count: number; last: number }>();
  orders = 0;
  firstAt = Infinity;
  lastAt = -Infinity;
  repeats = 0;
  laterLines = 0;
  maxUnits = 0;
  lines = 0;
  private origin: number | null = null;
  /** ORDER_DECAY^−orders, kept with the byOrder sums (rescaled together before overflow). */
  private orderWeight = 1;

  constructor(private readonly inputDays = 90) {}

  add(order: PastOrder): void {
    this.origin ??= order.at;
    // Relative to the first order, so the sum stays finite for decades of history.
    const weight = Math.exp((order.at - this.origin) / DAY_MS / this.inputDays);
    if (this.orders > 0) this.laterLines += order.items.length;
    this.lines += order.items.length;
    if (this.orderWeight > 1e100) {
      this.orderWeight /= 1e100;
      for (const s of this.stats.values()) s.byOrder /= 1e100;
    }
    const orderWeight = this.orderWeight;
    order.items.forEach((item, k) => {
      const units = Math.max(1, order.quantities?.[k] ?? 1);
      const s = this.stats.get(item);
      if (s) {
        s.orders++;
        s.units += units;
        s.last = order.at;
        s.pooled += weight;
        s.byOrder += orderWeight;
        s.lastOrder = this.orders;
        this.repeats++;
      } else {
        const first = { orders: 1, units, first: order.at, last: order.at, pooled: weight };
        this.stats.set(item, { ...first, byOrder: orderWeight, lastOrder: this.orders });
      }
      this.maxUnits = Math.max(this.maxUnits, this.stats.get(item)!.units);
    });
    this.orders++;
    this.orderWeight /= ORDER_DECAY;
    this.firstAt = Math.min(this.firstAt, order.at);
    this.lastAt = order.at;
  }

  addView(item: number, at: number): void {
    const v = this.views.get(item);
    if (v) {
      v.count++;
      v.last = Math.max(v.last, at);
    } else this.views.set(item, { count: 1, last: at });
  }

  /** Σ ORDER_DECAY^(orders since) over the orders containing the item, over its maximum. */
  orderDecayed(s: ItemStats): number {
    // The largest possible sum: the item in every order so far.
    const max = (1 - ORDER_DECAY ** this.orders) / (1 - ORDER_DECAY);
    return (s.byOrder * ORDER_DECAY) / this.orderWeight / Math.max(max, 1e-9);
  }

  /** Pooled weight of an item as of `at` (exp(−age/inputDays) summed over its orders). */
  pooledAt(s: ItemStats, at: number): number {
    return s.pooled * Math.exp(((this.origin ?? at) - at) / DAY_MS / this.inputDays);
  }
}

/** Groups purchases into orders by timestamp (an anonymous history has no order ids). */
export function groupPurchases(history: readonly PastPurchase[]): PastOrder[] {
  const byTime = new Map<number, Map<number, number>>();
  for (const p of history) {
    const order = byTime.get(p.at) ?? new Map<number, number>();
    order.set(p.item, (order.get(p.item) ?? 0) + Math.max(1, p.quantity));
    byTime.set(p.at, order);
  }
  return [...byTime.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([at, items]) => ({ at, items: [...items.keys()], quantities: [...items.values()] }));
}
