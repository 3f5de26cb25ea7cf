import type { Db } from "../../app/lib/database/client.server";
import { DemoError } from "./errors";
import { createProgress, formatNumber } from "./progress";
import { planDeliveries, type Delivery } from "./replay-plan";
import { sendDeliveries } from "./webhook-sender";
import type { DemoShopData } from "./slice-data";

export interface ReplayContext {
  db: Db;
  shop: string;
  /** The app's origin; deliveries go to its real `POST /webhooks`. */
  origin: string;
  secret: string;
  /** Named in messages when the app or worker misbehaves. */
  logs: { app: string; worker: string };
  /** Deliveries in flight at once. @defaultValue 16 */
  concurrency?: number;
  /** How long ingest may make no progress before the demo gives up. @defaultValue 90000 */
  stallMs?: number;
}

export interface ReplayResult {
  products: number;
  orders: number;
  /** Deliveries sent this time: 0 when the database already held the whole shop. */
  sent: number;
}

/**
 * Replays the demo shop into the app as Shopify would: signed webhooks over HTTP, in time order,
 * a bounded number in flight, then waits until the worker has stored them all. Only what the
 * database lacks is sent, so a second run sends nothing and an interrupted one resumes.
 */
export async function replayShop(ctx: ReplayContext, data: DemoShopData): Promise<ReplayResult> {
  const shopId = (await ctx.db.shop.findUniqueOrThrow({ where: { domain: ctx.shop }, select: { id: true } })).id;
  const plan = planDeliveries(data, ctx.shop, shopId);
  const counts = { products: data.products.length, orders: data.orders.length };
  const missing = await missingDeliveries(ctx.db, shopId, plan);
  if (missing.length === 0) return { ...counts, sent: 0 };
  if (missing.length < plan.length) {
    const stored = formatNumber(plan.length - missing.length);
    process.stdout.write(`  resuming: ${stored} of ${formatNumber(plan.length)} already stored\n`);
  }
  const before = { rows: await countRows(ctx.db, shopId), deadLetters: await deadLetterCount(ctx) };
  await sendDeliveries(
    { shop: ctx.shop, origin: ctx.origin, secret: ctx.secret, appLog: ctx.logs.app, concurrency: ctx.concurrency },
    missing,
  );
  await waitForIngest(ctx, shopId, plan, missing.length, before);
  return { ...counts, sent: missing.length };
}

async function missingDeliveries(db: Db, shopId: string, plan: Delivery[]): Promise<Delivery[]> {
  const [products, orders] = await Promise.all([
    db.product.findMany({ where: { shopId }, select: { shopifyId: true } }),
    db.order.findMany({ where: { shopId }, select: { shopifyId: true } }),
  ]);
  const stored = {
    "products/create": new Set(products.map((p) => p.shopifyId)),
    "orders/create": new Set(orders.map((o) => o.shopifyId)),
  };
  return plan.filter((d) => !stored[d.topic].has(d.shopifyId));
}

/**
 * Polls until every planned record is stored. Counting rows is cheap enough to do every second
 * while the worker writes; the exact check, by id, runs once the count says it is done.
 */
async function waitForIngest(
  ctx: ReplayContext,
  shopId: string,
  plan: Delivery[],
  sent: number,
  before: { rows: number; deadLetters: number },
) {
  const progress = createProgress({ label: "ingesting", total: plan.length, unit: "records" });
  const stallMs = ctx.stallMs ?? 90_000;
  const storedBefore = plan.length - sent;
  let last = -1;
  let lastChange = Date.now();
  try {
    for (;;) {
      const stored = Math.min(plan.length, storedBefore + (await countRows(ctx.db, shopId)) - before.rows);
      progress.update(stored);
      if (stored === plan.length && (await missingDeliveries(ctx.db, shopId, plan)).length === 0) return;
      await failOnDeadLetter(ctx, before.deadLetters);
      if (stored !== last) [last, lastChange] = [stored, Date.now()];
      else if (Date.now() - lastChange > stallMs) {
        throw new DemoError(
          `Ingest made no progress for ${Math.round(stallMs / 1000)} s at ${formatNumber(stored)} of ` +
            `${formatNumber(plan.length)} records. ` +
            `The worker's log: ${ctx.logs.worker}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    progress.finish();
  }
}

async function countRows(db: Db, shopId: string): Promise<number> {
  const [products, orders] = await Promise.all([
    db.product.count({ where: { shopId } }),
    db.order.count({ where: { shopId } }),
  ]);
  return products + orders;
}

const deadLetterCount = (ctx: ReplayContext) => ctx.db.webhookDeadLetter.count({ where: { shopDomain: ctx.shop } });

/** A payload the worker could not parse never arrives; say which one instead of waiting forever. */
async function failOnDeadLetter(ctx: ReplayContext, before: number): Promise<void> {
  if ((await deadLetterCount(ctx)) <= before) return;
  const letter = await ctx.db.webhookDeadLetter.findFirst({
    where: { shopDomain: ctx.shop },
    orderBy: { createdAt: "desc" },
  });
  throw new DemoError(
    `The worker refused ${letter?.topic} (webhook ${letter?.webhookId}): ${letter?.reason}. ` +
      `The worker's log: ${ctx.logs.worker}`,
  );
}
