import { beforeAll, describe, expect, it } from "vitest";
import { initTfBackend } from "../../../app/lib/tf/backend.server";
import { indexShopData, type HistoryView } from "../../../app/lib/model/dataset";
import { trainAndEvaluate } from "../../../app/lib/model/evaluate";
import { buildExamples } from "../../../app/lib/model/examples";
import { ITEM_FEATURES } from "../../../app/lib/model/features";
import { rankForHistory, topKForCustomers } from "../../../app/lib/model/lists";
import { buildSnapshots } from "../../../app/lib/model/snapshots";
import { buildTimeSplit } from "../../../app/lib/model/split";
import type { HistoryOrder } from "../../../app/lib/model/types";
import { catalogOf, order } from "./fixtures";

const DAY = 86_400_000;
const start = Date.UTC(2024, 0, 1);
const VIEWED = ["V1", "V2", "V3"];

/**
 * Every customer buys the same starter kit, then views one of three look-alike products and buys
 * exactly that one next. Orders alone cannot tell which of the three a customer will pick (they
 * are equally popular and co-occur with the same things): only the views can.
 */
function viewersShop(customers = 36) {
  const orders: HistoryOrder[] = [];
  const views = new Map<string, HistoryView[]>();
  for (let i = 0; i < customers; i++) {
    const c = `v${i}`;
    const pick = VIEWED[i % 3]!;
    orders.push(order(`k${i}`, c, i, ["KIT", "BOX"]));
    views.set(c, [{ productId: pick, at: new Date(start + (i + 1) * DAY) }]);
    orders.push(order(`p${i}`, c, i + 2, [pick]));
    // A view after the last order: it must not reach that order's evaluation row.
    views.get(c)!.push({ productId: VIEWED[(i + 1) % 3]!, at: new Date(start + (i + 2) * DAY + 1) });
  }
  return { orders, views, catalog: catalogOf(["KIT", "BOX", ...VIEWED]) };
}

describe("Product views as history", () => {
  const shop = viewersShop();

  it("reads only views strictly before each example's moment (no leakage past the split)", () => {
    const data = indexShopData(shop.orders, shop.catalog, shop.views);
    const snapshots = buildSnapshots(data, data.orders[data.orders.length - 1]!.at + 1);
    const examples = buildExamples(data, buildTimeSplit(data), snapshots);
    const viewedAt = ITEM_FEATURES.indexOf("viewed");
    const rows = examples.filter((e) => e.evalCase);
    expect(rows).toHaveLength(36);
    for (const e of rows) {
      const c = data.customerIds[e.customer]!;
      const i = Number(c.slice(1));
      const viewedItems = Array.from(e.row.featureIndex).filter(
        (_, k) => e.row.featureValue[k * ITEM_FEATURES.length + viewedAt]! > 0,
      );
      expect(viewedItems.map((item) => data.productIds[item])).toEqual([VIEWED[i % 3]]);
    }
  });

  describe("Given the model trained with views", () => {
    beforeAll(async () => {
      await initTfBackend({ force: "wasm", log: () => {} });
    });

    it("ranks the viewed product first, which no baseline can, and is promoted for it", async () => {
      const result = await trainAndEvaluate(shop.orders, shop.catalog, {
        views: shop.views,
        epochs: 20,
        epochsPerStage: 5,
        dnn: { learningRate: 0.03 },
        snapshots: { neighbourEveryDays: 7 },
      });
      // Three look-alikes: a baseline puts the right one first a third of the time at best.
      const best = Math.max(...Object.values(result.metrics.baselines).map((m) => m.new.ndcg));
      expect(best).toBeLessThan(0.8);
      expect(result.metrics.model!.new.ndcg).toBeGreaterThan(0.9);
      expect(result.promoted).toBe("model");
      // Serving reads the same views: v4 viewed V2 before its last order and V3 after it.
      expect(topKForCustomers(result.model, 1, ["v4"]).get("v4")).toEqual(["V3"]);
      // So does an anonymous visitor's history, a kit bought and then V2 viewed: taken as a
      // purchase (as before), the view would give V1.
      const at = (day: number) => new Date(start + day * DAY);
      const visitor = [
        { productId: "KIT", at: at(40), quantity: 1 },
        { productId: "BOX", at: at(40), quantity: 1 },
        { productId: "V2", at: at(41), quantity: 1, kind: "viewed" as const },
      ];
      expect(rankForHistory(result.model, visitor, 1, new Set(["KIT", "BOX"]))).toEqual(["V2"]);
      result.model.dnn?.dispose();
    });
  });
});
