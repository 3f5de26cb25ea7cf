import { describe, expect, it } from "vitest";
import { indexShopData } from "../../../app/lib/model/dataset";
import { buildTimeSplit, pastItems } from "../../../app/lib/model/split";
import { catalogOf, order } from "./fixtures";

describe("buildTimeSplit", () => {
  const data = indexShopData(
    [
      order("o3", "alice", 5, ["C"]),
      order("o1", "alice", 1, ["A", "B"]),
      order("o2", "alice", 3, ["B"]),
      order("o4", "bob", 2, ["A"]), // one order: never a target
      order("o5", "carol", 4, ["D"]),
      order("o6", "carol", 4, ["E"]), // same moment as her other order
      order("o7", "dave", 2, ["A"]),
      order("o8", "dave", 6, ["A", "A"]), // duplicate lines merge
    ],
    catalogOf(["A", "B", "C", "D", "E"]),
  );
  const cases = buildTimeSplit(data);
  const byName = new Map(cases.map((c) => [data.customerIds[c.customer], c]));
  const item = (id: string) => data.itemIndex.get(id);

  it("Given customers with two or more orders, then each one's last order is the target, in cutoff order", () => {
    expect([...byName.keys()].sort()).toEqual(["alice", "carol", "dave"]);
    expect(cases.map((c) => c.cutoff)).toEqual([...cases.map((c) => c.cutoff)].sort((a, b) => a - b));
    expect(data.orders[byName.get("alice")!.targetOrder]?.orderId).toBe("o3");
    expect(byName.get("alice")!.targets).toEqual([item("C")]);
    expect(byName.get("dave")!.targets).toEqual([item("A")]);
  });

  it("uses only the customer's orders strictly before the target's timestamp", () => {
    const alice = byName.get("alice")!;
    expect(alice.history.map((i) => data.orders[i]?.orderId)).toEqual(["o1", "o2"]);
    expect(pastItems(data, alice.history)).toEqual(new Set([item("A"), item("B")]));
    // Carol's two orders share a timestamp, so the "earlier" one is not before the target.
    expect(byName.get("carol")!.history).toEqual([]);
    for (const c of cases) for (const i of c.history) expect(data.orders[i]!.at).toBeLessThan(c.cutoff);
  });
});
