/**
 * Number and date formatting for the admin pages. The server renders and the browser hydrates
 * the same text, so everything here pins the locale ("en") and the time zone (UTC, as rollup
 * days are keyed) instead of taking the machine's.
 */
const LOCALE = "en";

export const formatCount = (n: number) => n.toLocaleString(LOCALE);

/** 1 → "1 order", 1912 → "1,912 orders": the count with its noun, singular only for exactly one. */
export function formatCountOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}

/** 0.0412 → "4.12%"; null → "—". */
export function formatRate(rate: number | null, digits = 2): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(digits)}%`;
}

export function formatMoney(amount: number, currency: string, compact = false): string {
  return new Intl.NumberFormat(LOCALE, {
    style: "currency",
    currency,
    // Both fraction bounds, or Node's ICU writes "€1.0K" where the browser's writes "€1K" and
    // hydration fails on the difference.
    ...(compact ? { notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: 1 } : {}),
  }).format(amount);
}

/** "2026-03-04" or a Date → "Mar 4" (short) or "March 4, 2026". */
export function formatDay(day: string | Date, style: "short" | "long" = "long"): string {
  const date = typeof day === "string" ? new Date(day.length === 10 ? `${day}T00:00:00Z` : day) : day;
  return date.toLocaleDateString(LOCALE, {
    timeZone: "UTC",
    ...(style === "short" ? { month: "short", day: "numeric" } : { dateStyle: "long" }),
  });
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(LOCALE, { timeZone: "UTC", dateStyle: "medium", timeStyle: "short" }) + " UTC";
}

/** 83_000 ms → "1 min 23 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min${seconds % 60 ? ` ${seconds % 60} s` : ""}`;
}

/** "about 2 minutes left". */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return "";
  if (seconds < 60) return "less than a minute left";
  const minutes = Math.round(seconds / 60);
  return `about ${minutes} minute${minutes === 1 ? "" : "s"} left`;
}
