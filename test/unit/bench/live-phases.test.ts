import { describe, expect, it } from "vitest";
import type { HeldOut } from "../../../bench/live-eval";
import { livePhases, replayedBy } from "../../../bench/live-phases";
import { retrainDaysOf } from "../../../bench/live";
import { heldOutShop, order } from "../../helpers/held-out-shop";

/** A shop from 1 January to 31 December: customer c1's basket in February, c2's in July, c3's in December. */
function shop(): HeldOut {
  return heldOutShop(
    [
      order("c1", "2011-01-01T09:00:00"),
      order("c2", "2011-03-01T09:00:00", "B"),
      order("c3", "2011-06-01T09:00:00"),
      order("c4", "2011-11-01T09:00:00", "C"),
    ],
    [order("c1", "2011-02-01T09:00:00"), order("c2", "2011-07-01T09:00:00"), order("c3", "2011-12-31T09:00:00")],
    [order("n1", "2011-12-30T09:00:00")],
  );
}

describe("the live bench's retrains", () => {
  it("retrains every period back from the shop's end and asks each customer after the first retrain past their basket", () => {
    const phases = livePhases(shop(), 90);
    // Bounds: 2 Oct, 4 Jul, 5 Apr, 5 Jan (the last two before any basket but c1's); then the end.
    expect(phases.map((p) => p.until)).toEqual(["2011-04-05T09:00:00", "2011-07-04T09:00:00", null]);
    expect(phases.map((p) => p.asks.customers)).toEqual([["c1"], ["c2"], ["c3"]]);
    // First visits ask once, of the shop as the bench leaves it.
    expect(phases.map((p) => p.asks.firstVisits)).toEqual([[], [], ["n1"]]);
    // Every basket is before its phase's bound: no list is read before the basket it is scored on.
    for (const phase of phases.slice(0, -1))
      for (const c of phase.asks.customers) expect(shop().last.get(c)!.at < phase.until!).toBe(true);
  });

  it("keeps the last phase even when no repeat customer's basket falls in it", () => {
    const held = shop();
    held.last.delete("c3");
    const phases = livePhases(held, 90);
    expect(phases.at(-1)).toEqual({ until: null, asks: { customers: [], firstVisits: ["n1"] } });
  });

  it("is one training when the period covers the whole history", () => {
    const one = [{ until: null, asks: { customers: ["c1", "c2", "c3"], firstVisits: ["n1"] } }];
    expect(livePhases(shop(), 400)).toEqual(one);
    // What the bench asks for without --retrain-days.
    expect(livePhases(shop(), Infinity)).toEqual(one);
  });

  it("refuses a period that is not a positive number of days", () => {
    expect(() => livePhases(shop(), 0)).toThrow(/positive number of days/);
    expect(() => livePhases(shop(), Number.NaN)).toThrow(/positive number of days/);
  });

  it("replays, by a phase's end, the orders before it and the products those and earlier orders sold", () => {
    const held = shop();
    const by = replayedBy(held.replayed, "2011-04-05T09:00:00");
    expect(by.orders.map((o) => o.customer)).toEqual(["c1", "c2"]);
    expect(by.products.map((p) => p.code)).toEqual(["A", "B"]);
    expect(replayedBy(held.replayed, null)).toBe(held.replayed);
  });

  it("reads --retrain-days as a positive number of days, and one training without it", () => {
    expect(retrainDaysOf(["live", "--retrain-days", "90"])).toBe(90);
    expect(retrainDaysOf(["live", "--quick"])).toBeNull();
    expect(() => retrainDaysOf(["live", "--retrain-days"])).toThrow(/positive number of days \(got nothing\)/);
    expect(() => retrainDaysOf(["live", "--retrain-days", "-3"])).toThrow(/got -3/);
  });
});
