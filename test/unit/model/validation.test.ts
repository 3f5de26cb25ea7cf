import { describe, expect, it } from "vitest";
import type { TimedExample } from "../../../app/lib/model/examples";
import type { EvalCase } from "../../../app/lib/model/split";
import { ValidationAccumulator, validationRows } from "../../../app/lib/model/validation";

/** A row with candidates `items`, the first `pastCount` of them bought before. */
const example = (customer: number, items: number[], pastCount: number, targets: number[], evalCase?: EvalCase) =>
  ({
    customer,
    at: 0,
    targets,
    evalCase,
    row: {
      at: 0,
      day: 0,
      featureIndex: Int32Array.from(items),
      featureValue: new Float32Array(0),
      pastCount,
      viewedCount: 0,
      user: new Float32Array(0),
    },
  }) as TimedExample;

/** Catalog scores ranking `order` first to last (4 items). */
const ranked = (order: number[]) => {
  const scores = new Float32Array(4).fill(-1e9);
  order.forEach((item, rank) => (scores[item] = order.length - rank));
  return scores;
};

describe("validation on intermediate orders", () => {
  it("keeps the rows that are neither evaluation cases nor without a history", () => {
    const kept = example(0, [1], 1, [1]);
    const rows = [kept, example(0, [1], 1, [1], {} as EvalCase), example(1, [2], 0, [2])];
    expect(validationRows(rows)).toEqual([kept]);
  });

  it("counts each customer once and ranks new items without the ones bought before", () => {
    const a1 = example(0, [0, 1, 2], 1, [0]);
    const a2 = example(0, [0, 1, 2], 1, [1]);
    const b = example(1, [0, 1, 2], 1, [2]);
    const acc = new ValidationAccumulator(1, [a1, a2, b]);
    acc.add(a1, ranked([0, 1, 2])); // hit
    acc.add(a2, ranked([0, 1, 2])); // miss in "all"; first once 0 (bought before) leaves: hit
    acc.add(b, ranked([0, 1, 2])); // miss; new only: 1 ranks above the target 2
    // All: customer 0 averages (1 + 0) / 2, customer 1 scores 0. New: a1 has no new target;
    // a2 (weight 1/2) hits, b (weight 1) misses: 0.5 / 1.5.
    const result = acc.result();
    expect(result).toMatchObject({ all: 0.25, rows: 3 });
    expect(result.new).toBeCloseTo(1 / 3, 9);
  });
});
