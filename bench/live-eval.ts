/**
 * The live evaluation (issue 15): a shop's history is replayed as signed webhooks with each
 * customer's last order held out, the shop is trained through the real worker, and every held-out
 * customer asks the App Proxy, signed as Shopify signs it, for each personal strategy, and, when the
 * held-out basket has two products or more, for the related list of its first product (what the
 * "Related to this product" and "Complete the cart" settings serve). Customers seen once, near the
 * end of the history, are held out whole: each asks, anonymous with nothing viewed, for what a first
 * visit gets (the run's first-visit list). The answers are scored against the held-out orders with
 * the same metric code as the offline evaluation (related-eval.ts, first-visit-eval.ts).
 * Used by `npm run bench -- live` (the whole UCI shop) and by a test (a small slice).
 */
import type { Db } from "../app/lib/database/client.server";
import { assignArm } from "../app/lib/conversion/assignment";
import { meanMetrics, newOnlyTargets, scoreRanking, type RankingMetrics } from "../app/lib/model/metrics";
import type { HistoryOrder } from "../app/lib/model/types";
import type { MetricsRow } from "../app/lib/model/evaluate";
import type { SettingMetrics } from "../app/lib/model/evaluate-lists";
import { PERSONAL_STRATEGIES } from "../app/lib/model/strategies";
import { signAppProxyQuery } from "../dev/app-proxy-signature";
import { productIdFor } from "../scripts/demo/shopify-payloads";
import type { DemoOrder, DemoShopData } from "../scripts/demo/slice-data";
import { runConcurrent } from "./lib";

export const LIVE_K = 10;
/** What the block asks for at most: the answer is scored on its first LIVE_K products. */
export const LIVE_LIMIT = 12;

/** Customers with one order in the newest tenth of the history are the first visits held out. */
export const FIRST_VISIT_SHARE = 0.1;

export interface HeldOut {
  /** Every order but each repeat customer's last and the first visits': what is replayed. */
  replayed: DemoShopData;
  /** Each customer with two or more orders → their last order. */
  last: Map<string, DemoOrder>;
  /**
   * Each customer whose only order is in the newest FIRST_VISIT_SHARE of the orders → that order.
   * The shop never hears of them, so they come as first visitors, as newcomers near a run do.
   */
  firstVisits: Map<string, DemoOrder>;
}

/**
 * Holds out each customer's last order (the README protocol's target), when they have two or more,
 * and, whole, each customer whose only order is in the newest FIRST_VISIT_SHARE of the history.
 */
export function holdOutLastOrders(data: DemoShopData): HeldOut {
  const byCustomer = new Map<string, DemoOrder[]>();
  for (const order of data.orders) {
    const orders = byCustomer.get(order.customer);
    if (orders) orders.push(order);
    else byCustomer.set(order.customer, [order]);
  }
  const times = data.orders.map((o) => o.at).sort();
  const recent = times[Math.floor(times.length * (1 - FIRST_VISIT_SHARE))] ?? "";
  const last = new Map<string, DemoOrder>();
  const firstVisits = new Map<string, DemoOrder>();
  for (const [customer, orders] of byCustomer) {
    if (orders.length >= 2) last.set(customer, orders[orders.length - 1]!);
    else if (orders[0]!.at >= recent) firstVisits.set(customer, orders[0]!);
  }
  const held = new Set([...last.values(), ...firstVisits.values()]);
  const orders = data.orders.filter((o) => !held.has(o));
  // A held-out customer's orders that share their last order's moment are not history either.
  const kept = orders.filter((o) => !(last.get(o.customer)?.at === o.at));
  const used = new Set(kept.flatMap((o) => o.lines.map((l) => l.code)));
  return {
    replayed: { products: data.products.filter((p) => used.has(p.code)), orders: kept },
    last,
    firstVisits,
  };
}

/** The data set's orders as the model layer reads them, with the Shopify ids the replay gives them. */
export function historyOrders(orders: readonly DemoOrder[]): HistoryOrder[] {
  return orders.map((o) => ({
    orderId: o.invoice,
    customerId: o.customer,
    at: new Date(`${o.at}Z`),
    items: o.lines.map((l) => ({ productId: String(productIdFor(l.code)), quantity: l.quantity, price: l.unitPrice })),
  }));
}

export interface LiveTarget {
  origin: string;
  shop: string;
  secret: string;
  db: Db;
}

