import { describe, expect, it } from "vitest";
import type { HeldOut } from "../../../bench/live-eval";
import { liveSteps } from "../../../bench/live-daily";
import { replayedBy } from "../../../bench/live-phases";
import { liveDesignOf } from "../../../bench/live";
import { heldOutShop, order } from "../../helpers/held-out-shop";

/**
 * c1 comes back in February; c2 orders on the morning of 1 July and comes back that afternoon;
 * c3 comes back on 1 July too, having last ordered in March; n1 is a first visit on 1 July.
 */
function shop(): HeldOut {
  return heldOutShop(
    [
      order("c1", "2011-01-01T09:00:00"),
      order("c3", "2011-03-01T09:00:00", "B"),
      order("c2", "2011-06-01T09:00:00"),
      order("c4", "2011-07-01T08:00:00", "B"),
      order("c2", "2011-07-01T10:00:00", "C"),
      order("c4", "2011-07-01T12:00:00", "C"),
    ],
    [order("c1", "2011-02-01T09:00:00"), order("c2", "2011-07-01T15:00:00"), order("c3", "2011-07-01T16:00:00")],
    [order("n1", "2011-07-01T11:00:00")],
  );
}

describe("the live bench's lists read before the basket", () => {
  it("reads each list at its basket's day start, or just after the shopper's own order earlier that day", () => {
    const steps = liveSteps(shop(), 30);
    expect(steps.map((s) => s.until)).toEqual(["2011-02-01T00:00:00", "2011-07-01T00:00:00", "2011-07-01T10:00:01"]);
    expect(steps.map((s) => s.asks)).toEqual([
      { customers: ["c1"], firstVisits: [] },
      { customers: ["c3"], firstVisits: ["n1"] },
      { customers: ["c2"], firstVisits: [] },
    ]);
  });

  it("never reads a list at or after the basket it is scored on, nor replays an order from after it", () => {
    const held = shop();
    for (const step of liveSteps(held, 30)) {
      for (const c of step.asks.customers) expect(step.until < held.last.get(c)!.at).toBe(true);
      for (const c of step.asks.firstVisits) expect(step.until < held.firstVisits.get(c)!.at).toBe(true);
      const latest = replayedBy(held.replayed, step.until).orders.at(-1)!.at;
      expect(latest < step.until).toBe(true);
    }
  });

  it("retrains when no run serves yet and again once the serving run is the period old; refreshes between", () => {
    expect(liveSteps(shop(), 30).map((s) => s.retrain)).toEqual([true, true, false]);
    // A period longer than the history: one retrain, then refreshes only.
    expect(liveSteps(shop(), 400).map((s) => s.retrain)).toEqual([true, false, false]);
    expect(() => liveSteps(shop(), 0)).toThrow(/positive number of days/);
  });

  it("replays by a moment the orders before it and the products they sold, not a product first sold later", () => {
    const held = shop();
    const atNoon = replayedBy(held.replayed, "2011-07-01T10:00:01");
    expect(atNoon.orders.map((o) => `${o.customer} ${o.at}`)).toEqual([
      "c1 2011-01-01T09:00:00",
      "c3 2011-03-01T09:00:00",
      "c2 2011-06-01T09:00:00",
      "c4 2011-07-01T08:00:00",
      "c2 2011-07-01T10:00:00",
    ]);
    expect(atNoon.products.map((p) => p.code)).toEqual(["A", "B", "C"]);
    expect(replayedBy(held.replayed, "2011-07-01T00:00:00").products.map((p) => p.code)).toEqual(["A", "B"]);
  });

  it("reads the design from the flags: one training, lists read after, or read before", () => {
    expect(liveDesignOf(["live"])).toEqual({ kind: "one training" });
    expect(liveDesignOf(["live", "--retrain-days", "90"])).toEqual({ kind: "after", retrainDays: 90 });
    expect(liveDesignOf(["live", "--read-before"])).toEqual({ kind: "before", retrainDays: 30 });
    expect(liveDesignOf(["live", "--read-before", "--retrain-days", "7"])).toEqual({ kind: "before", retrainDays: 7 });
  });
});
