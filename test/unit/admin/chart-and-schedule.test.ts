import { describe, expect, it } from "vitest";
import { niceTicks } from "../../../app/lib/admin/chart-scale";
import { weeklyCron } from "../../../app/lib/training/schedule.server";

describe("chart gridlines", () => {
  it("are round steps from 0 that reach the peak", () => {
    expect(niceTicks(640)).toEqual([0, 200, 400, 600, 800]);
    expect(niceTicks(0.062)).toEqual([0, 0.02, 0.04, 0.06, 0.08]);
    expect(niceTicks(100)).toEqual([0, 50, 100]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe("the weekly retrain", () => {
  it("runs at the daily time on Mondays, and leaves a cron that names weekdays alone", () => {
    expect(weeklyCron("17 3 * * *")).toBe("17 3 * * 1");
    expect(weeklyCron("0 2 * * 0")).toBe("0 2 * * 0");
    expect(weeklyCron("*/5 * * * * *")).toBe("*/5 * * * * *");
  });
});
