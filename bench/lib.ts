import http from "node:http";
import os from "node:os";
import { defaultWebConcurrency } from "../app/lib/env.server";

/** Where benchmark databases live, apart from the test suite's var/test. */
export const BENCH_DB_DIR = "var/bench";

/**
 * The app's processes in the HTTP benchmarks: what `npm start` runs by default (WEB_CONCURRENCY,
 * one per core). The test helpers start one.
 */
export const APP_PROCESSES = { WEB_CONCURRENCY: String(defaultWebConcurrency()) };

/** The mean of `values`, 0 for none. */
export const mean = (values: Iterable<number>): number => {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    sum += v;
    n += 1;
  }
  return sum / Math.max(1, n);
};

/** One figure, beside the reference measured in the same run (null where there is none). */
export interface BenchResult {
  id: string;
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
  note?: string;
}

export function result(
  id: string,
  value: number,
  unit: string,
  reference: number | null = null,
  note?: string,
): BenchResult {
  const ratio = reference ? round(value / reference, 3) : null;
  return {
    id,
    value: round(value, 3),
    unit,
    reference: reference === null ? null : round(reference, 3),
    ratio,
    ...(note ? { note } : {}),
  };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return percentile(sorted, 50);
}

/**
 * Runs `task(i)` for i in [0, total) with `inFlight` running at once; returns wall seconds and
 * each task's latency in ms.
 */
export async function runConcurrent(
  total: number,
  inFlight: number,
  task: (i: number) => Promise<void>,
): Promise<{ seconds: number; latenciesMs: number[] }> {
  const latenciesMs: number[] = new Array(total);
  let next = 0;
  const start = performance.now();
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await task(i);
      latenciesMs[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { seconds: (performance.now() - start) / 1000, latenciesMs };
}

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/**
 * POSTs with node:http and a keep-alive agent. The load generator shares this 2-core machine with
 * the server it measures, so it uses the cheapest client Node has rather than fetch.
 */
export function createPoster(origin: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(origin);
  return (path: string, headers: Record<string, string>, body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          hostname,
          port,
          path,
          method: "POST",
          agent,
          headers: { ...headers, "Content-Length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.once("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.once("error", reject);
      req.end(body);
    });
}

/** GETs with node:http and a keep-alive agent; resolves with the status once the body is read. */
export function createGetter(origin: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(origin);
  return (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ hostname, port, path, method: "GET", agent }, (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
      });
      req.once("error", reject);
      req.end();
    });
}