/** What the live evaluation asks for: each personal strategy, the related list, a first visit's list. */
export const LIVE_STRATEGIES = [...PERSONAL_STRATEGIES, "related", "first_visit"] as const;
export type LiveStrategy = (typeof LIVE_STRATEGIES)[number];

/** A list's offline NDCG@10 in a run's metrics: personal ones in their setting, related and first visits on their own cases. */
export function strategyNdcg(m: MetricsRow | SettingMetrics | null | undefined, strategy: LiveStrategy) {
  if (strategy === "related") return m?.related?.ndcg;
  if (strategy === "first_visit") return m?.firstVisit?.ndcg;
  return m?.strategies[strategy].ndcg;
}

export interface LiveAnswer {
  customer: string;
  strategy: LiveStrategy;
  served: string | null;
  /** Why the answer is not the strategy asked for (the response's `fallback`), if it says. */
  fallback: string | null;
  ids: string[];
  /** The training run whose lists answered, where the bench knows it (lists read before the basket). */
  runId?: string;
}

export interface LiveScores {
  /**
   * Per strategy, over treatment customers: for_you and buy_again in the "all" setting, new_for_you
   * in "new", related against the basket without its first product, first_visit against the
   * held-out first visit's whole order.
   */
  metrics: Record<LiveStrategy, RankingMetrics & { cases: number; served: Record<string, number> }>;
  /** Per strategy, each scored customer's NDCG@LIVE_K: what a paired interval resamples (live-intervals.ts). */
  byCustomer: Record<LiveStrategy, Map<string, number>>;
  /** Customers whose visitor id fell in the control arm: not scored. */
  control: number;
  /** The customers scored (treatment arm): references must be measured on exactly their baskets. */
  scored: Set<string>;
  answers: LiveAnswer[];
}

/** Who one round of asking covers: held-out repeat customers, and held-out first visits. */
export interface LiveAsks {
  customers: readonly string[];
  firstVisits: readonly string[];
}

/** Every held-out customer and first visit: one round after one training. */
export const everyone = (held: HeldOut): LiveAsks => ({
  customers: [...held.last.keys()],
  firstVisits: [...held.firstVisits.keys()],
});

/** Asks the App Proxy, for each customer in `who`, for each strategy it serves them. */
export async function askLive(target: LiveTarget, held: HeldOut, who: LiveAsks, inFlight = 16): Promise<LiveAnswer[]> {
  const past = pastProducts(held.replayed.orders);
  // Only customers the shop knows (they have replayed orders) can be asked for as logged in.
  const customers = who.customers.filter((c) => past.has(c));
  const asks: Array<{ customer: string; strategy: LiveStrategy; productId: string | null }> = customers.flatMap(
    (customer) => {
      const seed = relatedSeedOf(held.last.get(customer)!);
      return [
        ...PERSONAL_STRATEGIES.map((strategy) => ({ customer, strategy, productId: null })),
        ...(seed === null ? [] : [{ customer, strategy: "related" as const, productId: String(seed) }]),
      ];
    },
  );
  for (const customer of who.firstVisits) asks.push({ customer, strategy: "first_visit", productId: null });
  const answers: LiveAnswer[] = new Array(asks.length);
  await runConcurrent(asks.length, inFlight, async (i) => {
    const { customer, strategy, productId } = asks[i]!;
    answers[i] = await ask(target, customer, strategy, productId);
  });
  return answers;
}

/** Scores answers as the offline protocol scores rankings; the holdout's control arm is counted, not scored. */
export async function scoreLive(
  target: LiveTarget,
  held: HeldOut,
  answers: readonly LiveAnswer[],
): Promise<LiveScores> {
  const shopRow = await target.db.shop.findUniqueOrThrow({ where: { domain: target.shop } });
  const experiment = await target.db.experiment.findFirst({
    where: { shopId: shopRow.id },
    orderBy: { startedAt: "desc" },
  });
  const settings = JSON.parse(shopRow.settings || "{}") as { holdoutPercent?: number };
  const inControl = (customer: string) =>
    experiment !== null &&
    assignArm({
      shop: target.shop,
      experimentId: experiment.id,
      visitorId: visitorFor(customer),
      holdoutPercent: settings.holdoutPercent,
    }) === "control";
  return scoreAnswers(answers, held, pastProducts(held.replayed.orders), inControl);
}

export const visitorFor = (customer: string) => `live-visitor-${customer}`;

