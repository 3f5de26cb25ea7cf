import { z } from "zod";
import { addDays, dayLabelDate, daysBetween, DEFAULT_TIME_ZONE, localDay } from "../time-zone";

/**
 * The dashboard's date range, from the page URL. Days are calendar days in the shop's time zone,
 * as the rollup rows are keyed, and "today" is the shop's today. A range that does not parse
 * falls back to the default rather than failing the page: it comes from a URL a merchant may have
 * edited or bookmarked.
 */
export const RANGE_PRESETS = { "7d": 7, "30d": 30, "90d": 90 } as const;
export type RangePreset = keyof typeof RANGE_PRESETS;
export const DEFAULT_PRESET: RangePreset = "30d";
/** The longest custom range: a year of daily rows is still only a few hundred rows. */
export const MAX_RANGE_DAYS = 366;

export interface DateRange {
  preset: RangePreset | "custom";
  /** First and last day, inclusive, as YYYY-MM-DD. */
  from: string;
  to: string;
  days: number;
}

const isoDay = z.iso.date();

/** A day label as the Date rollup rows are keyed by (midnight UTC of that date). */
export const dayStart = dayLabelDate;

function presetRange(preset: RangePreset, today: string): DateRange {
  const days = RANGE_PRESETS[preset];
  return { preset, from: addDays(today, -(days - 1)), to: today, days };
}

/** @param timeZone the shop's zone, which decides what "today" is. @defaultValue "UTC" */
export function parseDateRange(params: URLSearchParams, now: Date, timeZone = DEFAULT_TIME_ZONE): DateRange {
  const today = localDay(now, timeZone);
  const preset = params.get("range");
  if (preset && preset in RANGE_PRESETS) return presetRange(preset as RangePreset, today);
  const from = isoDay.safeParse(params.get("from"));
  const to = isoDay.safeParse(params.get("to"));
  if (preset === "custom" && from.success && to.success) {
    const last = to.data > today ? today : to.data;
    const days = daysBetween(from.data, last) + 1;
    if (days >= 1 && days <= MAX_RANGE_DAYS) return { preset: "custom", from: from.data, to: last, days };
  }
  return presetRange(DEFAULT_PRESET, today);
}

/** Every day of the range, in order (calendar days: a 23- or 25-hour day is still one). */
export function daysOf(range: DateRange): string[] {
  return Array.from({ length: range.days }, (_, i) => addDays(range.from, i));
}
