import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKey } from "../../app/lib/storefront-store/keys";
import { Redis } from "ioredis";
import { PERSONAL_STRATEGIES } from "../../app/lib/model/strategies";
import { buildListsFor } from "../../app/lib/training/build-lists";
import {
  holdOutLastOrders,
  LIVE_LIMIT,
  LIVE_STRATEGIES,
  relatedSeedOf,
  type LiveAnswer,
  scoreLive,
  type LiveScores,
} from "../../bench/live-eval";
import { runLivePhases, type PhasedAnswers } from "../../bench/live-phases";
import { loadDemoSlice, type DemoShopData } from "../../scripts/demo/slice-data";
import type { Spawned } from "../helpers/child-process";
import { stopStack } from "../helpers/stack";
import { startLiveStack } from "../../bench/live-stack";
import { createSqliteTestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";
import { withRestoredRun } from "../helpers/restored-run";

const SHOP = "live-eval.myshopify.com";
/** The slice's held-out baskets span more than 90 days: two retrains, the first in the middle of the replay. */
const RETRAIN_DAYS = 90;

/**
 * The tiny slice (repeat customers only), with the shipped slice's last three customers who came
 * once: the first visits the live evaluation holds out.
 */
function tinyWithNewcomers(): DemoShopData {
  const tiny = loadDemoSlice("tiny");
  const full = loadDemoSlice("full");
  const orders = new Map<string, number>();
  for (const o of full.orders) orders.set(o.customer, (orders.get(o.customer) ?? 0) + 1);
  const newcomers = full.orders.filter((o) => orders.get(o.customer) === 1).slice(-3);
  const kept = [...tiny.orders, ...newcomers].sort((a, b) => a.at.localeCompare(b.at));
  const codes = new Set(kept.flatMap((o) => o.lines.map((l) => l.code)));
  return { products: full.products.filter((p) => codes.has(p.code)), orders: kept };
}
const HASH = { for_you: "for", buy_again: "again", new_for_you: "new", related: "related" } as const;

describe("the live evaluation: replay without the last orders, train through the worker, ask the App Proxy", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  const testDb = createSqliteTestDb();
  const held = holdOutLastOrders(tinyWithNewcomers());
  let app: Spawned;
  let worker: Spawned;
  let scores: LiveScores;
  let phased: PhasedAnswers;
  /** The last retrain's run: the shop as the bench leaves it. */
  let runId: string;

  beforeAll(async () => {
    let origin: string;
    ({ app, worker, origin } = await startLiveStack(testDb, prefix, SHOP));
    const secret = process.env.SHOPIFY_API_SECRET!;
    const logs = { app: "the app's output", worker: "the worker's output" };
    const ctx = { db: testDb.db, redis, prefix, shop: SHOP, origin, secret, logs, inFlight: 4 };
    phased = await runLivePhases(ctx, held, RETRAIN_DAYS);
    runId = phased.runs.at(-1)!.runId;
    scores = await scoreLive({ origin, shop: SHOP, secret, db: testDb.db }, held, phased.phased);
  }, 300_000);
  afterAll(() => stopStack({ app, worker, redis, db: testDb, cleanup }));

  it("retrains while it replays, and asks each customer once, after the first retrain past their basket", () => {
    // The slice's baskets span more than one period: the test covers a retrain between two phases.
    expect(phased.runs.length).toBeGreaterThan(1);
    expect(new Set(phased.runs.map((r) => r.runId)).size).toBe(phased.runs.length);
    const askedIn = new Map(phased.runs.flatMap(({ phase }) => phase.asks.customers.map((c) => [c, phase.until])));
    expect([...askedIn.keys()].sort()).toEqual([...held.last.keys()].sort());
    for (const [customer, until] of askedIn) if (until !== null) expect(held.last.get(customer)!.at < until).toBe(true);
    // The single-training figure's answers: everyone, after the last retrain.
    expect(phased.atEnd).toHaveLength(phased.phased.length);
  });

  it("asks for every held-out customer and strategy, and scores only the treatment arm", () => {
    expect(held.last.size).toBeGreaterThan(5);
    expect(held.firstVisits.size).toBeGreaterThan(0);
    // The related list is asked for where the held-out basket has a second product to find.
    const seeded = [...held.last.values()].filter((o) => relatedSeedOf(o) !== null).length;
    expect(seeded).toBeGreaterThan(0);
    expect(scores.answers).toHaveLength(held.last.size * PERSONAL_STRATEGIES.length + seeded + held.firstVisits.size);
    const treatedOf = (customers: Map<string, unknown>) => [...customers.keys()].filter((c) => scores.scored.has(c));
    expect(treatedOf(held.last).length + treatedOf(held.firstVisits).length).toBe(
      held.last.size + held.firstVisits.size - scores.control,
    );
    for (const strategy of LIVE_STRATEGIES) {
      const m = scores.metrics[strategy];
      if (strategy === "for_you" || strategy === "buy_again") expect(m.cases).toBe(treatedOf(held.last).length);
      if (strategy === "first_visit") expect(m.cases).toBe(treatedOf(held.firstVisits).length);
      expect(m.ndcg).toBeGreaterThanOrEqual(0);
      expect(m.ndcg).toBeLessThanOrEqual(1);
    }
    const treated = [...held.last].filter(([c, o]) => relatedSeedOf(o) !== null && scores.scored.has(c));
    expect(scores.metrics.related.cases).toBe(treated.length);
  });

  it("serves each customer exactly the stored list of the strategy asked for, from the run serving then; the control arm nothing", async () => {
    const runOf = new Map(phased.runs.flatMap(({ phase, runId: id }) => phase.asks.customers.map((c) => [c, id])));
    const control = scores.answers.filter((a) => a.served === null);
    expect(control.every((a) => a.ids.length === 0)).toBe(true);
    expect(new Set(control.map((a) => a.customer)).size).toBe(scores.control);
    const keyOf = (a: LiveAnswer) =>
      a.strategy === "related" ? String(relatedSeedOf(held.last.get(a.customer)!)) : a.customer;
    let related = 0;
    const firstVisitList = (await redis.get(runKey(prefix, SHOP, runId, "popular")))?.split(",") ?? [];
    expect(firstVisitList.length).toBeGreaterThan(0);
    for (const answer of scores.answers) {
      if (answer.served === null) continue;
      if (answer.served === "related") related++;
      if (answer.strategy === "first_visit") {
        // Not logged in, nothing viewed: the run's first-visit list, and the answer says why.
        expect(answer).toMatchObject({ served: "popular", fallback: "no_history" });
        expect(answer.ids).toEqual(firstVisitList.slice(0, LIVE_LIMIT));
        continue;
      }
      const run = runOf.get(answer.customer)!;
      const stored = await redis.hget(runKey(prefix, SHOP, run, HASH[answer.strategy]), keyOf(answer));
      const list = stored ? stored.split(",") : [];
      if (answer.served === answer.strategy) expect(answer.ids).toEqual(list.slice(0, LIVE_LIMIT));
      else expect(list).toEqual([]);
    }
    // The held-out basket's first product was sold before, mostly: its related list answers.
    expect(related).toBeGreaterThan(0);
  });

  it("stores the lists the run's own model builds, the builder its evaluation scored", async () => {
    // The shop's history as training read it from the database.
    await withRestoredRun(testDb.db, runId, async (model, run) => {
      const rebuilt = buildListsFor(model);
      const lists = {
        for_you: rebuilt.forCustomer,
        buy_again: rebuilt.againForCustomer,
        new_for_you: rebuilt.newForCustomer,
      };
      // The related lists, from the ranker the run's own related evaluation chose; the first
      // visit's list likewise from its own evaluation's choice.
      const decided = JSON.parse(run.metrics) as { related: { served: string }; firstVisit: { served: string } };
      expect(model.related).toBe(decided.related.served);
      expect(model.firstVisit).toBe(decided.firstVisit.served);
      expect(await redis.get(runKey(prefix, SHOP, runId, "popular"))).toBe(rebuilt.popular.join(","));
      for (const [id, list] of rebuilt.related) {
        expect(await redis.hget(runKey(prefix, SHOP, runId, "related"), id), `related for ${id}`).toBe(list.join(","));
      }
      for (const strategy of PERSONAL_STRATEGIES) {
        for (const customer of held.last.keys()) {
          const stored = await redis.hget(runKey(prefix, SHOP, runId, HASH[strategy]), customer);
          expect(stored?.split(",") ?? [], `${strategy} for ${customer}`).toEqual(lists[strategy]?.get(customer) ?? []);
        }
      }
    });
  });
});
