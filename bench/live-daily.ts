/**
 * Lists read before the basket, as the product reads them (issue 15, ADR 005 "Lists read before
 * the basket").
 *
 * In production a shopper's lists were read at the later of the shop's last daily retrain and the
 * shopper's own last order (TRAIN_CRON rebuilds every list each day; a refresh job rebuilds the
 * lists of each customer who orders). The one-training bench reads them up to a year after the
 * basket instead; `--retrain-days` alone reads them up to that many days after it. Here the replay
 * stops at each reading moment before a basket, the lists of the customers asking then are
 * refreshed through the real refresh job (the served run's own network, read on the database as it
 * stands), and they ask the App Proxy. Nothing a list reads comes after its basket. The weights
 * are older than production's: the shop retrains every `retrainDays` days, not daily, because a
 * bench cannot train 370 times.
 */
import { QueueEvents, type Queue } from "bullmq";
import { Redis } from "ioredis";
import { createQueue, QUEUE_NAMES } from "../app/lib/jobs/queues";
import type { RefreshOutcome } from "../app/lib/training/rebuild-lists.server";
import { refreshJobId, refreshWindow, requestListRefresh } from "../app/lib/training/train-queue.server";
import { DEFAULT_HEAD_MS } from "../app/lib/storefront-store/store-cache.server";
import { replayShop } from "../scripts/demo/replay";
import { trainDemoShop } from "../scripts/demo/train";
import { askLive, everyone, type HeldOut, type LiveAnswer, type LiveAsks } from "./live-eval";
import { atOf, DAY_MS, msOf, replayedBy, type PhasedContext } from "./live-phases";

export type DailyContext = Omit<PhasedContext, "onPhase"> & {
  /** Told (and awaited) after each step's customers asked, with their answers. */
  onStep?: (step: LiveStep, index: number, of: number, answers: readonly LiveAnswer[]) => void | Promise<void>;
};

export interface LiveStep {
  /** The replay covers the orders placed before this moment (the data set's local time). */
  until: string;
  /** Train a run here first: none serves yet, or the serving one was trained `retrainDays` or more ago. */
  retrain: boolean;
  /** Who asks at this moment. With first visits, every list is refreshed (the shop-wide ones too). */
  asks: LiveAsks;
}

/**
 * When each held-out basket's lists are read: at the start of the basket's day (the daily retrain),
 * or just after the shopper's own last order when that came earlier the same day (its refresh).
 * Steps are in time order, one per distinct moment; every moment is before every basket asked at it.
 */
export function liveSteps(held: HeldOut, retrainDays: number): LiveStep[] {
  if (!(retrainDays > 0)) throw new Error(`the retrain period must be a positive number of days, not ${retrainDays}`);
  const lastOwn = new Map<string, string>();
  for (const o of held.replayed.orders) if ((lastOwn.get(o.customer) ?? "") < o.at) lastOwn.set(o.customer, o.at);
  const byMoment = new Map<string, { customers: string[]; firstVisits: string[] }>();
  const at = (moment: string) => {
    const step = byMoment.get(moment) ?? { customers: [], firstVisits: [] };
    byMoment.set(moment, step);
    return step;
  };
  for (const [customer, basket] of held.last) {
    const dayStart = `${basket.at.slice(0, 10)}T00:00:00`;
    const own = lastOwn.get(customer);
    // Just after their own order: the step's replay then includes it (orders before `until`).
    const moment = own && own >= dayStart ? atOf(msOf(own) + 1000) : dayStart;
    at(moment).customers.push(customer);
  }
  for (const [customer, order] of held.firstVisits) at(`${order.at.slice(0, 10)}T00:00:00`).firstVisits.push(customer);
  let trainedAt = -Infinity;
  return [...byMoment.keys()].sort().map((until) => {
    const retrain = msOf(until) - trainedAt >= retrainDays * DAY_MS;
    if (retrain) trainedAt = msOf(until);
    return { until, retrain, asks: byMoment.get(until)! };
  });
}

