import { beforeAll, describe, expect, it } from "vitest";
import { crossFitChurnNet, foldOf } from "../../../app/lib/churn/cross-fit";
import { initTfBackend } from "../../../app/lib/tf/backend.server";

// 90 customers, two snapshots each; the label follows the sign of the first input.
const ids = Array.from({ length: 90 }, (_, c) => `c${c}`).flatMap((id) => [id, id]);
const rows = ids.map((_, i) => [((i * 37) % 90) / 45 - 1, (i % 7) / 7]);
const labels = rows.map((r) => (r[0]! > 0 ? 1 : 0));

describe("cross-fitted churn networks", () => {
  beforeAll(async () => {
    await initTfBackend({ force: "wasm", log: () => {} });
  });

  it("keeps a customer's snapshots in one fold and uses every fold", () => {
    expect(foldOf("c1", 3)).toBe(foldOf("c1", 3));
    const used = new Set(ids.map((id) => foldOf(id, 3)));
    expect([...used].sort()).toEqual([0, 1, 2]);
  });

  it("scores new rows with calibrated probabilities that follow the signal", () => {
    const net = crossFitChurnNet(rows, labels, ids, { epochs: 60 });
    try {
      const [low, high] = net.score([
        [-0.8, 0.5],
        [0.8, 0.5],
      ]);
      expect(low!).toBeGreaterThan(0);
      expect(high!).toBeLessThan(1);
      expect(high!).toBeGreaterThan(0.7);
      expect(low!).toBeLessThan(0.3);
    } finally {
      net.dispose();
    }
  });
});
