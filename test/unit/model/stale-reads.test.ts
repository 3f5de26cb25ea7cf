import { describe, expect, it } from "vitest";
import { indexShopData } from "../../../app/lib/model/dataset";
import { buildExamples } from "../../../app/lib/model/examples";
import { featureRowForHistory } from "../../../app/lib/model/features";
import { buildSnapshots, DAY_MS } from "../../../app/lib/model/snapshots";
import { buildTimeSplit } from "../../../app/lib/model/split";
import {
  InvalidStaleReadsError,
  lastOrderGaps,
  parseStaleReads,
  STALE_READS,
  staleReadMoments,
} from "../../../app/lib/model/stale-reads";
import { catalogOf, order, syntheticShop } from "./fixtures";

const basket = { share: 0.5, shopClock: "basket" } as const;
const AT = Date.UTC(2024, 5, 1);

/** The moments of `n` rows: customers 0…n/10, ten orders each. */
function moments(plan: ReturnType<typeof staleReadMoments>, n = 20_000) {
  return Array.from({ length: n }, (_, i) => plan(Math.floor(i / 10), i, AT));
}

function shop() {
  const { orders, catalog } = syntheticShop(12);
  const data = indexShopData(orders, catalog);
  const snapshots = buildSnapshots(data, data.orders[data.orders.length - 1]!.at + 1);
  return { data, snapshots, cases: buildTimeSplit(data) };
}

describe("STALE_READS", () => {
  it("reads half the rows stale by default, with the shop clock at the basket, and parses from the environment's JSON", () => {
    expect(STALE_READS).toEqual({ share: 0.5, shopClock: "basket" });
    expect(parseStaleReads(undefined)).toBeNull();
    expect(parseStaleReads(" null ")).toBeNull();
    expect(parseStaleReads('{"share":0.5,"shopClock":"shifted"}')).toEqual({ share: 0.5, shopClock: "shifted" });
    expect(() => parseStaleReads('{"share":1.5,"shopClock":"basket"}')).toThrow(InvalidStaleReadsError);
    expect(() => parseStaleReads('{"share":0.5,"shopClock":"later"}')).toThrow(InvalidStaleReadsError);
    expect(() => parseStaleReads("share=0.5")).toThrow(InvalidStaleReadsError);
  });
});

describe("lastOrderGaps", () => {
  it("gives, per customer, the time from their last order to the shop's last order", () => {
    const data = indexShopData(
      [order("1", "a", 0, ["A"]), order("2", "a", 3, ["A"]), order("3", "b", 1, ["B"]), order("4", "c", 10, ["A"])],
      catalogOf(["A", "B"]),
    );
    expect(lastOrderGaps(data).sort((x, y) => x - y)).toEqual([0, 7 * DAY_MS, 9 * DAY_MS]);
  });
});

describe("staleReadMoments", () => {
  const gaps = [DAY_MS, 10 * DAY_MS, 100 * DAY_MS];

  it("given the same seed, draws the same moments; another seed draws others", () => {
    const first = moments(staleReadMoments(basket, gaps, 7));
    expect(moments(staleReadMoments(basket, gaps, 7))).toEqual(first);
    const other = moments(staleReadMoments(basket, gaps, 8));
    expect(other.filter((m, i) => m.shopperAt !== first[i]!.shopperAt).length).toBeGreaterThan(5_000);
  });

  it("reads about `share` of the rows stale", () => {
    for (const share of [0, 0.2, 0.5, 1]) {
      const stale = moments(staleReadMoments({ share, shopClock: "basket" }, gaps, 1)).filter((m) => m.shopperAt > AT);
      expect(stale.length / 20_000).toBeCloseTo(share, 1);
    }
  });

  it("draws each gap from the shop's distribution, about equally often", () => {
    const stale = moments(staleReadMoments({ share: 1, shopClock: "basket" }, gaps, 3)).map((m) => m.shopperAt - AT);
    for (const gap of gaps) expect(stale.filter((g) => g === gap).length / stale.length).toBeCloseTo(1 / 3, 1);
    expect(stale.every((g) => gaps.includes(g))).toBe(true);
  });

  it("keeps the shop's clock at the basket, or shifts it by the same gap", () => {
    const kept = moments(staleReadMoments({ share: 1, shopClock: "basket" }, gaps, 1), 100);
    expect(kept.every((m) => m.shopAt === AT)).toBe(true);
    const shifted = moments(staleReadMoments({ share: 1, shopClock: "shifted" }, gaps, 1), 100);
    expect(shifted.every((m) => m.shopAt === m.shopperAt && m.shopAt > AT)).toBe(true);
  });
});

describe("buildExamples with stale reads", () => {
  it("given no stale row, builds exactly the examples it builds without the option", () => {
    const { data, snapshots, cases } = shop();
    const off = buildExamples(data, cases, snapshots);
    const none = staleReadMoments({ share: 0, shopClock: "basket" }, lastOrderGaps(data), 1);
    expect(buildExamples(data, cases, snapshots, {}, none)).toEqual(off);
  });

  it("reads training rows as if later, and leaves evaluation rows at their basket", () => {
    const { data, snapshots, cases } = shop();
    const off = buildExamples(data, cases, snapshots);
    const all = staleReadMoments({ share: 1, shopClock: "basket" }, [30 * DAY_MS], 1);
    const on = buildExamples(data, cases, snapshots, {}, all);
    expect(on.map((e) => [e.customer, e.at])).toEqual(off.map((e) => [e.customer, e.at]));
    on.forEach((e, i) => {
      if (e.evalCase) expect(e).toEqual(off[i]);
      else expect(e.staleBy).toBe(30 * DAY_MS);
    });
    const training = on.filter((e) => !e.evalCase && e.row.pastCount > 0);
    expect(training.length).toBeGreaterThan(10);
    // The shopper's clock 30 days later is the same as their history 30 days earlier, read at the
    // basket with the shop's state at the basket (only differences to the moment enter features).
    for (const e of training) {
      const history = (data.ordersByCustomer[e.customer] ?? []).flatMap((oi) => {
        const o = data.orders[oi]!;
        return o.at < e.at ? Array.from(o.items, (item) => ({ item, at: o.at - 30 * DAY_MS, quantity: 1 })) : [];
      });
      const expected = featureRowForHistory(snapshots, history, e.at);
      expect(Array.from(e.row.featureIndex)).toEqual(Array.from(expected.featureIndex));
      Array.from(e.row.featureValue).forEach((v, k) => expect(v).toBeCloseTo(expected.featureValue[k]!, 5));
      Array.from(e.row.user).forEach((v, k) => expect(v).toBeCloseTo(expected.user[k]!, 5));
    }
  });
});
