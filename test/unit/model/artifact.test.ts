import { gunzipSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { initTfBackend } from "../../../app/lib/tf/backend.server";
import { CorruptArtifactError, restoreRecommender, serializeRecommender } from "../../../app/lib/model/artifact";
import { indexShopData } from "../../../app/lib/model/dataset";
import { RecommenderEnsemble } from "../../../app/lib/model/ensemble";
import { trainAndEvaluate, type TrainAndEvaluateResult } from "../../../app/lib/model/evaluate";
import { rankForHistory, topKForCustomers } from "../../../app/lib/model/lists";
import { restoreWithFallback } from "../../../app/lib/model/restore";
import { catalogOf, syntheticShop } from "./fixtures";

const shop = syntheticShop();
const visitorA = [{ productId: "A", at: new Date(Date.UTC(2024, 1, 1)), quantity: 1 }];
let trained: TrainAndEvaluateResult;
let bytes: Uint8Array;

beforeAll(async () => {
  await initTfBackend({ force: "wasm", log: () => {} });
  trained = await trainAndEvaluate(shop.orders, shop.catalog, {
    epochs: 30,
    epochsPerStage: 10,
    dnn: { learningRate: 0.03 },
    snapshots: { neighbourEveryDays: 7 },
  });
  expect(trained.promoted).toBe("model");
  bytes = serializeRecommender(trained.model);
});

describe("model artifact", () => {
  it("Given a stored run, when it is restored from the same orders, then it ranks exactly as the trained model", () => {
    const restored = restoreRecommender(bytes, indexShopData(shop.orders, shop.catalog));
    expect(restored.promoted).toBe("model");
    expect(rankForHistory(restored, visitorA, 5)).toEqual(rankForHistory(trained.model, visitorA, 5));
    expect(topKForCustomers(restored, 3)).toEqual(topKForCustomers(trained.model, 3));
    restored.dnn?.dispose();
  });

  it("Given a product added to the catalog since the run, then restoring maps the biases by productId and still ranks", () => {
    const catalog = catalogOf(["BRAND-NEW", ...shop.catalog.map((c) => c.productId)]);
    const restored = restoreRecommender(bytes, indexShopData(shop.orders, catalog));
    const biases = restored.dnn!.members[0]!.weights.itemBias.dataSync();
    expect(biases[restored.data.itemIndex.get("BRAND-NEW")!]).toBe(0);
    expect(rankForHistory(restored, visitorA, 1, new Set(["A"]))).toEqual(["B"]);
    restored.dnn?.dispose();
  });

  it("Given a version-1 artifact (one network), then it restores as a one-member ensemble ranking like that network", () => {
    const json = JSON.parse(gunzipSync(bytes).toString("utf8")) as {
      version: number;
      dnn: { weights?: unknown; members?: unknown[] };
    };
    const v1 = { ...json, version: 1, dnn: { ...json.dnn, weights: json.dnn.members![0], members: undefined } };
    const restored = restoreRecommender(gzipSync(JSON.stringify(v1)), indexShopData(shop.orders, shop.catalog));
    expect(restored.dnn!.members).toHaveLength(1);
    const firstAlone = { ...trained.model, dnn: new RecommenderEnsemble([trained.model.dnn!.members[0]!]) };
    expect(rankForHistory(restored, visitorA, 5)).toEqual(rankForHistory(firstAlone, visitorA, 5));
    restored.dnn?.dispose();
  });

  it("rejects missing, truncated, foreign and non-finite artifacts with CorruptArtifactError", () => {
    const data = indexShopData(shop.orders, shop.catalog);
    const json = JSON.parse(gunzipSync(bytes).toString("utf8")) as {
      dnn: { members: Array<Record<string, { values: string }>> };
      layout: { items: string[] };
    };
    const nan = structuredClone(json);
    nan.dnn.members[1]!.wide!.values = Buffer.from(new Float32Array(31).fill(Number.NaN).buffer).toString("base64");
    const otherLayout = structuredClone(json);
    otherLayout.layout.items = ["past"];
    for (const bad of [
      null,
      new Uint8Array(0),
      bytes.subarray(0, bytes.length / 2),
      gzipSync("{}"),
      gzipSync(JSON.stringify(nan)),
      gzipSync(JSON.stringify(otherLayout)),
    ]) {
      expect(() => restoreRecommender(bad, data)).toThrow(CorruptArtifactError);
    }
  });

  it("Given a corrupt newest artifact, then the previous run serves; given none usable, then the baseline does, logged", () => {
    const data = indexShopData(shop.orders, shop.catalog);
    const events: string[] = [];
    const log = (event: string) => events.push(event);
    const previous = restoreWithFallback(
      [
        { runId: "new", artifact: gzipSync("not json") },
        { runId: "old", artifact: bytes },
      ],
      data,
      { overall: "repeat" },
      log,
    );
    expect(previous.fromRun).toBe("old");
    expect(events).toEqual(["model.artifact_unusable"]);
    previous.model.dnn?.dispose();

    events.length = 0;
    const baseline = restoreWithFallback([{ runId: "new", artifact: null }], data, { overall: "repeat" }, log);
    expect(baseline).toMatchObject({ fromRun: null, model: { promoted: "repeat", dnn: null } });
    expect(events).toEqual(["model.artifact_unusable", "model.serving_baseline"]);
    expect(topKForCustomers(baseline.model, 2).get("r0")?.[0]).toBe("R1");
  });
});
