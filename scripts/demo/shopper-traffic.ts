import { DemoError } from "./errors";
import { seededRandom } from "../../app/lib/tf/seeded-random";
import { createProgress, formatNumber } from "./progress";
import { simulateVisit, type VisitOutcome, type VisitTarget } from "./shopper-visit";
import { popularProducts, runningExperiment, type ShopLookups } from "./storefront-data";

export interface TrafficOptions extends ShopLookups {
  appOrigin: string;
  secret: string;
  visitors: number;
  /** Visitors in flight at once. @defaultValue 8 */
  concurrency?: number;
  /** How long the stored counts may stay short before the demo gives up. @defaultValue 60000 */
  stallMs?: number;
}

/**
 * The funnel as the rollup tables hold it (what the admin dashboard reads), except `orders`:
 * the rollups count the replayed history's orders too, so the shoppers' own are counted by their
 * stored checkout events.
 */
export interface FunnelCounts {
  visitors: number;
  impressions: number;
  clicks: number;
  addToCarts: number;
  orders: number;
  attributedOrders: number;
}

export interface TrafficResult {
  /** Visitors simulated this run: 0 when an earlier run's traffic is already stored. */
  simulated: number;
  stored: FunnelCounts;
  arms: { treatment: number; control: number };
  message: string;
}

const VISITOR_PREFIX = "demo-shopper-";

/**
 * Step 6 of the demo: synthetic shoppers through the app's real endpoints (signed App Proxy
 * calls for recommendations and beacons, signed orders/create webhooks), in both arms of the
 * running holdout experiment; then waits until the worker has rolled the events up. Visitor and
 * order ids are stable, and traffic already stored is not simulated again.
 */
export async function simulateShopperTraffic(options: TrafficOptions): Promise<TrafficResult> {
  const shop = await options.db.shop.findUniqueOrThrow({ where: { domain: options.shop }, select: { id: true } });
  const experiment = await runningExperiment(options);
  const visitorIds = Array.from(
    { length: options.visitors },
    (_, i) => `${VISITOR_PREFIX}${String(i).padStart(4, "0")}`,
  );
  const arms = { treatment: 0, control: 0 };
  for (const id of visitorIds) arms[experiment.armOf(id)] += 1;

  // The app records an exposure for every visitor it answers, so a visitor with no stored event
  // was never simulated (or an interrupted run did not get to them): only those go again.
  const seen = await options.db.event.findMany({
    where: { shopId: shop.id, visitorId: { startsWith: VISITOR_PREFIX } },
    distinct: ["visitorId"],
    select: { visitorId: true },
  });
  const done = new Set(seen.map((e) => e.visitorId));
  const pending = visitorIds.flatMap((id, index) => (done.has(id) ? [] : [index]));
  if (pending.length === 0) {
    const stored = await funnelCounts(options, shop.id);
    return { simulated: 0, stored, arms, message: `already simulated: ${describe(stored)} (nothing sent)` };
  }
  if (done.size > 0) process.stdout.write(`  resuming: ${done.size} of ${visitorIds.length} visitors already stored\n`);

  const products = await popularProducts(options, 40);
  if (products.length === 0) throw new DemoError("The demo shop has no products with orders to show shoppers.");
  const target: VisitTarget = {
    appOrigin: options.appOrigin,
    shop: options.shop,
    secret: options.secret,
    webhookIdPrefix: `affinity-demo-${shop.id}-traffic`,
  };
  const before = await funnelCounts(options, shop.id);
  const sent = await sendVisits(target, visitorIds, pending, products, experiment.armOf, options.concurrency ?? 8);
  const stored = await waitForRollups(options, shop.id, before, sent, options.stallMs ?? 60_000);
  return {
    simulated: pending.length,
    stored,
    arms,
    message: `${describe(stored)}; ${arms.treatment} visitors in treatment, ${arms.control} in control`,
  };
}

async function sendVisits(
  target: VisitTarget,
  visitorIds: string[],
  pending: number[],
  products: Awaited<ReturnType<typeof popularProducts>>,
  armOf: (visitorId: string) => "treatment" | "control",
  concurrency: number,
): Promise<VisitOutcome> {
  const total: VisitOutcome = { shown: 0, impressions: 0, clicks: 0, addToCarts: 0, orders: 0, recOrders: 0 };
  const progress = createProgress({ label: "shopping", total: pending.length, unit: "visitors" });
  progress.update(0);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < pending.length) {
      const index = pending[next++]!;
      const random = seededRandom(index + 1);
      const visitorId = visitorIds[index]!;
      const viewed = products[Math.floor(random() * products.length)]!;
      const outcome = await simulateVisit(target, { index, visitorId, arm: armOf(visitorId), viewed, random });
      for (const key of Object.keys(total) as Array<keyof VisitOutcome>) total[key] += outcome[key];
      progress.update(++done);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    progress.finish();
  }
  return total;
}

/** Polls the rollups until they hold everything sent; a stall that long means the worker is stuck. */
async function waitForRollups(
  options: TrafficOptions,
  shopId: string,
  before: FunnelCounts,
  sent: VisitOutcome,
  stallMs: number,
): Promise<FunnelCounts> {
  const want = {
    impressions: before.impressions + sent.impressions,
    clicks: before.clicks + sent.clicks,
    addToCarts: before.addToCarts + sent.addToCarts,
    attributedOrders: before.attributedOrders + sent.recOrders,
    orders: before.orders + sent.orders,
  };
  let last = "";
  let lastChange = Date.now();
  for (;;) {
    const now = await funnelCounts(options, shopId);
    if ((Object.keys(want) as Array<keyof typeof want>).every((key) => now[key] >= want[key])) return now;
    const seen = JSON.stringify(now);
    if (seen !== last) [last, lastChange] = [seen, Date.now()];
    else if (Date.now() - lastChange > stallMs) {
      throw new DemoError(
        `The rollups stopped at ${describe(now)}, short of what was sent ` +
          `(${sent.impressions} impressions, ${sent.clicks} clicks, ${sent.addToCarts} add-to-carts, ` +
          `${sent.recOrders} orders with a recommendation). See the worker's log.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function funnelCounts(options: ShopLookups, shopId: string): Promise<FunnelCounts> {
  const [sums, orders] = await Promise.all([
    options.db.dailyRollup.aggregate({
      where: { shopId },
      _sum: { exposedVisitors: true, impressions: true, clicks: true, addToCarts: true, attributedOrders: true },
    }),
    options.db.event.count({
      where: { shopId, type: "checkout_completed", visitorId: { startsWith: VISITOR_PREFIX } },
    }),
  ]);
  const s = sums._sum;
  return {
    visitors: s.exposedVisitors ?? 0,
    impressions: s.impressions ?? 0,
    clicks: s.clicks ?? 0,
    addToCarts: s.addToCarts ?? 0,
    orders,
    attributedOrders: s.attributedOrders ?? 0,
  };
}

function describe(c: FunnelCounts): string {
  return (
    `${formatNumber(c.visitors)} exposed visitors, ${formatNumber(c.impressions)} impressions, ` +
    `${formatNumber(c.clicks)} clicks, ${formatNumber(c.addToCarts)} add-to-carts, ` +
    `${formatNumber(c.orders)} orders by these shoppers, ${formatNumber(c.attributedOrders)} attributed orders`
  );
}
