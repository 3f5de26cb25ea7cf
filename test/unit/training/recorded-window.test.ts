import { describe, expect, it } from "vitest";
import { recordedWindow } from "../../../app/lib/training/rebuild-lists.server";

const caps = { maxLines: 1_000, maxItems: 50 };

describe("the window a run is restored on", () => {
  it("is the rule and caps the run recorded", () => {
    expect(recordedWindow(JSON.stringify({ window: { rule: "customers", caps } }))).toEqual({
      rule: "customers",
      caps,
    });
    expect(recordedWindow(JSON.stringify({ window: { rule: "days", caps } }))).toEqual({ rule: "days", caps });
  });

  it("is a day cut for a windowed run recorded before windows named their rule", () => {
    expect(recordedWindow(JSON.stringify({ window: { since: "2026-01-01T00:00:00.000Z", caps } }))).toEqual({
      rule: "days",
      caps,
    });
  });

  it("is today's training rule, with the budget's caps, when the run recorded no window or an unreadable one", () => {
    expect(recordedWindow(JSON.stringify({ all: {} }))).toEqual({ rule: "customers" });
    expect(recordedWindow("not json")).toEqual({ rule: "customers" });
  });
});
