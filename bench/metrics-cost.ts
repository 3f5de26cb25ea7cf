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
 * The "on" run must show every measured request in its counters and the "off" run none.
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

/** The phases a run measures, in order; each ends with a mark. */
const PHASES = ["intake", "serving"] as const;
type Phase = (typeof PHASES)[number];

/** What the server's metrics registry held after the measured phases (printed by the marker). */
export interface Recorded {
  recording: boolean;
  webhooks: number;
  recommendations: number;
}

export interface InstructionRun {
  metrics: boolean;
  requests: number;
  /** Instructions the server executed for all `requests` of each phase. */
  instructions: Record<Phase, number>;
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
      METRICS_COST_MARKS: String(PHASES.length),
      ...(options.metrics ? { METRICS_PORT: "0" } : {}),
    });
    // Start-up under valgrind is several times slower than without, more on a busy machine.
    await server.waitFor(/Affinity app listening on/, 600_000);
    const origin = `http://127.0.0.1:${port}`;
    const send = requestSenders(origin, secret);

    const say = (what: string) => progress(`metrics ${options.metrics ? "on" : "off"}: ${what}`);
    say("server up, warming up");
    await send.intake("warm", options.warmup);
    await send.serving(options.warmup, true);
    const recordedLine = server.waitFor(/^metrics-cost recorded /, 600_000);
    instrumentFromNow(server.child.pid!);
    await mark(server, 0);
    say("measuring intake");
    await send.intake("meas", options.requests);
    await mark(server, 1);
    say("measuring serving");
    await send.serving(options.requests, false);
    await mark(server, 2);
    const recorded = JSON.parse((await recordedLine).replace(/^metrics-cost recorded /, "")) as Recorded;
    await server.stop();
    const pid = server.child.pid!;
    // Part 1 is the moment between instrumentation on and the first mark; parts 2 and 3 are the phases.
    const instructions = { intake: totalOf(outDir, pid, 2), serving: totalOf(outDir, pid, 3) };
    return { metrics: options.metrics, requests: options.requests, instructions, recorded };
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

/** Signed webhooks and proxy GETs, one at a time on one connection, each required to succeed. */
function requestSenders(origin: string, secret: string) {
  const post = createPoster(origin, 1);
  const get = createGetter(origin, 1);
  const orders = Array.from({ length: 50 }, (_, i) =>
    signWebhook({ topic: "orders/create", shop: INTAKE_SHOP, payload: benchOrder(i) }),
  );
  let served = 0;
  const expect = (status: number, wanted: number, what: string) => {
    if (status !== wanted) throw new Error(`the app answered ${status} to ${what}, expected ${wanted}`);
  };
  /**
   * During warm-up a first request can spend seconds compiling under callgrind, longer than the
   * app's 2 s Redis command timeout, and be answered 503: it is sent again. Measured requests
   * must succeed the first time, or their retries would be counted.
   */
  const send = async (warm: boolean, what: string, request: () => Promise<number>) => {
    let status = await request();
    for (let tries = 1; warm && status === 503 && tries < 5; tries++) status = await request();
    expect(status, 200, what);
  };
  return {
    async intake(tag: string, count: number) {
      for (let i = 0; i < count; i++) {
        const w = orders[i % orders.length]!;
        // A fresh webhook id per delivery (same length every time), so none is dropped as a repeat.
        const id = `${tag}-${String(i).padStart(6, "0")}`;
        await send(tag === "warm", "a webhook", () =>
          post("/webhooks", { ...w.headers, "X-Shopify-Webhook-Id": id }, w.body),
        );
      }
    },
    async serving(count: number, warm: boolean) {
      // Signed just before sending: Shopify's signatures expire after 90 s, and callgrind is slow.
      for (let i = 0; i < count; i++) {
        const n = served++;
        await send(warm, "a proxy GET", () => get(shopperRequest(n, secret)));
      }
    },
  };
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
async function mark(server: Spawned, done: number): Promise<void> {
  const taken = server.waitFor(new RegExp(`^metrics-cost mark ${done + 1}$`), 600_000);
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

/** The "off" run must record nothing and the "on" run every measured request and more. */
export function checkRecorded(run: InstructionRun, warmup: number): void {
  const { recorded } = run;
  const expected = run.metrics ? warmup + run.requests : 0;
  const fine =
    recorded.recording === run.metrics && recorded.webhooks === expected && recorded.recommendations === expected;
  if (!fine)
    throw new Error(
      `metrics ${run.metrics ? "on" : "off"}: expected ${expected} webhooks and recommendations recorded, ` +
        `the server recorded ${JSON.stringify(recorded)}`,
    );
}

export async function benchMetricsCost(options: { quick: boolean }): Promise<BenchResult[]> {
  if (!hasValgrind()) {
    process.stderr.write("metrics-cost: valgrind is not installed (apt-get install valgrind); skipped\n");
    return [];
  }
  const warmup = options.quick ? 300 : 1_000;
  const requests = options.quick ? 300 : 1_000;
  const runs: InstructionRun[] = [];
  for (const metrics of [false, true]) {
    process.stderr.write(`metrics-cost: server under callgrind, metrics ${metrics ? "on" : "off"}…\n`);
    const run = await measureInstructions({ metrics, warmup, requests });
    checkRecorded(run, warmup);
    runs.push(run);
  }
  const [off, on] = runs as [InstructionRun, InstructionRun];
  return PHASES.map((phase) => {
    const perRequest = (run: InstructionRun) => run.instructions[phase] / run.requests;
    return result(
      `${phase}.metrics_instr_ratio`,
      round(perRequest(on), 0),
      "instructions/request",
      round(perRequest(off), 0),
      `server-side instructions per request under callgrind, metrics on (value) and off (reference), ` +
        `${requests} sequential requests after ${warmup} of warm-up; independent of machine load; target ratio ≤ 1.05`,
    );
  });
}
