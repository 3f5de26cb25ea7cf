import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { runKey } from "../../app/lib/storefront-store/keys";
import { servedRunId } from "../../app/lib/storefront-store/run-lists.server";
import { holdOutLastOrders, LIVE_LIMIT, type HeldOut, type LiveAnswer } from "../../bench/live-eval";
import { runLiveDaily, type DailyAnswers, type LiveStep } from "../../bench/live-daily";
import { startLiveStack } from "../../bench/live-stack";
import { loadDemoSlice } from "../../scripts/demo/slice-data";
import type { Spawned } from "../helpers/child-process";
import { stopStack } from "../helpers/stack";
import { createSqliteTestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "live-before.myshopify.com";
const HASH = { for_you: "for", buy_again: "again", new_for_you: "new" } as const;

/**
 * The tiny slice with only its three latest held-out baskets, and one first visit placed on a
 * day of its own between them: one retrain, then refreshes, one of them of every list.
 */
function fewBaskets(): HeldOut {
  const held = holdOutLastOrders(loadDemoSlice("tiny"));
  const latest = [...held.last].sort((a, b) => a[1].at.localeCompare(b[1].at)).slice(-3);
  const [, second] = latest;
  const newcomer = { ...second![1], customer: "newcomer-1", at: `${second![1].at.slice(0, 10)}T23:59:00` };
  // A day of its own: the day after the second basket, unless a basket is on it.
  const next = new Date(Date.parse(`${newcomer.at}Z`) + 86_400_000).toISOString().slice(0, 19);
  const taken = latest.some(([, o]) => o.at.slice(0, 10) === next.slice(0, 10));
  return {
    replayed: held.replayed,
    last: new Map(latest),
    firstVisits: new Map([["newcomer-1", { ...newcomer, at: taken ? newcomer.at : next }]]),
  };
}

describe("the live bench's lists read before the basket, through the real worker and App Proxy", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  const testDb = createSqliteTestDb();
  const held = fewBaskets();
  let app: Spawned;
  let worker: Spawned;
  let daily: DailyAnswers;
  /** Per step, as it was asked: the run Redis served and the answers, each beside its stored list. */
  const seen: Array<{ step: LiveStep; served: string | null; pairs: Array<[LiveAnswer, string[]]> }> = [];

  beforeAll(async () => {
    let origin: string;
    ({ app, worker, origin } = await startLiveStack(testDb, prefix, SHOP));
    const secret = process.env.SHOPIFY_API_SECRET!;
    const logs = { app: "the app's output", worker: "the worker's output" };
    const onStep = async (step: LiveStep, _i: number, _of: number, answers: readonly LiveAnswer[]) => {
      const served = await servedRunId(redis, prefix, SHOP);
      const pairs: Array<[LiveAnswer, string[]]> = [];
      for (const answer of answers) {
        const stored =
          answer.strategy === "first_visit"
            ? await redis.get(runKey(prefix, SHOP, served ?? "", "popular"))
            : answer.strategy === "related"
              ? null
              : await redis.hget(runKey(prefix, SHOP, served ?? "", HASH[answer.strategy]), answer.customer);
        if (answer.strategy !== "related") pairs.push([answer, stored ? stored.split(",") : []]);
      }
      seen.push({ step, served, pairs });
    };
    const ctx = { db: testDb.db, redis, prefix, shop: SHOP, origin, secret, logs, inFlight: 4, onStep };
    daily = await runLiveDaily(ctx, held, 10_000);
  }, 300_000);
  afterAll(() => stopStack({ app, worker, redis, db: testDb, cleanup }));

  it("retrains once, then refreshes the lists before each later moment, and trains once more at the end", () => {
    expect(seen.map((s) => s.step.retrain)).toEqual([true, ...seen.slice(1).map(() => false)]);
    expect(daily.refreshes).toBe(seen.length - 1);
    expect(daily.refreshes).toBeGreaterThan(0);
    // The refreshes rewrote the first run's lists in place: no new run until the single training.
    expect(daily.runs.map((r) => r.until)).toEqual([seen[0]!.step.until, null]);
    expect(new Set(seen.map((s) => s.served))).toEqual(new Set([daily.runs[0]!.runId]));
    expect(daily.atEnd.length).toBeGreaterThanOrEqual(daily.before.length);
  });

  it("asks every held-out customer and first visit once, before their basket", () => {
    const asked = seen.flatMap((s) => s.pairs.map(([a]) => a));
    expect(new Set(asked.filter((a) => a.strategy !== "first_visit").map((a) => a.customer))).toEqual(
      new Set(held.last.keys()),
    );
    expect(asked.filter((a) => a.strategy === "first_visit").map((a) => a.customer)).toEqual(["newcomer-1"]);
    for (const { step } of seen) {
      for (const c of step.asks.customers) expect(step.until < held.last.get(c)!.at).toBe(true);
      for (const c of step.asks.firstVisits) expect(step.until < held.firstVisits.get(c)!.at).toBe(true);
    }
  });

  it("answers each customer with the served run's stored list as it stood when they asked", () => {
    let compared = 0;
    for (const { pairs } of seen) {
      for (const [answer, stored] of pairs) {
        if (answer.served === null) continue; // the holdout's control arm gets nothing
        compared++;
        if (answer.strategy === "first_visit") expect(answer.served).toBe("popular");
        else if (answer.served !== answer.strategy) expect(stored).toEqual([]);
        if (answer.served === answer.strategy || answer.strategy === "first_visit")
          expect(answer.ids, `${answer.strategy} for ${answer.customer}`).toEqual(stored.slice(0, LIVE_LIMIT));
      }
    }
    expect(compared).toBeGreaterThan(0);
  });
});
