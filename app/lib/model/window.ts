/**
 * The training window (issue 18): how much of a shop's history one run may hold. Memory of a
 * run grows with the order lines it loads and with the square of the products it models (the
 * co-occurrence tables are dense), so both are capped from the run's memory budget. The newest
 * history is kept, by one of two rules, then the products most bought inside it. A shop below
 * both caps trains on everything, as before.
 *
 * - "customers" (recommendation training): the most recently active customers, each with their
 *   whole history. The model learns from sequences of a customer's orders, and a day cut leaves
 *   every long-standing customer with only their latest orders; keeping fewer customers whole
 *   scored better on validation (1M-order big shop, NDCG@10 all 0.2969 / new-only 0.0775 against
 *   0.2768 / 0.0597 for the day cut).
 * - "days" (churn): every order placed from a day on. Churn labels need a time cut.
 */
/** TRAIN_MAX_RSS_MB's default: what one training may hold on a worker host. */
export const DEFAULT_TRAIN_BUDGET_MB = 1_536;

export interface WindowCaps {
  /** Order lines the run may load. */
  maxLines: number;
  /** Products the run may model (the most bought in the window). */
  maxItems: number;
}

/** How a window cuts history (see the top of this file). */
export type WindowRule = "customers" | "days";

/** What a run was trained on, for the run record and the admin. */
export interface TrainingWindow {
  rule: WindowRule;
  /**
   * UTC midnight of the cut; null when the whole history fits. "days": the first day of orders
   * kept. "customers": customers whose last order is on or after it are kept, with all their orders.
   */
  since: Date | null;
  /** "customers" only: customers kept and customers in the whole history. */
  customersKept?: number;
  customersTotal?: number;
  /** Products kept, or null when every product fits. */
  items: number | null;
  /**
   * Live products never bought in the window that were left out because the catalog alone is
   * over the product cap (the bought ones all stayed); absent when the cap cut bought products.
   */
  unboughtLeftOut?: number;
  /** Learnable order lines in the whole history. */
  linesTotal: number;
  /** Lines the run really holds: inside the day window and of a kept product. */
  linesKept: number;
  caps: WindowCaps;
  budgetMb: number;
}

/**
 * Memory a run needs besides its data: Node, TensorFlow.js and the networks (measured: about
 * 330 MB on wasm with both networks).
 */
const FIXED_MB = 400;
/** Per loaded order line, through indexing, examples and evaluation (measured on online-retail: ~1.0 KB). */
const BYTES_PER_LINE = 1_100;
/** Per (product × product) cell: the pair counts, their next-order twin and the scoring buffers. */
const BYTES_PER_ITEM_PAIR = 12;
/** Share of the budget the product tables may take; the rest is for lines. */
const ITEM_SHARE = 0.35;

/** The caps a memory budget allows. Both caps shrink together with the budget. */
export function capsForBudget(budgetMb: number): WindowCaps {
  const free = Math.max(64, budgetMb - FIXED_MB) * 1024 * 1024;
  return {
    maxItems: Math.max(500, Math.floor(Math.sqrt((free * ITEM_SHARE) / BYTES_PER_ITEM_PAIR))),
    maxLines: Math.max(20_000, Math.floor((free * (1 - ITEM_SHARE)) / BYTES_PER_LINE)),
  };
}

/**
 * Smaller caps for a run that outgrew its budget anyway (training/memory-guard.ts): half the
 * lines, and half the product tables (the tables grow with the square of the products).
 */
export function halvedCaps(caps: WindowCaps): WindowCaps {
  return {
    maxLines: Math.max(1, Math.floor(caps.maxLines / 2)),
    maxItems: Math.max(1, Math.floor(caps.maxItems / Math.SQRT2)),
  };
}

/**
 * What a window needs to know of a history without loading it. "Inside the cut at `since`" means,
 * by `rule`: placed on or after `since` ("days"), or of a customer whose last order is on or after
 * `since` ("customers").
 */
export interface HistoryCounts {
  rule: WindowRule;
  firstAt: Date;
  lastAt: Date;
  /** Lines inside the cut at `since`. */
  linesSince(since: Date): Promise<number>;
  /** Lines per product inside the cut at `since` (null: all). */
  linesPerProduct(since: Date | null): Promise<Map<string, number>>;
  /** "customers" only: customers whose last order is on or after `since` (null: all). */
  customersSince?(since: Date | null): Promise<number>;
}

const DAY_MS = 86_400_000;
const dayStart = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;

/**
 * The window for a history: the earliest day whose cut fits `maxLines` (a binary search over
 * days, so ~log2(days) counts), then the `maxItems` most bought products in it. Under the
 * "customers" rule the search runs over the day a customer was last active, so customers are
 * kept or dropped whole, the most recently active first. A cut at the last day is kept even when
 * that day alone is over the cap: a run needs some history, and the memory guard still watches.
 */
