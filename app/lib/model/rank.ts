/** Top-K selection shared by the baselines and the model. */

/**
 * Indices of the k best scores, best first. Ties go to `tiebreak` (higher first), then to the
 * lower index, so rankings are deterministic across runs and backends.
 */
export function topK(
  scores: ArrayLike<number>,
  k: number,
  exclude?: ReadonlySet<number>,
  tiebreak?: ArrayLike<number>,
): number[] {
  const best: number[] = [];
  const better = (a: number, b: number) => {
    const sa = scores[a] ?? -Infinity;
    const sb = scores[b] ?? -Infinity;
    if (sa !== sb) return sa > sb;
    const ta = tiebreak?.[a] ?? 0;
    const tb = tiebreak?.[b] ?? 0;
    if (ta !== tb) return ta > tb;
    return a < b;
  };
  for (let i = 0; i < scores.length; i++) {
    if (exclude?.has(i)) continue;
    if (best.length === k && !better(i, best[k - 1] ?? 0)) continue;
    // Insertion into a short sorted list: K is small (10–50), so this beats a heap.
    let pos = best.length === k ? k - 1 : best.length;
    best[pos] = i;
    while (pos > 0 && better(i, best[pos - 1] ?? 0)) {
      best[pos] = best[pos - 1] ?? 0;
      best[pos - 1] = i;
      pos--;
    }
  }
  return best;
}
