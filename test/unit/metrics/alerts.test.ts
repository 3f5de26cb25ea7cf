import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { registry } from "../../../app/lib/metrics/definitions.server";

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string };
}

const rules = (parse(readFileSync("ops/alerts.yml", "utf8")) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
  (g) => g.rules,
);

/** Metric names Affinity defines, with the series suffixes Prometheus adds to histograms. */
const defined = new Set(
  registry.getMetricsAsArray().flatMap((m) => [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]),
);

describe("ops/alerts.yml", () => {
  it("has the three alerts: a stuck queue, rising refusals, failing trainings", () => {
    expect(rules.map((r) => r.alert)).toEqual([
      "AffinityQueueStuck",
      "AffinityRefusalsRising",
      "AffinityTrainingsFailing",
    ]);
    for (const rule of rules) {
      expect(rule.for).toMatch(/^\d+m$/);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(10);
    }
  });

  it("uses only metrics Affinity defines, so a rename cannot silence an alert", () => {
    const used = rules.flatMap((r) => [...r.expr.matchAll(/\baffinity_[a-z_]+/g)].map((m) => m[0]));
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !defined.has(name))).toEqual([]);
  });
});
