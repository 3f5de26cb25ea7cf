/**
 * The clock the serving path's process caches expire by (state, experiment, lists, cards,
 * collections, the "seen" marker). It is Date.now in production. The metrics-cost bench replaces
 * it (bench/metrics-cost-marker.ts) with one that advances a fixed step per request: under
 * valgrind the server runs some 50 times slower, and with the wall clock how often a request
 * re-reads Redis and the database would depend on that speed rather than on the code measured.
 */
let source: () => number = Date.now;

/** Now, in ms since the epoch, as the serving caches see it. */
export const cacheNow = (): number => source();

/** Replaces the caches' time source; for the bench only. */
export function setCacheClock(next: () => number): void {
  source = next;
}
