import { describe, expect, it } from "vitest";
import { baselineNote, metricsTable } from "../../../app/lib/admin/model-metrics";

const row = (ndcgAll: number, ndcgNew: number) => ({
  all: { hr: 0.5, recall: 0.1, ndcg: ndcgAll },
  new: { hr: 0.3, recall: 0.05, ndcg: ndcgNew },
  coverage: 0.2,
});
const stored = (model: ReturnType<typeof row> | null) =>
  JSON.stringify({
    model,
    baselines: { popularity: row(0.07, 0.03), cosine: row(0.15, 0.071), repeat: row(0.27, 0.032) },
    timings: { totalMs: 1 },
  });

describe("the model page's metrics table", () => {
  it("puts the model first, marks the served ranker and the best NDCG of each setting", () => {
    const rows = metricsTable(stored(row(0.281, 0.076)), "model");
    expect(rows.map((r) => r.ranker)).toEqual(["model", "popularity", "cosine", "repeat"]);
    expect(rows.filter((r) => r.served).map((r) => r.ranker)).toEqual(["model"]);
    expect(rows.filter((r) => r.best.all).map((r) => r.ranker)).toEqual(["model"]);
    expect(rows.filter((r) => r.best.new).map((r) => r.ranker)).toEqual(["model"]);
    expect(rows.every((r) => r.explanation.length > 0)).toBe(true);
  });

  it("is empty for a run without metrics, and ignores rankers it does not know", () => {
    expect(metricsTable("{}", null)).toEqual([]);
    expect(metricsTable("not json", null)).toEqual([]);
    const extra = JSON.stringify({ model: null, baselines: { popularity: row(0.1, 0.1), mystery: row(1, 1) } });
    expect(metricsTable(extra, "popularity").map((r) => r.ranker)).toEqual(["popularity"]);
  });
});

describe("the note when a baseline is served", () => {
  it("says nothing when the model is served", () => {
    expect(baselineNote("model", metricsTable(stored(row(0.3, 0.08)), "model"))).toBeNull();
  });

  it("explains a model that did not win by the margin, with both scores", () => {
    const rows = metricsTable(stored(row(0.262, 0.07)), "repeat");
    expect(baselineNote("repeat", rows)).toBe(
      "Your shop gets the “Buy again” recommendations: on recent orders they scored 0.270 against the model's 0.262. " +
        "The model takes over once it wins by at least 1%.",
    );
  });

  it("explains a shop too small to train on, and a model that lost on new products", () => {
    expect(baselineNote("popularity", metricsTable(stored(null), "popularity"))).toContain(
      "not enough order history to train the model yet",
    );
    expect(baselineNote("cosine", metricsTable(stored(row(0.3, 0.01)), "cosine"))).toContain("new products worse");
  });
});
