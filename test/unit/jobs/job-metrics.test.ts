import { describe, expect, it } from "vitest";
import { REFRESH_JOB_NAME, RESTORE_JOB_NAME } from "../../../app/lib/training/train-queue.server";
import { countsAsTraining } from "../../../workers/job-metrics";

describe("which training-queue jobs count as training runs in the metrics", () => {
  it("counts trainings, not restores or list refreshes, so refreshes cannot mask failing trainings", () => {
    expect(countsAsTraining("train")).toBe(true);
    expect(countsAsTraining(RESTORE_JOB_NAME)).toBe(false);
    expect(countsAsTraining(REFRESH_JOB_NAME)).toBe(false);
  });
});
