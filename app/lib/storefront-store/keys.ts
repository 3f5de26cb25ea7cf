/**
 * Every Redis key Affinity spells itself, in one place (BullMQ spells its own queue keys). A test
 * (test/unit/storefront-store/keys.test.ts) fails when a key is spelled anywhere else, so a new
 * key is added here, next to the clean-up that must know about it.
 *
 * The shop goes in braces: a Redis Cluster hash tag, so all of one shop's keys of a kind share a
 * slot and one pipeline or MULTI can touch them together.
 */

/**
 * The queue prefix's own hash tag (`{affinity}`) is dropped from the storefront's keys: Redis
 * hashes the first `{…}` in a key, and keeping it would put every shop's lists in the queues' one
 * slot instead of spreading shops across a cluster.
 */
const bare = (prefix: string) => prefix.replace(/[{}]/g, "");

/** Every shop's storefront keys start with this. */
export const storefrontSpace = (prefix: string) => `${bare(prefix)}:recs`;
/**
 * SCAN patterns that together match every key written under `prefix`: the queues' and the keys
 * below (which keep the hash tag), and the storefront's (which drop it). The demo clears them for
 * a new database (scripts/demo/redis.ts).
 */
export const everyKeyPattern = (prefix: string) => [`${prefix}:*`, `${storefrontSpace(prefix)}:*`];
/** A shop's storefront namespace: every key below it is the shop's, and goes when the shop does. */
export const shopSpace = (prefix: string, shop: string) => `${storefrontSpace(prefix)}:{${shop}}`;

/**
 * The shop-wide keys: its cached state, the active and previous run pointers, product cards,
 * collection copies, when its storefront was last seen, the cached repeat rate, the customers
 * redacted lately (a set that list writers read after writing; run-lists.server.ts), and a count of
 * the writes to the shop's lists (what serving's process caches of lists are scoped by).
 */
export type ShopKeyPart =
  "state" | "active" | "previous" | "cards" | "collections" | "seen" | "repeat-rate" | "redacted" | "lists-version";
export const shopKey = (prefix: string, shop: string, part: ShopKeyPart) => `${shopSpace(prefix, shop)}:${part}`;

/**
 * The hashes of one training run's lists and what each is keyed by. A new list kind goes here, and
 * saying it is keyed by customer is what puts it in a customer's data-request report.
 */
export const RUN_HASH_KEYS = {
  for: "customer",
  again: "customer",
  new: "customer",
  related: "product",
  bought: "customer",
} as const;
export type RunHash = keyof typeof RUN_HASH_KEYS;
export const RUN_HASHES = Object.keys(RUN_HASH_KEYS) as RunHash[];
/** The plain (string) keys of one run. */
export const RUN_STRINGS = ["popular", "bestsellers"] as const;
export type RunKeyPart = RunHash | (typeof RUN_STRINGS)[number];
/** Every key one run writes: what activating a newer run must delete for it. */
export const RUN_PARTS: readonly RunKeyPart[] = [...RUN_HASHES, ...RUN_STRINGS];

export const runKey = (prefix: string, shop: string, runId: string, part: RunKeyPart) =>
  `${shopSpace(prefix, shop)}:${runId}:${part}`;

/** The shop's running experiment, cached for the storefront. */
export const experimentKey = (prefix: string, shop: string) => `${prefix}:experiment:{${shop}}`;

/** Marks a visitor as exposed to an experiment, so the first answer alone queues an event. */
export const exposureKey = (prefix: string, shop: string, experimentId: string, visitorId: string) =>
  `${prefix}:exposed:{${shop}}:${experimentId}:${visitorId}`;

/** A storefront-event budget counter: per shop, per fixed window, per visitor or the whole shop. */
export const eventRateKey = (prefix: string, shop: string, window: number, who: string) =>
  `${prefix}:events:rate:{${shop}}:${window}:${who}`;

/** Refused event requests of one day, counted by shop and reason. */
export const eventsRefusedKey = (prefix: string, day: string) => `${prefix}:events:refused:${day}`;

/** The customers whose orders one list-refresh window of a shop is for (train-queue.server.ts). */
export const refreshCustomersKey = (prefix: string, shop: string, window: number) =>
  `${prefix}:refresh-customers:{${shop}}:${window}`;

/** One training at a time per shop, across worker processes. */
export const trainLockKey = (prefix: string, shop: string) => `${prefix}:train-lock:{${shop}}`;

/** One renewal of a shop's offline token at a time, across processes. */
export const offlineTokenLockKey = (prefix: string, shop: string) => `${prefix}:offline-token-lock:${shop}`;
