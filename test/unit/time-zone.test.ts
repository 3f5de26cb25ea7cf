import { describe, expect, it } from "vitest";
import {
  addDays,
  canonicalTimeZone,
  localDay,
  resolveTimeZone,
  startOfLocalDay,
  zoneOffsetMs,
} from "../../app/lib/time-zone";

const LA = "America/Los_Angeles";

/** How long a calendar day lasts in the zone, in hours, from the module's own day starts. */
const localDayHours = (day: string, zone: string) =>
  (startOfLocalDay(addDays(day, 1), zone).getTime() - startOfLocalDay(day, zone).getTime()) / 3_600_000;
const SYDNEY = "Australia/Sydney";
const H = 3_600_000;

describe("time zone names", () => {
  it("accepts IANA names and returns their canonical spelling", () => {
    expect(canonicalTimeZone(LA)).toBe(LA);
    expect(canonicalTimeZone("utc")).toBe("UTC");
    expect(resolveTimeZone(" Australia/Sydney ")).toEqual({ zone: SYDNEY, rejected: null });
  });

  it("falls back to UTC for an unknown, malformed or missing zone, and keeps what was sent", () => {
    expect(resolveTimeZone("Mars/Olympus_Mons")).toEqual({ zone: "UTC", rejected: "Mars/Olympus_Mons" });
    expect(resolveTimeZone("+05:30")).toEqual({ zone: "UTC", rejected: "+05:30" });
    expect(resolveTimeZone("")).toEqual({ zone: "UTC", rejected: "" });
    expect(resolveTimeZone(42)).toEqual({ zone: "UTC", rejected: "42" });
    expect(resolveTimeZone(null)).toEqual({ zone: "UTC", rejected: null });
  });
});

describe("the day an instant falls on", () => {
  it("puts orders around midnight on the shop's day at UTC−8 (Los Angeles in winter)", () => {
    expect(zoneOffsetMs(new Date("2026-01-15T12:00:00Z"), LA)).toBe(-8 * H);
    // 23:30 on the 14th in Los Angeles is already the 15th in UTC.
    expect(localDay(new Date("2026-01-15T07:30:00Z"), LA)).toBe("2026-01-14");
    expect(localDay(new Date("2026-01-15T08:30:00Z"), LA)).toBe("2026-01-15");
  });

  it("puts orders around midnight on the shop's day at UTC+10 (Sydney in winter)", () => {
    expect(zoneOffsetMs(new Date("2026-07-15T12:00:00Z"), SYDNEY)).toBe(10 * H);
    // 00:30 on the 15th in Sydney is still the 14th in UTC.
    expect(localDay(new Date("2026-07-14T14:30:00Z"), SYDNEY)).toBe("2026-07-15");
    expect(localDay(new Date("2026-07-14T13:30:00Z"), SYDNEY)).toBe("2026-07-14");
  });
});

describe("daylight-saving days", () => {
  it("2026-03-08 in Los Angeles lasts 23 hours and the next day starts at 07:00 UTC", () => {
    expect(localDayHours("2026-03-08", LA)).toBe(23);
    expect(startOfLocalDay("2026-03-08", LA).toISOString()).toBe("2026-03-08T08:00:00.000Z");
    expect(startOfLocalDay("2026-03-09", LA).toISOString()).toBe("2026-03-09T07:00:00.000Z");
    // 24 hours after the day began is already 01:00 on the 9th: a +24 h boundary would miss it.
    expect(localDay(new Date("2026-03-09T07:30:00Z"), LA)).toBe("2026-03-09");
  });

  it("2026-11-01 in Los Angeles lasts 25 hours and keeps 23:30 local on the 1st", () => {
    expect(localDayHours("2026-11-01", LA)).toBe(25);
    expect(startOfLocalDay("2026-11-01", LA).toISOString()).toBe("2026-11-01T07:00:00.000Z");
    // 24 hours after the day began is 23:00 on the 1st: a +24 h boundary would move it.
    expect(localDay(new Date("2026-11-02T07:30:00Z"), LA)).toBe("2026-11-01");
  });

  it("Sydney's changes (April back, October forward) give 25- and 23-hour days", () => {
    expect(localDayHours("2026-04-05", SYDNEY)).toBe(25);
    expect(localDayHours("2026-10-04", SYDNEY)).toBe(23);
    expect(localDayHours("2026-06-01", SYDNEY)).toBe(24);
  });

  it("a zone that skips midnight starts the day at the first minute that exists", () => {
    // Santiago moved its clocks from 00:00 to 01:00 on 2026-09-06.
    const start = startOfLocalDay("2026-09-06", "America/Santiago");
    expect(localDay(start, "America/Santiago")).toBe("2026-09-06");
    expect(localDay(new Date(start.getTime() - 60_000), "America/Santiago")).toBe("2026-09-05");
  });

  it("counts calendar days on labels, whatever the zone", () => {
    expect(addDays("2026-03-08", 1)).toBe("2026-03-09");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
});
