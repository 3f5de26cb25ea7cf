import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { TallyHistogram } from "../../../app/lib/metrics/tally";

describe("TallyHistogram", () => {
  it("renders cumulative buckets, +Inf, sum and count as Prometheus expects", async () => {
    const registry = new Registry();
    const histogram = new TallyHistogram("t_seconds", "A test histogram.", [0.01, 0.1, 1], registry);
    for (const value of [0.005, 0.05, 0.05, 0.5, 3]) histogram.observe(value);
    const text = await registry.metrics();
    expect(text).toContain("# TYPE t_seconds histogram");
    expect(text).toContain('t_seconds_bucket{le="0.01"} 1');
    expect(text).toContain('t_seconds_bucket{le="0.1"} 3');
    expect(text).toContain('t_seconds_bucket{le="1"} 4');
    expect(text).toContain('t_seconds_bucket{le="+Inf"} 5');
    expect(text).toContain("t_seconds_sum 3.605");
    expect(text).toContain("t_seconds_count 5");
    registry.resetMetrics();
    expect(await registry.metrics()).toContain("t_seconds_count 0");
  });
});
