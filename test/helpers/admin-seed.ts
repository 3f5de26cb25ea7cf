import type { Redis } from "ioredis";
import type { Db } from "../../app/lib/database/client.server";
import type { ArmTotals } from "../../app/lib/conversion/lift";
import { activateRun, writeRunLists } from "../../app/lib/storefront-store/run-lists.server";
import { recordInstall } from "../../app/lib/shops/registry.server";
import { storeOfflineSession } from "./admin-session";

/**
 * A shop as the admin pages find it after some weeks of use, written through the real schema:
 * catalog, import progress, training runs (with their lists in Redis), and the rollups the
 * conversion pipeline keeps. Deterministic, so a test can compute what the page must show.
 */

const PALETTE = ["#f4a261", "#2a9d8f", "#e76f51", "#8ab17d", "#6d597a", "#e9c46a", "#457b9d", "#b56576"];

/** A product photo stand-in: a coloured square with the product's initials, as a data URL. */
function productImage(title: string, index: number): string {
  const initials = title
    .split(" ")
    .map((w) => w[0])
    .join("")
    .slice(0, 2);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80"><rect width="80" height="80" fill="${PALETTE[index % PALETTE.length]}"/>` +
    `<text x="40" y="50" font-family="Arial" font-size="28" fill="white" text-anchor="middle">${initials}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export const SEED_PRODUCTS = [
  "Enamel Coffee Mug",
  "Linen Tea Towel",
  "Ceramic Pour-Over",
  "Oak Serving Board",
  "Beeswax Candle",
  "Wool Throw Blanket",
  "Copper Measuring Cups",
  "Stoneware Bowl Set",
  "Glass Storage Jar",
  "Cotton Apron",
  "Herb Scissors",
  "Walnut Salad Servers",
].map((title, i) => ({ shopifyId: String(7001 + i), title, imageUrl: productImage(title, i) }));

export async function seedShop(db: Db, shop: string): Promise<string> {
  await storeOfflineSession(db, shop);
  const row = await recordInstall(db, shop, new Date("2026-01-05T12:00:00Z"));
  for (const product of SEED_PRODUCTS) {
    await db.product.create({
      data: {
        shopId: row.id,
        shopifyId: product.shopifyId,
        title: product.title,
        handle: product.title.toLowerCase().replaceAll(" ", "-"),
        imageUrl: product.imageUrl,
        shopifyUpdatedAt: new Date("2026-01-05T12:00:00Z"),
      },
    });
  }
  return row.id;
}

export async function seedBackfills(
  db: Db,
  shopId: string,
  rows: Array<{ resource: "products" | "orders"; status: string; objectCount: number; recordsImported: number }>,
) {
  for (const row of rows) {
    await db.backfill.upsert({
      where: { shopId_resource: { shopId, resource: row.resource } },
      create: { shopId, ...row },
      update: row,
    });
  }
}

/** Both imports finished: the catalog and the 1,912 orders the seeded runs trained on. */
export function seedFinishedImport(db: Db, shopId: string) {
  return seedBackfills(db, shopId, [
    {
      resource: "products",
      status: "completed",
      objectCount: SEED_PRODUCTS.length,
      recordsImported: SEED_PRODUCTS.length,
    },
    { resource: "orders", status: "completed", objectCount: 1_912, recordsImported: 1_912 },
  ]);
}

const metrics = (all: number[], fresh: number[], coverage: number) => ({
  all: { hr: all[0]!, recall: all[1]!, ndcg: all[2]! },
  new: { hr: fresh[0]!, recall: fresh[1]!, ndcg: fresh[2]! },
  coverage,
  // Each strategy's list: for you and buy again in the "all" setting, new for you in "new only".
  strategies: {
    for_you: { hr: all[0]!, recall: all[1]!, ndcg: all[2]!, newShare: 0.15 },
    buy_again: { hr: all[0]!, recall: all[1]!, ndcg: all[2]! - 0.003, newShare: 0 },
    new_for_you: { hr: fresh[0]!, recall: fresh[1]!, ndcg: fresh[2]!, newShare: 1 },
  },
});

/** Metrics in the shape run-training.server.ts stores, model first. */
export const SEED_METRICS = {
  model: metrics([0.731, 0.196, 0.281], [0.335, 0.058, 0.076], 0.41),
  baselines: {
    popularity: metrics([0.368, 0.037, 0.069], [0.203, 0.022, 0.032], 0.01),
    cooccurrence: metrics([0.475, 0.071, 0.118], [0.277, 0.042, 0.054], 0.22),
    cosine: metrics([0.498, 0.091, 0.148], [0.324, 0.055, 0.071], 0.35),
    repeat: metrics([0.715, 0.187, 0.27], [0.203, 0.022, 0.032], 0.3),
  },
  strategies: {
    for_you: { served: "model", baseline: "repeat", reason: "model 0.281 vs repeat 0.270" },
    buy_again: { served: "model", baseline: "repeat", reason: "model 0.278 vs repeat 0.267" },
    new_for_you: { served: "model", baseline: "cosine", reason: "model 0.076 vs cosine 0.071" },
  },
  /** The holdout's 90-day best sellers, scored on next orders and first orders. */
  bestSellers: {
    all: { hr: 0.39, recall: 0.04, ndcg: 0.07, cases: 2829 },
    firstVisit: { hr: 0.4, recall: 0.03, ndcg: 0.057, cases: 4334 },
  },
};

/**
 * Two completed runs: an older one that served the "repeat" baseline, and the current one
 * serving the model. Both runs' lists are in Redis, so a rollback can swap them.
 */
export async function seedModelRuns(db: Db, redis: Redis, prefix: string, shop: string, shopId: string) {
  const run = (day: number, served: string, orders: number) =>
    db.modelRun.create({
      data: {
        shopId,
        status: "completed",
        trigger: day === 1 ? "install" : "schedule",
        backend: "wasm",
        served,
        reason:
          served === "model"
            ? "model NDCG@10 0.281 vs repeat 0.270"
            : "model NDCG@10 0.262 does not beat repeat 0.270 by 1%",
        orders,
        customers: Math.round(orders / 4),
        items: SEED_PRODUCTS.length,
        examples: orders - 120,
        durationMs: 84_000 + day * 1000,
        examplesPerSecond: 612,
        metrics: JSON.stringify(
          served === "model"
            ? SEED_METRICS
            : { ...SEED_METRICS, model: metrics([0.7, 0.18, 0.262], [0.3, 0.05, 0.07], 0.4) },
        ),
        startedAt: new Date(`2026-01-0${day}T03:17:00Z`),
        finishedAt: new Date(`2026-01-0${day}T03:18:30Z`),
        createdAt: new Date(`2026-01-0${day}T03:17:00Z`),
      },
    });
  const older = await run(6, "repeat", 1_840);
  const current = await run(7, "model", 1_912);
  const ids = SEED_PRODUCTS.map((p) => p.shopifyId);
  for (const [r, order] of [
    [older, ids],
    [current, [...ids].reverse()],
  ] as const) {
    await writeRunLists(redis, prefix, shop, r.id, { forCustomer: new Map(), related: new Map(), popular: [...order] });
    await activateRun(redis, prefix, shop, r.id);
  }
  await db.shop.update({ where: { id: shopId }, data: { activeModelRunId: current.id, previousModelRunId: older.id } });
  return { older, current };
}

/** Arm totals of the seeded experiment: a lift large enough to be significant. */
export const SEED_ARMS: { treatment: ArmTotals; control: ArmTotals } = {
  treatment: { exposedVisitors: 27_000, convertedVisitors: 1_215, revenue: 72_900, revenueSquares: 5_467_500 },
  control: { exposedVisitors: 3_000, convertedVisitors: 105, revenue: 6_300, revenueSquares: 472_500 },
};

/** A small deterministic generator, so the "random" daily figures are the same every run. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export interface SeededDay {
  day: Date;
  impressions: number;
  clicks: number;
  addToCarts: number;
  attributedOrders: number;
  attributedRevenue: number;
  /** Exposed visitors and their orders, per arm. */
  arms: Record<"treatment" | "control", { exposedVisitors: number; orders: number }>;
}

/**
 * The conversion tables for the `days` days up to `today`: one running experiment with its arm
 * totals, a rollup row per day and arm, the attribution rows of the orders the block earned,
 * and one order so the shop's currency is known. Returns the per-day figures written.
 */
export async function seedConversion(db: Db, shopId: string, today: Date, days = 30, currency = "EUR") {
  const random = seeded(42);
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - (days - 1) * 86_400_000;
  const experiment = await db.experiment.create({
    data: { shopId, holdoutPercent: 10, startedAt: new Date(start), runningShopId: shopId },
  });
  for (const arm of ["treatment", "control"] as const) {
    const t = SEED_ARMS[arm];
    await db.experimentArmTotal.create({
      data: {
        experimentId: experiment.id,
        arm,
        visitors: t.exposedVisitors + 200,
        exposedVisitors: t.exposedVisitors,
        convertedVisitors: t.convertedVisitors,
        orders: t.convertedVisitors + 12,
        revenue: t.revenue,
        revenueSquares: t.revenueSquares,
      },
    });
  }
  const written: SeededDay[] = [];
  let order = 0;
  for (let i = 0; i < days; i++) {
    const day = new Date(start + i * 86_400_000);
    const impressions = 2_000 + Math.round(random() * 900);
    const clicks = Math.round(impressions * (0.04 + random() * 0.02));
    const addToCarts = Math.round(clicks * (0.25 + random() * 0.1));
    const lines = 4 + Math.round(random() * 8);
    let attributedRevenue = 0;
    for (let l = 0; l < lines; l++) {
      order += 1;
      // Earlier products in the list sell more, so the top-products table has a clear order.
      const product = SEED_PRODUCTS[Math.floor(random() ** 2 * SEED_PRODUCTS.length)]!;
      const revenue = 20 + Math.round(random() * 60);
      attributedRevenue += revenue;
      await db.orderAttribution.create({
        data: {
          shopId,
          orderShopifyId: String(50_000 + order),
          day,
          counted: true,
          revenue: revenue + 35,
          attributedRevenue: revenue,
          attributedLines: JSON.stringify([
            {
              lineId: String(90_000 + order),
              productId: product.shopifyId,
              kind: "direct",
              recommendationId: "r",
              revenue: `${revenue}.0000`,
            },
          ]),
        },
      });
    }
    const exposedT = 800 + Math.round(random() * 200);
    const exposedC = Math.round(exposedT / 9);
    const ordersT = Math.round(exposedT * (0.04 + random() * 0.01));
    const ordersC = Math.round(exposedC * (0.03 + random() * 0.01));
    await db.dailyRollup.createMany({
      data: [
        {
          shopId,
          day,
          experimentId: experiment.id,
          arm: "treatment",
          visitors: exposedT + 30,
          exposedVisitors: exposedT,
          productViews: exposedT * 3,
          impressions,
          clicks,
          addToCarts,
          cartAdds: addToCarts * 3,
          checkouts: lines + 20,
          orders: ordersT,
          revenue: 2_400,
          attributedOrders: lines,
          attributedRevenue,
        },
        {
          shopId,
          day,
          experimentId: experiment.id,
          arm: "control",
          visitors: exposedC + 4,
          exposedVisitors: exposedC,
          productViews: exposedC * 3,
          cartAdds: exposedC,
          checkouts: 3,
          orders: ordersC,
          revenue: 210,
        },
      ],
    });
    written.push({
      day,
      impressions,
      clicks,
      addToCarts,
      attributedOrders: lines,
      attributedRevenue,
      arms: {
        treatment: { exposedVisitors: exposedT, orders: ordersT },
        control: { exposedVisitors: exposedC, orders: ordersC },
      },
    });
  }
  await db.order.create({
    data: {
      shopId,
      shopifyId: "49999",
      currency,
      subtotalPrice: 100,
      totalPrice: 100,
      processedAt: today,
      shopifyCreatedAt: today,
      shopifyUpdatedAt: today,
    },
  });
  return { experimentId: experiment.id, days: written };
}

/** Orders with lines, for the repeat rate: each entry is one order of one customer. */
export async function seedOrders(
  db: Db,
  shopId: string,
  orders: Array<{ customer: string | null; at: string; products: string[]; cancelled?: boolean }>,
) {
  for (const [i, order] of orders.entries()) {
    const at = new Date(order.at);
    await db.order.create({
      data: {
        shopId,
        shopifyId: String(80_000 + i),
        customerShopifyId: order.customer,
        currency: "EUR",
        subtotalPrice: 10 * order.products.length,
        totalPrice: 10 * order.products.length,
        processedAt: at,
        shopifyCreatedAt: at,
        shopifyUpdatedAt: at,
        cancelledAt: order.cancelled ? at : null,
        lines: {
          create: order.products.map((product, l) => ({
            shopId,
            shopifyId: String(800_000 + i * 100 + l),
            productShopifyId: product,
            quantity: 1,
            price: 10,
          })),
        },
      },
    });
  }
}
