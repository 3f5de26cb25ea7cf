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
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { APP_NODE_FLAGS } from "../app/lib/app-node-flags";
import { freePort, spawnProcess, type Spawned } from "../test/helpers/child-process";
import { seedServedShop } from "../test/helpers/storefront-seed";
import { createSqliteTestDb } from "../test/helpers/test-db";
import { createTestPrefix } from "../test/helpers/test-redis";
import { signWebhook } from "../test/helpers/webhooks";
import { benchOrder, SHOP as INTAKE_SHOP } from "./intake";
import { BENCH_DB_DIR, createGetter, createPoster, result, round, type BenchResult } from "./lib";
import { seedData, shopperRequest, SHOP as SERVING_SHOP } from "./serving";

/** Requests of each path sent after instrumentation is turned on, before anything is measured. */
const RETRANSLATE = 20;

/** The phases a run measures, in order; each between two marks. */
const PHASES = ["intake", "serving"] as const;
type Phase = (typeof PHASES)[number];

/** What the server's metrics registry held after the measured phases (printed by the marker). */
export interface Recorded {
  recording: boolean;
  webhooks: number;
  recommendations: number;
  /** Times the serving caches read the bench's step clock (bench/step-clock.ts). */
  clockReads: number;
}

export interface InstructionRun {
  metrics: boolean;
  requests: number;
  /** Instructions the server executed for all `requests` of each phase. */
  instructions: Record<Phase, number>;
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
  /** Where the served shop's SQLite database goes. */
  dbDir?: string;
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
    const send = requestSenders(origin, secret);

    const say = (what: string) => progress(`metrics ${options.metrics ? "on" : "off"}: ${what}`);
    say("server up, warming up");
    await send.intake("w", options.warmup, true);
    await send.serving(options.warmup, true);
    // Instrumenting retranslates all code: a few requests more, so none measured pays for that.
    instrumentFromNow(server.child.pid!);
    await send.intake("i", RETRANSLATE, true);
    await send.serving(RETRANSLATE, true);
    const marks = { taken: 0 };
    const instructions = {} as Record<Phase, number>;
    for (const phase of PHASES) {
      say(`measuring ${phase}`);
      instructions[phase] = await measurePhase(server, outDir, marks, () =>
        phase === "intake" ? send.intake("m", options.requests, false) : send.serving(options.requests, false),
      );
    }
    const recordedLine = server.waitFor(/^metrics-cost recorded /, 600_000);
    server.child.kill("SIGWINCH");
    const recorded = JSON.parse((await recordedLine).replace(/^metrics-cost recorded /, "")) as Recorded;
    await server.stop();
    return { metrics: options.metrics, requests: options.requests, instructions, recorded, sent: send.sent };
  } finally {
    await server?.stop();
    rmSync(outDir, { recursive: true, force: true });
    redis.disconnect();
    await cleanup();
    await t.drop();
  }
}

/**
 * `server.ts` under callgrind, with `npm start`'s flags. METRICS_PORT is removed from the
 * inherited environment (`env -u`) so that "off" means off even when the bench itself runs with
 * it set. `--single-threaded` keeps V8's compiler and garbage collector on the main thread, where
 * their work happens at the same points in every run rather than whenever a helper thread is
 * scheduled; callgrind counts every thread either way.
 */
function startUnderCallgrind(outDir: string, env: Record<string, string>): Spawned {
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
      "--import",
      "tsx",
      "--import",
      "./bench/metrics-cost-marker.ts",
      "server.ts",
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
function requestSenders(origin: string, secret: string) {
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
        return get(shopperRequest(shopper++, secret));
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
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    await mark(server, ++marks.taken);
    const succeeded = await phase();
    await mark(server, ++marks.taken);
    if (succeeded) return totalOf(outDir, server.child.pid!, marks.taken);
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

/** Marks the end of a window and waits until the server has taken the mark. */
async function mark(server: Spawned, number: number): Promise<void> {
  const taken = server.waitFor(new RegExp(`^metrics-cost mark ${number}$`), 600_000);
  server.child.kill("SIGUSR2");
  await taken;
}

/** The instruction total of one callgrind dump (`<file>.<part>`). */
function totalOf(outDir: string, pid: number, part: number): number {
  const text = readFileSync(path.join(outDir, `callgrind.out.${pid}.${part}`), "utf8");
  const total = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
  if (!total) throw new Error(`callgrind dump ${part} has no instruction total`);
  return Number(total[1]);
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

export async function benchMetricsCost(options: { quick: boolean }): Promise<BenchResult[]> {
  if (!hasValgrind()) {
    process.stderr.write("metrics-cost: valgrind is not installed (apt-get install valgrind); skipped\n");
    return [];
  }
  // METRICS_COST_WARMUP and METRICS_COST_REQUESTS override the sizes, to study how they settle.
  const warmup = Number(process.env.METRICS_COST_WARMUP ?? (options.quick ? 200 : 1_000));
  const requests = Number(process.env.METRICS_COST_REQUESTS ?? (options.quick ? 200 : 1_000));
  // Side by side: an instruction count does not change with what else runs, and each run is slow.
  // A second "off" server shows how far two identical servers' counts differ: the method's noise.
  process.stderr.write("metrics-cost: the app server under callgrind, metrics off, off again and on…\n");
  const [off, repeat, on] = await Promise.all(
    [false, false, true].map((metrics) => measureInstructions({ metrics, warmup, requests })),
  );
  for (const run of [off!, repeat!, on!]) checkRecorded(run);
  const sizes = `${requests} sequential requests after ${warmup} of warm-up`;
  return PHASES.flatMap((phase) => {
    const perRequest = (run: InstructionRun) => run.instructions[phase] / run.requests;
    return [
      result(
        `${phase}.metrics_instr_ratio`,
        round(perRequest(on!), 0),
        "instructions/request",
        round(perRequest(off!), 0),
        `server-side instructions per request under callgrind, metrics on (value) and off (reference), ` +
          `${sizes}; independent of machine load; target ratio ≤ 1.05`,
      ),
      result(
        `${phase}.metrics_instr_repeat`,
        round(perRequest(repeat!), 0),
        "instructions/request",
        round(perRequest(off!), 0),
        `the same with metrics off in two identical servers side by side, ${sizes}; ` +
          `the method's own spread, expected within 1 % of 1`,
      ),
    ];
  });
}
