import type { RedisClient } from "../redis.server";
import { recordCacheLookups } from "../metrics/definitions.server";
import { parseList } from "./run-lists.server";
import { runKey, shopKey } from "./keys";
import type { StoredCard } from "./card";
import type { CollectionMembers } from "./collection-members.server";
import { parseCard, readRawCards } from "./cards.server";
import { ScopedTtlCache, TtlCache } from "./ttl-cache";
import { cacheNow } from "./cache-clock";

/**
 * In-process copies of what serving reads from Redis, so a busy storefront costs Redis little
 * and answers without a round trip most of the time. Each kind is cached for as long as it can
 * safely be stale:
 * - a shop's state and active run: a second (settings and rollbacks show within it);
 * - lists: as long as they are used, scoped by the run and the shop's lists version, which every
 *   write to a run's lists counts (run-lists.server.ts): a new run has new keys, and a run whose
 *   lists were rewritten in place (a refresh after orders, a redaction) gets a new scope as soon
 *   as the head is read again;
 * - product cards: a few seconds (a product that sells out may be offered that much longer).
 */
/** A shop's cached state (raw JSON, "unknown", or null when Redis has none) and active run. */
export interface Head {
  state: string | null;
  runId: string | null;
  /** The count of writes to the shop's lists: what cached lists are scoped by. */
  listsVersion: string | null;
}

/** The run whose lists a request reads, and the lists version its head was read with. */
export interface ServedRun {
  id: string;
  listsVersion: string | null;
}

export interface StoreCache {
  heads: TtlCache<Head>;
  /** Per shop and run: a run's lists. */
  lists: ScopedTtlCache<string[]>;
  /** Per shop: product cards by id (null for a product without one). */
  cards: ScopedTtlCache<StoredCard | null>;
  /**
   * Per shop: the stored text each card was last parsed from, and the card parsed from it: ten
   * minutes. Cards are still read from Redis every few seconds (`cards`), but a card whose text
   * has not changed is not parsed again; it is the same object, so its public JSON (card.ts)
   * is not serialized again either.
   */
  cardSources: ScopedTtlCache<CardSource>;
  /** Per shop: collections' products by collection id, once the workers have read them: a minute. */
  collections: ScopedTtlCache<CollectionMembers>;
  /** Collections this process asked the workers to read: it asks again after 30 s at most. */
  collectionRequests: TtlCache<true>;
}

/** A card as Redis holds it ("<version>|<JSON>"), and what parseCard made of it. */
export interface CardSource {
  raw: string;
  card: StoredCard | null;
}

/** How long a shop's head (state, active run, lists version) is kept unless told otherwise. */
export const DEFAULT_HEAD_MS = 1_000;

export interface StoreCacheOptions {
  /** @defaultValue DEFAULT_HEAD_MS */
  headMs?: number;
  /** @defaultValue 5000 */
  cardMs?: number;
}

export function createStoreCache(options: StoreCacheOptions = {}): StoreCache {
  return {
    heads: new TtlCache(10_000, options.headMs ?? DEFAULT_HEAD_MS),
    lists: new ScopedTtlCache(2_000, 100_000, 10 * 60_000),
    cards: new ScopedTtlCache(10_000, 50_000, options.cardMs ?? 5_000),
    cardSources: new ScopedTtlCache(10_000, 50_000, 10 * 60_000),
    collections: new ScopedTtlCache(10_000, 5_000, 60_000),
    collectionRequests: new TtlCache(10_000, 30_000),
  };
}

export type ListRef =
  { kind: "popular" | "bestsellers" } | { kind: "for" | "again" | "new" | "related" | "bought"; id: string };
/**
 * A list's key within its run's cache. Related lists, most of a request's, use the bare product
 * id (digits), so the hot path builds no string for them; the other kinds start with a letter.
 */
const listRefKey = (ref: ListRef) =>
  ref.kind === "related" ? ref.id : "id" in ref ? `${ref.kind}:${ref.id}` : ref.kind;

/** The shop's cached state (raw JSON) and active run id. */
export async function readHead(cache: StoreCache, redis: RedisClient, prefix: string, shop: string): Promise<Head> {
  const cached = cache.heads.get(shop);
  recordCacheLookups("head", cached ? 1 : 0, cached ? 0 : 1);
  if (cached) return cached;
  const [state = null, runId = null, listsVersion = null] = await redis.mget(
    shopKey(prefix, shop, "state"),
    shopKey(prefix, shop, "active"),
    shopKey(prefix, shop, "lists-version"),
  );
  const head: Head = { state, runId, listsVersion };
  // Only a complete answer is kept: a shop whose state is not cached in Redis yet is read again.
  if (state) cache.heads.set(shop, head);
  return head;
}

/**
 * Lists of one run, in the order of `refs` (empty for a list the run does not have), from the
 * process cache or, for the missing ones, Redis commands sent together (one round trip).
 */
export async function readLists(
  cache: StoreCache,
  redis: RedisClient,
  prefix: string,
  shop: string,
  run: ServedRun,
  refs: ListRef[],
): Promise<string[][]> {
  const runId = run.id;
  const found = new Array<string[]>(refs.length);
  const missing: number[] = [];
  const now = cacheNow();
  const runLists = cache.lists.scope(`${shop}\n${runId}\n${run.listsVersion ?? ""}`);
  for (let i = 0; i < refs.length; i++) {
    const hit = runLists.get(listRefKey(refs[i]!), now);
    if (hit) found[i] = hit;
    else missing.push(i);
  }
  recordCacheLookups("list", refs.length - missing.length, missing.length);
  if (missing.length === 0) return found;
  // The missing lists' commands are sent back to back: ioredis writes them on the one connection
  // in order, so they still cost one round trip, without a pipeline object and its reply tuples.
  const reads = new Array<Promise<string | null>>(missing.length);
  for (let n = 0; n < missing.length; n++) {
    const ref = refs[missing[n]!]!;
    reads[n] =
      "id" in ref
        ? redis.hget(runKey(prefix, shop, runId, ref.kind), ref.id)
        : redis.get(runKey(prefix, shop, runId, ref.kind));
  }
  const replies = missing.length === 1 ? [await reads[0]!] : await Promise.all(reads);
  for (let n = 0; n < missing.length; n++) {
    const i = missing[n]!;
    const ids = parseList(replies[n]!);
    runLists.set(listRefKey(refs[i]!), ids);
    found[i] = ids;
  }
  return found;
}

/**
 * Reads these products' cards with one HMGET into the process cache (null for a product without
 * one). A card whose stored text is the one parsed last time is taken from `cardSources`.
 */
export async function fetchCards(
  cache: StoreCache,
  redis: RedisClient,
  prefix: string,
  shop: string,
  ids: string[],
): Promise<void> {
  recordCacheLookups("card", 0, ids.length);
  if (ids.length === 0) return;
  const values = await readRawCards(redis, prefix, shop, ids);
  const shopCards = cache.cards.scope(shop);
  const sources = cache.cardSources.scope(shop);
  const now = cacheNow();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const raw = values[i];
    let card: StoredCard | null;
    if (!raw) card = null;
    else {
      const source = sources.get(id, now);
      if (source !== undefined && source.raw === raw) card = source.card;
      else {
        card = parseCard(raw);
        sources.set(id, { raw, card });
      }
    }
    shopCards.set(id, card);
  }
}
