/**
 * `npm run bench -- metrics-cost` (also part of `--metrics-compare`): what metrics cost the two hot
 * paths, counted in CPU instructions rather than time. Wall-clock figures on this shared 2-core
 * machine swing by tens of percent between identical runs (p99 by ±30 %), far more than the 5 %
 * issue 20 allows; the number of instructions a request executes does not depend on what else the
 * machine is doing.
 *
 * Method: the real app server (`server.ts`, production build, one process, as `npm start` runs
 * it) runs under `valgrind --tool=callgrind`, once with metrics off and once with METRICS_PORT=0
 * (everything recorded, /metrics served, as in production). This process, outside valgrind, sends
 * it signed requests one at a time over one keep-alive connection: a warm-up of both paths (JIT,
 * caches, pools), then `requests` webhooks (HMAC verify + enqueue to BullMQ), then `requests`
 * App Proxy recommendation GETs (signature check + Redis read + Liquid answer). Marks between
 * the phases (bench/metrics-cost-marker.ts) make callgrind write the instructions of each phase
 * to a file of its own, so start-up and warm-up cancel out and only the server's side is counted.
 * The "on" run must show every measured request in its counters and the "off" run none. The
 * serving caches run on a step clock (bench/step-clock.ts), not the wall clock, and a second
 * "off" server side by side gives the method's own spread (`*.metrics_instr_repeat`).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { z } from "zod";
import { APP_NODE_FLAGS } from "../app/lib/app-node-flags";
import { freePort, spawnProcess, type Spawned } from "../test/helpers/child-process";
import { seedServedShop } from "../test/helpers/storefront-seed";
import { createSqliteTestDb } from "../test/helpers/test-db";
import { createTestPrefix } from "../test/helpers/test-redis";
import { signWebhook } from "../test/helpers/webhooks";
import { benchOrder, SHOP as INTAKE_SHOP } from "./intake";
import { windowInstructions, type WindowInstructions } from "./callgrind";
import { BENCH_DB_DIR, createGetter, createPoster, result, round, type BenchResult } from "./lib";
import { seedData, shopperRequest, SHOP as SERVING_SHOP } from "./serving";

/**
 * Semi-space size (MB) the measured server runs with, instead of `npm start`'s 32: more than it
 * allocates from the one full collection to the end (about 55 KB a webhook and 63 KB a GET: some
 * 350 MB for the re-warm alone, 470 MB with 1,000 measured requests of each path; the bench
 * fails when a collection runs inside a window).
 */
const youngMb = () => Number(process.env.METRICS_COST_YOUNG_MB ?? 1_024);

/**
 * Requests of each path sent after the one full collection, for V8 to finish optimising
 * (METRICS_COST_REWARM overrides it). The full collection marks about 30 optimised functions for
 * deoptimisation (V8's "weak objects": maps their code embedded died), and tier-up had not
 * settled after 1,300 requests anyway: with 300 here, V8's trace showed 11 and 17 TurboFan
 * compilations inside the two 300-request windows, 39 % of the instructions callgrind counted
 * there. With 3,000, one in each window (ADR 009, "A warm server stops compiling").
 */
const rewarm = () => Number(process.env.METRICS_COST_REWARM ?? 3_000);

/** Requests of each path sent after instrumentation is turned on, before anything is measured. */
const RETRANSLATE = 20;

/** The phases a run measures, in order; each between two marks. */
const PHASES = ["intake", "serving"] as const;
export type Phase = (typeof PHASES)[number];

/** What the server's metrics registry held after the measured phases (printed by the marker). */
export interface Recorded {
  recording: boolean;
  webhooks: number;
  recommendations: number;
  /** Times the serving caches read the bench's step clock (bench/step-clock.ts). */
  clockReads: number;
}

/** What the server did for all `requests` of one phase. */
export interface PhaseCost extends WindowInstructions {
  /** Bytes the phase allocated on the JavaScript heap (no collection ran inside it). */
  allocated: number;
}

/** A measured window as the server left it: its callgrind file, and what the marker reported. */
interface MeasuredWindow {
  file: string;
  allocated: number;
}

export interface InstructionRun {
  metrics: boolean;
  requests: number;
  /** Only the measured phases are present. */
  instructions: Record<Phase, PhaseCost>;
  /** Every request sent to the server, warm-up and repeats included. */
  sent: { webhooks: number; recommendations: number };
  recorded: Recorded;
}

