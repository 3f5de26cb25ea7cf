/**
 * Fair intake across shops (docs/decisions/010). Each delivery is queued with a BullMQ priority
 * equal to its rank among its shop's deliveries in the current window: the 1st delivery a shop
 * sends in a minute gets priority 1, the 20,000th gets 20,000. BullMQ serves lower numbers first
 * and equal numbers in arrival order, so a shop sending a few webhooks is served among the first
 * few of a flooding shop's, not behind its whole backlog.
 *
 * Ranks are counted per app process, with no Redis round trip. Behind a load balancer that
 * spreads requests evenly, every shop's rank in each process is about its global rank divided by
 * the number of processes, so the order between shops is kept.
 */

/** BullMQ's largest priority (2^21 − 1). */
export const MAX_PRIORITY = 2 ** 21 - 1;
/** Ranks start again every window; a long flood keeps later deliveries behind quieter shops. */
export const FAIRNESS_WINDOW_MS = 60_000;

export type ShopRanker = (shop: string) => number;

export function createShopRanker(now: () => number = Date.now, windowMs = FAIRNESS_WINDOW_MS): ShopRanker {
  let window = -1;
  let ranks = new Map<string, number>();
  return (shop) => {
    const current = Math.floor(now() / windowMs);
    if (current !== window) {
      // A new window forgets every shop at once, so the map holds only this window's senders.
      window = current;
      ranks = new Map();
    }
    const rank = (ranks.get(shop) ?? 0) + 1;
    ranks.set(shop, rank);
    return Math.min(rank, MAX_PRIORITY);
  };
}
