import { z } from "zod";

/**
 * Calendar days in a shop's time zone, with nothing but `Intl` (the ICU data Node ships). A day
 * is identified by its label, "YYYY-MM-DD"; the zone only decides which label an instant falls
 * on. Days are never measured as 24 hours: on a daylight-saving change a day lasts 23 or 25.
 */

/** The zone of shops Shopify has not told us about, and of rollup rows written before zones. */
export const DEFAULT_TIME_ZONE = "UTC";

/** The canonical name of a zone Intl knows ("utc" → "UTC"), or null for anything else. */
export function canonicalTimeZone(value: string): string | null {
  // Intl also accepts offsets such as "+05:30"; Shopify sends IANA names, so only names pass.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** An IANA zone name, as Shopify's `shop.ianaTimezone` and the shop/update payload carry it. */
export const timeZoneSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const zone = canonicalTimeZone(value);
    if (zone) return zone;
    ctx.addIssue({ code: "custom", message: `"${value}" is not an IANA time zone` });
    return z.NEVER;
  });

export interface ResolvedTimeZone {
  /** The zone to use: the reported one, or UTC when it was not a zone. */
  zone: string;
  /** What was reported when it was not a zone (null when it was, or when nothing was). */
  rejected: string | null;
}

/** The zone to use for a reported value: unknown or malformed values fall back to UTC. */
export function resolveTimeZone(reported: unknown): ResolvedTimeZone {
  const parsed = timeZoneSchema.safeParse(reported);
  if (parsed.success) return { zone: parsed.data, rejected: null };
  const rejected = reported === undefined || reported === null ? null : String(reported).slice(0, 100);
  return { zone: DEFAULT_TIME_ZONE, rejected };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, found);
  }
  return found;
}

/** The wall-clock reading of an instant in a zone, as a UTC timestamp of the same reading. */
function wallClock(at: Date, zone: string): number {
  const p = Object.fromEntries(
    formatter(zone)
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
}

/** The zone's offset from UTC at an instant, in milliseconds (−8 h in Los Angeles in winter). */
export function zoneOffsetMs(at: Date, zone: string): number {
  return wallClock(at, zone) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The calendar day ("YYYY-MM-DD") an instant falls on in the zone. */
export function localDay(at: Date, zone: string): string {
  return new Date(wallClock(at, zone)).toISOString().slice(0, 10);
}

/** A day label as the Date the database keys it by: midnight UTC of that calendar date. */
export const dayLabelDate = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

/** The label of a key Date (the inverse of dayLabelDate). */
export const labelOf = (key: Date): string => key.toISOString().slice(0, 10);

/** The calendar day `days` after (or before) a label: date arithmetic, no zone involved. */
export function addDays(day: string, days: number): string {
  const key = dayLabelDate(day);
  key.setUTCDate(key.getUTCDate() + days);
  return labelOf(key);
}

/** Calendar days from `from` to `to` (0 for the same day): both are labels, so no DST. */
export function daysBetween(from: string, to: string): number {
  return Math.round((dayLabelDate(to).getTime() - dayLabelDate(from).getTime()) / 86_400_000);
}

/**
 * The first instant of a calendar day in the zone. Usually local midnight; where midnight happens
 * twice (a fall-back at 00:00), the first one; where a zone skips midnight (a spring-forward at
 * 00:00, as in Santiago), the first minute that exists.
 */
export function startOfLocalDay(day: string, zone: string): Date {
  const midnight = dayLabelDate(day).getTime();
  // Offset changes are months apart, so the offsets a day before and after cover both sides.
  const offsets = [-1, 0, 1].map((d) => zoneOffsetMs(new Date(midnight + d * 86_400_000), zone));
  const exact = offsets.map((o) => midnight - o).filter((at) => wallClock(new Date(at), zone) === midnight);
  if (exact.length > 0) return new Date(Math.min(...exact));
  let low = midnight - Math.max(...offsets);
  let high = midnight - Math.min(...offsets);
  while (high - low > 60_000) {
    const mid = low + Math.floor((high - low) / 120_000) * 60_000;
    if (localDay(new Date(mid), zone) === day) high = mid;
    else low = mid;
  }
  return new Date(high);
}