export interface InstructionOptions {
  metrics: boolean;
  /** Requests of each path before the first mark. */
  warmup: number;
  /** Requests of each path measured. */
  requests: number;
  /** Requests of each path after the full collection; default `rewarm()` (the harness test: a few). */
  rewarm?: number;
  /** Where the served shop's SQLite database goes. */
  dbDir?: string;
  /** The phases warmed up and measured; default both (bench/serving-cost.ts: serving alone). */
  phases?: readonly Phase[];
  /**
   * Storefront requests cycle through this many shoppers (bench/serving.ts's `shopperRequest`
   * numbering); default none: each request is the next shopper, so customers rarely repeat.
   */
  shoppers?: number;
}

/** Whether callgrind can run here; the bench says so instead of failing when it cannot. */
export function hasValgrind(): boolean {
  try {
    return spawnSync("valgrind", ["--version"]).status === 0;
  } catch {
    return false;
  }
}

/**
 * One run of the server under callgrind with metrics on or off: warm-up, then each phase between
 * two marks. Every process and key it creates is gone when it returns.
 */
export async function measureInstructions(options: InstructionOptions): Promise<InstructionRun> {
  const secret = process.env.SHOPIFY_API_SECRET!;
  const t = createSqliteTestDb(options.dbDir ?? BENCH_DB_DIR);
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const outDir = mkdtempSync(path.join(tmpdir(), "affinity-callgrind-"));
  let server: Spawned | undefined;
  try {
    await seedServedShop(t.db, redis, prefix, SERVING_SHOP, seedData());
    const port = await freePort();
    server = startUnderCallgrind(outDir, {
      PORT: String(port),
      DATABASE_URL: t.url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: "warn",
      ...(options.metrics ? { METRICS_PORT: "0" } : {}),
    });
    // Start-up under valgrind is several times slower than without, more on a busy machine.
    await server.waitFor(/Affinity app listening on/, 600_000);
    const origin = `http://127.0.0.1:${port}`;
    const send = requestSenders(origin, secret, options.shoppers);
    const phases = options.phases ?? PHASES;
    const warm = async (tag: string, count: number) => {
      if (phases.includes("intake")) await send.intake(tag, count, true);
      if (phases.includes("serving")) await send.serving(count, true);
    };

    const say = (what: string) => progress(`metrics ${options.metrics ? "on" : "off"}: ${what}`);
    say("server up, warming up");
    await warm("w", options.warmup);
    // One full collection now, then V8 re-optimises what it dropped: none runs after this (the marker).
    await collectOnce(server);
    await warm("r", options.rewarm ?? rewarm());
    // Instrumenting retranslates all code: a few requests more, so none measured pays for that.
    instrumentFromNow(server.child.pid!);
    await warm("i", RETRANSLATE);
    const marks = { taken: 0 };
    const windows = {} as Record<Phase, MeasuredWindow>;
    for (const phase of phases) {
      say(`measuring ${phase}`);
      windows[phase] = await measurePhase(server, outDir, marks, () =>
        phase === "intake" ? send.intake("m", options.requests, false) : send.serving(options.requests, false),
      );
    }
    const recordedLine = server.waitFor(/^metrics-cost recorded /, 600_000);
    server.child.kill("SIGWINCH");
    const recorded = JSON.parse((await recordedLine).replace(/^metrics-cost recorded /, "")) as Recorded;
    await server.stop();
    // Read once the server is gone: callgrind_annotate takes a while, and nothing waits on it.
    const instructions = {} as Record<Phase, PhaseCost>;
    for (const phase of phases)
      instructions[phase] = { ...(await windowInstructions(windows[phase].file)), allocated: windows[phase].allocated };
    return { metrics: options.metrics, requests: options.requests, instructions, recorded, sent: send.sent };
  } finally {
    await server?.stop();
    keepDumps(outDir, options.metrics, server?.stdout() ?? "");
    rmSync(outDir, { recursive: true, force: true });
    redis.disconnect();
    await cleanup();
    await t.drop();
  }
}

/**
 * The reference of bench/serving-cost.ts: bench/bare-http.ts in one process (no cluster) under
 * callgrind with the app's flags and the same marker, sent the same signed URLs over one
 * keep-alive connection, warmed up, collected and re-warmed as the app is. What Node's HTTP
 * layer alone costs a request; the app's count over this is what its own work adds.
 */
