import { describe, expect, it } from "vitest";
import type { BaselineName } from "../../../app/lib/model/baselines";
import type { SettingMetrics } from "../../../app/lib/model/evaluate-lists";
import { LIVE_STRATEGIES, type LiveScores } from "../../../bench/live-eval";
import { toldRows } from "../../../bench/live-told";

const figure = (ndcg: number) => ({ hr: 0, recall: 0, ndcg, newShare: 0, cases: 100 });
const lists = (
  forYou: number,
  again: number,
  fresh: number,
  extra: { related?: number; firstVisit?: number } = {},
) => ({
  strategies: { for_you: figure(forYou), buy_again: figure(again), new_for_you: figure(fresh) },
  ...(extra.related ? { related: figure(extra.related) } : {}),
  ...(extra.firstVisit ? { firstVisit: figure(extra.firstVisit) } : {}),
});

/** A run's metrics as training records them: the model page reads its sentences from these. */
const runMetrics = JSON.stringify({
  model: lists(0.3, 0.3, 0.1, { related: 0.2, firstVisit: 0.09 }),
  baselines: {
    repeat: lists(0.27, 0.28, 0.03),
    cosine: lists(0.15, 0.2, 0.08, { related: 0.18 }),
    popularity: lists(0.07, 0.07, 0.03, { firstVisit: 0.05 }),
  },
  strategies: {
    for_you: { served: "model", baseline: "repeat" },
    buy_again: { served: "model", baseline: "repeat" },
    new_for_you: { served: "model", baseline: "cosine" },
  },
  related: { served: "model", baseline: "cosine" },
  firstVisit: { served: "model", baseline: "popularity" },
});

/** The same baselines on the live bench's scored baskets: other figures than on every customer. */
const onScored = {
  repeat: lists(0.26, 0.27, 0.03),
  cosine: lists(0.14, 0.19, 0.075, { related: 0.17 }),
  popularity: lists(0.07, 0.07, 0.03, { firstVisit: 0.048 }),
  cooccurrence: lists(0.1, 0.1, 0.05),
} as unknown as Record<BaselineName, SettingMetrics>;

const live = (ndcg: Record<string, number>) =>
  ({
    metrics: Object.fromEntries(LIVE_STRATEGIES.map((s) => [s, { ndcg: ndcg[s] ?? 0 }])),
  }) as unknown as Pick<LiveScores, "metrics">;

describe("live.told rows: what the model page says beside what shoppers got", () => {
  it("sets each list's live lift over the baseline the page names, on the scored baskets, against the page's own lift", () => {
    const rows = toldRows(
      live({ for_you: 0.2912, buy_again: 0.297, new_for_you: 0.09, related: 0.18, first_visit: 0.087 }),
      onScored,
      runMetrics,
    );
    expect(rows.map((r) => r.id)).toEqual([
      "live.told.for_you",
      "live.told.buy_again",
      "live.told.new_for_you",
      "live.told.related",
      "live.told.first_visit",
    ]);
    const forYou = rows[0]!;
    // Against repeat's own for-you list on the scored baskets (0.26), not the plain ranking.
    expect(forYou.value).toBe(1.12);
    // The page: "For you: 11 % better than …" from 0.3 over repeat's 0.27 on every customer.
    expect(forYou.reference).toBe(1.111);
    expect(forYou.ratio).toBe(1.008);
    expect(forYou.note).toMatch(/For you: 11 % better than/);
    expect(rows[2]!.value).toBe(1.2); // new for you: 0.09 over cosine's 0.075
    expect(rows[4]!.value).toBe(1.812); // first visits: 0.087 over popularity's 0.048
  });

  it("leaves out a list the page says nothing of, and one whose baseline was not measured on these baskets", () => {
    const noRelated = { ...onScored, cosine: lists(0.14, 0.19, 0.075) } as unknown as Record<
      BaselineName,
      SettingMetrics
    >;
    const rows = toldRows(live({ for_you: 0.29, related: 0.18 }), noRelated, runMetrics);
    expect(rows.map((r) => r.id)).not.toContain("live.told.related");
    expect(toldRows(live({ for_you: 0.29 }), onScored, "{}")).toEqual([]);
  });
});
