/**
 * Ranking metrics of the project's protocol (shared/data/README.md): binary relevance,
 * HR / Recall / NDCG at K, and catalog coverage.
 */
import type { Ranking } from "./types";

export interface RankingMetrics {
  hr: number;
  recall: number;
  ndcg: number;
}

/**
 * Metrics of one ranked list against one target set. The ideal DCG places
 * min(|targets|, K) hits at the top: a list of K slots cannot hold more.
 */
export function scoreRanking(ranking: Ranking, targets: ReadonlySet<number>, k: number): RankingMetrics {
  if (targets.size === 0) throw new RangeError("scoreRanking needs a non-empty target set");
  let hits = 0;
  let dcg = 0;
  const top = Math.min(k, ranking.length);
  for (let rank = 0; rank < top; rank++) {
    if (targets.has(ranking[rank] ?? -1)) {
      hits++;
      dcg += 1 / Math.log2(rank + 2);
    }
  }
  let idcg = 0;
  for (let rank = 0; rank < Math.min(k, targets.size); rank++) idcg += 1 / Math.log2(rank + 2);
  return { hr: hits > 0 ? 1 : 0, recall: hits / targets.size, ndcg: dcg / idcg };
}

/** Averages per-case metrics; NaN-free for an empty list (all zeros). */
export function meanMetrics(rows: readonly RankingMetrics[]): RankingMetrics {
  const n = rows.length || 1;
  const sum = (pick: (m: RankingMetrics) => number) => rows.reduce((s, m) => s + pick(m), 0) / n;
  return { hr: sum((m) => m.hr), recall: sum((m) => m.recall), ndcg: sum((m) => m.ndcg) };
}

/** Share of the catalog that appears in at least one top-K list. */
export function catalogCoverage(rankings: readonly Ranking[], k: number, catalogSize: number): number {
  if (catalogSize === 0) return 0;
  const seen = new Set<number>();
  for (const ranking of rankings) for (const item of ranking.slice(0, k)) seen.add(item);
  return seen.size / catalogSize;
}

/**
 * The "new only" view of a case: past purchases leave the targets. Returns null when nothing
 * new was bought, and such customers are skipped (README protocol; it reproduces the table).
 */
export function newOnlyTargets(targets: readonly number[], past: ReadonlySet<number>): Set<number> | null {
  const fresh = new Set(targets.filter((t) => !past.has(t)));
  return fresh.size > 0 ? fresh : null;
}