export async function measureBareInstructions(options: {
  warmup: number;
  requests: number;
  bodyBytes: number;
  /** Requests after the full collection; default `rewarm()`, as the app's (the harness test: a few). */
  rewarm?: number;
}): Promise<PhaseCost> {
  const secret = process.env.SHOPIFY_API_SECRET!;
  const outDir = mkdtempSync(path.join(tmpdir(), "affinity-callgrind-"));
  let server: Spawned | undefined;
  try {
    const port = await freePort();
    server = startUnderCallgrind(
      outDir,
      { PORT: String(port), BODY_BYTES: String(options.bodyBytes), SINGLE: "1" },
      "bench/bare-http.ts",
    );
    await server.waitFor(/bare http listening/, 600_000);
    const get = createGetter(`http://127.0.0.1:${port}`, 1);
    let shopper = 0;
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const status = await get(shopperRequest(shopper++, secret));
        if (status !== 200) throw new Error(`the bare server answered ${status}`);
      }
      return true;
    };
    progress("bare server up, warming up");
    await send(options.warmup);
    await collectOnce(server);
    await send(options.rewarm ?? rewarm());
    instrumentFromNow(server.child.pid!);
    await send(RETRANSLATE);
    progress("measuring the bare server");
    const window = await measurePhase(server, outDir, { taken: 0 }, () => send(options.requests));
    await server.stop();
    return { ...(await windowInstructions(window.file)), allocated: window.allocated };
  } finally {
    await server?.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * With METRICS_COST_KEEP=<dir>, a run's callgrind files are copied there before they are deleted,
 * for `callgrind_annotate` to say which functions two runs differ in.
 */
function keepDumps(outDir: string, metrics: boolean, output: string): void {
  const keep = process.env.METRICS_COST_KEEP;
  if (!keep) return;
  const to = path.join(keep, `${metrics ? "on" : "off"}-${path.basename(outDir)}`);
  cpSync(outDir, to, { recursive: true });
  writeFileSync(path.join(to, "server.out"), output);
  progress(`callgrind files kept in ${to}`);
}

/**
 * `server.ts` under callgrind, with `npm start`'s flags. METRICS_PORT is removed from the
 * inherited environment (`env -u`) so that "off" means off even when the bench itself runs with
 * it set. `--single-threaded` keeps V8's compiler and garbage collector on the main thread, where
 * their work happens at the same points in every run rather than whenever a helper thread is
 * scheduled; callgrind counts every thread either way.
 */
function startUnderCallgrind(outDir: string, env: Record<string, string>, script = "server.ts"): Spawned {
  const metricsOn = env.METRICS_PORT !== undefined;
  return spawnProcess(
    "env",
    [
      ...(metricsOn ? [] : ["-u", "METRICS_PORT"]),
      "valgrind",
      "--tool=callgrind",
      // Start-up and warm-up run uninstrumented, several times faster; see instrumentFromNow.
      "--instr-atstart=no",
      "--dump-before=getpriority",
      `--callgrind-out-file=${outDir}/callgrind.out.%p`,
      process.execPath,
      ...APP_NODE_FLAGS,
      "--single-threaded",
      // One forced collection after warm-up (the marker). The memory reducer starts collections on
      // timers, so whether one ran would depend on how fast valgrind let the server run.
      "--expose-gc",
      "--no-memory-reducer",
      // A young generation larger than a measured window allocates: no collection inside a window.
      `--min-semi-space-size=${youngMb()}`,
      `--max-semi-space-size=${youngMb()}`,
      // Extra V8 flags for studying a run (e.g. --trace-opt --trace-deopt), with METRICS_COST_KEEP.
      ...(process.env.METRICS_COST_NODE_FLAGS?.split(" ").filter(Boolean) ?? []),
      "--import",
      "tsx",
      "--import",
      "./bench/metrics-cost-marker.ts",
      script,
    ],
    { NODE_ENV: "production", WEB_CONCURRENCY: "1", ...env },
  );
}

/**
 * Signed webhooks and proxy GETs, one at a time on one connection. A warm-up request answered
 * 503 is sent again: while callgrind compiles or instruments, the server can stall for longer
 * than the app's 2 s Redis command timeout. A measured phase instead stops at its first answer
 * other than 200 and says so (false), to be measured again: a retry's cost would be counted.
 */
function requestSenders(origin: string, secret: string, shoppers?: number) {
  const post = createPoster(origin, 1);
  const get = createGetter(origin, 1);
  const orders = Array.from({ length: 50 }, (_, i) =>
    signWebhook({ topic: "orders/create", shop: INTAKE_SHOP, payload: benchOrder(i) }),
  );
  const sent = { webhooks: 0, recommendations: 0 };
  let delivery = 0;
  let shopper = 0;
  const send = async (warm: boolean, what: string, request: () => Promise<number>) => {
    for (let tries = 1; ; tries++) {
      const status = await request();
      if (status === 200) return true;
      if (!warm) return false;
      if (status !== 503 || tries === 5) throw new Error(`the app answered ${status} to ${what} during warm-up`);
    }
  };
  const run = async (count: number, warm: boolean, what: string, request: () => Promise<number>) => {
    for (let i = 0; i < count; i++) if (!(await send(warm, what, request))) return false;
    return true;
  };
  return {
    sent,
    intake(tag: string, count: number, warm: boolean) {
      return run(count, warm, "a webhook", () => {
        const w = orders[delivery % orders.length]!;
        // A fresh webhook id per delivery (same length every time), so none is dropped as a repeat.
        const id = `${tag}-${String(delivery++).padStart(7, "0")}`;
        sent.webhooks++;
        return post("/webhooks", { ...w.headers, "X-Shopify-Webhook-Id": id }, w.body);
      });
    },
    serving(count: number, warm: boolean) {
      // Signed just before sending: Shopify's signatures expire after 90 s, and valgrind is slow.
      return run(count, warm, "a proxy GET", () => {
        sent.recommendations++;
        const i = shopper++;
        return get(shopperRequest(shoppers ? i % shoppers : i, secret));
      });
    },
  };
}

/** How many phases may be measured again after a request in them failed. */
const PHASE_ATTEMPTS = 3;

/**
 * One phase between two marks; its instructions are the callgrind dump the second mark writes.
 * Dump k holds what ran between marks k-1 and k (dump 1: from instrumentation on to mark 1).
 */
async function measurePhase(
  server: Spawned,
  outDir: string,
  marks: { taken: number },
  phase: () => Promise<boolean>,
): Promise<MeasuredWindow> {
  for (let attempt = 1; ; attempt++) {
    await mark(server, ++marks.taken);
    const succeeded = await phase();
    const window = await mark(server, ++marks.taken);
    if (window.collections > 0)
      throw new Error(
        `${window.collections} garbage collections ran inside a measured window (${window.allocated} bytes ` +
          `allocated); raise METRICS_COST_YOUNG_MB above ${youngMb()}`,
      );
    const file = path.join(outDir, `callgrind.out.${server.child.pid!}.${marks.taken}`);
    if (succeeded) return { file, allocated: window.allocated };
    if (attempt === PHASE_ATTEMPTS) throw new Error(`a measured request failed in ${PHASE_ATTEMPTS} attempts`);
    progress("a measured request was not answered 200 (a stall past the Redis timeout?); measuring again");
  }
}

function progress(line: string): void {
  if (process.env.METRICS_COST_QUIET !== "1") process.stderr.write(`metrics-cost: ${line}\n`);
}

/**
 * Turns callgrind's instrumentation on (through vgdb, which valgrind starts by default). Before
 * this the server ran at the speed of valgrind's core alone; the first mark follows at once, so
 * nothing before it is counted in any measured phase.
 */
function instrumentFromNow(pid: number): void {
  const control = spawnSync("callgrind_control", ["--instr=on", String(pid)], { encoding: "utf8", timeout: 60_000 });
  if (control.status !== 0 || !/OK/.test(control.stdout))
    throw new Error(`callgrind_control could not turn instrumentation on: ${control.stdout}${control.stderr}`);
}

/** What the marker reports about the window a mark ends (bench/metrics-cost-marker.ts). */
const markLine = z.object({ allocated: z.number(), collections: z.number().int() });

/** Has the server collect garbage once (bench/metrics-cost-marker.ts) and waits until it has. */
async function collectOnce(server: Spawned): Promise<void> {
  const collected = server.waitFor(/^metrics-cost collected$/, 600_000);
  server.child.kill("SIGTTIN");
  await collected;
}

/** Marks the end of a window, waits until the server has taken the mark, and returns its report. */
async function mark(server: Spawned, number: number): Promise<z.infer<typeof markLine>> {
  const taken = server.waitFor(new RegExp(`^metrics-cost mark ${number} \\{`), 600_000);
  server.child.kill("SIGUSR2");
  const line = await taken;
  return markLine.parse(JSON.parse(line.slice(line.indexOf("{"))));
}

/**
 * The "off" run must record nothing and the "on" run every request it was sent, and both must
 * have served from caches that read the bench's step clock rather than the wall clock.
 */
export function checkRecorded(run: InstructionRun): void {
  const { recorded, sent } = run;
  if (!(recorded.clockReads > 0))
    throw new Error(`metrics ${run.metrics ? "on" : "off"}: the serving caches never read the bench's step clock`);
  const fine =
    recorded.recording === run.metrics &&
    recorded.webhooks === (run.metrics ? sent.webhooks : 0) &&
    recorded.recommendations === (run.metrics ? sent.recommendations : 0);
  if (!fine)
    throw new Error(
      `metrics ${run.metrics ? "on" : "off"}: sent ${JSON.stringify(sent)}, the server recorded ${JSON.stringify(recorded)}`,
    );
}

/**
 * Several servers under callgrind side by side, each with the bench's sizes (METRICS_COST_WARMUP and
 * METRICS_COST_REQUESTS override them, to study how they settle); null, with a note, when valgrind
 * is missing. An instruction count does not change with what else runs, and each run is slow.
 * allSettled, not all: when one server dies, the others still stop their servers (each run's
 * finally) before the bench fails, instead of leaving them running under valgrind.
 */
export async function measureSideBySide(
  bench: string,
  quick: boolean,
  runs: readonly Omit<InstructionOptions, "warmup" | "requests">[],
): Promise<{ runs: InstructionRun[]; warmup: number; requests: number } | null> {
  if (!hasValgrind()) {
    process.stderr.write(`${bench}: valgrind is not installed (apt-get install valgrind); skipped\n`);
    return null;
  }
  const warmup = Number(process.env.METRICS_COST_WARMUP ?? (quick ? 200 : 1_000));
  const requests = Number(process.env.METRICS_COST_REQUESTS ?? (quick ? 200 : 1_000));
  const settled = await Promise.allSettled(runs.map((run) => measureInstructions({ ...run, warmup, requests })));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return { runs: settled.map((s) => (s as PromiseFulfilledResult<InstructionRun>).value), warmup, requests };
}

export async function benchMetricsCost(options: { quick: boolean }): Promise<BenchResult[]> {
  // A second "off" server shows how far two identical servers' counts differ: the method's noise.
  process.stderr.write("metrics-cost: the app server under callgrind, metrics off, off again and on…\n");
  const measured = await measureSideBySide("metrics-cost", options.quick, [
    { metrics: false },
    { metrics: false },
    { metrics: true },
  ]);
  if (!measured) return [];
  const { warmup, requests } = measured;
  const [off, repeat, on] = measured.runs;
  for (const run of [off!, repeat!, on!]) checkRecorded(run);
  const sizes = `${requests} sequential requests after ${warmup} of warm-up`;
  return PHASES.flatMap((phase) => costResults(phase, { off: off!, repeat: repeat!, on: on! }, sizes));
}

/**
 * The figures of one phase: instructions per request without the optimising compiler (see
 * bench/callgrind.ts), and heap bytes allocated per request, each for metrics on against off and
 * for the second "off" server against the first (the method's own spread). The compiler's share
 * is given in the description, so nothing measured is hidden.
 */
function costResults(
  phase: Phase,
  runs: Record<"off" | "repeat" | "on", InstructionRun>,
  sizes: string,
): BenchResult[] {
  const cost = (run: InstructionRun) => run.instructions[phase];
  const executed = (run: InstructionRun) => (cost(run).total - cost(run).compile) / run.requests;
  const allocated = (run: InstructionRun) => cost(run).allocated / run.requests;
  const compileShare = (run: InstructionRun) => `${Math.round((100 * cost(run).compile) / cost(run).total)} %`;
  const shares = `optimising compiler ${compileShare(runs.off)} / ${compileShare(runs.repeat)} / ${compileShare(runs.on)} of the totals (off / off again / on), left out`;
  const pair = (id: string, unit: string, of: (run: InstructionRun) => number, what: string): BenchResult[] => [
    result(
      `${phase}.${id}_ratio`,
      round(of(runs.on), 0),
      unit,
      round(of(runs.off), 0),
      `${what}, metrics on (value) and off (reference), ${sizes}; target ratio ≤ 1.05`,
    ),
    result(
      `${phase}.${id}_repeat`,
      round(of(runs.repeat), 0),
      unit,
      round(of(runs.off), 0),
      `${what}, a second server with metrics off against the first, ${sizes}: the method's own spread, expected within 1 % of 1`,
    ),
  ];
  return [
    ...pair(
      "metrics_instr",
      "instructions/request",
      executed,
      `server-side instructions per request under callgrind (${shares})`,
    ),
    ...pair(
      "metrics_alloc",
      "bytes/request",
      allocated,
      "JavaScript heap bytes allocated per request (no collection inside the window)",
    ),
  ];
}
