import { describe, expect, it } from "vitest";
import { MetricsAccumulator } from "../../../app/lib/model/evaluate-lists";
import { newSlots, personalLists, repeatShare } from "../../../app/lib/model/strategies";

// Six products; the shopper bought 0, 1 and 2 before. Scores put two past items on top.
const scores = [0.9, 0.8, 0.1, 0.7, 0.6, 0.5];
const past = new Set([0, 1, 2]);

describe("repeatShare", () => {
  it("counts re-bought lines of later orders, shrunk towards one half", () => {
    // Orders {0,1}, {0,2}, {0,1,3}: later lines 5, of which 0, 0 and 1 were bought before = 3.
    expect(
      repeatShare([
        [0, 1],
        [0, 2],
        [0, 1, 3],
      ]),
    ).toBeCloseTo((3 + 1) / (5 + 2), 12);
    expect(repeatShare([[4]])).toBe(0.5);
    expect(repeatShare([])).toBe(0.5);
  });
});

describe("newSlots", () => {
  it("keeps (1 − repeat share) × discovery of every prefix for new products, rounded down", () => {
    expect(newSlots(10, 0.4, { discovery: 0.5 })).toBe(3);
    expect(newSlots(4, 0.4, { discovery: 0.5 })).toBe(1);
    expect(newSlots(10, 1, { discovery: 0.5 })).toBe(0);
    expect(newSlots(10, 0, { discovery: 1 })).toBe(10);
    expect(newSlots(10, 0.4, { discovery: 0 })).toBe(0);
  });
});

describe("personalLists", () => {
  it("builds buy-again from past purchases only and new-for-you from everything else, each best first", () => {
    const lists = personalLists(scores, undefined, past, 1, 4);
    expect(lists.buy_again).toEqual([0, 1, 2]);
    expect(lists.new_for_you).toEqual([3, 4, 5]);
  });

  it("merges for-you by score when the shopper only re-buys, and reserves slots for new products otherwise", () => {
    expect(personalLists(scores, undefined, past, 1, 4).for_you).toEqual([0, 1, 3, 4]);
    // Share 0 and discovery 1: every position must be new while new products remain.
    expect(personalLists(scores, undefined, past, 0, 4, { discovery: 1 }).for_you).toEqual([3, 4, 5, 0]);
    // Share 0.5, discovery 1: at least ⌊n/2⌋ new products in the first n.
    expect(personalLists(scores, undefined, past, 0.5, 4, { discovery: 1 }).for_you).toEqual([0, 3, 1, 4]);
  });

  it("breaks score ties by the tiebreak, then by index, as topK does", () => {
    const flat = [0, 0, 0, 0];
    const lists = personalLists(flat, [1, 5, 3, 2], new Set([0, 2]), 1, 4);
    expect(lists.buy_again).toEqual([2, 0]);
    expect(lists.new_for_you).toEqual([1, 3]);
  });
});

describe("MetricsAccumulator strategies", () => {
  it("scores buy-again and for-you against the whole basket and new-for-you against its new products", () => {
    const acc = new MetricsAccumulator(2, 6, { discovery: 0 });
    // Basket {1, 3}: 1 was bought before, 3 is new.
    acc.add(scores, undefined, [1, 3], past, 1);
    const { strategies } = acc.result();
    // buy_again [0, 1]: hit at rank 2 → (1/log2 3) / (1 + 1/log2 3).
    const idcg = 1 + 1 / Math.log2(3);
    expect(strategies.buy_again.ndcg).toBeCloseTo(1 / Math.log2(3) / idcg, 12);
    expect(strategies.buy_again.newShare).toBe(0);
    // for_you [0, 1] with no discovery slots: the same list.
    expect(strategies.for_you.ndcg).toBeCloseTo(strategies.buy_again.ndcg, 12);
    // new_for_you [3, 4] against {3}: a hit at rank 1.
    expect(strategies.new_for_you).toMatchObject({ ndcg: 1, hr: 1, newShare: 1 });
  });
});
