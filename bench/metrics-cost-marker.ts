/**
 * Preloaded into the app server that `npm run bench -- metrics-cost` runs under callgrind
 * (`node --import ./bench/metrics-cost-marker.ts server.ts`). It only marks where a measured window
 * starts and ends, and lengthens one timeout (below).
 *
 * On SIGUSR2 it calls `os.getPriority()`, whose libc function (getpriority) neither Node nor the
 * app calls otherwise; callgrind runs with `--dump-before=getpriority`, so each mark writes the
 * instructions counted since the previous mark to a file of its own. The bench drives requests
 * between marks, so each window's file holds exactly what those requests cost the server, start-up
 * and warm-up excluded. On SIGWINCH, sent once nothing is measured any more, it prints what the
 * metrics registry recorded, so the bench can check that the "on" run really recorded and the
 * "off" run did not.
 *
 * It also gives the serving caches a clock that advances per request instead of with the wall
 * (bench/step-clock.ts), so the instructions a request costs do not depend on valgrind's speed.
 */
import { subscribe } from "node:diagnostics_channel";
import type { Server } from "node:http";
import { getPriority } from "node:os";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import { Redis } from "ioredis";
import { setCacheClock } from "../app/lib/storefront-store/cache-clock";
import { createStepClock } from "./step-clock";

// The same module instance server.ts imports (both load app sources through tsx), so the
// serving caches read this clock. Every HTTP request the server receives moves it one step.
const clock = createStepClock({ start: Date.now() });
/** Readings the caches took: above 0 shows the server's caches really run on this clock. */
let clockReads = 0;
setCacheClock(() => {
  clockReads++;
  return clock.now();
});
/**
 * The bench's keep-alive connection may sit idle for longer than the server's 5 s keep-alive
 * timeout (a mark's dump under valgrind takes seconds). The server then closes it, and a request
 * already on its way meets a reset (ECONNRESET). So idle connections stay open here.
 */
let keepAliveSet = false;
subscribe("http.server.request.start", (message) => {
  clock.request();
  if (keepAliveSet) return;
  (message as { server: Server }).server.keepAliveTimeout = 0;
  keepAliveSet = true;
});

/**
 * The one change to the server: its Redis command timeout (2 s, app/lib/redis.server.ts) becomes
 * 120 s. Under valgrind the server runs tens of times slower, and on a busy machine a reply can
 * wait past 2 s, which would answer the request 503. The timer is still armed and cleared for
 * every command, so a request executes the same code; only a stall no longer fails it.
 */
const connect = Redis.prototype.connect;
Redis.prototype.connect = function (this: Redis, ...args: Parameters<typeof connect>) {
  if (this.options.commandTimeout) this.options.commandTimeout = 120_000;
  return connect.apply(this, args);
};

let marks = 0;

/**
 * No garbage collection may run inside a measured window: which window a collection falls in
 * depends on everything allocated before it, one major collection is several percent of a
 * window, and a full collection also throws away optimised code that held objects which died, so
 * the next requests run slower while V8 compiles again. The bench therefore gives the server a
 * young generation larger than everything it allocates once warm, and asks (SIGTTIN) for one full
 * collection after the warm-up, followed by a second warm-up in which V8 re-optimises. A window's
 * allocation is then its heap growth, a figure that does not depend on timing, and it stands in
 * for the collections that allocation would cost. Needs `--expose-gc` (the bench passes it).
 */
const collect = (globalThis as { gc?: () => void }).gc;
/** Start times (performance.now) of every collection, to show none ran inside a window. */
const collections: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) collections.push(entry.startTime);
}).observe({ entryTypes: ["gc"] });

process.on("SIGTTIN", () => {
  if (!collect) throw new Error("the metrics-cost marker needs --expose-gc");
  collect();
  process.stdout.write("metrics-cost collected\n");
});

let windowStart = { heap: 0, at: 0 };

process.on("SIGUSR2", () => {
  const heap = getHeapStatistics().used_heap_size;
  const at = performance.now();
  getPriority();
  const window = {
    allocated: heap - windowStart.heap,
    collections: collections.filter((t) => t > windowStart.at && t < at).length,
  };
  windowStart = { heap: getHeapStatistics().used_heap_size, at: performance.now() };
  clock.mark();
  marks++;
  process.stdout.write(`metrics-cost mark ${marks} ${JSON.stringify(window)}\n`);
});

process.on("SIGWINCH", () => void report());

/** The two hot paths' request counters, as /metrics would show them; 0 where nothing was recorded. */
async function report(): Promise<void> {
  // Imported only now, long after server.ts loaded it: the same module instance the app records into.
  const metrics = await import("../app/lib/metrics/definitions.server");
  const total = async (name: string) => {
    const metric = metrics.registry.getSingleMetric(name);
    if (!metric) return 0;
    const { values } = await metric.get();
    return values.reduce((sum, row) => sum + row.value, 0);
  };
  const recorded = {
    recording: metrics.isRecording(),
    webhooks: await total("affinity_webhooks_received_total"),
    recommendations: await total("affinity_recommendation_requests_total"),
    clockReads,
  };
  process.stdout.write(`metrics-cost recorded ${JSON.stringify(recorded)}\n`);
}
