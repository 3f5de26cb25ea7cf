/**
 * Every Prometheus metric Affinity exposes, in one place: the app and the workers import this
 * module and record through it; /metrics (app/lib/endpoints/metrics-endpoint.server.ts) serves
 * its registry. No metric has a shop label: one series per shop would grow with every install,
 * and per-shop figures belong to the admin and the database.
 *
 * The storefront and webhook paths record into plain tallies (tally.ts) and only while metrics
 * are on (METRICS_PORT set), so a process without a metrics port does no metrics work at all.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { KeyedTally, PairTally, TallyHistogram } from "./tally";

export const registry = new Registry();

let recording = false;

/** Turns recording on (once METRICS_PORT is known to be set) and adds Node's process metrics. */
export function startRecording(): void {
  if (recording) return;
  recording = true;
  collectDefaultMetrics({ register: registry });
}

/** Whether this process records metrics; tests and the bench switch it on through METRICS_PORT. */
export const isRecording = () => recording;

// ---- webhook intake (app) --------------------------------------------------------------------

const webhooks = new PairTally<string, number>();
new Counter({
  name: "affinity_webhooks_received_total",
  help: "Webhook deliveries answered, by topic and HTTP status (topic is 'unverified' when the HMAC or headers were refused).",
  labelNames: ["topic", "status"],
  registers: [registry],
  collect() {
    this.reset();
    for (const [topic, byStatus] of webhooks.counts)
      for (const [status, n] of byStatus.counts) this.inc({ topic, status }, n);
  },
});

/** One webhook delivery answered with `status`. */
export function recordWebhook(topic: string, status: number): void {
  if (recording) webhooks.add(topic, status);
}

// ---- storefront serving (app) ----------------------------------------------------------------

