import { describe, expect, it } from "vitest";
import { daysOf, parseDateRange } from "../../../app/lib/admin/date-range";

const NOW = new Date("2026-03-10T23:30:00Z");
const parse = (query: string) => parseDateRange(new URLSearchParams(query), NOW);

describe("the dashboard's date range", () => {
  it("defaults to the last 30 UTC days, today included", () => {
    expect(parse("")).toEqual({ preset: "30d", from: "2026-02-09", to: "2026-03-10", days: 30 });
  });

  it("reads presets and custom ranges, clamping a range that ends in the future to today", () => {
    expect(parse("range=7d")).toEqual({ preset: "7d", from: "2026-03-04", to: "2026-03-10", days: 7 });
    expect(parse("range=custom&from=2026-02-27&to=2026-03-02")).toEqual({
      preset: "custom",
      from: "2026-02-27",
      to: "2026-03-02",
      days: 4,
    });
    expect(parse("range=custom&from=2026-03-08&to=2026-04-01")).toMatchObject({ to: "2026-03-10", days: 3 });
  });

  it("falls back to the default for anything it cannot use", () => {
    for (const query of [
      "range=1y",
      "range=custom&from=2026-02-30&to=2026-03-01",
      "range=custom&from=2026-03-05&to=2026-03-01",
      "range=custom&from=2024-01-01&to=2026-03-01",
      "range=custom&from=yesterday",
    ]) {
      expect(parse(query).preset, query).toBe("30d");
    }
  });

  it("lists every day of the range", () => {
    expect(daysOf(parse("range=custom&from=2026-02-27&to=2026-03-02"))).toEqual([
      "2026-02-27",
      "2026-02-28",
      "2026-03-01",
      "2026-03-02",
    ]);
  });
});