export async function chooseWindow(
  counts: HistoryCounts,
  budgetMb: number,
  caps: WindowCaps = capsForBudget(budgetMb),
): Promise<{ window: TrainingWindow; keep: ReadonlySet<string> | null }> {
  const first = dayStart(counts.firstAt.getTime());
  const linesTotal = await counts.linesSince(new Date(first));
  let since: Date | null = null;
  let linesKept = linesTotal;
  if (linesTotal > caps.maxLines) {
    // Invariant: lines since `high` fit, lines since `low` do not.
    let low = first;
    let high = dayStart(counts.lastAt.getTime());
    while (high - low > DAY_MS) {
      const mid = dayStart(low + (high - low) / 2);
      if ((await counts.linesSince(new Date(mid))) <= caps.maxLines) high = mid;
      else low = mid;
    }
    since = new Date(high);
    linesKept = await counts.linesSince(since);
  }
  const perProduct = await counts.linesPerProduct(since);
  let keep: Set<string> | null = null;
  if (perProduct.size > caps.maxItems) {
    const ranked = [...perProduct].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const kept = ranked.slice(0, caps.maxItems);
    keep = new Set(kept.map(([id]) => id));
    // The tail products' lines are dropped too (windowed()), so they are not lines trained on.
    linesKept = kept.reduce((sum, [, lines]) => sum + lines, 0);
  }
  const customers =
    counts.rule === "customers" && counts.customersSince
      ? {
          customersTotal: await counts.customersSince(null),
          customersKept: since ? await counts.customersSince(since) : await counts.customersSince(null),
        }
      : {};
  return {
    window: {
      rule: counts.rule,
      since,
      ...customers,
      items: keep ? keep.size : null,
      linesTotal,
      linesKept,
      caps,
      budgetMb,
    },
    keep,
  };
}

/** The plain words the run record and the admin show. */
export function describeWindow(window: TrainingWindow): string | null {
  if (!window.since && window.items === null) return null;
  const parts: string[] = [];
  const day = window.since?.toISOString().slice(0, 10);
  if (window.since && window.rule === "customers") {
    const kept = window.customersKept !== undefined ? `${window.customersKept.toLocaleString("en")} ` : "";
    const of = window.customersTotal !== undefined ? ` (of ${window.customersTotal.toLocaleString("en")})` : "";
    parts.push(`the whole history of the ${kept}customers${of} last active from ${day} on`);
  } else if (window.since) parts.push(`orders from ${day} on`);
  if (window.items !== null && window.unboughtLeftOut !== undefined) {
    parts.push(
      `${window.items.toLocaleString("en")} products (every product bought, then the newest; ${window.unboughtLeftOut.toLocaleString("en")} never bought left out)`,
    );
  } else if (window.items !== null) {
    parts.push(`the ${window.items.toLocaleString("en")} most bought products`);
  }
  return `Trained on ${parts.join(" and ")} (${window.linesKept.toLocaleString("en")} of ${window.linesTotal.toLocaleString("en")} order lines) to stay within ${window.budgetMb} MB.`;
}

/**
 * Counts over a history that can be read more than once (a generated shop, a file): one pass
 * for the per-day lines (or, under "customers", each customer's last day and lines), one more
 * per product question. Holds only per-day, per-customer and per-product tallies, never the
 * orders.
 */
export function countsOfOrders(
  read: () => Iterable<HistoryOrderLike>,
  rule: WindowRule = "days",
): HistoryCounts & { customersActiveSince(since: Date | null): Set<string> } {
  const perDay = new Map<number, number>();
  const perCustomer = new Map<string, { last: number; lines: number }>();
  let firstAt = Infinity;
  let lastAt = -Infinity;
  for (const order of read()) {
    const at = order.at.getTime();
    firstAt = Math.min(firstAt, at);
    lastAt = Math.max(lastAt, at);
    perDay.set(dayStart(at), (perDay.get(dayStart(at)) ?? 0) + order.items.length);
    if (rule === "customers") {
      const seen = perCustomer.get(order.customerId);
      if (seen) {
        seen.last = Math.max(seen.last, at);
        seen.lines += order.items.length;
      } else perCustomer.set(order.customerId, { last: at, lines: order.items.length });
    }
  }
  const customersActiveSince = (since: Date | null) => {
    const kept = new Set<string>();
    for (const [id, c] of perCustomer) if (!since || c.last >= since.getTime()) kept.add(id);
    return kept;
  };
  const inside = (order: HistoryOrderLike, since: Date | null) =>
    !since ||
    (rule === "customers"
      ? (perCustomer.get(order.customerId)?.last ?? -Infinity) >= since.getTime()
      : order.at >= since);
  return {
    rule,
    firstAt: new Date(firstAt),
    lastAt: new Date(lastAt),
    linesSince: async (since) => {
      let lines = 0;
      if (rule === "customers") {
        for (const c of perCustomer.values()) if (c.last >= since.getTime()) lines += c.lines;
      } else {
        for (const [day, n] of perDay) if (day >= since.getTime()) lines += n;
      }
      return lines;
    },
    linesPerProduct: async (since) => {
      const perProduct = new Map<string, number>();
      for (const order of read()) {
        if (!inside(order, since)) continue;
        for (const line of order.items) perProduct.set(line.productId, (perProduct.get(line.productId) ?? 0) + 1);
      }
      return perProduct;
    },
    customersSince: async (since) => customersActiveSince(since).size,
    customersActiveSince,
  };
}

interface HistoryOrderLike {
  customerId: string;
  at: Date;
  items: ReadonlyArray<{ productId: string }>;
}

/**
 * An order as the window keeps it: inside the window, with only the kept products (or null).
 * `since` is a day cut; a customer window passes its kept customers instead (and no `since`).
 */
export function windowed<T extends HistoryOrderLike>(
  order: T,
  since: Date | null,
  keep: ReadonlySet<string> | null,
  customers: ReadonlySet<string> | null = null,
): T | null {
  if (since && order.at < since) return null;
  if (customers && !customers.has(order.customerId)) return null;
  if (!keep) return order;
  const items = order.items.filter((line) => keep.has(line.productId));
  return items.length === 0 ? null : { ...order, items };
}
