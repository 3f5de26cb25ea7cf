import { describe, expect, it } from "vitest";
import { BASELINE_NAMES } from "../../../app/lib/model/baselines";
import { indexShopData } from "../../../app/lib/model/dataset";
import { evaluateBaselines } from "../../../app/lib/model/evaluate";
import { baselineByCustomer, pairedRatioInterval } from "../../../bench/live-intervals";
import { syntheticShop } from "../model/fixtures";

describe("the live ratio's bootstrap interval", () => {
  it("is the ratio itself when every customer has the same ratio", () => {
    const reference = new Map([
      ["a", 0.2],
      ["b", 0.5],
      ["c", 0.1],
    ]);
    const live = new Map([...reference].map(([c, v]) => [c, v * 1.1]));
    const interval = pairedRatioInterval(live, reference, { draws: 200 });
    expect(interval.ratio).toBeCloseTo(1.1, 12);
    expect(interval.low).toBeCloseTo(1.1, 12);
    expect(interval.high).toBeCloseTo(1.1, 12);
    expect(interval.customers).toBe(3);
  });

  it("brackets the ratio of noisy scores, narrows with more customers, and repeats with its seed", () => {
    const scores = (n: number) => {
      const reference = new Map<string, number>();
      const live = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        reference.set(`c${i}`, (i % 7) / 10);
        live.set(`c${i}`, ((i * 5) % 11) / 10);
      }
      return { live, reference };
    };
    const small = scores(50);
    const large = scores(5_000);
    const a = pairedRatioInterval(small.live, small.reference);
    const b = pairedRatioInterval(large.live, large.reference);
    expect(a.low).toBeLessThan(a.ratio);
    expect(a.high).toBeGreaterThan(a.ratio);
    expect(b.high - b.low).toBeLessThan((a.high - a.low) / 3);
    expect(pairedRatioInterval(small.live, small.reference)).toEqual(a);
  });

  it("pairs only the customers both sides scored", () => {
    const interval = pairedRatioInterval(
      new Map([
        ["a", 0.3],
        ["only-live", 1],
      ]),
      new Map([
        ["a", 0.2],
        ["only-reference", 1],
      ]),
    );
    expect(interval.ratio).toBeCloseTo(1.5, 12);
    expect(interval.customers).toBe(1);
  });
});

describe("a baseline's score per customer", () => {
  it("averages to the figure evaluateBaselines gives, in both settings, for the customers kept", () => {
    const shop = syntheticShop();
    const data = indexShopData(shop.orders, shop.catalog);
    const only = (c: string) => c.charCodeAt(c.length - 1) % 2 === 0;
    const evaluated = evaluateBaselines(data, 10, {}, only);
    for (const name of BASELINE_NAMES) {
      for (const setting of ["all", "new"] as const) {
        const perCustomer = baselineByCustomer(data, name, setting, only);
        const mean = [...perCustomer.values()].reduce((s, v) => s + v, 0) / perCustomer.size;
        expect(perCustomer.size).toBe(evaluated[name].cases[setting]);
        expect(mean).toBeCloseTo(evaluated[name][setting].ndcg, 12);
        for (const customer of perCustomer.keys()) expect(only(customer)).toBe(true);
      }
    }
  });
});
