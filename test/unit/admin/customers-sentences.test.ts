import { describe, expect, it } from "vitest";
import { metricsSentences, type CustomersPage } from "../../../app/lib/admin/customers.server";

const metrics = (auc: number, prAuc: number, brier: number) => ({ auc, prAuc, brier, n: 400, positives: 180 });
const run = (model: ReturnType<typeof metrics> | null): NonNullable<CustomersPage["run"]> => ({
  createdAt: "2026-12-01T00:00:00.000Z",
  horizonDays: 63,
  served: model ? "model" : "rfm",
  reason: model ? "model AUC 0.752 beats rfm 0.734" : "only 12 repeat customers; a model needs 50",
  metrics: { model, recency: metrics(0.667, 0.61, 0.2371), rfm: metrics(0.734, 0.702, 0.2068) },
  followUp: null,
  spend: null,
  segmentSizes: null,
});

describe("the Customers page's metrics in words", () => {
  it("states AUC, PR-AUC and the Brier score of the model beside both baselines", () => {
    const sentences = metricsSentences(run(metrics(0.7515, 0.721, 0.2016)));
    expect(sentences).toContain("Affinity's model ranks them right 75 % of the time.");
    // 180 of 400 did not come back: 45 %, what a random list's precision averages.
    expect(sentences).toContain(
      "Going down each one's list from most to least at risk, the share who really did not come back among those listed first averages the model 72 %, the recency-frequency-value score 70 %, days since last order 61 % (PR-AUC; a random list gets 45 %, the share who did not come back).",
    );
    expect(sentences).toContain(
      "How close the risk percentages come to what happened (Brier score: 0 is perfect, always saying 50 % scores 0.25, lower is better): the model 0.202, the recency-frequency-value score 0.207, days since last order 0.237.",
    );
    expect(sentences.at(-1)).toBe("Risk scores now come from the model: model AUC 0.752 beats rfm 0.734.");
  });

  it("names only the baselines, and why, when the run trained no model", () => {
    const sentences = metricsSentences(run(null));
    expect(sentences.join(" ")).not.toContain("the model");
    expect(sentences).toContain(
      "How close the risk percentages come to what happened (Brier score: 0 is perfect, always saying 50 % scores 0.25, lower is better): the recency-frequency-value score 0.207, days since last order 0.237.",
    );
    expect(sentences.at(-1)).toBe(
      "Risk scores now come from the rfm baseline: only 12 repeat customers; a model needs 50.",
    );
  });
});
