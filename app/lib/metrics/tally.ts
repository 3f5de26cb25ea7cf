import type { Metric, Registry } from "prom-client";

/**
 * Hot-path counting without allocation. prom-client's own `inc()` and `observe()` build label
 * objects and hashes on every call; on the storefront's and the webhook intake's paths that is
 * garbage per request. These keep plain numbers instead, and prom-client reads them only when
 * /metrics is scraped (a counter's `collect`, or the histogram below).
 */

/** Counts by one key (a label value); a key already seen costs a Map lookup and an add. */
export class KeyedTally<K> {
  readonly counts = new Map<K, number>();
  add(key: K, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
}

/** Counts by two keys, such as a webhook's topic and its answer's status. */
export class PairTally<A, B> {
  readonly counts = new Map<A, KeyedTally<B>>();
  add(a: A, b: B): void {
    let inner = this.counts.get(a);
    if (!inner) this.counts.set(a, (inner = new KeyedTally<B>()));
    inner.add(b);
  }
}

interface ValueRow {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram (no labels) whose `observe` writes into a typed array. It is registered
 * with a prom-client Registry as a metric of its own, read at scrape time like any other, and
 * sums across cluster processes like prom-client's histograms do.
 */
export class TallyHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    this.counts = new Float64Array(bounds.length);
    registry.registerMetric(this as unknown as Metric);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  async get() {
    const values: ValueRow[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += this.counts[i]!;
      values.push({ labels: { le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
    });
    values.push(
      { labels: { le: "+Inf" }, value: this.count, metricName: `${this.name}_bucket` },
      { labels: {}, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {}, value: this.count, metricName: `${this.name}_count` },
    );
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
