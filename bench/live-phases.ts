/**
 * Retraining while the live evaluation replays (issue 15, ADR 005 "Retraining while replaying").
 *
 * The product retrains every shop each day (TRAIN_CRON), so a shopper's list was built at most a
 * day before the visit. One training after the whole replay reads every list at the shop's end
 * instead, up to a year after the basket it is scored against, and that clock, not serving, is what
 * the single-training figure lost. A bench cannot train 370 times, so it retrains every
 * `days` days, counted back from the shop's end, and asks each held-out customer right after the
 * first retrain that follows their basket: lists read at most `days` after it. The held-out orders
 * are never replayed; what a list read after its basket sees that the offline protocol forbids is
 * other shoppers' orders in between.
 */
import type { Redis } from "ioredis";
import type { Db } from "../app/lib/database/client.server";
import { replayShop } from "../scripts/demo/replay";
import type { DemoShopData } from "../scripts/demo/slice-data";
import { trainDemoShop } from "../scripts/demo/train";
import { askLive, everyone, type HeldOut, type LiveAnswer, type LiveAsks } from "./live-eval";

export const DAY_MS = 86_400_000;
/** The data set's times are UK local without a zone; arithmetic on them needs no zone either. */
export const msOf = (at: string) => Date.parse(`${at}Z`);
export const atOf = (ms: number) => new Date(ms).toISOString().slice(0, 19);

export interface LivePhase {
  /** The replay covers orders and products before this moment (the data set's local time); null: all. */
  until: string | null;
  /** Held-out customers whose basket is before `until` and not before the previous phase's. */
  asks: LiveAsks;
}

/**
 * The retrains: one after the whole replay, and one every `days` before it, back to the first order.
 * A phase no held-out basket falls in trains nothing and is left out; the last phase always stays
 * (the first visits ask there: they are newcomers to the shop as the bench leaves it).
 */
export function livePhases(held: HeldOut, days: number): LivePhase[] {
  if (!(days > 0)) throw new Error(`the retrain period must be a positive number of days, not ${days}`);
  const times = [...held.replayed.orders, ...held.last.values()].map((o) => msOf(o.at));
  const first = times.reduce((a, b) => Math.min(a, b), Infinity);
  const end = times.reduce((a, b) => Math.max(a, b), -Infinity);
  const bounds: Array<string | null> = [null];
  for (let at = end - days * DAY_MS; at > first; at -= days * DAY_MS) bounds.unshift(atOf(at));
  const customers: string[][] = bounds.map(() => []);
  for (const [customer, basket] of held.last) {
    const phase = bounds.findIndex((until) => until === null || basket.at < until);
    customers[phase]!.push(customer);
  }
  return bounds
    .map((until, i) => ({
      until,
      asks: { customers: customers[i]!, firstVisits: until === null ? [...held.firstVisits.keys()] : [] },
    }))
    .filter((phase) => phase.until === null || phase.asks.customers.length > 0);
}

/**
 * What the replay sends by a moment: the orders before it, and the products first seen before it or
 * sold by those orders (a few of the data set's lines come before their product's `first_seen`).
 */
export function replayedBy(data: DemoShopData, until: string | null): DemoShopData {
  if (until === null) return data;
  const orders = data.orders.filter((o) => o.at < until);
  const sold = new Set(orders.flatMap((o) => o.lines.map((l) => l.code)));
  return { products: data.products.filter((p) => p.firstSeen < until || sold.has(p.code)), orders };
}

export interface PhasedContext {
  db: Db;
  redis: Redis;
  prefix: string;
  shop: string;
  origin: string;
  secret: string;
  logs: { app: string; worker: string };
  inFlight?: number;
  /** Told when a phase's run serves, before its customers ask. */
  onPhase?: (phase: LivePhase, index: number, of: number) => void;
}

export interface PhasedAnswers {
  /** Each held-out customer asked right after the first retrain that follows their basket. */
  phased: LiveAnswer[];
  /** Every held-out customer asked after the last retrain: the single-training design. */
  atEnd: LiveAnswer[];
  /** Each phase's run: which run's lists each customer got. */
  runs: Array<{ phase: LivePhase; runId: string }>;
}

/** Replays, retrains and asks, phase by phase, through the real app, worker and App Proxy. */
export async function runLivePhases(ctx: PhasedContext, held: HeldOut, days: number): Promise<PhasedAnswers> {
  const phases = livePhases(held, days);
  const target = { origin: ctx.origin, shop: ctx.shop, secret: ctx.secret, db: ctx.db };
  const phased: LiveAnswer[] = [];
  const runs: PhasedAnswers["runs"] = [];
  let atEnd: LiveAnswer[] = [];
  for (const [i, phase] of phases.entries()) {
    await replayShop(ctx, replayedBy(held.replayed, phase.until));
    const trained = await trainDemoShop({ ...ctx, retrain: true, workerLog: ctx.logs.worker });
    runs.push({ phase, runId: trained.run.id });
    ctx.onPhase?.(phase, i, phases.length);
    if (phase.until !== null) phased.push(...(await askLive(target, held, phase.asks, ctx.inFlight)));
    else {
      // The last run answers its own phase and, for the single-training figure, everyone.
      atEnd = await askLive(target, held, everyone(held), ctx.inFlight);
      const mine = new Set(phase.asks.customers);
      phased.push(...atEnd.filter((a) => a.strategy === "first_visit" || mine.has(a.customer)));
    }
  }
  return { phased, atEnd, runs };
}
