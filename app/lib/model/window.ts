/**
 * The training window (issue 18): how much of a shop's history one run may hold. Memory of a
 * run grows with the order lines it loads and with the square of the products it models (the
 * co-occurrence tables are dense), so both are capped from the run's memory budget. The newest
 * history is kept: a window that starts at the latest day that still fits the line cap, and the
 * products most bought inside it. A shop below both caps trains on everything, as before.
 */
/** TRAIN_MAX_RSS_MB's default: what one training may hold on a worker host. */
export const DEFAULT_TRAIN_BUDGET_MB = 1_536;

export interface WindowCaps {
  /** Order lines the run may load. */
  maxLines: number;
  /** Products the run may model (the most bought in the window). */
  maxItems: number;
}

/** What a run was trained on, for the run record and the admin. */
export interface TrainingWindow {
  /** First day kept (UTC midnight); null when the whole history fits. */
  since: Date | null;
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

/** What a window needs to know of a history without loading it. */
export interface HistoryCounts {
  firstAt: Date;
  lastAt: Date;
  /** Lines of orders placed on or after `since`. */
  linesSince(since: Date): Promise<number>;
  /** Lines per product of orders placed on or after `since` (null: all). */
  linesPerProduct(since: Date | null): Promise<Map<string, number>>;
}

const DAY_MS = 86_400_000;
const dayStart = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;

/**
 * The window for a history: the earliest day whose lines since fit `maxLines` (a binary search
 * over days, so ~log2(days) counts), then the `maxItems` most bought products in it.
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
  return {
    window: { since, items: keep ? keep.size : null, linesTotal, linesKept, caps, budgetMb },
    keep,
  };
}

/** The plain words the run record and the admin show. */
export function describeWindow(window: TrainingWindow): string | null {
  if (!window.since && window.items === null) return null;
  const parts: string[] = [];
  if (window.since) parts.push(`orders from ${window.since.toISOString().slice(0, 10)} on`);
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
 * for the per-day lines, one more per product question. Holds only per-day and per-product
 * tallies, never the orders.
 */
export function countsOfOrders(read: () => Iterable<HistoryOrderLike>): HistoryCounts {
  const perDay = new Map<number, number>();
  let firstAt = Infinity;
  let lastAt = -Infinity;
  for (const order of read()) {
    const at = order.at.getTime();
    firstAt = Math.min(firstAt, at);
    lastAt = Math.max(lastAt, at);
    perDay.set(dayStart(at), (perDay.get(dayStart(at)) ?? 0) + order.items.length);
  }
  return {
    firstAt: new Date(firstAt),
    lastAt: new Date(lastAt),
    linesSince: async (since) => {
      let lines = 0;
      for (const [day, n] of perDay) if (day >= since.getTime()) lines += n;
      return lines;
    },
    linesPerProduct: async (since) => {
      const perProduct = new Map<string, number>();
      for (const order of read()) {
        if (since && order.at < since) continue;
        for (const line of order.items) perProduct.set(line.productId, (perProduct.get(line.productId) ?? 0) + 1);
      }
      return perProduct;
    },
  };
}

interface HistoryOrderLike {
  at: Date;
  items: ReadonlyArray<{ productId: string }>;
}

/** An order as the window keeps it: inside the window, with only the kept products (or null). */
export function windowed<T extends HistoryOrderLike>(
  order: T,
  since: Date | null,
  keep: ReadonlySet<string> | null,
): T | null {
  if (since && order.at < since) return null;
  if (!keep) return order;
  const items = order.items.filter((line) => keep.has(line.productId));
  return items.length === 0 ? null : { ...order, items };
}
