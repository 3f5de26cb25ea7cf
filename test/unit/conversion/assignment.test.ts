import { describe, expect, it } from "vitest";
import { assignArm, assignmentBucket } from "../../../app/lib/conversion/assignment";

const visitors = (n: number) => Array.from({ length: n }, (_, i) => `visitor-${i.toString(16).padStart(8, "0")}`);

describe("holdout assignment", () => {
  it("gives a visitor the same arm every time", () => {
    const input = { shop: "a.myshopify.com", experimentId: "exp1", visitorId: "5f1c0ffee", holdoutPercent: 10 };
    const first = assignArm(input);
    for (let i = 0; i < 20; i += 1) expect(assignArm({ ...input })).toBe(first);
  });

  it("splits 100,000 synthetic visitors within half a point of the holdout", () => {
    const buckets = visitors(100_000).map((visitorId) => assignmentBucket("a.myshopify.com", "exp1", visitorId));
    for (const holdoutPercent of [10, 25, 50]) {
      // assignArm is "bucket below holdout × 100"; checked against assignArm itself above and below.
      const control = buckets.filter((bucket) => bucket < holdoutPercent * 100).length;
      // The binomial standard deviation at 10% of 100,000 is about 95 visitors (0.1 points).
      expect(Math.abs(control / 1_000 - holdoutPercent)).toBeLessThan(0.5);
    }
  });

  it("defaults to a 10% holdout and honours 0% and 100%", () => {
    const ids = visitors(20_000);
    const share = (holdoutPercent?: number) =>
      ids.filter((visitorId) => assignArm({ shop: "s", experimentId: "e", visitorId, holdoutPercent }) === "control")
        .length / ids.length;
    expect(Math.abs(share() - 0.1)).toBeLessThan(0.01);
    expect(share(0)).toBe(0);
    expect(share(100)).toBe(1);
  });

  it("reshuffles visitors in a new experiment and keeps shops independent", () => {
    const ids = visitors(10_000);
    const arms = (shop: string, experimentId: string) =>
      ids.map((visitorId) => assignArm({ shop, experimentId, visitorId, holdoutPercent: 50 }));
    const base = arms("a", "e1");
    const agree = (other: string[]) => other.filter((arm, i) => arm === base[i]).length / ids.length;
    // Independent 50/50 assignments agree about half the time.
    expect(Math.abs(agree(arms("a", "e2")) - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(agree(arms("b", "e1")) - 0.5)).toBeLessThan(0.03);
  });

  it("keeps buckets inside [0, 10000)", () => {
    for (const id of visitors(1_000)) {
      const bucket = assignmentBucket("s", "e", id);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(10_000);
    }
  });
});
