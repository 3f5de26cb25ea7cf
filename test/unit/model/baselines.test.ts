import { describe, expect, it } from "vitest";
import { rankBaseline } from "../../helpers/rankers";
import { addOrder, emptyCounts } from "../../../app/lib/model/cooccurrence";
import { indexShopData } from "../../../app/lib/model/dataset";
import { evaluateBaselines } from "../../../app/lib/model/evaluate";
import { syntheticShop } from "./fixtures";

// Items 0..4. Orders: {0,1}, {0,1}, {0,2}, {3}, {3}, {3}, {4,2}.
function counts() {
  const c = emptyCounts(5);
  for (const o of [[0, 1], [0, 1], [0, 2], [3], [3], [3], [4, 2]]) addOrder(c, o);
  return c;
}

describe("baselines on a tiny known history", () => {
  it("popularity ranks by orders containing the item", () => {
    // n = [3, 2, 2, 3, 1]; ties by lower index.
    expect(rankBaseline("popularity", { counts: counts(), ownOrders: new Map() }, 5)).toEqual([0, 3, 1, 2, 4]);
  });

  it("raw co-occurrence sums pair counts over distinct past items", () => {
    // Past item 0 (bought twice: still counted once): row 0 = [-, 2, 1, 0, 0].
    const ranked = rankBaseline("cooccurrence", { counts: counts(), ownOrders: new Map([[0, 2]]) }, 3);
    // Items 0, 3, 4 all score 0; popularity ties 0 and 3 (3 orders each), the lower index wins.
    expect(ranked).toEqual([1, 2, 0]);
  });

  it("cosine divides by √(n_i n_j), which lifts rare but loyal partners", () => {
    // Past item 2: pairs 2–0 = 1, 2–4 = 1. cos(2,0) = 1/√(2·3) = .41, cos(2,4) = 1/√(2·1) = .71.
    const ranked = rankBaseline("cosine", { counts: counts(), ownOrders: new Map([[2, 1]]) }, 2);
    expect(ranked).toEqual([4, 0]);
    const raw = rankBaseline("cooccurrence", { counts: counts(), ownOrders: new Map([[2, 1]]) }, 2);
    expect(raw).toEqual([0, 4]); // equal raw counts, popularity breaks the tie
  });

  it("repeat ranks the customer's own most-bought items, then popularity, and honours exclusions", () => {
    const input = {
      counts: counts(),
      ownOrders: new Map([
        [4, 3],
        [1, 1],
      ]),
    };
    expect(rankBaseline("repeat", input, 4)).toEqual([4, 1, 0, 3]);
    expect(rankBaseline("repeat", input, 2, new Set([4, 1]))).toEqual([0, 3]);
  });
});

describe("evaluateBaselines on a subset of customers", () => {
  it("scores only the customers asked for, with the others' orders still counted as history", () => {
    const { orders, catalog } = syntheticShop();
    const data = indexShopData(orders, catalog);
    const all = evaluateBaselines(data, 10);
    const wanted = new Set(data.customerIds.filter((_, i) => i % 2 === 0));
    const subset = evaluateBaselines(data, 10, {}, (c) => wanted.has(c));
    const eligible = data.customerIds.filter((c, i) => wanted.has(c) && data.ordersByCustomer[i]!.length >= 2);
    expect(subset.repeat.cases.all).toBe(eligible.length);
    expect(subset.repeat.cases.all).toBeLessThan(all.repeat.cases.all);
    // The complement's cases and these add up to the whole: no case is scored twice or lost.
    const rest = evaluateBaselines(data, 10, {}, (c) => !wanted.has(c));
    expect(subset.repeat.cases.all + rest.repeat.cases.all).toBe(all.repeat.cases.all);
    const weighted =
      (subset.repeat.all.ndcg * subset.repeat.cases.all + rest.repeat.all.ndcg * rest.repeat.cases.all) /
      all.repeat.cases.all;
    expect(weighted).toBeCloseTo(all.repeat.all.ndcg, 10);
  });
});
