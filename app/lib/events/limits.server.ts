import type { RedisClient } from "../redis.server";
import { eventRateKey as rateKey, eventsRefusedKey as refusedKey } from "../storefront-store/keys";

export interface EventLimits {
  /** @defaultValue 120 (EVENTS_PER_VISITOR_PER_MINUTE) */
  perVisitorPerMinute: number;
  /** @defaultValue 20000 (EVENTS_PER_SHOP_PER_MINUTE) */
  perShopPerMinute: number;
}

/** Why an events request was refused; each is counted per shop and day. */
export type RefusalReason =
  | "bad_signature"
  | "unknown_shop"
  | "too_large"
  | "malformed"
  | "invalid"
  | "future_timestamp"
  | "stale_timestamp"
  | "rate_limited_visitor"
  | "rate_limited_shop";

const WINDOW_MS = 60_000;

/**
 * Takes a batch's events from the per-visitor and per-shop budgets of the current minute (fixed
 * windows). The counters grow even when the batch is refused, so a client that keeps flooding
 * stays refused until the window turns; one atomic MULTI per request.
 */
export async function takeEventBudget(
  redis: RedisClient,
  prefix: string,
  shop: string,
  perVisitor: ReadonlyMap<string, number>,
  limits: EventLimits,
  nowMs: number,
): Promise<"ok" | "rate_limited_visitor" | "rate_limited_shop"> {
  const window = Math.floor(nowMs / WINDOW_MS);
  const total = [...perVisitor.values()].reduce((a, b) => a + b, 0);
  const tx = redis.multi();
  const keys = [
    rateKey(prefix, shop, window, "shop"),
    ...[...perVisitor.keys()].map((v) => rateKey(prefix, shop, window, `v:${v}`)),
  ];
  const amounts = [total, ...perVisitor.values()];
  keys.forEach((key, i) => tx.incrby(key, amounts[i]!).pexpire(key, 2 * WINDOW_MS));
  const replies = (await tx.exec()) ?? [];
  const counts = replies
    .filter((_, i) => i % 2 === 0)
    .map(([error, value]) => {
      if (error) throw error;
      return Number(value);
    });
  if (counts.slice(1).some((count) => count > limits.perVisitorPerMinute)) return "rate_limited_visitor";
  if ((counts[0] ?? 0) > limits.perShopPerMinute) return "rate_limited_shop";
  return "ok";
}

/**
 * Counts refused events (1 for a body that could not be read) by reason, for the day and, when
 * the shop is verified, for the shop.
 * Best effort: while Redis is down the refusal is only logged.
 */
export async function countRefused(
  redis: RedisClient,
  prefix: string,
  shop: string | null,
  reason: RefusalReason,
  events: number,
  now: Date,
): Promise<void> {
  const key = refusedKey(prefix, now.toISOString().slice(0, 10));
  const tx = redis.multi().hincrby(key, reason, events);
  if (shop) tx.hincrby(key, `${shop}|${reason}`, events);
  await tx.expire(key, 35 * 24 * 3600).exec();
}
