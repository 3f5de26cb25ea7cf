import { beforeAll, describe, expect, it } from "vitest";
import { runChurn, type ChurnRunResult } from "../../../app/lib/churn/run";
import { initTfBackend } from "../../../app/lib/tf/backend.server";
import { syntheticChurnShop } from "../../helpers/churn-shop";

describe("churn run on a synthetic shop", () => {
  const shop = syntheticChurnShop(400);
  let run: ChurnRunResult;

  beforeAll(async () => {
    await initTfBackend({ force: "wasm", log: () => {} });
    run = runChurn(shop.orders, { now: shop.end });
  });

  it("Given known churners, the network separates them on the held-out window and beats recency", () => {
    expect(run.metrics.model).not.toBeNull();
    expect(run.metrics.model!.auc).toBeGreaterThan(0.85);
    expect(run.metrics.model!.auc).toBeGreaterThan(run.metrics.recency.auc);
    expect(run.horizonDays).toBeGreaterThanOrEqual(30);
    expect(run.horizonDays).toBeLessThanOrEqual(180);
  });

  it("scores today's known churners as riskier than the loyal customers, and says what it served", () => {
    const mean = (rows: { risk: number }[]) => rows.reduce((s, r) => s + r.risk, 0) / rows.length;
    const churned = run.predictions.filter((p) => shop.churners.has(p.customerId));
    const loyal = run.predictions.filter((p) => !shop.churners.has(p.customerId));
    expect(mean(churned) - mean(loyal)).toBeGreaterThan(0.4);
    expect(run.predictions.every((p) => p.risk >= 0 && p.risk <= 1)).toBe(true);
    expect(["model", "rfm", "recency"]).toContain(run.served);
    expect(run.reason).toMatch(/AUC/);
  });

  it("follows up its at-risk mark on the held-out window: most of those it marked really left", () => {
    const f = run.followUp;
    expect(f.marked).toBeGreaterThan(0);
    expect(f.churned).toBeLessThanOrEqual(f.marked);
    expect(f.churned / f.marked).toBeGreaterThan(0.5);
    // Today's segments' spend: six periods, and the segments that exist have spent something.
    expect(run.spend.periods).toHaveLength(6);
    const total = Object.values(run.spend.revenue)
      .flat()
      .reduce((s, x) => s + x, 0);
    expect(total).toBeGreaterThan(0);
  });

  it("Given fewer than 50 repeat customers, trains no network and serves a baseline with the reason", () => {
    const few = syntheticChurnShop(30, { seed: 9 });
    const small = runChurn(few.orders, { now: few.end });
    expect(small.metrics.model).toBeNull();
    expect(small.served).not.toBe("model");
    expect(small.reason).toMatch(/repeat customers \(at least 50 needed/);
    expect(small.predictions.length).toBe(30);
  });
});
