/**
 * Storefront activity as churn inputs (issue 21): a customer who still browses while logged in
 * has not left yet, whatever their orders say. The block and the web pixel send events only
 * when the shopper allows analytics (Shopify's customer privacy API), so every stored event is
 * one the shopper consented to; events of anonymous visitors cannot be tied to a customer and
 * are not read.
 */
import { DAY_MS } from "./types";

/** One storefront event of a logged-in customer. */
export interface ChurnEvent {
  customerId: string;
  at: Date;
}

/** Names of `eventFeatureValues`, in order. */
export const EVENT_FEATURE_NAMES = [
  "log_events_last_horizon",
  "log_days_since_event",
  "browsed_since_last_order",
] as const;

/** Each customer's event times (epoch ms), ascending. */
export type EventTimes = ReadonlyMap<string, Float64Array>;

export function indexEvents(events: readonly ChurnEvent[]): EventTimes {
  const lists = new Map<string, number[]>();
  for (const e of events) {
    const list = lists.get(e.customerId) ?? [];
    list.push(e.at.getTime());
    lists.set(e.customerId, list);
  }
  return new Map([...lists].map(([id, times]) => [id, Float64Array.from(times).sort()]));
}

/** How many of the ascending `times` are at or before `t`. */
function countUpTo(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Events in the horizon before the cutoff (log), days since the last event (log; twice the
 * horizon when there is none, as "long ago"), and whether the customer browsed after their last
 * order. Only events at or before the cutoff count, as for orders.
 */
export function eventFeatureValues(
  times: Float64Array | undefined,
  lastOrderAt: number,
  cutoff: number,
  horizonDays: number,
): number[] {
  const upTo = times ? countUpTo(times, cutoff) : 0;
  if (!times || upTo === 0) return [0, Math.log1p(2 * horizonDays), 0];
  const recent = upTo - countUpTo(times, cutoff - horizonDays * DAY_MS);
  const last = times[upTo - 1]!;
  const days = Math.min(2 * horizonDays, (cutoff - last) / DAY_MS);
  return [Math.log1p(recent), Math.log1p(days), last > lastOrderAt ? 1 : 0];
}