const servingSeconds = new TallyHistogram(
  "affinity_recommendation_duration_seconds",
  "Time from a recommendations request arriving to its answer being written, every status.",
  [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registry,
);
const servingStatuses = new KeyedTally<number>();
new Counter({
  name: "affinity_recommendation_requests_total",
  help: "Recommendations requests answered, by HTTP status.",
  labelNames: ["status"],
  registers: [registry],
  collect() {
    this.reset();
    for (const [status, n] of servingStatuses.counts) this.inc({ status }, n);
  },
});

/** One recommendations answer, for a request that arrived at `startedMs` (performance.now()). */
export function recordRecommendation(status: number, startedMs: number): void {
  if (!recording) return;
  servingSeconds.observe((performance.now() - startedMs) / 1000);
  servingStatuses.add(status);
}

/** What the serving path's process cache holds: a shop's head (state, run), run lists, product cards. */
export type CacheKind = "head" | "list" | "card";
const cacheHits = { head: 0, list: 0, card: 0 };
const cacheMisses = { head: 0, list: 0, card: 0 };
new Counter({
  name: "affinity_serving_cache_lookups_total",
  help: "Serving reads answered from the app process's cache (hit) or from Redis (miss), by kind.",
  labelNames: ["kind", "result"],
  registers: [registry],
  collect() {
    this.reset();
    for (const kind of ["head", "list", "card"] as const) {
      this.inc({ kind, result: "hit" }, cacheHits[kind]);
      this.inc({ kind, result: "miss" }, cacheMisses[kind]);
    }
  },
});

/** `hits` and `misses` reads of one kind in the process cache. */
export function recordCacheLookups(kind: CacheKind, hits: number, misses: number): void {
  if (!recording) return;
  cacheHits[kind] += hits;
  cacheMisses[kind] += misses;
}

// ---- storefront events (app) -----------------------------------------------------------------

const beacons = { accepted: 0 };
const beaconRefusals = new KeyedTally<string>();
new Counter({
  name: "affinity_beacon_events_accepted_total",
  help: "Storefront events (block beacons, web pixel) accepted and queued.",
  registers: [registry],
  collect() {
    this.reset();
    this.inc(beacons.accepted);
  },
});
new Counter({
  name: "affinity_beacon_events_refused_total",
  help: "Storefront events refused, by reason (bad_signature, unknown_shop, too_large, invalid, rate limits).",
  labelNames: ["reason"],
  registers: [registry],
  collect() {
    this.reset();
    for (const [reason, n] of beaconRefusals.counts) this.inc({ reason }, n);
  },
});

export function recordBeaconsAccepted(events: number): void {
  if (recording) beacons.accepted += events;
}

export function recordBeaconsRefused(reason: string, events: number): void {
  if (recording) beaconRefusals.add(reason, events);
}

// ---- Shopify Admin API (app and workers) -----------------------------------------------------

const adminThrottles = new Counter({
  name: "affinity_admin_api_throttled_total",
  help: "Admin API answers that said to slow down (HTTP 429 or a THROTTLED GraphQL error).",
  registers: [registry],
});
const tokenRefreshes = new Counter({
  name: "affinity_offline_token_refreshes_total",
  help: "Offline token renewals asked of Shopify, by outcome (renewed, failed).",
  labelNames: ["outcome"],
  registers: [registry],
});

export function recordAdminThrottle(): void {
  if (recording) adminThrottles.inc();
}

export function recordTokenRefresh(outcome: "renewed" | "failed"): void {
  if (recording) tokenRefreshes.inc({ outcome });
}

// ---- queues and jobs (workers) ---------------------------------------------------------------

/** The job states reported per queue; "waiting" includes BullMQ's prioritized jobs. */
export const REPORTED_STATES = ["waiting", "active", "delayed", "failed"] as const;
export type ReportedState = (typeof REPORTED_STATES)[number];

/** What one scrape read from BullMQ: per queue and state, the count and the head job's age. */
export type QueueSnapshot = Array<{ queue: string; state: ReportedState; jobs: number; oldestAgeSeconds: number }>;

let readQueues: (() => Promise<QueueSnapshot>) | null = null;
let pending: Promise<QueueSnapshot> | null = null;

/** The worker hands over how to read its queues; read once per scrape, at scrape time. */
export function setQueueSource(source: () => Promise<QueueSnapshot>): void {
  readQueues = source;
}

/**
 * Both gauges of one scrape share one read of BullMQ: the registry asks every metric at once, so
 * the second asks while the first's read is still pending. The next scrape reads afresh.
 */
function snapshot(): Promise<QueueSnapshot> {
  if (!readQueues) return Promise.resolve([]);
  pending ??= readQueues().finally(() => (pending = null));
  return pending;
}

new Gauge({
  name: "affinity_queue_jobs",
  help: "Jobs in each queue by state (waiting, active, delayed, failed), read from BullMQ when scraped.",
  labelNames: ["queue", "state"],
  registers: [registry],
  // Every worker process reads the same Redis: in a cluster, one process's figure stands for all.
  aggregator: "first",
  async collect() {
    this.reset();
    for (const row of await snapshot()) this.set({ queue: row.queue, state: row.state }, row.jobs);
  },
});
new Gauge({
  name: "affinity_queue_oldest_job_age_seconds",
  help: "Age of the job at the head of each queue and state (the next to run, the longest running, the oldest failure); 0 when empty.",
  labelNames: ["queue", "state"],
  registers: [registry],
  aggregator: "first",
  async collect() {
    this.reset();
    for (const row of await snapshot()) this.set({ queue: row.queue, state: row.state }, row.oldestAgeSeconds);
  },
});

const jobSeconds = new Histogram({
  name: "affinity_job_duration_seconds",
  help: "Time a worker spent on one job attempt, by queue, whether it completed or failed.",
  labelNames: ["queue"],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
  registers: [registry],
});
const jobsCompleted = new Counter({
  name: "affinity_jobs_completed_total",
  help: "Jobs completed, by queue; rate() of the webhooks queue is the ingest drain rate.",
  labelNames: ["queue"],
  registers: [registry],
});
const jobsFailed = new Counter({
  name: "affinity_jobs_failed_total",
  help: "Job attempts that failed, by queue (a job retried three times counts three).",
  labelNames: ["queue"],
  registers: [registry],
});

/**
 * Starts a queue's job counters at 0 (and the training outcomes, for the train queue), so
 * rate() and increase() see a series before the first job finishes: an alert on a queue that
 * never completes anything after a restart must still fire.
 */
export function zeroJobCounters(queue: string, training: boolean): void {
  if (!recording) return;
  jobsCompleted.inc({ queue }, 0);
  jobsFailed.inc({ queue }, 0);
  if (training) for (const outcome of ["completed", "failed"]) trainingRuns.inc({ outcome }, 0);
}

export function recordJob(queue: string, outcome: "completed" | "failed", seconds: number | null): void {
  if (!recording) return;
  if (seconds !== null) jobSeconds.observe({ queue }, seconds);
  (outcome === "completed" ? jobsCompleted : jobsFailed).inc({ queue });
}

// ---- training (workers) ----------------------------------------------------------------------

const trainingRuns = new Counter({
  name: "affinity_training_runs_total",
  help: "Training runs by outcome: completed (a model or a baseline is served), failed (diverged or errored).",
  labelNames: ["outcome"],
  registers: [registry],
});
const trainingSeconds = new Histogram({
  name: "affinity_training_duration_seconds",
  help: "Wall time of a training run, by outcome.",
  labelNames: ["outcome"],
  buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
  registers: [registry],
});
const MB = 1024 * 1024;
const trainingMemory = new Histogram({
  name: "affinity_training_peak_memory_bytes",
  help: "Peak resident memory of the training child process when a run ended (compare with TRAIN_MAX_RSS_MB).",
  buckets: [256, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192].map((mb) => mb * MB),
  registers: [registry],
});

export function recordTraining(outcome: "completed" | "failed", seconds: number | null, peakBytes: number | null) {
  if (!recording) return;
  trainingRuns.inc({ outcome });
  if (seconds !== null) trainingSeconds.observe({ outcome }, seconds);
  if (peakBytes !== null) trainingMemory.observe(peakBytes);
}