/** The product in hand for the related list: the basket's first product, as offline (null: one product only). */
export function relatedSeedOf(order: DemoOrder): number | null {
  const products = [...new Set(order.lines.map((l) => productIdFor(l.code)))];
  return products.length >= 2 ? products[0]! : null;
}

async function ask(
  target: LiveTarget,
  customer: string,
  strategy: LiveStrategy,
  productId: string | null,
): Promise<LiveAnswer> {
  // A first visit is what the home page's block asks for a shopper not logged in, with nothing viewed.
  const firstVisit = strategy === "first_visit";
  const query = new URLSearchParams({
    context: productId ? "product" : "home",
    strategy: firstVisit ? "for_you" : strategy,
    limit: String(LIVE_LIMIT),
    visitor: visitorFor(customer),
    ...(productId ? { product_id: productId } : {}),
  });
  const signed = signAppProxyQuery(
    query,
    { shop: target.shop, loggedInCustomerId: firstVisit ? "" : customer },
    target.secret,
  );
  const response = await fetch(`${target.origin}/apps/affinity/recommendations?${signed}`);
  if (!response.ok) throw new Error(`App Proxy answered ${response.status} for customer ${customer} (${strategy})`);
  const body = (await response.json()) as {
    strategy: string | null;
    fallback?: string;
    products: Array<{ id: string }>;
  };
  const ids = body.products.map((p) => p.id);
  return { customer, strategy, served: body.strategy, fallback: body.fallback ?? null, ids };
}

/** Product ids are numbers here: the metric code ranks numbers. */
export function pastProducts(orders: readonly DemoOrder[]): Map<string, Set<number>> {
  const past = new Map<string, Set<number>>();
  for (const o of orders) {
    const set = past.get(o.customer) ?? new Set<number>();
    for (const line of o.lines) set.add(productIdFor(line.code));
    past.set(o.customer, set);
  }
  return past;
}

/** Scores each treatment customer's answers as the offline protocol scores a ranking. */
export function scoreAnswers(
  answers: readonly LiveAnswer[],
  held: HeldOut,
  past: Map<string, Set<number>>,
  inControl: (customer: string) => boolean,
): LiveScores {
  const rows = Object.fromEntries(LIVE_STRATEGIES.map((s) => [s, [] as RankingMetrics[]])) as Record<
    LiveStrategy,
    RankingMetrics[]
  >;
  const byCustomer = Object.fromEntries(LIVE_STRATEGIES.map((s) => [s, new Map<string, number>()])) as Record<
    LiveStrategy,
    Map<string, number>
  >;
  const score = (answer: LiveAnswer, ranked: readonly number[], targets: ReadonlySet<number>) => {
    const m = scoreRanking(ranked, targets, LIVE_K);
    rows[answer.strategy].push(m);
    byCustomer[answer.strategy].set(answer.customer, m.ndcg);
  };
  const served = Object.fromEntries(LIVE_STRATEGIES.map((s) => [s, {} as Record<string, number>]));
  const control = new Set<string>();
  for (const answer of answers) {
    if (inControl(answer.customer)) {
      control.add(answer.customer);
      continue;
    }
    const order = (answer.strategy === "first_visit" ? held.firstVisits : held.last).get(answer.customer)!;
    const targets = [...new Set(order.lines.map((l) => productIdFor(l.code)))];
    const bought = past.get(answer.customer) ?? new Set<number>();
    const ranked = answer.ids.map(Number);
    const tally = served[answer.strategy]!;
    tally[answer.served ?? "none"] = (tally[answer.served ?? "none"] ?? 0) + 1;
    if (answer.strategy === "new_for_you") {
      // The "new only" setting: past purchases leave both the ranking and the targets.
      const fresh = newOnlyTargets(targets, bought);
      if (fresh)
        score(
          answer,
          ranked.filter((id) => !bought.has(id)),
          fresh,
        );
    } else if (answer.strategy === "related") {
      // The related list never holds its own product; the rest of the basket is what it should find.
      const seed = relatedSeedOf(order);
      score(answer, ranked, new Set(targets.filter((t) => t !== seed)));
    } else score(answer, ranked, new Set(targets));
  }
  const metrics = Object.fromEntries(
    LIVE_STRATEGIES.map((s) => [s, { ...meanMetrics(rows[s]), cases: rows[s].length, served: served[s]! }]),
  ) as LiveScores["metrics"];
  const scored = new Set(answers.map((a) => a.customer).filter((c) => !control.has(c)));
  return { metrics, byCustomer, control: control.size, scored, answers: [...answers] };
}
