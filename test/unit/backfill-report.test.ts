import { describe, expect, it } from "vitest";
import { formatBackfillLine } from "../../app/lib/sync/backfill-report";

const row = { resource: "orders", status: "importing", objectCount: 200, recordsImported: 50, error: null };

describe("formatBackfillLine", () => {
  it("fills the bar with the share imported", () => {
    expect(formatBackfillLine(row)).toBe(
      `orders    [${"#".repeat(8)}${".".repeat(22)}]  25%  importing 50/200 imported`,
    );
  });

  it("shows Shopify's running count before the import starts", () => {
    expect(formatBackfillLine({ ...row, status: "running", recordsImported: 0, objectCount: 120 })).toMatch(
      / 0% {2}running\s+Shopify is exporting \(120 objects so far\)$/,
    );
  });

  it("is full when completed, even for a shop with nothing to import", () => {
    expect(formatBackfillLine({ ...row, status: "completed", objectCount: 0, recordsImported: 0 })).toMatch(
      /\[#{30}\] 100%/,
    );
  });

  it("says why it failed", () => {
    expect(formatBackfillLine({ ...row, status: "failed", error: "ACCESS_DENIED" })).toMatch(/failed: ACCESS_DENIED$/);
  });
});
