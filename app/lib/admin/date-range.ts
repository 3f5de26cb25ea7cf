import { z } from "zod";

/**
 * The dashboard's date range, from the page URL. Days are UTC calendar days, as the rollup rows
 * are keyed. A range that does not parse falls back to the default rather than failing the page:
 * it comes from a URL a merchant may have edited or bookmarked.
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

const DAY_MS = 24 * 3600 * 1000;
const isoDay = z.iso.date();

export const dayString = (date: Date) => date.toISOString().slice(0, 10);
export const dayStart = (day: string) => new Date(`${day}T00:00:00.000Z`);
const today = (now: Date) => dayString(now);

function presetRange(preset: RangePreset, now: Date): DateRange {
  const days = RANGE_PRESETS[preset];
  const to = today(now);
  return { preset, from: dayString(new Date(dayStart(to).getTime() - (days - 1) * DAY_MS)), to, days };
}

export function parseDateRange(params: URLSearchParams, now: Date): DateRange {
  const preset = params.get("range");
  if (preset && preset in RANGE_PRESETS) return presetRange(preset as RangePreset, now);
  const from = isoDay.safeParse(params.get("from"));
  const to = isoDay.safeParse(params.get("to"));
  if (preset === "custom" && from.success && to.success) {
    const last = to.data > today(now) ? today(now) : to.data;
    const days = Math.round((dayStart(last).getTime() - dayStart(from.data).getTime()) / DAY_MS) + 1;
    if (days >= 1 && days <= MAX_RANGE_DAYS) return { preset: "custom", from: from.data, to: last, days };
  }
  return presetRange(DEFAULT_PRESET, now);
}

/** Every day of the range, in order. */
export function daysOf(range: DateRange): string[] {
  const start = dayStart(range.from).getTime();
  return Array.from({ length: range.days }, (_, i) => dayString(new Date(start + i * DAY_MS)));
}