export interface DailyAnswers {
  /** Each held-out customer and first visit, asked at their basket's reading moment. */
  before: LiveAnswer[];
  /** Every held-out customer asked after one training on the whole replay: the single-training design. */
  atEnd: LiveAnswer[];
  /** Each run trained, in order; the last is the single training's. */
  runs: Array<{ until: string | null; runId: string }>;
  /** Refresh jobs run between retrains. */
  refreshes: number;
}

/** Replays, retrains, refreshes and asks, moment by moment, through the real app, worker and App Proxy. */
export async function runLiveDaily(ctx: DailyContext, held: HeldOut, retrainDays: number): Promise<DailyAnswers> {
  const steps = liveSteps(held, retrainDays);
  const target = { origin: ctx.origin, shop: ctx.shop, secret: ctx.secret, db: ctx.db };
  const queue = createQueue(QUEUE_NAMES.train, ctx.redis, ctx.prefix);
  const events = new QueueEvents(QUEUE_NAMES.train, {
    connection: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }),
    prefix: ctx.prefix,
  });
  const out: DailyAnswers = { before: [], atEnd: [], runs: [], refreshes: 0 };
  const train = async (until: string | null) => {
    const trained = await trainDemoShop({ ...ctx, retrain: true, workerLog: ctx.logs.worker });
    out.runs.push({ until, runId: trained.run.id });
  };
  try {
    await events.waitUntilReady();
    for (const [i, step] of steps.entries()) {
      await replayShop(ctx, replayedBy(held.replayed, step.until));
      if (step.retrain) await train(step.until);
      else {
        // A first visit reads the shop-wide lists: those are rebuilt only when every list is.
        const customers = step.asks.firstVisits.length > 0 ? [] : step.asks.customers;
        await refreshLists(ctx, queue, events, customers, step.until);
        out.refreshes += 1;
      }
      const runId = out.runs.at(-1)!.runId;
      const answers = (await askLive(target, held, step.asks, ctx.inFlight)).map((a) => ({ ...a, runId }));
      out.before.push(...answers);
      await ctx.onStep?.(step, i, steps.length, answers);
    }
    await replayShop(ctx, held.replayed);
    await train(null);
    out.atEnd = await askLive(target, held, everyone(held), ctx.inFlight);
    return out;
  } finally {
    await events.close();
    await queue.close();
  }
}

/**
 * Runs one refresh job for `customers` (none: every list) and waits for its outcome. The window is
 * a millisecond, so the job starts at once; it must have rewritten the served run's lists, or the
 * customers would be asked for lists read at another moment.
 */
async function refreshLists(
  ctx: DailyContext,
  queue: Queue,
  events: QueueEvents,
  customers: readonly string[],
  until: string,
): Promise<void> {
  // The job's id is known before it is added, so its end cannot come before the listener knows it.
  const now = Date.now();
  const jobId = refreshJobId(ctx.shop, refreshWindow(ctx.shop, 1, now).index);
  const outcome = new Promise<RefreshOutcome>((resolve, reject) => {
    const onCompleted = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }) => {
      if (id !== jobId) return;
      stop();
      resolve((typeof returnvalue === "string" ? JSON.parse(returnvalue) : returnvalue) as RefreshOutcome);
    };
    const onFailed = ({ jobId: id, failedReason }: { jobId: string; failedReason: string }) => {
      if (id !== jobId) return;
      stop();
      reject(new Error(`the list refresh at ${until} failed: ${failedReason}. The worker's log: ${ctx.logs.worker}`));
    };
    const stop = () => {
      events.off("completed", onCompleted);
      events.off("failed", onFailed);
    };
    events.on("completed", onCompleted);
    events.on("failed", onFailed);
  });
  await requestListRefresh({ queue, redis: ctx.redis, prefix: ctx.prefix }, ctx.shop, customers, 1, now);
  const result = await outcome;
  if (!result.refreshed) throw new Error(`the list refresh at ${until} rewrote nothing: ${result.reason}`);
  // Serving reads the lists version with the shop's head, which it caches for a second
  // (store-cache.server.ts): a customer asking sooner could get their lists as they were.
  const waited = Date.now() - now;
  if (waited < DEFAULT_HEAD_MS) await new Promise((resolve) => setTimeout(resolve, DEFAULT_HEAD_MS - waited));
}
