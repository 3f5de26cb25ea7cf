import { describe, expect, it } from "vitest";
import { daysOf, parseDateRange } from "../../../app/lib/admin/date-range";

const NOW = new Date("2026-03-10T23:30:00Z");
const parse = (query: string) => parseDateRange(new URLSearchParams(query), NOW);

describe("the dashboard's date range", () => {
  it("defaults to the last 30 days, today included (UTC for a shop whose zone is not known)", () => {
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

  it("takes today from the shop's time zone: UTC−8/−7 in Los Angeles, UTC+11 in Sydney", () => {
    const at = (iso: string, zone: string) => parseDateRange(new URLSearchParams("range=7d"), new Date(iso), zone);
    // 05:00 UTC on the 11th is still 22:00 on the 10th in Los Angeles.
    expect(at("2026-03-11T05:00:00Z", "America/Los_Angeles")).toMatchObject({ from: "2026-03-04", to: "2026-03-10" });
    // 23:30 UTC on the 10th is already 10:30 on the 11th in Sydney.
    expect(at("2026-03-10T23:30:00Z", "Australia/Sydney")).toMatchObject({ from: "2026-03-05", to: "2026-03-11" });
    // A custom range ending "tomorrow" in UTC terms is clamped to the shop's today.
    const custom = new URLSearchParams("range=custom&from=2026-03-09&to=2026-03-11");
    expect(parseDateRange(custom, new Date("2026-03-11T05:00:00Z"), "America/Los_Angeles")).toMatchObject({
      to: "2026-03-10",
      days: 2,
    });
  });

  it("counts a range across a daylight-saving change in calendar days", () => {
    const range = parseDateRange(
      new URLSearchParams("range=custom&from=2026-03-07&to=2026-03-09"),
      new Date("2026-03-20T12:00:00Z"),
      "America/Los_Angeles",
    );
    expect(daysOf(range)).toEqual(["2026-03-07", "2026-03-08", "2026-03-09"]);
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
