/**
 * Stale training reads (ADR 005, "The live gap"). Training rows read a shopper's features at
 * their basket's moment, but the stored lists are read when the run trains, often long after a
 * shopper's last order: their history then looks older than it ever did in training. With this
 * option a share of the training rows read the shopper's history later than the basket, by a gap
 * drawn from the shop's own "shop end minus each customer's last order", so the network also
 * learns from rows aged the way served reads are. Evaluation rows are never read stale.
 */
import { z } from "zod";
import type { ShopData } from "./dataset";
import { seededRandom } from "../tf/seeded-random";

export const staleReadsSchema = z
  .object({
    /** Share of training rows read stale, each chosen by a draw from the run's seed. */
    share: z.number().min(0).max(1),
    /**
     * The shop's clock (popularity, trend, season, newness, co-occurrence) of a stale row:
     * "basket" keeps it at the basket; "shifted" moves it by the same gap. "shifted" reads shop
     * state from after the basket, which counts the target order itself in popularity and trend.
     */
    shopClock: z.enum(["basket", "shifted"]),
  })
  .strict();
export type StaleReads = z.infer<typeof staleReadsSchema>;

/**
 * Default of `TrainAndEvaluateOptions.staleReads`: half the training rows read stale, the shop
 * clock at the basket. Measured with `{ share: 0.5, shopClock: "basket" }` on the UCI shop as the live bench
 * trains (scripts/live-read-time.ts, 2,825 held-out baskets, repeat "all" 0.2707), features read
 * at the shop's end as the stored lists are, off → on, NDCG@10:
 * - seed 1: for_you 0.2926 → 0.2947 (1.081× → 1.089× repeat), all 0.2964 → 0.2981, buy_again
 *   0.2952 → 0.2961, new only 0.0956 → 0.0944;
 * - seed 2: for_you 0.2942 → 0.2983 (1.087× → 1.102×), all 0.2975 → 0.3018, buy_again
 *   0.2959 → 0.2994, new only 0.0971 → 0.0974.
 * Read at the basket it also moved up (for_you 0.2999 → 0.3009, 0.3010 → 0.3034). Offline (whole
 * shop, seed 1, scripts/stale-reads-offline.ts) it neither helps nor hurts: all 0.2987 → 0.2992,
 * new only 0.0956 → 0.0948, for_you 0.2956 → 0.2951, buy_again 0.2958 → 0.2965. Seeds 3 and 4
 * (2026-12-06) gained live too (for_you +0.0072, +0.0040): four of four, mean 1.076× → 1.092× repeat.
 * On by default since 2026-12-06: `npm run bench -- training live` with it gave live for_you
 * 1.099× repeat (from 1.081×), buy_again 1.101× (1.092×), new 1.317×, offline gaps 0.5 %, 0.3 %
 * and 1.3 %, and offline quality all 1.107×, new 1.341× (ADR 005, "The live gap").
 * `shopClock: "shifted"` (seed 1) reached for_you 0.2952 read at the end but lost read at the
 * basket (0.2999 → 0.2957) and in new only (0.0956 → 0.0897): its shop state counts the target.
 * @defaultValue { share: 0.5, shopClock: "basket" }
 */
export const STALE_READS: StaleReads | null = { share: 0.5, shopClock: "basket" };

export class InvalidStaleReadsError extends Error {
  constructor(reason: string) {
    super(`STALE_READS must be null or JSON like {"share":0.5,"shopClock":"basket"}: ${reason}`);
    this.name = "InvalidStaleReadsError";
  }
}

/** Parses STALE_READS as given in the environment (JSON; absent, empty or "null": off). */
export function parseStaleReads(text: string | undefined): StaleReads | null {
  if (text === undefined || text.trim() === "" || text.trim() === "null") return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidStaleReadsError("not JSON");
  }
  const parsed = staleReadsSchema.safeParse(json);
  if (!parsed.success) throw new InvalidStaleReadsError(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

/** Ms from each customer's last order to the shop's last order: the ages served reads see. */
export function lastOrderGaps(data: ShopData): number[] {
  const end = data.orders[data.orders.length - 1]?.at;
  if (end === undefined) return [];
  return data.ordersByCustomer.flatMap((orderIdx) => {
    const last = data.orders[orderIdx[orderIdx.length - 1] ?? -1]?.at;
    return last === undefined ? [] : [end - last];
  });
}

/** When a training row reads the shopper's history and the shop's state (epoch ms). */
export interface ReadMoment {
  shopperAt: number;
  shopAt: number;
}

/** Decides a training row's read moment from its customer, target order index and basket time. */
export type ReadMomentOf = (customer: number, orderIndex: number, at: number) => ReadMoment;

/**
 * The read moment of each training row. A row's draws depend only on the seed, its customer and
 * its order, so they do not move when other rows are added or skipped.
 */
export function staleReadMoments(config: StaleReads, gaps: readonly number[], seed: number): ReadMomentOf {
  return (customer, orderIndex, at) => {
    if (gaps.length === 0 || config.share <= 0) return { shopperAt: at, shopAt: at };
    const random = seededRandom(mix(seed, customer, orderIndex));
    if (random() >= config.share) return { shopperAt: at, shopAt: at };
    const gap = gaps[Math.min(gaps.length - 1, Math.floor(random() * gaps.length))]!;
    return { shopperAt: at + gap, shopAt: config.shopClock === "shifted" ? at + gap : at };
  };
}

/** A 32-bit hash of three integers (murmur3's finaliser), so neighbouring rows draw apart. */
function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(c, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
