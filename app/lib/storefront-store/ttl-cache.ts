import { cacheNow } from "./cache-clock";

/**
 * A small in-process cache with an age bound and a size bound. When full, the oldest insertion
 * goes (Map keeps insertion order). Hits do not reorder entries: on the storefront's hot path a
 * plain lookup is worth more than true LRU order, and every entry expires soon anyway.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    /** Entries kept at most. */
    private readonly maxEntries: number,
    /** How long an entry may be served after it was stored, in ms. */
    private readonly ttlMs: number,
    private readonly now: () => number = cacheNow,
  ) {}

  get(key: string, now = this.now()): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expires > now ? entry.value : undefined;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * TtlCaches grouped by scope (a shop, or a shop's run). Keys within a scope are short ids that
 * the hot path already holds (list entries, request params), so a lookup hashes a few
 * characters instead of a freshly concatenated "shop:run:kind:id" string, and each shop's
 * entries sit in a small table of their own.
 */
export class ScopedTtlCache<V> {
  private readonly scopes: TtlCache<TtlCache<V>>;

  constructor(
    maxScopes: number,
    private readonly maxEntriesPerScope: number,
    private readonly ttlMs: number,
    private readonly now: () => number = cacheNow,
  ) {
    // A scope outlives its entries' age bound only while it is used; idle ones are evicted.
    this.scopes = new TtlCache(maxScopes, 24 * 3_600_000, now);
  }

  /** The scope's cache, created on first use. */
  scope(name: string): TtlCache<V> {
    let scoped = this.scopes.get(name);
    if (!scoped) {
      scoped = new TtlCache<V>(this.maxEntriesPerScope, this.ttlMs, this.now);
      this.scopes.set(name, scoped);
    }
    return scoped;
  }
}
